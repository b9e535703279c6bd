"""``ks verify``: would a JVM with this truststore (and keystore) complete the handshake?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.errors import remedy_text, verify_exit
from keystore_tool.cli.output import echo_lines, emit_json, warn
from keystore_tool.cli.passwords import resolve


def command(
    address: Annotated[str, typer.Argument(metavar="HOST:PORT", help="The TLS server.")],
    truststore: Annotated[
        Path, typer.Option("--truststore", "-t", help="The truststore the JVM would use.")
    ],
    keystore: Annotated[
        Path | None,
        typer.Option("--keystore", "-k", help="The keystore holding the client certificate."),
    ] = None,
    alias: Annotated[
        str | None, typer.Option("--alias", "-a", help="The key entry to present.")
    ] = None,
    truststorepass: Annotated[
        str | None,
        typer.Option(
            "--truststorepass", help="The truststore's password (default: none, as the JVM's)."
        ),
    ] = None,
    truststorepass_env: Annotated[
        str | None,
        typer.Option(
            "--truststorepass-env", metavar="VAR", help="Read the truststore password from $VAR."
        ),
    ] = None,
    truststorepass_file: Annotated[
        Path | None,
        typer.Option(
            "--truststorepass-file", metavar="PATH", help="Read the truststore password from PATH."
        ),
    ] = None,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    java: Annotated[
        Path | None,
        typer.Option("--java", metavar="PATH", help="Also ask this JVM (a tiny HTTPS probe)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", metavar="SECONDS", help="Connect and handshake timeout.")
    ] = 10.0,
    json: opt.Json = False,
) -> int:
    """Would a JVM with this truststore trust the server?

    Builds the chain to an anchor of the truststore, checks validity and host name as Java
    does, and (with --keystore) presents the client certificate. Exit 0 yes, 1 no.
    """
    from keystore_tool.ops.verify import StoreSpec, java_verdict, verify

    # A truststore is read without a password unless one is given, as the JVM does.
    trust = StoreSpec(
        truststore,
        resolve("--truststorepass", truststorepass, truststorepass_env, truststorepass_file),
    )
    key_spec = None
    if keystore is not None:
        key_spec = StoreSpec(keystore, opt.store_password(storepass, storepass_env, storepass_file))
    report = verify(str(address), trust, keystore=key_spec, alias=alias, timeout=timeout)
    if java is not None:
        from keystore_tool.storetypes import sniff_storetype

        report.java = java_verdict(
            java,
            report.endpoint,
            trust,
            key_spec,
            sniff_storetype(keystore) if keystore is not None else None,
        )
        if report.java.trusted != report.trusted:
            warn(f"the JVM disagrees with ks: {report.java.message}")
    if json:
        emit_json(report.as_json(remedy_text))
    else:
        from keystore_tool.cli.output import styled

        verdict = (
            styled("would complete the handshake", "ok")
            if report.trusted
            else styled("would FAIL", "bad")
        )
        lines = [f"{report.endpoint}: a JVM with {truststore} {verdict}"]
        if report.refusal is not None:
            lines.append(f"Reason: {report.refusal.text(remedy_text)}")
        if report.anchor is not None:
            from keystore_tool.x509util import describe_certificate

            anchor = describe_certificate(report.anchor)
            lines.append(f"Anchor: {anchor['subject']} (SHA-256 {anchor['sha256']})")
        if keystore is not None:
            sent = "sent" if report.client_certificate_sent else "not requested by the server"
            lines.append(f"Client certificate: {sent}")
        if report.java is not None:
            lines.append(f"Java ({report.java.java}): {report.java.message}")
        echo_lines(lines)
    return verify_exit(report)
