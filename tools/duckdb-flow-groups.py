#!/usr/bin/env python3
"""Loads firewall log entries into DuckDB in the shape a Cloud Logging sink gives BigQuery (or a
Log Analytics `_AllLogs` view), runs `triage sql --dialect duckdb`'s query on them and writes the
result rows as JSON lines: the proof of issue 17 without a cloud.

  duckdb-flow-groups.py --query Q.sql --rows ROWS.ndjson [--sorted SORTED.ndjson] [--log-analytics] [--direct] FILE...

FILE: gcloud JSON arrays, NDJSON or concatenated JSON; only firewall entries (with
jsonPayload.connection) are loaded. --sorted also writes those entries ordered as the query
picks a group's first record (time, then insertId), for the streaming run to compare with.
Prints load and query seconds and the input bytes on stderr.
"""
import argparse, datetime, json, os, re, sys, tempfile, time

import duckdb

STRINGS = "VARCHAR[]"
INSTANCE = "STRUCT(project_id VARCHAR, vm_name VARCHAR, region VARCHAR, zone VARCHAR)"
VPC = "STRUCT(project_id VARCHAR, vpc_name VARCHAR, subnetwork_name VARCHAR)"
# The sink's columns for compute.googleapis.com/firewall entries: LogEntry's names, the payload
# nested as the firewall rules logging record format documents it, INTEGER for ports,
# protocol and priority, TIMESTAMP for the times.
PAYLOAD = (
    "STRUCT("
    "connection STRUCT(src_ip VARCHAR, src_port BIGINT, dest_ip VARCHAR, dest_port BIGINT, protocol BIGINT), "
    "disposition VARCHAR, "
    "rule_details STRUCT(reference VARCHAR, priority BIGINT, action VARCHAR, direction VARCHAR, "
    "ip_port_info STRUCT(ip_protocol VARCHAR, port_range VARCHAR[])[], "
    f"source_range {STRINGS}, destination_range {STRINGS}, source_tag {STRINGS}, target_tag {STRINGS}, "
    f"source_service_account {STRINGS}, target_service_account {STRINGS}, "
    f"source_region_code {STRINGS}, destination_region_code {STRINGS}, source_fqdn {STRINGS}, destination_fqdn {STRINGS}), "
    f"instance {INSTANCE}, vpc {VPC}, remote_instance {INSTANCE}, remote_vpc {VPC}, "
    "remote_location STRUCT(continent VARCHAR, country VARCHAR, region VARCHAR, city VARCHAR))"
)
RESOURCE = "STRUCT(type VARCHAR, labels STRUCT(project_id VARCHAR, location VARCHAR, subnetwork_id VARCHAR, subnetwork_name VARCHAR))"


def entries(path):
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        value, position = decoder.raw_decode(text, position)
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict) and isinstance((entry.get("jsonPayload") or {}).get("connection"), dict):
                yield entry


def micros(text):
    """RFC 3339 to microseconds, truncating as triage does (None when absent)."""
    if not isinstance(text, str):
        return None
    match = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)", text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction = int((match.group(7) or "0")[:6].ljust(6, "0"))
    zone = match.group(8)
    offset = 0 if zone in ("Z", "z") else (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60) * (1 if zone[0] == "+" else -1)
    days = (datetime.date(year, month, day) - datetime.date(1970, 1, 1)).days
    return (days * 86400 + hour * 3600 + minute * 60 + second - offset) * 1_000_000 + fraction


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--query", required=True)
    parser.add_argument("--rows", required=True)
    parser.add_argument("--sorted")
    parser.add_argument("--log-analytics", action="store_true")
    parser.add_argument("--direct", action="store_true", help="the files are NDJSON of firewall entries only: DuckDB reads them as they are")
    parser.add_argument("files", nargs="+")
    options = parser.parse_args()

    started = time.monotonic()
    size = sum(os.path.getsize(path) for path in options.files)
    with tempfile.TemporaryDirectory() as scratch:
        staged = os.path.join(scratch, "entries.ndjson")
        kept = []
        if options.direct:
            staged = options.files if len(options.files) > 1 else options.files[0]
        with open(os.devnull if options.direct else staged, "w", encoding="utf-8") as out:
            for path in [] if options.direct else options.files:
                for entry in entries(path):
                    out.write(json.dumps(entry) + "\n")
                    if options.sorted:
                        kept.append(entry)
        if options.sorted:
            def key(entry):
                stamp = micros(entry.get("timestamp"))
                insert = entry.get("insertId")
                return (stamp if stamp is not None else 2**63 - 1, (insert or "").encode("utf-8"))
            kept.sort(key=key)
            with open(options.sorted, "w", encoding="utf-8") as out:
                for entry in kept:
                    out.write(json.dumps(entry) + "\n")

        db = duckdb.connect()
        times = "make_timestamp(epoch_us(CAST({0} AS TIMESTAMPTZ)))"
        source = (
            f"read_json({staged!r}, format='newline_delimited', columns={{"
            "'insertId': 'VARCHAR', 'logName': 'VARCHAR', 'timestamp': 'VARCHAR', 'receiveTimestamp': 'VARCHAR', "
            f"'resource': '{RESOURCE}', 'jsonPayload': '{PAYLOAD}'}})"
        )
        if options.log_analytics:
            # `_AllLogs`: snake_case columns, the payload and resource labels as JSON.
            db.execute(
                "CREATE TABLE firewall_logs AS SELECT "
                f"{times.format('timestamp')} AS timestamp, {times.format('receiveTimestamp')} AS receive_timestamp, "
                "logName AS log_name, replace(regexp_extract(logName, '/logs/(.*)$', 1), '%2F', '/') AS log_id, insertId AS insert_id, "
                "{'type': resource.type, 'labels': to_json(resource.labels)} AS resource, to_json(jsonPayload) AS json_payload "
                f"FROM {source}"
            )
        else:
            db.execute(
                f"CREATE TABLE firewall_logs AS SELECT * REPLACE ({times.format('timestamp')} AS timestamp, "
                f"{times.format('receiveTimestamp')} AS receiveTimestamp) FROM {source}"
            )
        loaded = time.monotonic()
        with open(options.query, encoding="utf-8") as handle:
            query = handle.read()
        db.execute(f"COPY ({query}) TO '{options.rows}' (FORMAT json)")
        done = time.monotonic()
        count = db.execute("SELECT count(*) FROM firewall_logs").fetchone()[0]
    print(
        f"duckdb: {size} bytes, {count} firewall entries; load {loaded - started:.2f} s, query {done - loaded:.2f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
