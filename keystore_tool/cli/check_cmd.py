"""``ks check``: expired and soon-expiring certificates (exit 0, 10 or 11; see ops/check.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo, emit_json, styled, warn_all


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
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    json: opt.Json = False,
) -> int:
    """Report expired and soon-expiring certificates.

    Every certificate of every chain, in every store given. Exit 10: one expires within the
    window; 11: one has expired.
    """
    from keystore_tool.errors import UsageError
    from keystore_tool.ops.check import check_stores, parse_duration, prometheus_text
    from keystore_tool.storage import load_store

    if output_format not in ("text", "prometheus"):
        raise UsageError(f"--format {output_format} is unknown; choose text or prometheus")
    if json and output_format != "text":
        raise UsageError("--json and --format prometheus conflict; choose one")
    window = parse_duration(expires_within)
    password = opt.store_password(storepass, storepass_env, storepass_file)
    stores = []
    for path in keystore:
        loaded = load_store(path, password)
        warn_all(loaded.warnings)
        stores.append((str(path), loaded))
    report = check_stores(stores, window)
    if output_format == "prometheus":
        typer.echo(prometheus_text(report), nl=False)
        return 0
    if json:
        emit_json(report.as_json())
        return report.exit_code
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
    total = len(report.certificates)
    lines.append(
        f"{total} certificate{'s' if total != 1 else ''} checked in {len(stores)} "
        f"store{'s' if len(stores) != 1 else ''}: {len(report.expired)} expired, "
        f"{len(report.expiring)} expiring within {expires_within}"
    )
    echo("\n".join(lines))
    return report.exit_code
