#!/usr/bin/env python3
"""Pastes every fix triage prints for hostile names, as an attacker would hope someone does.

For each SampleLogs scenario with a firewall log, every name a log carries (vm_name, vpc_name,
subnetwork_name, the rule reference, project_id, region, zone, location fields) gets a hostile suffix;
triage runs on it (--format json, the scenario's cluster.yaml when there is one), and every printed
command (remedy commands, kpt setters, surer_with) is checked with `bash -n` and then run by bash in an
empty folder with PATH holding only stubs (gcloud, kubectl, grep, kpt, triage record their argv;
`touch` creates its file). A command that does not parse, or after which a file named X exists, is
reported. Prints `commands N bad M`; exits 1 when M > 0 or N == 0.

Usage: tools/hostile-names.py TRIAGE_BINARY [SAMPLELOGS_DIR] [--all]
(--all tries every hostile value; by default a few that cover each quoting context.)
"""
import glob, json, os, shutil, subprocess, sys, tempfile

FEW = ["$(touch X)", "a'$(touch X)'b", 'x"$(touch X)"`touch X`; touch X | touch X\n#']
ALL = FEW + ["x && touch X #", "x'\"'\"'$(touch X)", "${IFS}$(touch${IFS}X)", "x\u2028y",
             "--flags-file=/etc/passwd", "x;touch X", "x|touch X", "x\ntouch X", "`touch X`"]
NAMES = {"vm_name", "vpc_name", "subnetwork_name", "reference", "project_id", "region", "zone",
         "subnetwork_id", "country", "continent", "city", "location"}


def mutate(value, suffix):
    if isinstance(value, dict):
        return {k: (v + suffix if k in NAMES and isinstance(v, str) else mutate(v, suffix)) for k, v in value.items()}
    if isinstance(value, list):
        return [mutate(v, suffix) for v in value]
    return value


def stubs():
    folder = tempfile.mkdtemp(prefix="stubs-")
    for name in ["gcloud", "kubectl", "grep", "kpt", "triage"]:
        path = os.path.join(folder, name)
        with open(path, "w") as f:
            f.write('#!/bin/sh\nprintf "%s\\0" "$0" "$@" >> "$ARGV_LOG"\n')
        os.chmod(path, 0o755)
    path = os.path.join(folder, "touch")
    with open(path, "w") as f:
        f.write('#!/bin/sh\nfor f in "$@"; do : > "$f"; done\n')
    os.chmod(path, 0o755)
    return folder


def main():
    args = [a for a in sys.argv[1:] if a != "--all"]
    triage = os.path.abspath(args[0])
    samples = args[1] if len(args) > 1 else os.path.join(os.path.dirname(__file__), "..", "SampleLogs")
    hostile = ALL if "--all" in sys.argv else FEW
    stub = stubs()
    total = bad = 0
    try:
        for scenario in sorted(glob.glob(os.path.join(samples, "*", ""))):
            log = os.path.join(scenario, "firewall-denied.json")
            if not os.path.exists(log):
                continue
            with open(log) as f:
                entries = json.load(f)
            cluster = os.path.join(scenario, "cluster.yaml")
            for suffix in hostile:
                work = tempfile.mkdtemp(prefix="hostile-")
                try:
                    path = os.path.join(work, "in.json")
                    with open(path, "w") as f:
                        json.dump(mutate(entries, suffix), f)
                    command = [triage, path, "--format", "json"] + (["--cluster", cluster] if os.path.exists(cluster) else [])
                    env = dict(os.environ, GCE_METADATA_HOST="127.0.0.1")
                    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
                    commands = []
                    for line in result.stdout.splitlines():
                        record = json.loads(line)
                        if record.get("type") == "finding":
                            remedy = record.get("remedy") or {}
                            commands += remedy.get("commands", []) + remedy.get("kpt", []) + record.get("surer_with", [])
                    for text in commands:
                        total += 1
                        syntax = subprocess.run(["bash", "-n", "-c", text], capture_output=True, text=True)
                        if syntax.returncode != 0:
                            bad += 1
                            print(f"does not parse: {scenario} {suffix!r}: {text[:300]}")
                            continue
                        folder = tempfile.mkdtemp(prefix="paste-", dir=work)
                        env = {"PATH": stub, "ARGV_LOG": os.path.join(folder, ".argv"), "HOME": folder}
                        subprocess.run(["/bin/bash", "-c", text], cwd=folder, env=env, capture_output=True, timeout=20)
                        if os.path.exists(os.path.join(folder, "X")):
                            bad += 1
                            print(f"ran code: {scenario} {suffix!r}: {text[:300]}")
                finally:
                    shutil.rmtree(work, ignore_errors=True)
    finally:
        shutil.rmtree(stub, ignore_errors=True)
    print(f"commands {total} bad {bad}")
    return 1 if bad or not total else 0


if __name__ == "__main__":
    sys.exit(main())
