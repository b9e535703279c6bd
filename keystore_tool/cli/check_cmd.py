"""``ks check``: expired and soon-expiring certificates (exit 0, 10 or 11; see ops/check.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.errors import check_exit
from keystore_tool.cli.output import echo_lines, emit_json, styled, warn_all
from keystore_tool.errors import KsError
from keystore_tool.password import Password

if TYPE_CHECKING:
    from keystore_tool.model import Keystore
    from keystore_tool.ops.check import CheckReport


def _passwords_by_store(
    stores: list[Path], values: list[str], envs: list[str], files: list[Path]
) -> list[Callable[[], Password | None]]:
    """Each store's password source, as CLI.md pairs them: one password option for every store,
    or one per ``--keystore`` in order (of one kind); none: a prompt naming the store on a
    terminal. Resolved one store at a time, so a prompt comes when its store is read."""
    from keystore_tool.cli.passwords import resolve
    from keystore_tool.errors import UsageError

    kinds = [
        (name, given)
        for name, given in (
            ("--storepass", values),
            ("--storepass-env", envs),
            ("--storepass-file", files),
        )
        if given
    ]
    total = sum(len(given) for _, given in kinds)
    if total > 1 and (len(kinds) > 1 or total != len(stores)):
        counts = ", ".join(f"{len(given)} {name}" for name, given in kinds)
        raise UsageError(
            f"{len(stores)} --keystore and {counts}: give one password option for every store, "
            "or one of a single kind per --keystore, in the same order"
        )

    def source(index: int, path: Path) -> Callable[[], Password | None]:
        def resolved() -> Password | None:
            if not kinds:
                from keystore_tool.cli.output import printable

                prompt = f"Password of {printable(path)}"
                return resolve("--storepass", None, None, None, prompt=prompt)
            position = index if total > 1 else 0
            if values:
                return resolve("--storepass", values[position], None, None)
            if envs:
                return resolve("--storepass", None, envs[position], None)
            return resolve("--storepass", None, None, files[position])

        return resolved

    return [source(index, path) for index, path in enumerate(stores)]


def command(
    keystore: Annotated[
        list[Path],
        typer.Option("--keystore", "-k", help="A store to check (repeatable)."),
    ],
    expires_within: Annotated[
        str,
        typer.Option(
            "--expires-within", metavar="DURATION", help="Warning window: 30d, 12h, 2w, 90m."
        ),
    ] = "30d",
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="text, or prometheus (a node-exporter textfile; exits 0 whatever it reports).",
        ),
    ] = "text",
    storepass: Annotated[
        list[str] | None,
        typer.Option(
            "--storepass",
            help="A store password (repeatable: once for all stores, or once per --keystore).",
        ),
    ] = None,
    storepass_env: Annotated[
        list[str] | None,
        typer.Option(
            "--storepass-env",
            metavar="VAR",
            help="Read a store password from $VAR (repeatable, as --storepass).",
        ),
    ] = None,
    storepass_file: Annotated[
        list[Path] | None,
        typer.Option(
            "--storepass-file",
            metavar="PATH",
            help="Read a store password from PATH's first line (repeatable, as --storepass).",
        ),
    ] = None,
    runtime_targets: opt.Target = None,
    json: opt.Json = False,
) -> int:
    """Report expired and soon-expiring certificates.

    Every certificate of every chain, in every store given. Exit 10: one expires within the
    window; 11: one has expired.
    """
    from keystore_tool.errors import UsageError
    from keystore_tool.ops.check import (
        check_stores,
        check_targets,
        parse_duration,
        prometheus_text,
    )

    if output_format not in ("text", "prometheus"):
        raise UsageError(f"--format {output_format} is unknown; choose text or prometheus")
    if json and output_format != "text":
        raise UsageError("--json and --format prometheus conflict; choose one")
    targets = opt.runtime_targets(runtime_targets)
    window = parse_duration(expires_within)
    passwords = _passwords_by_store(
        keystore, storepass or [], storepass_env or [], storepass_file or []
    )
    stores = _load_all(keystore, passwords)
    report = check_stores([(path, loaded) for path, loaded, _ in stores], window)
    if targets:
        for path_text, loaded, store_password in stores:
            text = store_password.reveal() if store_password is not None else None
            check_targets(report, path_text, loaded, text, targets)
    if output_format == "prometheus":
        typer.echo(prometheus_text(report), nl=False)
        return 0
    if json:
        emit_json(report.as_json())
    else:
        echo_lines(_text_lines(report, expires_within))
    return check_exit(report)


def _load_all(
    paths: list[Path], passwords: list[Callable[[], Password | None]]
) -> list[tuple[str, Keystore, Password | None]]:
    """Each store read with its password (kept for the --target predictions), its warnings
    said as it is read."""
    from keystore_tool.storage import load_store

    stores = []
    for path, password in zip(paths, passwords, strict=True):
        try:
            given = password()
            loaded = load_store(path, given)
        except KsError as exc:
            # Which of several stores failed is the first thing the user needs to know.
            raise exc.reworded(f"{path}: {exc.message}") from exc
        warn_all(f"{path}: {warning}" for warning in loaded.warnings)
        stores.append((str(path), loaded, given))
    return stores


def _text_lines(report: CheckReport, expires_within: str) -> list[str]:
    lines = []
    for cert in report.certificates:
        if cert.status == "ok":
            continue
        days = cert.seconds_left / 86400
        when = f"expired {-days:.1f} days ago" if days <= 0 else f"expires in {days:.1f} days"
        lines.append(
            f"{styled(cert.status.upper(), 'bad' if cert.status == 'expired' else 'warn')}: {cert.store} '{cert.alias}'"
            f"{f' (chain #{cert.position + 1})' if cert.position else ''} {cert.subject}: "
            f"{when} ({cert.not_after:%Y-%m-%d %H:%M:%S} UTC)"
        )
    for status in report.unloadable:
        codes = ", ".join(p.code for p in status.problems)
        lines.append(f"UNLOADABLE: {status.store} in {status.target}: {codes}")
    total = len(report.certificates)
    count = len(report.stores)
    lines.append(
        f"{total} certificate{'s' if total != 1 else ''} checked in {count} "
        f"store{'s' if count != 1 else ''}: {len(report.expired)} expired, "
        f"{len(report.expiring)} expiring within {expires_within}"
    )
    return lines
