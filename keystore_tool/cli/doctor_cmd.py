"""``ks doctor``: what makes Java reject or ignore a store, each finding with its remedy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo_lines, emit_json


def command(
    keystore: opt.Keystore,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    java: Annotated[
        Path | None,
        typer.Option("--java", metavar="PATH", help="The JVM that will read the store."),
    ] = None,
    target_java: Annotated[
        int | None,
        typer.Option(
            "--target-java",
            metavar="8|11|17|21|25",
            help="The Java version that will read the store.",
        ),
    ] = None,
    json: opt.Json = False,
) -> int:
    """Find what makes Java reject or ignore a store's entries."""
    from keystore_tool.ops.doctor import diagnose, target_version

    # No password prompt: doctor reads the store as a JVM given no password would.
    password = opt.store_password(storepass, storepass_env, storepass_file, prompt=False)
    report = diagnose(keystore, password, target=target_version(java, target_java))
    if json:
        emit_json(report.as_json())
    else:
        lines = [
            f"{keystore} ({report.storetype or 'unknown type'}): Java sees "
            f"{report.java_sees_anchors} trust anchor{'s' if report.java_sees_anchors != 1 else ''}"
        ]
        if not report.findings:
            lines.append("No problems found.")
        for finding in report.findings:
            where = f" [{finding.alias}]" if finding.alias else ""
            lines.append(f"{finding.severity.upper()} {finding.code}{where}: {finding.message}")
            lines.append(f"  remedy: {finding.remedy}")
        echo_lines(lines)
    return 1 if report.findings else 0
