"""Fake Java runtimes in temporary directories: the layout ``javahome``, ``jdks`` and ``where``
reason about (``bin/java``, a ``libjvm.so`` below ``lib/``, a ``release`` file, a
``lib/security/cacerts``), with a ``bin/java`` shell script that prints what ``java -version``
prints. Nothing here runs or touches a real JDK."""

from __future__ import annotations

from pathlib import Path

from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes
from tests.certs import issue

CHANGEIT = Password("changeit")


def truststore(
    count: int = 2, storetype: str = "pkcs12", password: Password | None = None
) -> bytes:
    """A store of ``count`` trusted certificates (password-less PKCS12 by default, as JDK
    18+ ship cacerts)."""
    keystore = Keystore(storetype=storetype)
    for i in range(count):
        cert = Certificate(issue(f"Fake CA {i}", ca=True, key_kind="ec").der)
        keystore.add(TrustedCertificateEntry(alias=f"ca-{i}", certificate=cert))
    return dump_bytes(keystore, storetype, password)


def jdk(
    home: Path,
    version: str | None = "17.0.9",
    *,
    cacerts: bytes | None = b"",
    java_says: str | None = None,
    java8: bool = False,
    libjvm: bool = True,
) -> Path:
    """A runtime at ``home``; returns its ``java.home`` (``home/jre`` for a Java 8 JDK).

    ``version`` goes into ``release`` (None: no release file); ``java_says`` is the version
    ``bin/java -version`` prints (None: it prints nothing); ``cacerts`` is the default
    truststore's content (empty: a password-less PKCS12 with two certificates; None: none).
    """
    java_home = home / "jre" if java8 else home
    java = home / "bin" / "java"
    java.parent.mkdir(parents=True, exist_ok=True)
    said = f"echo 'openjdk version \"{java_says}\" 2024-01-16' >&2" if java_says else "true"
    java.write_text(f"#!/bin/sh\n{said}\n")
    java.chmod(0o755)
    if libjvm:
        lib = java_home / "lib" / ("amd64/server" if java8 else "server")
        lib.mkdir(parents=True, exist_ok=True)
        (lib / "libjvm.so").write_bytes(b"")
    if version is not None:
        (home / "release").write_text(f'IMPLEMENTOR="Fake"\nJAVA_VERSION="{version}"\n')
    security = java_home / "lib" / "security"
    security.mkdir(parents=True, exist_ok=True)
    if cacerts is not None:
        (security / "cacerts").write_bytes(cacerts or truststore())
    return java_home
