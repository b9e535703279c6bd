"""Material for the APM flows: a CA, server and client certificates as PEM files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.certs import Issued, issue


@dataclass(frozen=True)
class Pki:
    directory: Path
    ca: Issued
    server: Issued
    client_ca: Issued
    client: Issued
    self_signed: Issued
    unrelated_ca: Issued

    def path(self, name: str) -> Path:
        return self.directory / name


def _write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    ca = issue("Test Root CA", ca=True)
    server = issue("localhost", issuer=ca, sans=["localhost", "127.0.0.1"])
    client_ca = issue("Client CA", ca=True, key_kind="ec")
    client = issue("apm-agent", issuer=client_ca)
    self_signed = issue("localhost", sans=["localhost", "127.0.0.1"])
    unrelated = issue("Unrelated CA", ca=True)
    _write(directory, "ca.crt", ca.pem)
    _write(directory, "server-chain.crt", server.pem + ca.pem)
    _write(directory, "server.key", server.key_pem())
    _write(directory, "client-ca.crt", client_ca.pem)
    _write(directory, "client.crt", client.pem)
    _write(directory, "client.key", client.key_pem(serialization.PrivateFormat.TraditionalOpenSSL))
    _write(directory, "client.pk8", client.key_pem())
    _write(directory, "self-signed.crt", self_signed.pem)
    _write(directory, "self-signed.key", self_signed.key_pem())
    _write(directory, "unrelated-ca.crt", unrelated.pem)
    _write(
        directory,
        "client-encrypted.key",
        client.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"key-secret"),
        ),
    )
    _write(directory, "server.key.der", server.key_pkcs8_der())
    return Pki(directory, ca, server, client_ca, client, self_signed, unrelated)
