"""Judging a store for the runtimes that will read it: the version to judge for, whether each
target loads the store, and what fixes it when not."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from keystore_tool.advice import Advice, escaped
from keystore_tool.errors import UsageError
from keystore_tool.javahome import JavaVersion
from keystore_tool.model import Keystore
from keystore_tool.ops.doctor.report import Finding, Fix, TargetVerdict
from keystore_tool.password import Password

if TYPE_CHECKING:
    from keystore_tool.compat import Target

# The Java releases a version-only target (a "Java 17" without update) can name.
JAVA_RELEASES = (8, 11, 17, 21, 25)


def target_version(
    java: str | os.PathLike[str] | None, target_java: int | None
) -> JavaVersion | None:
    """The version doctor judges the store for: the JVM at ``java``, else the Java release
    ``target_java`` (one of :data:`JAVA_RELEASES`), else None. Give at most one."""
    if java is not None and target_java is not None:
        raise UsageError("name a JVM or a Java release to judge for, not both")
    if java is not None:
        from keystore_tool.javahome import locate_jvm

        return locate_jvm(java, os.environ).version
    if target_java is not None:
        if target_java not in JAVA_RELEASES:
            raise UsageError(
                f"Java {target_java} is no release doctor judges for",
                parameter="target_java",
            )
        # "Java 8" in general includes every update before 8u301.
        return JavaVersion(target_java, 0, str(target_java))
    return None


def java_target(version: JavaVersion) -> Target | None:
    """The target a JVM's version names (``jdk8u292``, ``jdk17.0.2``); None for a release the
    compatibility model does not speak for."""
    from keystore_tool.compat import parse_target

    if version.major == 8:
        name = f"jdk8u{version.update}" if version.update else "jdk8"
    else:
        name = f"jdk{version.major}.0.{version.update}" if version.update else f"jdk{version.major}"
    try:
        return parse_target(name)
    except UsageError:
        return None


def judge(target: Target, keystore: Keystore, password: Password | None) -> TargetVerdict:
    """Whether ``target`` loads ``keystore`` read with ``password``, and if not, the first of
    rewriting, converting to PKCS12 or an ASCII password that makes it, else an upgrade."""
    from keystore_tool.compat import choose_protection, predict
    from keystore_tool.errors import TargetError

    text = password.reveal() if password is not None else None
    problems = tuple(predict(target, keystore, text))
    if not problems:
        return TargetVerdict(target, problems)
    storetype = keystore.storetype or "pkcs12"
    attempts: list[tuple[Fix, str, str | None]] = [("rewrite", storetype, text)]
    if storetype != "pkcs12":
        attempts = [("convert-to-pkcs12", "pkcs12", text)]
    if text is not None and not text.isascii():
        attempts.append(("ascii-password", attempts[0][1], "ascii"))
    for fix, as_type, with_password in attempts:
        try:
            choose_protection([target], keystore, as_type, with_password)
        except TargetError:
            continue
        return TargetVerdict(target, problems, fix)
    return TargetVerdict(target, problems, "upgrade")


def target_findings(verdicts: list[TargetVerdict]) -> list[Finding]:
    """One error finding per problem of each verdict, with what fixes its target."""
    findings = []
    for verdict in verdicts:
        for problem in verdict.problems:
            findings.append(
                Finding(
                    "error",
                    problem.code,
                    problem.aliases[0] if len(problem.aliases) == 1 else None,
                    f"{verdict.target}: {problem.message}",
                    Advice(
                        escaped(_FIX_TEXT[verdict.fix or "upgrade"].format(target=verdict.target))
                    ),
                )
            )
    return findings


# Remedies in words; the CLI renders the command lines (see cli/doctor_cmd.py).
_FIX_TEXT: dict[Fix, str] = {
    "rewrite": "rewrite the store for {target}",
    "convert-to-pkcs12": "convert the store to PKCS12 for {target}",
    "ascii-password": "give the store an ASCII password, written for {target}",
    "upgrade": "no file {target} reads can hold this: use a later runtime or other entries",
}
