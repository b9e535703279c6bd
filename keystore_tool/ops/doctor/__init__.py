"""``ks doctor``: everything that makes Java reject or ignore a store, each with a remedy.

``java_sees_anchors`` counts what Java's trust manager would take from the store read the way
the JVM reads it (with the given password, or none): certificate entries plus the first
certificate of each key entry (``TrustStoreUtil``), distinct.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from keystore_tool.advice import Advice, Command, Option
from keystore_tool.errors import PasswordError
from keystore_tool.javahome import JavaVersion
from keystore_tool.ops.doctor.content import SOON, check_content
from keystore_tool.ops.doctor.report import DoctorReport, Finding, Fix, TargetVerdict
from keystore_tool.ops.doctor.targets import (
    JAVA_RELEASES,
    java_target,
    judge,
    target_findings,
    target_version,
)
from keystore_tool.password import Password

if TYPE_CHECKING:
    from keystore_tool.compat import Target

__all__ = [
    "JAVA_RELEASES",
    "SOON",
    "DoctorReport",
    "Finding",
    "Fix",
    "TargetVerdict",
    "diagnose",
    "java_target",
    "target_version",
]


def diagnose(
    path: str | os.PathLike[str],
    password: Password | None,
    *,
    target: JavaVersion | None = None,
    targets: tuple[Target, ...] = (),
) -> DoctorReport:
    """What makes Java reject or ignore the store at ``path`` read with ``password`` (None: as
    a JVM given no truststore password reads it). ``target`` (a JVM's version, see
    :func:`target_version`) is judged as one more of ``targets``."""
    from keystore_tool.certfiles import quiet_legacy_warnings
    from keystore_tool.storage import load_store
    from keystore_tool.storetypes import sniff_storetype

    report = DoctorReport(keystore=os.fspath(path), storetype=sniff_storetype(path))
    try:
        keystore = load_store(path, password)
    except PasswordError:
        if password is not None:
            raise
        report.findings.append(
            Finding(
                "error",
                "password-required",
                None,
                "the store is password-protected and no password was given: a JVM reading it "
                "as a truststore without javax.net.ssl.trustStorePassword sees no trusted "
                "certificate ('the trustAnchors parameter must be non-empty')",
                Advice(
                    "set -Djavax.net.ssl.trustStorePassword, or rewrite it as a password-less "
                    "truststore ({0}), and rerun {1} with {2}* to check its content",
                    (Command("convert"), Command("doctor"), Option("store_password")),
                ),
            )
        )
        return report
    report.storetype = keystore.storetype
    judged = list(targets)
    if target is not None:
        as_target = java_target(target)
        if as_target is not None and as_target not in judged:
            judged.append(as_target)
    with quiet_legacy_warnings():
        check_content(keystore, report)
        if judged:
            report.targets = [judge(t, keystore, password) for t in judged]
            report.findings.extend(target_findings(report.targets))
    return report
