"""Shared fixtures: the real tools that judge interoperability, and certificate factories.

When ``CI`` is set, a missing keytool, java or openssl fails the test instead of skipping it:
CI must prove interoperability, not quietly step around it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

JDK_HOMES = {
    "17": Path("/usr/lib/jvm/java-17-openjdk-amd64"),
    "25": Path("/usr/lib/jvm/temurin-25-jdk-amd64"),
}


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI but missing")
    pytest.skip(f"{what} not installed")


@dataclass(frozen=True)
class Jdk:
    version: str
    home: Path

    @property
    def keytool(self) -> str:
        return str(self.home / "bin" / "keytool")

    @property
    def java(self) -> str:
        return str(self.home / "bin" / "java")

    @property
    def javac(self) -> str:
        return str(self.home / "bin" / "javac")

    def run_keytool(
        self, *args: str, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, LC_ALL="C", LANG="C")
        env.pop("JAVA_TOOL_OPTIONS", None)
        proc = subprocess.run(
            [self.keytool, "-J-Duser.language=en", *args],
            capture_output=True,
            text=True,
            input=input,
            env=env,
            timeout=120,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"keytool {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc


def _jdk(version: str) -> Jdk:
    # KS_JDK17_HOME / KS_JDK25_HOME point the tests at a JDK installed elsewhere.
    home = Path(os.environ.get(f"KS_JDK{version}_HOME", JDK_HOMES[version]))
    if not (home / "bin" / "keytool").exists():
        found = shutil.which("keytool")
        if version == "17" and found:
            home = Path(os.path.realpath(found)).parent.parent
        else:
            _missing(f"JDK {version} ({home})")
    return Jdk(version, home)


# Fixtures that run a JDK or openssl (a test reaches them directly or through another fixture).
TOOL_FIXTURES = frozenset({"jdk", "jdk17", "jdk25", "openssl", "bc_stores"})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs a JDK or openssl is ``interop`` whether or not its file says so:
    ``make quick`` (``-m "not interop"``) then starts no JVM. Runs before ``-m`` selects."""
    for item in items:
        if TOOL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.interop)


@pytest.fixture(scope="session")
def jdk17() -> Jdk:
    return _jdk("17")


@pytest.fixture(scope="session")
def jdk25() -> Jdk:
    return _jdk("25")


@pytest.fixture(scope="session", params=["17", "25"])
def jdk(request: pytest.FixtureRequest) -> Jdk:
    return _jdk(str(request.param))


@pytest.fixture(scope="session")
def openssl() -> str:
    path = shutil.which("openssl")
    if path is None:
        _missing("openssl")
    assert path is not None
    return path


def run(cmd: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Runs a tool and fails the test with its output when it fails."""
    proc = subprocess.run(list(cmd), capture_output=True, text=True, timeout=120, **kwargs)  # type: ignore[call-overload]
    if proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc  # type: ignore[no-any-return]


# The CA, server and client certificates shared by the flow, interop and network tests.
from tests.pki import pki  # noqa: E402, F401


@pytest.fixture
def no_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes every key derivation fail the test: a refusal that must come "before any work"
    is proven by never reaching the KDF, not by a stopwatch."""
    from keystore_tool.formats import _pbe
    from keystore_tool.formats.java import protectors

    def forbidden(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a key derivation ran before the input was refused")

    monkeypatch.setattr(_pbe, "pkcs12_kdf", forbidden)
    monkeypatch.setattr(_pbe, "pbkdf2", forbidden)
    monkeypatch.setattr(protectors, "_jce_key_iv", forbidden)
