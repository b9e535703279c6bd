"""``ks import``: trusted certificates from a file into a store (created when missing)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo, emit_json
from keystore_tool.ops.importing import import_certificates
from keystore_tool.ops.update import StoreTarget
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT, read_file


def command(
    keystore: opt.Keystore,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="PEM (one or many), DER or PKCS#7 certificates."),
    ] = None,
    alias: Annotated[
        str | None,
        typer.Option("--alias", "-a", help="Alias (several certificates: A, A-2, A-3…)."),
    ] = None,
    replace: opt.Replace = False,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    storetype: opt.Storetype = None,
    lock_timeout: opt.LockTimeout = DEFAULT_LOCK_TIMEOUT,
    json: opt.Json = False,
) -> None:
    """Import trusted certificates into a keystore, creating it when missing."""
    from keystore_tool.certfiles import read_certificates
    from keystore_tool.errors import UsageError

    if file is None:
        raise UsageError("give the certificates to import with --file")
    certificates = read_certificates(read_file(file, "certificate"), str(file))
    target = StoreTarget(
        str(keystore),
        opt.write_store_password(storepass, storepass_env, storepass_file),
        storetype=storetype,
        lock_timeout=lock_timeout,
    )
    report = import_certificates(target, certificates, alias=alias, replace=replace)
    if json:
        emit_json(report.as_json())
        return
    for name in report.added:
        echo(f"Added '{name}' to {keystore}")
    for name in report.replaced:
        echo(f"Replaced '{name}' in {keystore}")
    for name in report.unchanged:
        echo(f"Unchanged: '{name}' already holds this certificate")
