#!/usr/bin/env python3
"""Measure a triage binary on the field corpus, judged as FieldCorpus.swift judges.

    tools/corpus-check.py [--triage PATH] [--only NAME ...] [CASE_OR_DIR ...]

Runs `TRIAGE --format json --fail-on none [flags] INPUT` per case (the input written to a scratch
file named after the case) and prints right/total, then for each miss what triage said. A case is
RIGHT when some finding's rule, one of its merged_rules, or its cause equals `expect:` and every
`fact:` appears, case-insensitively, in that finding's facts, message or remedy (not its quotes).
Use it to measure a given binary (the base build before a change); `make accuracy` judges the same
cases in process.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(os.path.dirname(HERE), "Tests", "FieldCorpus")
INPUT_MARKER = "--- input\n"


def load(path):
    text = open(path, encoding="utf-8").read()
    header, marker, body = text.partition(INPUT_MARKER)
    if not marker:
        raise SystemExit(f"{path}: no '--- input' line")
    values = {}
    for line in header.split("\n"):
        if not line:
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise SystemExit(f"{path}: header line without a key: {line}")
        values.setdefault(key, []).append(value[1:] if value.startswith(" ") else value)
    return {
        "id": os.path.basename(path)[: -len(".case")],
        "expect": values["expect"][0],
        "kind": values["kind"][0],
        "facts": values.get("fact", []),
        "flags": [word for flag in values.get("flags", []) for word in flag.split(" ") if word],
        "input": body,
    }


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool):
        yield "true" if value else "false"
    elif isinstance(value, (int, float)):
        yield str(value)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)


def judge(case, output):
    rules, missing, right = [], [], False
    for line in output.splitlines():
        if not line.strip():
            continue
        finding = json.loads(line)
        if finding.get("type") != "finding":
            continue
        rule = finding.get("rule", "")
        rules.append(rule)
        names = [rule, finding.get("cause", "")] + finding.get("merged_rules", [])
        if case["expect"] not in names:
            continue
        text = "\n".join(
            s for key in ("facts", "message", "remedy") for s in strings(finding.get(key))
        ).lower()
        absent = [fact for fact in case["facts"] if fact.lower() not in text]
        if absent:
            missing.append(f"{rule}: " + ", ".join(absent))
        else:
            right = True
    return right, rules, missing


def case_paths(arguments):
    paths = []
    for argument in arguments or [CORPUS]:
        if os.path.isdir(argument):
            paths += sorted(
                os.path.join(argument, name) for name in os.listdir(argument) if name.endswith(".case")
            )
        else:
            paths.append(argument)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triage", default=os.path.join(os.path.dirname(HERE), ".build", "debug", "triage"))
    parser.add_argument("--only", action="append", default=[], help="case names to run (repeatable)")
    parser.add_argument("cases", nargs="*", help="case files or directories (default: Tests/FieldCorpus)")
    options = parser.parse_args()
    cases = [load(path) for path in case_paths(options.cases)]
    if options.only:
        cases = [case for case in cases if case["id"] in options.only]
    environment = dict(os.environ, GCE_METADATA_HOST="127.0.0.1")
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="corpus-check-") as scratch:
        for case in cases:
            path = os.path.join(scratch, case["id"] + ".txt")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(case["input"])
            command = [options.triage, "--format", "json", "--fail-on", "none", *case["flags"], path]
            run = subprocess.run(command, capture_output=True, text=True, env=environment)
            if run.returncode not in (0, 2):
                print(f"{case['id']}: triage exited {run.returncode}: {run.stderr.strip()[:300]}", file=sys.stderr)
            verdicts.append((case, *judge(case, run.stdout)))
    right = sum(1 for _, ok, _, _ in verdicts if ok)
    total = len(verdicts)
    print(f"{right}/{total} right ({right * 100 // total if total else 0}%)")
    for case, ok, rules, missing in verdicts:
        if ok:
            continue
        found = ", ".join(rules) if rules else "no finding"
        extra = f" (missing facts: {'; '.join(missing)})" if missing else ""
        print(f"  MISS {case['id']} [{case['kind']}]: {case['expect']} -> {found}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
