"""BouncyCastle-made keystores for the tests, written at test time by BcStores.java with the
Debian bcprov (1.72), and BC's own view of any store (one JVM for many stores)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.certs import issue
from tests.conftest import Jdk, _jdk, _missing

BCPROV = Path(os.environ.get("KS_BCPROV_JAR", "/usr/share/java/bcprov.jar"))
SOURCE = Path(__file__).parent / "java" / "BcStores.java"
PASSWORD = "changeit"

# file name -> the type BC (and keytool -storetype) calls it
STORES = {
    "store.bks": "BKS",
    "store.bks-v1": "BKS-V1",
    "store.uber": "UBER",
    "store.bcfks": "BCFKS",
    "store-kwp.bcfks": "BCFKS",
    "store-scrypt.bcfks": "BCFKS",
}
# ks's name for each
KS_TYPES = {"BKS": "bks", "BKS-V1": "bks", "UBER": "uber", "BCFKS": "bcfks"}


@dataclass(frozen=True)
class BcStores:
    directory: Path
    classes: Path
    jdk: Jdk

    def path(self, name: str) -> Path:
        return self.directory / name

    def run(self, *args: str) -> str:
        proc = subprocess.run(
            [self.jdk.java, "-cp", f"{BCPROV}:{self.classes}", "BcStores", *args],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode != 0:
            raise AssertionError(f"BcStores {args[0]} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc.stdout

    def dump(self, stores: dict[Path, str]) -> dict[Path, dict[str, dict[str, Any]]]:
        """Each store's entries by lower-cased alias, as its KeyStore (BC's or the JDK's)
        reports them: {path: {alias: {"type", "chain", "algorithm", "key", "provider"}}}."""
        lines = self.run("dump", PASSWORD, *(f"{kind}={path}" for path, kind in stores.items()))
        seen: dict[Path, dict[str, dict[str, Any]]] = {path: {} for path in stores}
        for line in lines.splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                seen[Path(entry["store"])][entry["alias"].lower()] = entry
        return seen


@pytest.fixture(scope="session")
def bc_stores(tmp_path_factory: pytest.TempPathFactory) -> BcStores:
    if not BCPROV.exists():
        _missing(f"BouncyCastle ({BCPROV}, Debian libbcprov-java)")
    jdk = _jdk("17")
    inputs = tmp_path_factory.mktemp("bc-in")
    rsa_ca = issue("BC RSA CA", ca=True)
    rsa = issue("bc-rsa.example", issuer=rsa_ca)
    ec_ca = issue("BC EC CA", ca=True, key_kind="ec")
    ec = issue("bc-ec.example", issuer=ec_ca, key_kind="ec")
    trusted = issue("BC Trusted Root", ca=True)
    for name, made in (("rsa", rsa), ("ec", ec)):
        (inputs / f"{name}.key").write_bytes(made.key_pkcs8_der())
        (inputs / f"{name}.crt").write_bytes(made.der)
    (inputs / "rsa-ca.crt").write_bytes(rsa_ca.der)
    (inputs / "ec-ca.crt").write_bytes(ec_ca.der)
    (inputs / "trusted.crt").write_bytes(trusted.der)
    classes = tmp_path_factory.mktemp("bc-classes")
    subprocess.run(
        [jdk.javac, "-cp", str(BCPROV), "-d", str(classes), str(SOURCE)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    made = BcStores(tmp_path_factory.mktemp("bc-stores"), classes, jdk)
    made.run("make", str(made.directory), PASSWORD, str(inputs))
    made.run("raw", str(made.directory), PASSWORD, str(inputs))
    return made
