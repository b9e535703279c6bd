"""``ks verify`` against local TLS servers; with ``--java`` a real JVM (17 and 25) judges the
same handshake and must agree in every case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.certs import NOW, Issued, issue
from tests.conftest import Jdk
from tests.network.helpers import ks, ks_json, pem, tls_server, write_server_files

pytestmark = pytest.mark.interop


@dataclass
class World:
    directory: Path
    ports: dict[str, int]
    stores: dict[str, Path]


def _truststore(directory: Path, name: str, *certs: Issued) -> Path:
    source = directory / f"{name}.pem"
    source.write_bytes(pem(*certs))
    store = directory / f"{name}.p12"
    proc = ks(
        "import",
        "-k",
        str(store),
        "--file",
        str(source),
        "--alias",
        name,
        "--storepass",
        "changeit",
    )
    assert proc.returncode == 0, proc.stderr
    return store


def _client_keystore(directory: Path, name: str, client: Issued) -> Path:
    data = pkcs12.serialize_key_and_certificates(
        b"client",
        client.key,  # type: ignore[arg-type]
        client.cert,
        [c for c in client.chain],
        serialization.BestAvailableEncryption(b"changeit"),
    )
    path = directory / f"{name}.p12"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("verify")
    root = issue("Verify Root", ca=True)
    inter = issue("Verify Intermediate", issuer=root, ca=True)
    good = issue("localhost", issuer=inter, sans=["localhost", "127.0.0.1"])
    other_name = issue("apm.example.com", issuer=inter, sans=["apm.example.com"])
    expired = issue(
        "localhost",
        issuer=inter,
        sans=["localhost", "127.0.0.1"],
        not_before=NOW - dt.timedelta(days=30),
        not_after=NOW - dt.timedelta(days=1),
    )
    client_root = issue("Client Root", ca=True)
    stranger_root = issue("Stranger Root", ca=True)
    client_good = issue("client-good", issuer=client_root)
    client_bad = issue("client-bad", issuer=stranger_root)
    client_ca = directory / "client-ca.pem"
    client_ca.write_bytes(pem(client_root))

    stores = {
        "root": _truststore(directory, "root", root),
        "inter-only": _truststore(directory, "inter-only", inter),
        "other-ca": _truststore(directory, "other-ca", stranger_root),
        "client-good": _client_keystore(directory, "client-good", client_good),
        "client-bad": _client_keystore(directory, "client-bad", client_bad),
    }
    servers = {
        "good": write_server_files(directory, good, inter),
        "other-name": write_server_files(directory, other_name, inter),
        "expired": write_server_files(directory, expired, inter),
        "mtls": write_server_files(directory, good, inter),
    }
    ports: dict[str, int] = {}
    from contextlib import ExitStack

    with ExitStack() as stack:
        for name, (chain, key) in servers.items():
            # Alive for the whole module: the JVM cases start 18 JVMs, minutes on a busy
            # machine (the default 120 s ended the servers under the second JDK's cases).
            port, _ = stack.enter_context(
                tls_server(
                    chain, key, client_ca=client_ca if name == "mtls" else None, lifetime=900
                )
            )
            ports[name] = port
        yield World(directory, ports, stores)


# name, server, host, truststore, keystore, trusted, words in the reason
CASES = [
    ("good", "good", "localhost", "root", None, True, None),
    ("intermediate-anchor", "good", "127.0.0.1", "inter-only", None, True, None),
    ("missing-ca", "good", "localhost", "other-ca", None, False, "no certificate that anchors"),
    ("host-mismatch", "other-name", "localhost", "root", None, False, "does not name the host"),
    ("ip-mismatch", "other-name", "127.0.0.1", "root", None, False, "IP address"),
    ("expired", "expired", "localhost", "root", None, False, "expired on"),
    ("client-accepted", "mtls", "localhost", "root", "client-good", True, None),
    ("client-rejected", "mtls", "localhost", "root", "client-bad", False, "rejected the client"),
    ("client-missing", "mtls", "localhost", "root", None, False, "requires a client certificate"),
]


def _verify(world: World, case: tuple[object, ...], *extra: str) -> tuple[int, dict[str, object]]:
    _, server, host, trust, key, _, _ = case
    args = [
        "verify",
        f"{host}:{world.ports[str(server)]}",
        "--truststore",
        str(world.stores[str(trust)]),
        "--truststorepass",
        "changeit",
        *extra,
    ]
    if key is not None:
        args += ["--keystore", str(world.stores[str(key)]), "--storepass", "changeit"]
    proc = ks(*args, "--json")
    import json

    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_verify_verdict_and_reason(world: World, case: tuple[object, ...]) -> None:
    name, _, _, _, key, trusted, words = case
    code, document = _verify(world, case)
    assert document["trusted"] is trusted, document["reason"]
    assert code == (0 if trusted else 1)
    if words is not None:
        assert str(words) in str(document["reason"])
    else:
        assert document["reason"] is None
    if name == "intermediate-anchor":
        assert document["anchor"]["subject"] == "CN=Verify Intermediate"  # type: ignore[index]
    if key is not None:
        assert document["client_certificate_sent"] is True


def test_the_jvm_agrees_in_every_case(world: World, jdk: Jdk) -> None:
    disagreements = []
    for case in CASES:
        _, document = _verify(world, case, "--java", jdk.java)
        java = document["java"]
        assert isinstance(java, dict)
        if java["trusted"] is not document["trusted"] or document["trusted"] is not case[5]:
            disagreements.append((case[0], document["trusted"], java["message"]))
    assert disagreements == []


def test_verify_text_output_names_the_reason(world: World) -> None:
    proc = ks(
        "verify",
        f"localhost:{world.ports['good']}",
        "--truststore",
        str(world.stores["other-ca"]),
        "--truststorepass",
        "changeit",
    )
    assert proc.returncode == 1
    assert "would FAIL" in proc.stdout and "Reason:" in proc.stdout


def test_a_truststore_without_its_password_is_empty_to_java(world: World) -> None:
    document = ks_json(
        "verify",
        f"localhost:{world.ports['good']}",
        "--truststore",
        str(world.stores["root"]),
        expect=1,
    )
    assert "password" in str(document["reason"])
