"""How commands speak: human text or one JSON document on stdout, diagnostics on stderr."""

from __future__ import annotations

import json
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
    sys.stderr.write(f"ks: warning: {message}\n")


def warn_all(messages: Iterable[str]) -> None:
    for message in messages:
        warn(message)


def note(message: str) -> None:
    """Progress or advice that is not the command's result (stderr, so --json stays clean)."""
    sys.stderr.write(f"{message}\n")
