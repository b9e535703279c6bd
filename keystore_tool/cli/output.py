"""How commands speak: human text or one JSON document on stdout, diagnostics on stderr.

Everything a human reads goes through :func:`printable`: aliases, certificate names, paths
and server-sent text are chosen by whoever made the input, and a terminal obeys what it is
sent. Control characters (C0, DEL, C1), line and paragraph separators and the bidirectional
overrides and isolates are shown escaped (``\\x1b``, ``\\u202e``), so one line of output is
one line on the screen and says what it seems to say. JSON output is exact (json escapes).
"""

from __future__ import annotations

import json
import os
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
    """Writes ``document`` as indented JSON on stdout (a progress line wiped first)."""
    clear_progress()
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
    sys.stdout.write("\n")


def _shown(text: str, stream: Any) -> str:
    """:func:`printable`, except for the colour codes :func:`styled` writes on a terminal that
    takes colour (those exact codes only: nothing a field could use to move or clear)."""
    if "\x1b" not in text or not colour_on(stream):
        return printable(text)
    pieces: list[str] = []
    position = 0
    for match in _OWN_STYLES.finditer(text):
        pieces.append(printable(text[position : match.start()]))
        pieces.append(match.group())
        position = match.end()
    pieces.append(printable(text[position:]))
    return "".join(pieces)


def echo(text: str = "") -> None:
    """One line of human output on stdout (a line break inside it is shown escaped)."""
    clear_progress()
    sys.stdout.write(_shown(text, sys.stdout))
    sys.stdout.write("\n")


def echo_lines(lines: Iterable[str]) -> None:
    """Each of ``lines`` as exactly one line."""
    clear_progress()
    sys.stdout.write("".join(_shown(line, sys.stdout) + "\n" for line in lines))


def write_raw(text: str) -> None:
    """Output that is data, not prose (PEM, Prometheus text): written as it is."""
    sys.stdout.write(text)


def warn(message: str) -> None:
    """A ``ks: warning:`` line on stderr."""
    clear_progress()
    sys.stderr.write(f"{styled('ks: warning:', 'warn', sys.stderr)} {printable(message)}\n")


def warn_all(messages: Iterable[str]) -> None:
    """Each message as a ``ks: warning:`` line."""
    for message in messages:
        warn(message)


def note(message: str) -> None:
    """Progress or advice that is not the command's result (stderr, so --json stays clean);
    like :func:`echo`, its own line breaks stay."""
    clear_progress()
    sys.stderr.write(_UNSAFE_BUT_NEWLINE.sub(_escaped, message))
    sys.stderr.write("\n")


def error_line(message: str) -> str:
    """The one line ``ks: error: …`` of a failure, whatever the message holds."""
    return f"ks: error: {printable(message)}\n"


# -- For people at a terminal (issue 16): colour and aligned columns only on a terminal, plain
# text through a pipe or in a log; NO_COLOR (https://no-color.org) and --no-color turn colour off.

_STYLES = {"ok": "32", "bad": "1;31", "warn": "33", "head": "1", "dim": "2"}
_OWN_STYLES = re.compile(
    "\x1b\\[(?:" + "|".join(re.escape(code) for code in [*_STYLES.values(), "0"]) + ")m"
)


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
    """Whether ``stream`` (stdout by default) is a terminal."""
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


# -- A progress line on a terminal: an operation that takes over two seconds (a big store, a
# lock held by another ks) says it is still at work, on stderr, and the line is wiped before
# anything else is printed. Never through a pipe or in a log.

_progress: dict[str, Any] = {}


def start_progress(label: str, after: float = 2.0) -> None:
    """Show ``ks: LABEL... (Ns)`` on stderr from ``after`` seconds on, if stderr is a terminal.
    Called once the passwords are read, so it never writes over a prompt."""
    if _progress or not on_terminal(sys.stderr):
        return
    import threading
    import time

    started = time.monotonic()
    stop = threading.Event()
    lock = threading.Lock()

    def tick() -> None:
        if stop.wait(after):
            return
        while True:
            with lock:
                if stop.is_set():
                    return
                elapsed = int(time.monotonic() - started)
                sys.stderr.write(f"\r\x1b[Kks: {label}... ({elapsed} s)")
                sys.stderr.flush()
                _progress["shown"] = True
            if stop.wait(1.0):
                return

    _progress.update(stop=stop, lock=lock, shown=False)
    threading.Thread(target=tick, daemon=True).start()


def clear_progress() -> None:
    """Stop the progress line and wipe it, so the next line starts clean."""
    if not _progress:
        return
    with _progress["lock"]:
        _progress["stop"].set()
        if _progress["shown"]:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            _progress["shown"] = False
