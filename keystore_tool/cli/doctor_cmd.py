"""``ks doctor``: what makes Java reject or ignore a store, each finding with its remedy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.errors import doctor_exit
from keystore_tool.cli.output import echo_lines, emit_json

if TYPE_CHECKING:
    from keystore_tool.ops.doctor import TargetVerdict


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
    target: opt.Target = None,
    json: opt.Json = False,
) -> int:
    """Find what makes Java or a --target runtime reject a store."""
    from keystore_tool.cli.advice import advice_text, command_line
    from keystore_tool.errors import UsageError
    from keystore_tool.ops.doctor import JAVA_RELEASES, diagnose, target_version

    if java is not None and target_java is not None:
        raise UsageError("give --java or --target-java, not both")
    if target_java is not None and target_java not in JAVA_RELEASES:
        raise UsageError("--target-java must be 8, 11, 17, 21 or 25")
    # No password prompt: doctor reads the store as a JVM given no password would.
    password = opt.store_password(storepass, storepass_env, storepass_file, prompt=False)
    report = diagnose(
        keystore,
        password,
        target=target_version(java, target_java),
        targets=opt.runtime_targets(target),
    )
    if json:
        emit_json(report.as_json(command_line, lambda verdict: render_fix(verdict, keystore)))
        return doctor_exit(report)
    lines = [
        f"{keystore} ({report.storetype or 'unknown type'}): Java sees "
        f"{report.java_sees_anchors} trust anchor{'s' if report.java_sees_anchors != 1 else ''}"
    ]
    if not report.findings:
        lines.append("No problems found.")
    for finding in report.findings:
        where = f" [{finding.alias}]" if finding.alias else ""
        lines.append(f"{finding.severity.upper()} {finding.code}{where}: {finding.message}")
        lines.append(f"  remedy: {advice_text(finding.remedy)}")
    for verdict in report.targets or []:
        lines.extend(_verdict_lines(verdict, keystore))
    echo_lines(lines)
    return doctor_exit(report)


def _verdict_lines(verdict: TargetVerdict, keystore: Path) -> list[str]:
    state = "loads it" if verdict.loads else "does NOT load it"
    lines = [f"target {verdict.target}: {state}"]
    for problem in verdict.problems:
        where = f" [{', '.join(problem.aliases)}]" if problem.aliases else ""
        lines.append(f"  {problem.code}{where}: {problem.message}")
    if not verdict.loads:
        lines.append(f"  remedy: {render_fix(verdict, keystore)}")
    return lines


def render_fix(verdict: TargetVerdict, keystore: Path) -> str:
    """What to run so that the verdict's target loads the store."""
    target = verdict.target.name
    if verdict.fix == "rewrite":
        return (
            f"rewrite it for {target}: ks convert --keystore {keystore} --out NEW.p12 "
            f"--target {target} (or ks passwd --keystore {keystore} --target {target} "
            "with a new password)"
        )
    if verdict.fix == "convert-to-pkcs12":
        return (
            f"{target} reads only PKCS12: ks convert --keystore {keystore} --out NEW.p12 "
            f"--to pkcs12 --target {target}"
        )
    if verdict.fix == "ascii-password":
        return (
            f"give it an ASCII password for {target}: ks passwd --keystore {keystore} "
            f"--new-storepass-env VAR --target {target}"
        )
    return f"no file {target} can load holds these entries: use a later runtime, or other entries"
