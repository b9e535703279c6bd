"""``ops.fetch`` in process, against TLS servers on 127.0.0.1: the chain exactly as
presented, its PEM, the certificate a truststore should hold, and pins."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from demo.tls_server import ServerLog, https_server
from keystore_tool.cli.errors import message
from keystore_tool.errors import KsError, NetworkError, UsageError
from keystore_tool.model import Certificate
from keystore_tool.net import Endpoint, HandshakeResult
from keystore_tool.ops import fetch as fetch_module
from keystore_tool.ops.fetch import fetch, normalize_sha256, pinned, root_most
from tests.certs import Issued, issue


@pytest.fixture(scope="module")
def pki() -> dict[str, Issued]:
    root = issue("Fetch Root", ca=True)
    inter = issue("Fetch Intermediate", issuer=root, ca=True)
    return {
        "root": root,
        "inter": inter,
        "leaf": issue("localhost", issuer=inter, sans=["localhost", "127.0.0.1"]),
    }


@contextmanager
def serving(tmp_path: Path, *certs: Issued) -> Iterator[tuple[int, ServerLog]]:
    chain, key = tmp_path / "chain.pem", tmp_path / "key.pem"
    chain.write_bytes(b"".join(c.pem for c in certs))
    key.write_bytes(certs[0].key_pem())
    with https_server(chain, key, lifetime=30) as served:
        yield served


def test_fetch_returns_the_chain_as_presented(tmp_path: Path, pki: dict[str, Issued]) -> None:
    with serving(tmp_path, pki["leaf"], pki["inter"], pki["root"]) as (port, log):
        report = fetch(f"localhost:{port}")
    assert report.endpoint == Endpoint("localhost", port)
    assert [c.der for c in report.chain] == [pki[n].der for n in ("leaf", "inter", "root")]
    assert report.protocol == "TLSv1.3"
    assert log.server_names == ["localhost"]
    document = report.as_json()
    assert (document["host"], document["port"]) == ("localhost", port)
    assert [c["subject"] for c in document["chain"]] == [
        "CN=localhost",
        "CN=Fetch Intermediate",
        "CN=Fetch Root",
    ]
    assert set(document) == {"host", "port", "chain"}


def test_fetch_pem_is_the_chain_armoured_as_openssl_writes_it(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    with serving(tmp_path, pki["leaf"], pki["inter"]) as (port, _):
        report = fetch(f"https://127.0.0.1:{port}/")
    # cryptography's own PEM writer is the independent judge: 64-character lines.
    assert report.pem() == pki["leaf"].pem + pki["inter"].pem


def test_fetch_sends_the_server_name_asked(tmp_path: Path, pki: dict[str, Issued]) -> None:
    with serving(tmp_path, pki["leaf"]) as (port, log):
        fetch(f"127.0.0.1:{port}", servername="apm.example.com", timeout=5)
    assert log.server_names == ["apm.example.com"]


def test_fetch_of_nothing_listening_is_a_network_error() -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError, match="refused"):
        fetch(f"127.0.0.1:{port}", timeout=2)


def test_a_server_that_presents_no_certificate_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fetch_module, "handshake", lambda *a, **k: HandshakeResult(chain=[]))
    with pytest.raises(KsError, match=r"apm\.internal:8200 presented no certificate"):
        fetch("apm.internal:8200")


def _certs(pki: dict[str, Issued], *names: str) -> list[Certificate]:
    return [Certificate(pki[n].der) for n in names]


def test_root_most_is_the_root_when_sent(pki: dict[str, Issued]) -> None:
    assert root_most(_certs(pki, "leaf", "inter", "root")).der == pki["root"].der


def test_root_most_is_the_top_intermediate_when_the_root_is_not_sent(
    pki: dict[str, Issued],
) -> None:
    assert root_most(_certs(pki, "leaf", "inter")).der == pki["inter"].der


def test_root_most_orders_a_chain_sent_out_of_order(pki: dict[str, Issued]) -> None:
    assert root_most(_certs(pki, "leaf", "root", "inter")).der == pki["root"].der


def test_root_most_of_a_lone_leaf_is_the_leaf(pki: dict[str, Issued]) -> None:
    assert root_most(_certs(pki, "leaf")).der == pki["leaf"].der


def test_a_pin_finds_its_certificate_in_any_spelling(pki: dict[str, Issued]) -> None:
    chain = _certs(pki, "leaf", "inter")
    inter = chain[1]
    assert pinned(chain, inter.sha256_hex) is inter
    assert pinned(chain, inter.sha256.hex()) is inter
    assert pinned(chain, "sha256=" + inter.sha256.hex().upper()) is inter
    assert pinned(chain, Certificate(pki["root"].der).sha256_hex) is None


def test_a_malformed_pin_is_a_usage_error_about_the_parameter() -> None:
    with pytest.raises(UsageError) as caught:
        normalize_sha256("AB:CD")
    error = caught.value
    assert error.parameter == "expect_sha256"
    assert message(error) == (
        "--expect-sha256 'AB:CD' is not a SHA-256 fingerprint (64 hex digits, colons optional)"
    )
    assert "--" not in str(error)
    with pytest.raises(UsageError):
        pinned([], "not a pin")
