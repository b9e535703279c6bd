"""``ks apply SPEC``: make stores hold what a TOML spec says (see ops/apply.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo, emit_json, warn_all
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT


def command(
    spec: Annotated[Path, typer.Argument(help="The TOML spec naming the stores and contents.")],
    check: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; exit 10 when a store would change."),
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Show each store's added, replaced, removed entries.")
    ] = False,
    lock_timeout: opt.LockTimeout = DEFAULT_LOCK_TIMEOUT,
    json: opt.Json = False,
) -> int:
    """Make stores hold what a TOML spec says (idempotent)."""
    from keystore_tool.ops.apply import EXIT_WOULD_CHANGE, apply_spec, load_spec

    report = apply_spec(load_spec(spec), check=check, lock_timeout=lock_timeout)
    for store in report.stores:
        warn_all(store.warnings)
    if json:
        emit_json(report.as_json())
    else:
        echo("\n".join(_text(report, diff)))
    return EXIT_WOULD_CHANGE if check and report.changed else 0


def _text(report: object, diff: bool) -> list[str]:
    from keystore_tool.ops.apply import ApplyReport

    assert isinstance(report, ApplyReport)
    lines: list[str] = []
    would = "would be " if report.check else ""
    for store in report.stores:
        parts = []
        if store.created:
            parts.append(f"{would}created")
        for label, items in (
            ("added", store.added),
            ("replaced", store.replaced),
            ("removed", store.removed),
        ):
            if items:
                parts.append(f"{len(items)} {would}{label}")
        if store.password_changed:
            parts.append(f"password {would}changed")
        if store.mode is not None:
            parts.append(f"mode {would}set to {store.mode[1]:04o}")
        if store.owner is not None:
            parts.append(f"owner {would}set to {store.owner[1]}")
        summary = ", ".join(parts) if parts else "unchanged"
        lines.append(f"{store.keystore} ({store.storetype}): {summary}")
        if not diff:
            continue
        lines.extend(f"  + {alias}  {sha}" for alias, sha in store.added)
        lines.extend(f"  ~ {alias}  {sha}" for alias, sha in store.replaced)
        lines.extend(f"  - {alias}  {sha}" for alias, sha in store.removed)
        if store.password_changed:
            lines.append("  * password")
        if store.mode is not None:
            lines.append(f"  * mode {store.mode[0]:04o} -> {store.mode[1]:04o}")
        if store.owner is not None:
            lines.append(f"  * owner {store.owner[0]} -> {store.owner[1]}")
    return lines
