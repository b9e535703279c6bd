"""How commands speak: human text or one JSON document on stdout, diagnostics on stderr."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import Any


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
    sys.stdout.write("\n")


def echo(text: str = "") -> None:
    sys.stdout.write(text)
    sys.stdout.write("\n")


def warn(message: str) -> None:
    sys.stderr.write(f"{styled('ks: warning:', 'warn', sys.stderr)} {message}\n")


def warn_all(messages: Iterable[str]) -> None:
    for message in messages:
        warn(message)


def note(message: str) -> None:
    """Progress or advice that is not the command's result (stderr, so --json stays clean)."""
    sys.stderr.write(f"{message}\n")


# -- For people at a terminal (issue 16): colour and aligned columns only on a terminal, plain
# text through a pipe or in a log; NO_COLOR (https://no-color.org) and --no-color turn colour off.

_STYLES = {"ok": "32", "bad": "1;31", "warn": "33", "head": "1", "dim": "2"}


def colour_on(stream: Any = None) -> bool:
    """Whether ``stream`` (stdout by default) takes ANSI colour."""
    stream = sys.stdout if stream is None else stream
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def styled(text: str, style: str, stream: Any = None) -> str:
    """``text`` in ``style`` (ok, bad, warn, head, dim) when ``stream`` takes colour."""
    if not text or not colour_on(stream):
        return text
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"


def on_terminal(stream: Any = None) -> bool:
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def aligned(rows: list[list[str]], *, header: list[str] | None = None) -> list[str]:
    """Rows as columns padded to their widest cell (the last column is not padded)."""
    table = ([header] if header else []) + rows
    if not table:
        return []
    widths = [max(len(row[i]) for row in table if i < len(row)) for i in range(len(table[0]))]
    lines = []
    for index, row in enumerate(table):
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + row[-1:]
        line = "  ".join(cells).rstrip()
        lines.append(styled(line, "head") if header and index == 0 else line)
    return lines


def count(number: int) -> str:
    """4998 as 4,998."""
    return f"{number:,}"
