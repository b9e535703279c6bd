"""Material for the provisioning tests: certificate files and a spec writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.certs import NOW, Issued, issue


@dataclass(frozen=True)
class Material:
    directory: Path
    roots: dict[str, Issued]  # "a".."e": self-signed CAs, each in <name>.pem
    client: Issued
    client_ca: Issued

    def path(self, name: str) -> Path:
        return self.directory / name


@pytest.fixture(scope="session")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    directory = tmp_path_factory.mktemp("material")
    roots = {name: issue(f"Root {name.upper()}", ca=True, key_kind="ec") for name in "abcde"}
    for name, root in roots.items():
        (directory / f"{name}.pem").write_bytes(root.pem)
    extra = directory / "extra"
    extra.mkdir()
    (extra / "d.crt").write_bytes(roots["d"].pem)
    (extra / "e.pem").write_bytes(roots["e"].pem)
    (extra / "notes.txt").write_text("not a certificate")
    client_ca = issue("Client CA", ca=True, key_kind="ec")
    client = issue("apm-agent", issuer=client_ca, key_kind="ec")
    (directory / "client.crt").write_bytes(client.pem)
    (directory / "client.key").write_bytes(client.key_pem())
    (directory / "client-ca.crt").write_bytes(client_ca.pem)
    return Material(directory, roots, client, client_ca)


def expiring(cn: str, days: float) -> Issued:
    """A self-signed certificate whose notAfter is ``days`` from now (negative: expired)."""
    return issue(
        cn,
        not_before=NOW - dt.timedelta(days=400),
        not_after=NOW + dt.timedelta(days=days),
    )
