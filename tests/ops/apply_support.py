"""Material for the in-process tests of ``ops.apply`` and ``ops.watch``: certificate and key
files in a temporary directory, a spec writer, and seams that keep the network and the JVM
out (a test that needs a server or the default CAs hands in its own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from keystore_tool.model import Certificate
from keystore_tool.ops.apply import Spec, load_spec
from keystore_tool.password import Password
from keystore_tool.storage import load_store
from tests.certs import Issued, issue

STORE_PASSWORD = "trust-secret"
KEY_PASSWORD = "key-secret"


@dataclass(frozen=True)
class Material:
    directory: Path
    roots: dict[str, Issued]  # "a".."e": self-signed CAs, each in <name>.pem
    client: Issued
    client_ca: Issued

    def path(self, name: str) -> Path:
        return self.directory / name

    def certificate(self, name: str) -> Certificate:
        return Certificate(self.roots[name].der)


@pytest.fixture(scope="session")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    directory = tmp_path_factory.mktemp("apply-material")
    roots = {name: issue(f"Root {name.upper()}", ca=True, key_kind="ec") for name in "abcde"}
    for name, root in roots.items():
        (directory / f"{name}.pem").write_bytes(root.pem)
    extra = directory / "extra"
    extra.mkdir()
    (extra / "d.crt").write_bytes(roots["d"].pem)
    (extra / "e.PEM").write_bytes(roots["e"].pem)
    (extra / "again.cer").write_bytes(roots["d"].pem)  # the same CA twice: kept once
    (extra / "notes.txt").write_text("not a certificate")
    client_ca = issue("Client CA", ca=True, key_kind="ec")
    client = issue("apm-agent", issuer=client_ca, key_kind="ec")
    (directory / "client.crt").write_bytes(client.pem)
    (directory / "client.key").write_bytes(client.key_pem())
    (directory / "client-ca.crt").write_bytes(client_ca.pem)
    return Material(directory, roots, client, client_ca)


@pytest.fixture
def passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variables the specs of these tests name."""
    monkeypatch.setenv("TRUST_PASS", STORE_PASSWORD)
    monkeypatch.setenv("KEY_PASS", KEY_PASSWORD)


def write_spec(path: Path, text: str) -> Spec:
    path.write_text(text)
    return load_spec(path)


def trust_store(path: Path, *certificates: tuple[str, Path], extra: str = "") -> str:
    """A ``[[store]]`` table under the password in $TRUST_PASS with certificate files."""
    items = "".join(
        f'[[store.certificates]]\nalias = "{alias}"\nfile = "{file}"\n'
        for alias, file in certificates
    )
    return f'[[store]]\npath = "{path}"\npassword = {{ env = "TRUST_PASS" }}\n{extra}{items}'


def key_store(path: Path, material: Material, *, alias: str = "client") -> str:
    m = material.directory
    return (
        f'[[store]]\npath = "{path}"\npassword = {{ env = "KEY_PASS" }}\n'
        f'[[store.keys]]\nalias = "{alias}"\ncert = "{m / "client.crt"}"\n'
        f'key = "{m / "client.key"}"\nchain = ["{m / "client-ca.crt"}"]\n'
    )


def no_server(address: str) -> list[Certificate]:
    raise AssertionError(f"the test reached for the network ({address})")


def no_default_cas(java: str | None) -> list[tuple[str, Certificate]]:
    raise AssertionError("the test reached for the JVM's default truststore")


def aliases(path: Path, password: str | None = STORE_PASSWORD) -> dict[str, str]:
    """alias -> SHA-256 (hex) of the first certificate of each entry."""
    store = load_store(path, Password(password) if password is not None else None)
    return {e.alias: e.certificates()[0].sha256_hex for e in store.sorted_entries()}


def state(path: Path) -> tuple[bytes, int, int]:
    """What a no-op must leave alone: the bytes, the mtime and the inode."""
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_ino
