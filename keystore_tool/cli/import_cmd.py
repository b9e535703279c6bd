"""``ks import``: trusted certificates from a file into a store (created when missing)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli import server_opts, where_cmd
from keystore_tool.cli.errors import import_all_jdks_exit, message
from keystore_tool.cli.output import echo, emit_json, warn, warn_all
from keystore_tool.ops.importing import import_certificates
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT, read_file

if TYPE_CHECKING:
    from keystore_tool.jdks import HostRoots
    from keystore_tool.model import Certificate
    from keystore_tool.ops.importing import ImportReport, Seeded
    from keystore_tool.ops.update import StoreTarget
    from keystore_tool.password import Password


KeystoreOrAll = Annotated[
    Path | None,
    typer.Option("--keystore", "-k", help="The keystore file (or --all-jdks)."),
]


def command(
    keystore: KeystoreOrAll = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="PEM (one or many), DER or PKCS#7 certificates."),
    ] = None,
    alias: Annotated[
        str | None,
        typer.Option(
            "--alias",
            "-a",
            help="Alias (several certificates: A, A-2, A-3…).",
            callback=opt.checked_alias,
        ),
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
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Name every entry, not just the counts.")
    ] = False,
    all_jdks: Annotated[
        bool,
        typer.Option(
            "--all-jdks",
            help="Into every distinct truststore of the host's Java runtimes (ks where "
            "--all); password: changeit, or none for a password-less PKCS12, unless given.",
        ),
    ] = False,
    search: Annotated[
        list[Path] | None,
        typer.Option("--search", metavar="DIR", help="With --all-jdks: also look below DIR."),
    ] = None,
    search_only: Annotated[
        bool, typer.Option("--search-only", help="Look only below the --search directories.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="With --all-jdks: exit 1 when any store was not written."),
    ] = False,
) -> int:
    """Import trusted certificates (creates the store).

    From a file (PEM, DER or PKCS#7) or from what a TLS server presents; idempotent.
    """
    from keystore_tool.errors import UsageError

    targets = opt.runtime_targets(runtime_targets)
    certificates = _certificates(file, from_server, expect_sha256, trust_on_first_use)
    if all_jdks:
        if keystore is not None or with_default_cas:
            raise UsageError(
                "--all-jdks chooses the stores: drop --keystore and --with-default-cas"
            )
        return _all_jdks(
            certificates,
            alias=alias,
            replace=replace,
            password=opt.store_password(storepass, storepass_env, storepass_file, prompt=False),
            roots=where_cmd.roots(search, search_only),
            strict=strict,
            lock_timeout=lock_timeout,
            json=json,
        )
    if keystore is None:
        raise UsageError("give the store to import into with --keystore (or --all-jdks)")
    if search or search_only or strict:
        raise UsageError("--search and --strict go with --all-jdks")
    target = opt.store_target(
        keystore,
        storepass,
        storepass_env,
        storepass_file,
        storetype=storetype,
        lock_timeout=lock_timeout,
        targets=targets,
    )
    report, seeded = _import(target, certificates, alias, replace, with_default_cas, java)
    _show(str(keystore), report, seeded, json=json, verbose=verbose)
    return 0


def _certificates(
    file: Path | None,
    from_server: str | None,
    expect_sha256: str | None,
    trust_on_first_use: bool,
) -> list[Certificate]:
    """The certificates to import: from ``--file`` or from what ``--from-server`` presents."""
    from keystore_tool.certfiles import read_certificates
    from keystore_tool.errors import (
        FormatError,
        KeyInsteadOfCertificateError,
        Remedy,
        UsageError,
    )

    if file is None and from_server is None:
        raise UsageError("give the certificates to import with --file or --from-server")
    if file is not None and from_server is not None:
        raise UsageError("give either --file or --from-server, not both")
    if from_server is not None:
        return server_opts.certificate_from_server(from_server, expect_sha256, trust_on_first_use)
    assert file is not None
    try:
        return read_certificates(read_file(file, "certificate"), str(file))
    except KeyInsteadOfCertificateError as exc:
        # import holds trusted certificates only; a key and its certificate are one entry.
        raise FormatError(
            exc.message,
            remedy=Remedy.BUNDLE_KEY_AND_CERTIFICATE,
            store=exc.source,
            details={"source": exc.source},
        ) from exc


def _import(
    target: StoreTarget,
    certificates: list[Certificate],
    alias: str | None,
    replace: bool,
    with_default_cas: bool,
    java: Path | None,
) -> tuple[ImportReport, Seeded | None]:
    if with_default_cas:
        from keystore_tool.ops.importing import import_with_default_cas

        return import_with_default_cas(
            target, certificates, alias=alias, replace=replace, java=java
        )
    return import_certificates(target, certificates, alias=alias, replace=replace), None


def _show(
    keystore: str, report: ImportReport, seeded: Seeded | None, *, json: bool, verbose: bool
) -> None:
    warn_all(report.warnings)
    for added, held_as in report.duplicates.items():
        # keytool asks before adding a certificate it already holds; ks adds what it was told
        # to add, and says so.
        warn(
            f"'{added}' is the certificate '{held_as}' already holds; both aliases now trust it "
            f"(ks delete --alias {added} undoes it)"
        )
    if json:
        document = report.as_json()
        if seeded is not None:
            document["seeded_from"] = seeded.as_json()
        emit_json(document)
        return
    if seeded is not None:
        echo(f"Created {keystore} with the {seeded.count} entries of {seeded.path}")
    echo(_summary(keystore, report.added, report.replaced, report.unchanged))
    if verbose:
        for name in report.added:
            echo(f"  added '{name}'")
        for name in report.replaced:
            echo(f"  replaced '{name}'")
        for name in report.unchanged:
            echo(f"  unchanged '{name}' (already holds this certificate)")


def _all_jdks(
    certificates: list[Certificate],
    *,
    alias: str | None,
    replace: bool,
    password: Password | None,
    roots: HostRoots,
    strict: bool,
    lock_timeout: float,
    json: bool,
) -> int:
    from keystore_tool.ops.all_jdks import import_into_all_jdks

    report = import_into_all_jdks(
        certificates,
        alias=alias,
        replace=replace,
        password=password,
        roots=roots,
        lock_timeout=lock_timeout,
    )
    for store in report.stores:
        warn_all(f"{store.keystore}: {w}" for w in store.warnings)
    if json:
        emit_json([s.as_json(message) for s in report.stores])
    else:
        if not report.stores:
            echo("No Java runtime found: nothing imported.")
        for store in report.stores:
            if store.error is not None:
                echo(f"Not written: {store.keystore}: {store.describe_error(message)}")
                continue
            assert store.report is not None
            done = store.report
            echo(_summary(str(store.keystore), done.added, done.replaced, done.unchanged))
    return import_all_jdks_exit(report, strict=strict)


def _summary(keystore: str, added: list[str], replaced: list[str], unchanged: list[str]) -> str:
    """One line however many certificates: "t.p12: added 4,998, unchanged 2"."""
    from keystore_tool.cli.output import count, styled

    parts = [
        styled(f"{label} {count(len(names))}", style)
        for label, names, style in (
            ("added", added, "ok"),
            ("replaced", replaced, "warn"),
            ("unchanged", unchanged, "dim"),
        )
        if names
    ]
    return f"{keystore}: {', '.join(parts) if parts else 'nothing to import'}"
