#!/usr/bin/env python3
"""Lays out kubectl text the way kubectl does, for test inputs and SampleLogs.

kubectl writes describe output and tables through Go's text/tabwriter: cells end with a tab, a
column's width is its widest cell plus the padding, counted per block of consecutive lines that
have that column, and the last cell of a line is not aligned. `kubectl describe` uses
tabwriter(minwidth 0, tabwidth 8, padding 2) with two spaces of indent per level; `kubectl get`
uses tabwriter(minwidth 6, tabwidth 4, padding 3). This module reproduces that algorithm
(text/tabwriter's format()) so hand-written inputs line up byte for byte.

Usage: kubectl-text.py SPEC.py  — SPEC defines TEXT, a list of ("describe"|"get", lines) where
lines use "\\t" between cells; prints the rendered text.
"""
import sys


def tabwrite(text, minwidth, padding):
    lines = [line.split("\t") for line in text.split("\n")]
    out = [None] * len(lines)
    widths = []

    def emit(start, end):
        for i in range(start, end):
            cells = lines[i]
            parts = []
            for j, cell in enumerate(cells[:-1]):
                width = widths[j] if j < len(widths) else 0
                parts.append(cell + " " * max(0, width - len(cell)))
            parts.append(cells[-1])
            out[i] = "".join(parts)

    def fmt(line0, line1):
        pos = line0
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            emit(pos, this)
            pos = this
            width = minwidth
            while this < line1 and column < len(lines[this]) - 1:
                width = max(width, len(lines[this][column]) + padding)
                this += 1
            widths.append(width)
            pos = fmt(pos, this)
            widths.pop()
        emit(pos, line1)
        return line1

    fmt(0, len(lines))
    return "\n".join(out)


def describe(text):
    return tabwrite(text, 0, 2)


def get(text):
    return tabwrite(text, 6, 3)


if __name__ == "__main__":
    scope = {}
    exec(open(sys.argv[1]).read(), scope)
    for kind, body in scope["TEXT"]:
        sys.stdout.write((describe if kind == "describe" else get)(body))
