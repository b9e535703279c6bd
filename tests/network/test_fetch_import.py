"""``ks fetch`` and ``ks import --from-server`` against local TLS servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.certs import Issued, issue
from tests.network.helpers import (
    free_port,
    ks,
    ks_json,
    plain_http_server,
    tls_server,
    write_server_files,
)


@pytest.fixture(scope="module")
def pki() -> dict[str, Issued]:
    root = issue("Test Root", ca=True)
    inter = issue("Test Intermediate", issuer=root, ca=True)
    leaf = issue("localhost", issuer=inter, sans=["localhost", "127.0.0.1"])
    selfsigned = issue("selfsigned.local", sans=["localhost", "127.0.0.1"])
    return {"root": root, "inter": inter, "leaf": leaf, "self": selfsigned}


@pytest.fixture(scope="module")
def ca_server(
    pki: dict[str, Issued], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, object]]:
    directory = tmp_path_factory.mktemp("ca-server")
    chain, key = write_server_files(directory, pki["leaf"], pki["inter"], pki["root"])
    with tls_server(chain, key) as running:
        yield running


@pytest.fixture(scope="module")
def self_server(pki: dict[str, Issued], tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    directory = tmp_path_factory.mktemp("self-server")
    chain, key = write_server_files(directory, pki["self"])
    with tls_server(chain, key) as (port, _):
        yield port


def test_fetch_returns_the_exact_presented_chain_and_sends_sni(
    pki: dict[str, Issued], ca_server: tuple[int, object]
) -> None:
    port, log = ca_server
    document = ks_json("fetch", f"localhost:{port}")
    assert document["host"] == "localhost" and document["port"] == port
    expected = [pki[n] for n in ("leaf", "inter", "root")]
    assert [c["sha256"] for c in document["chain"]] == [_fp(c) for c in expected]
    assert document["chain"][0]["subject"] == "CN=localhost"
    assert document["chain"][1]["issuer"] == "CN=Test Root"
    assert set(document["chain"][0]) >= {
        "sha256",
        "sha1",
        "subject",
        "issuer",
        "serial",
        "not_before",
        "not_after",
        "key_algorithm",
        "key_size",
    }
    assert log.server_names[-1] == "localhost"  # type: ignore[attr-defined]


def test_fetch_servername_overrides_sni_and_out_writes_pem(
    pki: dict[str, Issued], ca_server: tuple[int, object], tmp_path: Path
) -> None:
    port, log = ca_server
    out = tmp_path / "chain.pem"
    proc = ks("fetch", f"127.0.0.1:{port}", "--servername", "apm.example.com", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert log.server_names[-1] == "apm.example.com"  # type: ignore[attr-defined]
    assert out.read_bytes().count(b"BEGIN CERTIFICATE") == 3
    assert "Owner: CN=localhost" in proc.stdout


def test_fetch_says_what_failed() -> None:
    refused = ks("fetch", f"127.0.0.1:{free_port()}")
    assert refused.returncode == 1
    assert "refused" in refused.stderr and refused.stderr.count("\n") == 1
    unresolved = ks("fetch", "no-such-host.invalid:443", "--timeout", "5")
    assert unresolved.returncode == 1 and "resolve" in unresolved.stderr
    with plain_http_server() as port:
        not_tls = ks("fetch", f"127.0.0.1:{port}")
    assert not_tls.returncode == 1 and "does not speak TLS" in not_tls.stderr, not_tls.stderr


def test_import_from_server_with_the_right_pin_imports_the_root_most(
    pki: dict[str, Issued], ca_server: tuple[int, object], tmp_path: Path
) -> None:
    port, _ = ca_server
    store = tmp_path / "trust.p12"
    root_fp = ks_json("fetch", f"localhost:{port}")["chain"][-1]["sha256"]
    pin = root_fp.replace(":", "").lower()  # plain lower-case hex is accepted too
    result = ks_json(
        "import",
        "-k",
        str(store),
        "--from-server",
        f"localhost:{port}",
        "--expect-sha256",
        pin,
        "--storepass",
        "changeit",
    )
    assert result["added"] == ["test root"]
    listed = ks_json("list", "-k", str(store), "--storepass", "changeit")
    assert [e["sha256"] for e in listed["entries"]] == [root_fp]
    again = ks_json(
        "import",
        "-k",
        str(store),
        "--from-server",
        f"localhost:{port}",
        "--expect-sha256",
        root_fp,
        "--storepass",
        "changeit",
    )
    assert again["changed"] is False


def test_a_wrong_pin_changes_nothing(ca_server: tuple[int, object], tmp_path: Path) -> None:
    port, _ = ca_server
    store = tmp_path / "trust.p12"
    wrong = "AB" * 32
    proc = ks(
        "import",
        "-k",
        str(store),
        "--from-server",
        f"localhost:{port}",
        "--expect-sha256",
        wrong,
        "--storepass",
        "changeit",
    )
    assert proc.returncode == 1
    assert "nothing was imported" in proc.stderr
    assert not store.exists()


def test_self_signed_server_without_pin_needs_trust_on_first_use(
    pki: dict[str, Issued], self_server: int, tmp_path: Path
) -> None:
    store = tmp_path / "trust.p12"
    refused = ks(
        "import",
        "-k",
        str(store),
        "--from-server",
        f"127.0.0.1:{self_server}",
        "--storepass",
        "changeit",
    )
    assert refused.returncode == 2
    expected = _fp(pki["self"])
    assert expected in refused.stderr and "--trust-on-first-use" in refused.stderr
    assert not store.exists()
    accepted = ks_json(
        "import",
        "-k",
        str(store),
        "--from-server",
        f"127.0.0.1:{self_server}",
        "--trust-on-first-use",
        "--storepass",
        "changeit",
        "--alias",
        "apm",
    )
    assert accepted["added"] == ["apm"]
    listed = ks_json("list", "-k", str(store), "--storepass", "changeit")
    assert [e["sha256"] for e in listed["entries"]] == [expected]


@pytest.mark.interop
def test_with_default_cas_seeds_a_new_store_with_the_jvms_truststore(
    pki: dict[str, Issued], tmp_path: Path, jdk17: object
) -> None:
    cert = tmp_path / "apm.pem"
    cert.write_bytes(pki["self"].pem)
    where = ks_json("where", "--java", str(Path(jdk17.java)))  # type: ignore[attr-defined]
    defaults = ks_json("list", "-k", where["resolved_path"], "--storepass", "changeit")
    store = tmp_path / "merged.p12"
    result = ks_json(
        "import",
        "-k",
        str(store),
        "--file",
        str(cert),
        "--alias",
        "apm",
        "--with-default-cas",
        "--java",
        str(Path(jdk17.java)),
        "--storepass",
        "changeit",  # type: ignore[attr-defined]
    )
    assert result["added"] == ["apm"]
    assert result["seeded_from"]["entries"] == len(defaults["entries"])
    merged = ks_json("list", "-k", str(store), "--storepass", "changeit")
    assert {e["sha256"] for e in merged["entries"]} == {
        e["sha256"] for e in defaults["entries"]
    } | {_fp(pki["self"])}
    # A second run finds the store and changes nothing.
    again = ks_json(
        "import",
        "-k",
        str(store),
        "--file",
        str(cert),
        "--alias",
        "apm",
        "--with-default-cas",
        "--storepass",
        "changeit",
    )
    assert again["changed"] is False and "seeded_from" not in again


def _fp(issued: Issued) -> str:
    import hashlib

    return ":".join(f"{b:02X}" for b in hashlib.sha256(issued.der).digest())
