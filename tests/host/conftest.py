"""Fixtures of the host tests: private copies of the real JDKs, never the real ones."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Jdk
from tests.ks import ROOT

REAL_OS_STORE = Path("/etc/ssl/certs/java/cacerts")


def _fingerprint(path: Path) -> tuple[str, int] | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
    except OSError:
        return None


@pytest.fixture(autouse=True)
def real_trust_untouched() -> Iterator[None]:
    """The machine's own Java and OS stores are never written by a host test."""
    watched = [REAL_OS_STORE, Path("/etc/ssl/certs/ca-certificates.crt")]
    before = [_fingerprint(p) for p in watched]
    yield
    assert [_fingerprint(p) for p in watched] == before


def private_jdk(jdk: Jdk, directory: Path) -> Jdk:
    """A runnable copy of ``jdk`` (``cp -a`` of what a JVM needs to start) whose cacerts is a
    real private file, not the symlink to the OS store."""
    directory.mkdir(parents=True)
    parts = [str(jdk.home / p) for p in ("bin", "conf", "lib", "release")]
    subprocess.run(["cp", "-a", *parts, str(directory)], check=True)
    cacerts = directory / "lib" / "security" / "cacerts"
    source = os.path.realpath(cacerts)
    cacerts.unlink()
    shutil.copyfile(source, cacerts)
    return Jdk(jdk.version, directory)


@pytest.fixture(scope="session")
def probe_classes(tmp_path_factory: pytest.TempPathFactory, jdk17: Jdk) -> Path:
    """keystore_tool/resources/HttpsProbe.java, compiled for Java 17 so that both JDKs run it."""
    classes = tmp_path_factory.mktemp("probe")
    subprocess.run(
        [
            jdk17.javac,
            "--release",
            "17",
            "-d",
            str(classes),
            str(ROOT / "keystore_tool/resources/HttpsProbe.java"),
        ],
        check=True,
    )
    return classes


def https_probe(jdk: Jdk, classes: Path, port: int, *options: str) -> tuple[bool, str, str]:
    """(handshake and request succeeded, the truststore the JVM says it loaded, output).
    No javax.net.ssl property is given unless in ``options``: the JVM uses its default."""
    import re

    environment = {k: v for k, v in os.environ.items() if "JAVA_OPTIONS" not in k}
    environment.pop("JAVA_TOOL_OPTIONS", None)
    proc = subprocess.run(
        [
            jdk.java,
            "-Djavax.net.debug=ssl:trustmanager",
            *options,
            "-cp",
            str(classes),
            "HttpsProbe",
            f"https://localhost:{port}/",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )
    output = proc.stdout + proc.stderr
    store = re.search(r"trustStore is: (.+)", output)
    return proc.returncode == 0, store.group(1).strip() if store else "", output
