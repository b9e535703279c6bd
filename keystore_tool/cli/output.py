"""How commands speak: human text or one JSON document on stdout, diagnostics on stderr.

Everything a human reads goes through :func:`printable`: aliases, certificate names, paths
and server-sent text are chosen by whoever made the input, and a terminal obeys what it is
sent. Control characters (C0, DEL, C1), line and paragraph separators and the bidirectional
overrides and isolates are shown escaped (``\\x1b``, ``\\u202e``), so one line of output is
one line on the screen and says what it seems to say. JSON output is exact (json escapes).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from keystore_tool.aliases import UNSAFE_CHARACTERS

_UNSAFE = UNSAFE_CHARACTERS
# The same, less the line feed: for text whose own lines are meant (a prompt's summary).
_UNSAFE_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` as one safe line: every character that moves the cursor, changes the
    terminal's state or reorders what follows is shown as its escape."""
    return _UNSAFE.sub(_escaped, str(text))


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
    sys.stdout.write("\n")


def echo(text: str = "") -> None:
    """One line of human output on stdout (a line break inside it is shown escaped)."""
    sys.stdout.write(printable(text))
    sys.stdout.write("\n")


def echo_lines(lines: Iterable[str]) -> None:
    """Each of ``lines`` as exactly one line."""
    sys.stdout.write("".join(printable(line) + "\n" for line in lines))


def write_raw(text: str) -> None:
    """Output that is data, not prose (PEM, Prometheus text): written as it is."""
    sys.stdout.write(text)


def warn(message: str) -> None:
    sys.stderr.write(f"ks: warning: {printable(message)}\n")


def warn_all(messages: Iterable[str]) -> None:
    for message in messages:
        warn(message)


def note(message: str) -> None:
    """Progress or advice that is not the command's result (stderr, so --json stays clean);
    like :func:`echo`, its own line breaks stay."""
    sys.stderr.write(_UNSAFE_BUT_NEWLINE.sub(_escaped, message))
    sys.stderr.write("\n")


def error_line(message: str) -> str:
    """The one line ``ks: error: …`` of a failure, whatever the message holds."""
    return f"ks: error: {printable(message)}\n"
