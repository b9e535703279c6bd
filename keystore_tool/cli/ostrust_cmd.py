"""``ks sync-os-trust``: the Java cacerts from the OS trust store (see ops/ostrust.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo, emit_json, warn_all
from keystore_tool.ops.ostrust import JAVA_CACERTS
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT


def command(
    keystore: Annotated[
        Path, typer.Option("--keystore", "-k", help="The Java store to keep in sync.")
    ] = JAVA_CACERTS,
    certs_dir: Annotated[
        Path | None,
        typer.Option(
            "--certs-dir",
            metavar="DIR",
            help="The OS store's NAME.pem links (default /etc/ssl/certs; with --changes, "
            "the changed files' directory).",
        ),
    ] = None,
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle", metavar="FILE", help="Build from a PEM bundle instead of --certs-dir."
        ),
    ] = None,
    changes: Annotated[
        Path | None,
        typer.Option(
            "--changes",
            metavar="FILE",
            help="Apply update-ca-certificates' +file/-file lines ('-': standard input).",
        ),
    ] = None,
    prune_manual: Annotated[
        bool,
        typer.Option("--prune-manual", help="Also remove entries not named debian:… ."),
    ] = False,
    storetype: Annotated[
        str | None,
        typer.Option("--storetype", help="jks (default) or pkcs12, for a new store."),
    ] = None,
    no_password: Annotated[
        bool,
        typer.Option("--no-password", help="A new store is a password-less PKCS12."),
    ] = False,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    lock_timeout: opt.LockTimeout = DEFAULT_LOCK_TIMEOUT,
    json: opt.Json = False,
) -> None:
    """Build Java's cacerts from the OS CA store (no JVM).

    In ca-certificates-java's layout; also its update-ca-certificates hook.
    """
    from keystore_tool.cacerts import CACERTS_PASSWORD, password_for
    from keystore_tool.errors import UsageError
    from keystore_tool.ops.ostrust import parse_changes, sync_os_trust
    from keystore_tool.ops.update import StoreTarget
    from keystore_tool.storage import read_file, resolve_store_path

    given = opt.store_password(storepass, storepass_env, storepass_file, prompt=False)
    if no_password:
        if given is not None:
            raise UsageError("give either --no-password or a store password, not both")
        if storetype not in (None, "pkcs12"):
            raise UsageError("--no-password makes a PKCS12 store; a JKS store needs a password")
        storetype = "pkcs12"
    if bundle is not None and changes is not None:
        raise UsageError("give either --bundle (a full build) or --changes, not both")
    exists = resolve_store_path(keystore).exists()
    if exists:
        password = given if no_password or given else password_for(keystore, None)
    else:
        password = None if no_password else (given or CACERTS_PASSWORD)
    target = StoreTarget(
        str(keystore),
        password,
        storetype=storetype if exists else (storetype or "jks"),
        lock_timeout=lock_timeout,
    )
    parsed = None
    if changes is not None:
        text = (
            sys.stdin.read()
            if str(changes) == "-"
            else read_file(changes, "changes").decode("utf-8", "replace")
        )
        parsed, unknown = parse_changes(text)
        warn_all(f"unknown input line ignored: {line}" for line in unknown)
    report = sync_os_trust(
        target,
        changes=parsed,
        certs_dir=certs_dir,
        bundle=bundle,
        prune_manual=prune_manual,
    )
    warn_all(f"not used: {reason}" for reason in report.skipped)
    if json:
        emit_json(report.as_json())
        return
    parts = [
        f"{label} {len(items)}"
        for label, items in (
            ("added", report.added),
            ("replaced", report.replaced),
            ("removed", report.removed),
        )
        if items
    ]
    parts.append(f"unchanged {report.unchanged}")
    if report.kept_manual:
        parts.append(f"kept {len(report.kept_manual)} added by hand")
    created = " (created)" if report.outcome and report.outcome.created else ""
    echo(f"{keystore}{created}: {', '.join(parts)}")
