"""``ks bundle-p12``: client certificate + private key → PKCS12 keystore for a JVM."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo_lines, emit_json, note, warn_all
from keystore_tool.cli.passwords import resolve
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT, read_file


def command(
    cert: Annotated[
        Path,
        typer.Option("--cert", help="The client certificate (PEM or DER), maybe with its chain."),
    ],
    key: Annotated[
        Path, typer.Option("--key", help="Its private key: PKCS#1, SEC1 or PKCS#8, PEM or DER.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The PKCS12 keystore to write (0600).")],
    chain: Annotated[
        list[Path] | None,
        typer.Option("--chain", help="Chain certificates (repeatable; a file may hold several)."),
    ] = None,
    alias: Annotated[
        str,
        typer.Option("--alias", "-a", help="The entry's alias.", callback=opt.checked_alias),
    ] = "client",
    legacy: Annotated[
        bool,
        typer.Option("--legacy", help="The same as --target jdk8 (Java 8 before 8u301)."),
    ] = False,
    show_password: Annotated[
        bool, typer.Option("--show-password", help="Print the real password in the JVM options.")
    ] = False,
    key_pass: opt.KeyPass = None,
    key_pass_env: opt.KeyPassEnv = None,
    key_pass_file: opt.KeyPassFile = None,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    lock_timeout: opt.LockTimeout = DEFAULT_LOCK_TIMEOUT,
    runtime_targets: opt.Target = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Overwrite an --out that holds other entries (or another password)."
        ),
    ] = False,
    json: opt.Json = False,
) -> None:
    """Bundle a certificate and its key into a PKCS12.

    A client certificate and its private key (PEM or DER; PKCS#1, SEC1 or PKCS#8) become one
    key entry a JVM can use for TLS client authentication; prints the JVM options.
    """
    from keystore_tool.certfiles import read_certificates, read_private_key
    from keystore_tool.errors import UsageError
    from keystore_tool.ops.bundle import BundleInputs, bundle_p12
    from keystore_tool.ops.update import StoreTarget

    targets = opt.runtime_targets(runtime_targets, legacy=legacy)
    password = opt.write_store_password(
        storepass, storepass_env, storepass_file, new=not out.exists()
    )
    if password is None:
        raise UsageError(
            "the keystore needs a password: give --storepass, --storepass-env or --storepass-file"
        )
    key_password = resolve("--key-pass", key_pass, key_pass_env, key_pass_file)
    from keystore_tool.errors import FormatError, KeyInsteadOfCertificateError, Remedy

    try:
        certificates = read_certificates(read_file(cert, "certificate"), str(cert))
    except KeyInsteadOfCertificateError as exc:
        raise FormatError(exc.message, remedy=Remedy.GIVE_KEY_AS_KEY, store=str(cert)) from exc
    inputs = BundleInputs(
        certificates=certificates,
        private_key=read_private_key(read_file(key, "key"), str(key), key_password),
        chain=[
            c
            for path in chain or []
            for c in read_certificates(read_file(path, "certificate"), str(path))
        ],
    )
    result = bundle_p12(
        inputs,
        StoreTarget(str(out), password, lock_timeout=lock_timeout, targets=tuple(targets)),
        alias=alias,
        chain_name="--chain",
        replace=replace,
    )
    warn_all(result.warnings)
    from keystore_tool.aliases import Lookalikes

    lookalike = Lookalikes(()).warning(alias)  # the bundle holds one entry: mixed scripts only
    if lookalike is not None:
        warn_all([lookalike])
    if not result.changed:
        note(f"{result.out} already holds this bundle; left unchanged")
    if json:
        emit_json(result.as_json(password, show_password))
        return
    echo_lines(result.jvm_options(password, show_password))
