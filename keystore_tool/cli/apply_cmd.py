"""``ks apply SPEC``: make stores hold what a TOML spec says (see ops/apply/)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo_lines, emit_json, warn_all
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT

if TYPE_CHECKING:
    from keystore_tool.ops.apply import ApplyReport, StoreDiff
    from keystore_tool.ops.watch import WatchRun


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
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Repeat the warnings of stores that are unchanged."),
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Apply again whenever an input file changes.")
    ] = False,
    on_change: Annotated[
        str | None,
        typer.Option(
            "--on-change",
            metavar="CMD",
            help="With --watch: run CMD (sh -c) when stores were rewritten, named in $KS_CHANGED_STORES.",
        ),
    ] = None,
    interval: Annotated[
        float,
        typer.Option(
            "--interval", metavar="SECONDS", help="With --watch: seconds between polls.", min=0.05
        ),
    ] = 0.5,
    debounce: Annotated[
        float,
        typer.Option(
            "--debounce",
            metavar="SECONDS",
            help="With --watch: seconds the inputs must be quiet.",
            min=0,
        ),
    ] = 1.0,
) -> int:
    """Make stores hold what a TOML spec says (idempotent)."""
    from keystore_tool.cli.errors import apply_exit
    from keystore_tool.ops.apply import apply_spec, load_spec

    if watch:
        return _watch(
            spec,
            on_change,
            interval,
            debounce,
            lock_timeout,
            check=check,
            json=json,
            verbose=verbose,
        )
    if on_change is not None:
        from keystore_tool.errors import UsageError

        raise UsageError("--on-change needs --watch")
    report = apply_spec(load_spec(spec), check=check, lock_timeout=lock_timeout)
    for store in report.stores:
        # A warning about the spec (an incomplete chain) is news when its store changes; on the
        # unchanged re-run at every container start it would only be noise.
        if store.changed or verbose:
            warn_all(store.warnings)
    if json:
        emit_json(report.as_json())
    else:
        echo_lines(_text(report, diff))
    return apply_exit(report, check=check)


def _text(report: ApplyReport, diff: bool) -> list[str]:
    """One line per store (what changed, or "unchanged"), each followed by its entries with
    ``diff``."""
    lines: list[str] = []
    would = "would be " if report.check else ""
    for store in report.stores:
        summary = ", ".join(_changes(store, would)) or "unchanged"
        lines.append(f"{store.keystore} ({store.storetype}): {summary}")
        if diff:
            lines.extend(_diff_lines(store))
    return lines


def _changes(store: StoreDiff, would: str) -> list[str]:
    parts = [f"{would}created"] if store.created else []
    for label, items in (
        ("added", store.added),
        ("replaced", store.replaced),
        ("removed", store.removed),
    ):
        if items:
            parts.append(f"{len(items)} {would}{label}")
    if store.password_changed:
        parts.append(f"password {would}changed")
    if store.protection_changed:
        parts.append(f"{would}rewritten for its targets")
    if store.mode is not None:
        parts.append(f"mode {would}set to {store.mode[1]:04o}")
    if store.owner is not None:
        parts.append(f"owner {would}set to {store.owner[1]}")
    return parts


def _diff_lines(store: StoreDiff) -> list[str]:
    lines = [f"  + {alias}  {sha}" for alias, sha in store.added]
    lines.extend(f"  ~ {alias}  {sha}" for alias, sha in store.replaced)
    lines.extend(f"  - {alias}  {sha}" for alias, sha in store.removed)
    if store.password_changed:
        lines.append("  * password")
    if store.protection_changed:
        lines.append("  * protection (for its targets)")
    if store.mode is not None:
        lines.append(f"  * mode {store.mode[0]:04o} -> {store.mode[1]:04o}")
    if store.owner is not None:
        lines.append(f"  * owner {store.owner[0]} -> {store.owner[1]}")
    return lines


def _watch(
    spec: Path,
    on_change: str | None,
    interval: float,
    debounce: float,
    lock_timeout: float,
    *,
    check: bool,
    json: bool,
    verbose: bool,
) -> int:
    """Applies, then re-applies on every input change until SIGTERM or SIGINT (exit 0)."""
    import signal

    from keystore_tool.errors import UsageError
    from keystore_tool.ops.watch import watch_spec

    if check or json:
        raise UsageError("--watch applies and logs one line per run; drop --check and --json")
    stopping: list[int] = []

    def stop(signum: int, frame: object) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for run in watch_spec(
            spec,
            should_stop=lambda: bool(stopping),
            interval=interval,
            debounce=debounce,
            lock_timeout=lock_timeout,
        ):
            _log_run(run, on_change, verbose=verbose)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _log_run(run: WatchRun, on_change: str | None, *, verbose: bool) -> None:
    """One run of the watch as its log line (and the on-change command's, when stores were
    rewritten)."""
    import sys

    from keystore_tool.errors import KsError
    from keystore_tool.ops.watch import run_on_change

    if run.error is not None:
        _log(
            sys.stderr,
            f"{_cause(run.trigger)}: failed, stores left as they were: {run.error.message}",
        )
        return
    assert run.report is not None
    for store in run.report.stores:
        if store.changed or verbose:
            warn_all(store.warnings)
    _log(sys.stdout, f"{_cause(run.trigger)}: {'; '.join(_text(run.report, False))}")
    written = run.written_stores
    if on_change is None or not written:
        return
    try:
        status = run_on_change(on_change, written)
    except KsError as exc:
        _log(sys.stderr, exc.message)
        return
    if status != 0:
        _log(sys.stderr, f"the on-change command exited {status}")


def _cause(trigger: tuple[str, ...]) -> str:
    if not trigger:
        return "start"
    shown = ", ".join(trigger[:3]) + (f" and {len(trigger) - 3} more" if len(trigger) > 3 else "")
    return f"after a change of {shown}"


def _log(stream: TextIO, line: str) -> None:
    """One line, time-stamped, flushed at once (a log collector reads it as it comes); paths
    and aliases in it are shown escaped, so a file name cannot forge a second line."""
    from datetime import UTC, datetime

    from keystore_tool.cli.output import printable

    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    stream.write(f"{stamp} ks apply: {printable(line)}\n")
    stream.flush()
