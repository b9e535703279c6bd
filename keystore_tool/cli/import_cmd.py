"""``ks import``: trusted certificates from a file into a store (created when missing)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli import server_opts
from keystore_tool.cli.output import echo, emit_json
from keystore_tool.ops.importing import import_certificates
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
    runtime_targets: opt.Target = None,
    json: opt.Json = False,
    from_server: server_opts.FromServer = None,
    expect_sha256: server_opts.ExpectSha256 = None,
    trust_on_first_use: server_opts.TrustOnFirstUse = False,
    with_default_cas: server_opts.WithDefaultCas = False,
    java: server_opts.JavaForCas = None,
) -> None:
    """Import trusted certificates into a keystore, creating it when missing."""
    from keystore_tool.certfiles import read_certificates
    from keystore_tool.errors import UsageError

    targets = opt.runtime_targets(runtime_targets)
    if file is None and from_server is None:
        raise UsageError("give the certificates to import with --file or --from-server")
    if file is not None and from_server is not None:
        raise UsageError("give either --file or --from-server, not both")
    if from_server is not None:
        certificates = server_opts.certificate_from_server(
            from_server, expect_sha256, trust_on_first_use
        )
    else:
        assert file is not None
        certificates = read_certificates(read_file(file, "certificate"), str(file))
    target = opt.store_target(
        keystore,
        storepass,
        storepass_env,
        storepass_file,
        storetype=storetype,
        lock_timeout=lock_timeout,
        targets=targets,
    )
    if with_default_cas:
        from keystore_tool.ops.where import import_with_default_cas

        report, seeded = import_with_default_cas(
            target, certificates, alias=alias, replace=replace, java=java
        )
    else:
        report, seeded = (
            import_certificates(target, certificates, alias=alias, replace=replace),
            None,
        )
    if json:
        document = report.as_json()
        if seeded is not None:
            document["seeded_from"] = seeded.as_json()
        emit_json(document)
        return
    if seeded is not None:
        echo(f"Created {keystore} with the {seeded.count} entries of {seeded.path}")
    for name in report.added:
        echo(f"Added '{name}' to {keystore}")
    for name in report.replaced:
        echo(f"Replaced '{name}' in {keystore}")
    for name in report.unchanged:
        echo(f"Unchanged: '{name}' already holds this certificate")
