#!/usr/bin/env python3
"""Writes triage's man page (mdoc) from the argument definitions themselves.

Usage: generate-manual.py TRIAGE_BINARY > triage.1

It reads `TRIAGE_BINARY --experimental-dump-help` (argument-parser's description of every
command, option and help text: what its own generate-manual plugin reads) and prints mdoc, so
the page says exactly what `triage --help` says. argument-parser's plugin builds the whole package
in release mode first; this needs only the binary already built, so `make install-docs` is quick.
The date is SOURCE_DATE_EPOCH's when set (reproducible builds), else today's.
"""

import datetime
import json
import os
import subprocess
import sys

EXIT_STATUS = [
    ("0", "No finding at or above --fail-on (default error)."),
    ("1", "A finding at or above --fail-on."),
    ("2", "An input error (an unreadable file, a truncated gzip, an unknown format, a bad rule file), "
          "or with --live an auth, network or API error or a source that gave no data; "
          "findings from what was read are still printed."),
    ("64", "A usage error."),
    ("130", "--live interrupted with Ctrl-C; findings from what was read are printed."),
]

ENVIRONMENT = [
    ("NO_COLOR", "When set and not empty, no colour (with --color auto)."),
    ("FORCE_COLOR", "When set and not 0, colour even when stdout is not a terminal (with --color auto)."),
    ("COLUMNS", "The width to fit when stdout is not a terminal (80 when unset)."),
    ("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "With --live: a file holding an OAuth access token."),
    ("GOOGLE_APPLICATION_CREDENTIALS", "With --live: an application-default credentials file."),
    ("CLOUDSDK_CONFIG", "With --live: the gcloud configuration directory to look for credentials in."),
    ("GCE_METADATA_HOST", "With --live: the metadata server to ask for a token (default 169.254.169.254)."),
    ("https_proxy, no_proxy", "With --live: the proxy, as libcurl reads them."),
]


def escape(text):
    """Text for one mdoc line: backslashes escaped; a leading dot or quote is not a request."""
    text = text.replace("\\", "\\e")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def lines(text):
    """Paragraphs of help text as mdoc lines: blank lines become .Pp, indented lines stay literal."""
    out = []
    block = []

    def flush():
        if block:
            out.append(".Bd -literal -offset indent")
            out.extend(escape(line) for line in block)
            out.append(".Ed")
            block.clear()

    for line in (text or "").strip("\n").split("\n"):
        if line.startswith("  "):
            block.append(line[2:].rstrip())
            continue
        flush()
        if not line.strip():
            out.append(".Pp")
        else:
            out.append(escape(line.strip()))
    flush()
    return out


def name_of(arg):
    preferred = arg.get("preferredName") or (arg.get("names") or [None])[0]
    return preferred


def flag_text(arg):
    """`Fl -format Ar format` style synopsis of one option."""
    name = name_of(arg)
    if not name:
        return "Ar " + escape(arg.get("valueName", "value"))
    dash = "-" if name["kind"] == "long" else ""
    text = "Fl " + dash + escape(name["name"])
    if arg["kind"] == "option":
        text += " Ar " + escape(arg.get("valueName", "value"))
    return text


def item(arg):
    """One .It entry of an options list, with every spelling of the option."""
    names = arg.get("names") or []
    if arg["kind"] == "positional":
        head = ".It Ar " + escape(arg.get("valueName", "value")) + (" ..." if arg.get("isRepeating") else "")
    else:
        spellings = []
        for name in names:
            dash = "-" if name["kind"] == "long" else ""
            spelling = "Fl " + dash + escape(name["name"])
            if arg["kind"] == "option":
                spelling += " Ar " + escape(arg.get("valueName", "value"))
            spellings.append(spelling)
        head = ".It " + " , ".join(spellings)
    body = []
    abstract = arg.get("abstract") or ""
    extras = []
    values = arg.get("allValues")
    if not values and isinstance(arg.get("completionKind"), dict) and "list" in arg["completionKind"]:
        values = arg["completionKind"]["list"].get("values")
    if values:
        extras.append("values: " + ", ".join(values))
    if arg.get("defaultValue") not in (None, ""):
        extras.append("default: " + arg["defaultValue"])
    text = abstract + (" (" + "; ".join(extras) + ")" if extras else "")
    body.extend(lines(text))
    if arg.get("discussion"):
        body.extend(lines(arg["discussion"]))
    return [head] + body


def visible(args):
    return [a for a in args or [] if a.get("shouldDisplay", True)
            and not (name_of(a) or {}).get("name") in ("help", "version", "generate-completion-script")]


def options_list(args):
    out = [".Bl -tag -width 6n"]
    for arg in args:
        out.extend(item(arg))
    out.append(".El")
    return out


def synopsis(command, path):
    out = [".Nm " + escape(" ".join(path))]
    for arg in visible(command.get("arguments")):
        text = flag_text(arg)
        if arg["kind"] == "positional" and arg.get("isRepeating"):
            text += " ..."
        out.append((".Op " if arg.get("isOptional", True) else ".") + text)
    return out


def subcommand_sections(command, path):
    """A subsection per (displayed) subcommand, recursively: its abstract, usage and options."""
    out = []
    for sub in command.get("subcommands") or []:
        if not sub.get("shouldDisplay", True) or sub["commandName"] == "help":
            continue
        sub_path = path + [sub["commandName"]]
        out.append(".Ss " + escape(" ".join(sub_path[1:])))
        out.extend(lines(sub.get("abstract", "")))
        if sub.get("discussion"):
            out.extend(lines(sub["discussion"]))
        args = visible(sub.get("arguments"))
        if not sub.get("subcommands") or args:
            usage = " ".join(
                ("[" + flag_text(a).replace("Fl ", "-").replace("Ar ", "") + "]") if a.get("isOptional", True)
                else flag_text(a).replace("Fl ", "-").replace("Ar ", "")
                for a in args)
            out.append(".Pp")
            out.append(".Dl " + escape(" ".join(sub_path) + (" " + usage if usage else "")))
        if args:
            out.extend(options_list(args))
        out.extend(subcommand_sections(sub, sub_path))
    return out


def manual(info, date):
    command = info["command"]
    name = command["commandName"]
    out = [
        ".\\\" Generated by tools/generate-manual.py from `" + name + " --experimental-dump-help`; do not edit.",
        ".Dd " + date.strftime("%B %-d, %Y"),
        ".Dt " + name.upper() + " 1",
        ".Os",
        ".Sh NAME",
        ".Nm " + name,
        ".Nd " + escape((command.get("abstract") or "").rstrip(".")),
        ".Sh SYNOPSIS",
    ]
    out.extend(synopsis(command, [name]))
    subcommands = [s for s in command.get("subcommands") or [] if s.get("shouldDisplay", True) and s["commandName"] != "help"]
    if subcommands:
        out.append(".Nm")
        out.append(".Ar subcommand")
    out.append(".Sh DESCRIPTION")
    out.extend(lines(command.get("discussion", "")))

    # Options in the order and groups --help shows them.
    groups = []
    for arg in visible(command.get("arguments")):
        title = arg.get("sectionTitle") or ("ARGUMENTS" if arg["kind"] == "positional" else "OPTIONS")
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        groups[-1][1].append(arg)
    for title, args in groups:
        out.append(".Sh " + escape(title.upper()))
        out.extend(options_list(args))
    if subcommands:
        out.append(".Sh SUBCOMMANDS")
        out.extend(subcommand_sections(command, [name]))
    out.append(".Sh ENVIRONMENT")
    out.append(".Bl -tag -width 6n")
    for variable, meaning in ENVIRONMENT:
        out.append(".It Ev " + escape(variable))
        out.append(escape(meaning))
    out.append(".El")
    out.append(".Sh EXIT STATUS")
    out.append(".Bl -tag -width 6n")
    for code, meaning in EXIT_STATUS:
        out.append(".It " + code)
        out.append(escape(meaning))
    out.append(".El")
    out.append(".Sh SEE ALSO")
    out.append(".Xr gcloud 1 ,")
    out.append(".Xr kubectl 1")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: generate-manual.py TRIAGE_BINARY > triage.1")
    dump = subprocess.run([sys.argv[1], "--experimental-dump-help"], check=True, capture_output=True, text=True).stdout
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    date = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch else datetime.datetime.now()
    sys.stdout.write(manual(json.loads(dump), date))


if __name__ == "__main__":
    main()
