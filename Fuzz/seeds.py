#!/usr/bin/env python3
"""Writes each fuzz target's seed corpus into work/seeds/<target>/ from SampleLogs/ and the test
fixtures: whole files, and small pieces of them (a few records each), since short inputs run faster
and mutate better. Regressions (Fuzz/regressions/<target>-*) are seeds too."""
import gzip, json, os, pathlib, shutil, sys

root = pathlib.Path(__file__).resolve().parent.parent
out = pathlib.Path(__file__).resolve().parent / "work" / "seeds"
sources = [p for d in ("SampleLogs", "Tests/TriageKitTests/Fixtures") for p in sorted((root / d).rglob("*"))
           if p.is_file() and p.name not in ("README.md", "expected.json")]

def is_firewall(p): return "firewall-denied" in p.name or "firewall-all" in p.name or "firewall-log" in p.name
def is_cluster(p): return p.name.startswith("cluster") and p.suffix in (".yaml", ".json")

def json_elements(p):
    try:
        value = json.loads(p.read_text())
    except ValueError:
        return []
    return value if isinstance(value, list) else [value]

def yaml_documents(p):
    docs, current = [], []
    for line in p.read_text().splitlines(keepends=True):
        if line.startswith("---") and current:
            docs.append("".join(current)); current = []
        current.append(line)
    if current: docs.append("".join(current))
    return docs

def pieces(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]

seeds = {name: {} for name in ("ndjson", "json-array", "yaml", "gzip", "text", "cluster", "config")}
def add(target, name, data):
    seeds[target][name] = data if isinstance(data, bytes) else data.encode()

for p in sources:
    rel = str(p.relative_to(root)).replace("/", "_")
    data = p.read_bytes()
    if p.suffix == ".json":
        elements = json_elements(p)
        add("json-array", rel, data)
        for i, piece in enumerate(pieces(elements, 3)):
            add("json-array", f"{rel}.{i}", json.dumps(piece, indent=2))
            add("ndjson", f"{rel}.{i}", "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in piece))
        if not is_firewall(p): add("config", rel, data)
    elif p.suffix == ".yaml":
        add("yaml", rel, data)
        for i, piece in enumerate(pieces(yaml_documents(p), 2)):
            add("yaml", f"{rel}.{i}", "".join(piece))
        if not is_firewall(p): add("config", rel, data)
    else:  # .txt, .log: pasted text
        add("text", rel, data)
        add("config", rel, data)
    if is_cluster(p): add("cluster", rel, data)
    if len(data) <= 16 << 10 or is_firewall(p):
        add("gzip", rel + ".gz", gzip.compress(data[:16 << 10], mtime=0))
# The field corpus: text nobody on the project wrote (CI prefixes, reprs, describe layouts,
# JSON inside pastes), the part after `--- input` of each case, as text seeds (cut to max_len).
for p in sorted((root / "Tests" / "FieldCorpus").glob("*.case")):
    data = p.read_bytes()
    marker = data.find(b"\n--- input\n")
    if marker >= 0: add("text", "field-" + p.stem, data[marker + len(b"\n--- input\n"):][:4096])
# Gzip inside gzip (an export compressed twice).
add("gzip", "double.gz", gzip.compress(gzip.compress(b'{"logName":"projects/p/logs/compute.googleapis.com%2Ffirewall"}\n', mtime=0), mtime=0))

regressions = pathlib.Path(__file__).resolve().parent / "regressions"
for p in sorted(regressions.glob("*")):
    target = next((t for t in seeds if p.name.startswith(t + "-")), None)
    if target: add(target, "regression-" + p.name, p.read_bytes())

targets = sys.argv[1:] or list(seeds)
for target in targets:
    directory = out / target
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for name, data in seeds[target].items(): (directory / name).write_bytes(data)
    print(f"{target}: {len(seeds[target])} seeds, {sum(map(len, seeds[target].values()))} bytes")
