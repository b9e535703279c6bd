"""``ops.verify`` in process: real handshakes with TLS servers on 127.0.0.1 (ephemeral ports,
threads stopped at the end of each test), the verdict judged by Java's rules; no JVM (the
probe's JVM runs in tests/network/test_verify.py and tests/interop)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import ssl
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from demo.tls_server import https_server
from keystore_tool import javatrust
from keystore_tool.cli.errors import remedy_text
from keystore_tool.errors import NotFoundError, PasswordError, Remedy, UsageError
from keystore_tool.javaprobe import verdict_of
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from keystore_tool.net import Endpoint, HandshakeResult
from keystore_tool.ops import verify as verify_module
from keystore_tool.ops.verify import StoreSpec, java_anchors, java_verdict, verify
from keystore_tool.password import Password
from keystore_tool.storage import save_store
from tests.certs import Issued, issue

PASSWORD = Password("changeit")


@pytest.fixture(scope="module")
def pki() -> dict[str, Issued]:
    root = issue("Verify Root", ca=True)
    inter = issue("Verify Intermediate", issuer=root, ca=True)
    client_root = issue("Client Root", ca=True)
    stranger = issue("Stranger Root", ca=True)
    return {
        "root": root,
        "inter": inter,
        "leaf": issue("localhost", issuer=inter, sans=["localhost", "127.0.0.1"]),
        "other-name": issue("apm.example.com", issuer=inter, sans=["apm.example.com"]),
        "client-root": client_root,
        "stranger": stranger,
        "client-good": issue("client-good", issuer=client_root),
        "client-bad": issue("client-bad", issuer=stranger),
    }


def _pem(*issued: Issued) -> bytes:
    return b"".join(i.pem for i in issued)


def _server_files(directory: Path, leaf: Issued, *chain: Issued) -> tuple[Path, Path]:
    cert, key = directory / f"{id(leaf)}.crt", directory / f"{id(leaf)}.key"
    cert.write_bytes(_pem(leaf, *chain))
    key.write_bytes(leaf.key_pem())
    return cert, key


def _truststore(directory: Path, *certs: Issued, password: Password | None = PASSWORD) -> Path:
    path = directory / f"trust-{len(list(directory.iterdir()))}.p12"
    store = Keystore(
        TrustedCertificateEntry(alias=f"ca{i}", certificate=Certificate(c.der))
        for i, c in enumerate(certs)
    )
    save_store(path, store, password, storetype="pkcs12")
    return path


def _keystore(directory: Path, client: Issued, *, extra_trusted: Issued | None = None) -> Path:
    path = directory / f"keys-{len(list(directory.iterdir()))}.p12"
    key = client.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    entries: list[TrustedCertificateEntry | PrivateKeyEntry] = []
    if extra_trusted is not None:
        entries.append(
            TrustedCertificateEntry(alias="a-trusted", certificate=Certificate(extra_trusted.der))
        )
    chain = [
        Certificate(client.der),
        *(Certificate(c.public_bytes(serialization.Encoding.DER)) for c in client.chain),
    ]
    entries.append(PrivateKeyEntry(alias="client", chain=chain, private_key=key))
    save_store(path, Keystore(entries), PASSWORD, storetype="pkcs12")
    return path


@contextmanager
def server(
    directory: Path, leaf: Issued, *chain: Issued, client_ca: Issued | None = None
) -> Iterator[int]:
    cert, key = _server_files(directory, leaf, *chain)
    ca_file = None
    if client_ca is not None:
        ca_file = directory / f"client-ca-{id(client_ca)}.pem"
        ca_file.write_bytes(client_ca.pem)
    with https_server(cert, key, client_ca=ca_file, lifetime=60) as (port, _log):
        yield port


@contextmanager
def closing_server(
    directory: Path, leaf: Issued, *chain: Issued, client_ca: Issued
) -> Iterator[int]:
    """A TLS 1.3 server that asks for a client certificate, completes the handshake and hangs
    up without a word: a refusal whose alert never arrives."""
    cert, key = _server_files(directory, leaf, *chain)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(cert, key)
    ca_file = directory / "closing-ca.pem"
    ca_file.write_bytes(client_ca.pem)
    context.load_verify_locations(ca_file)
    context.verify_mode = ssl.CERT_REQUIRED
    context.num_tickets = 0  # a ticket would tell the client it was accepted
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            raw.settimeout(5)
            # The handshake, then the socket is closed: no alert, no answer.
            with contextlib.suppress(ssl.SSLError, OSError):
                context.wrap_socket(raw, server_side=True).close()
            raw.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def test_a_chain_to_a_root_in_the_truststore_is_trusted(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["root"])
    with server(tmp_path, pki["leaf"], pki["inter"]) as port:
        report = verify(f"localhost:{port}", StoreSpec(trust, PASSWORD))
    assert report.trusted and report.refusal is None and report.reason is None
    assert report.anchor is not None and report.anchor.der == pki["root"].der
    assert [c.der for c in report.chain] == [pki["leaf"].der, pki["inter"].der]
    assert report.client_certificate_sent is False
    document = report.as_json()
    assert (document["host"], document["port"], document["trusted"]) == ("localhost", port, True)
    assert document["reason"] is None and "java" not in document
    assert document["anchor"]["subject"] == "CN=Verify Root"


def test_an_intermediate_in_the_truststore_anchors_an_ip_connection(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["inter"])
    with server(tmp_path, pki["leaf"], pki["inter"]) as port:
        report = verify(f"127.0.0.1:{port}", StoreSpec(trust, PASSWORD))
    assert report.trusted, report.reason
    assert report.anchor is not None and report.anchor.der == pki["inter"].der


def test_a_missing_ca_names_the_remedy_in_each_audience_words(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["stranger"])
    with server(tmp_path, pki["leaf"], pki["inter"]) as port:
        report = verify(f"localhost:{port}", StoreSpec(trust, PASSWORD))
    assert not report.trusted and report.anchor is None
    assert report.refusal is not None and report.refusal.remedy is Remedy.IMPORT_FROM_SERVER
    cli = report.as_json(remedy_text)["reason"]
    assert cli == (
        "the truststore holds no certificate that anchors the server's chain: it ends at "
        "'CN=Verify Intermediate', issued by 'CN=Verify Root', which the truststore lacks "
        "(import that CA, or the server's root-most certificate: ks import --from-server)"
    )
    assert report.reason == (
        "the truststore holds no certificate that anchors the server's chain: it ends at "
        "'CN=Verify Intermediate', issued by 'CN=Verify Root', which the truststore lacks "
        "(import that CA, or the server's root-most certificate)"
    )
    assert "--" not in str(report.reason)


def test_a_protected_truststore_without_its_password_is_empty_to_java(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["root"])
    with server(tmp_path, pki["leaf"], pki["inter"]) as port:
        report = verify(f"localhost:{port}", StoreSpec(trust, None))
    assert not report.trusted and report.anchor is None
    assert report.chain, "the server's chain is still reported"
    assert report.as_json(remedy_text)["reason"] == (
        "the truststore is password-protected and no password was given: Java reads it "
        "without one and sees no trusted certificate; give --truststorepass"
    )
    assert str(report.reason).endswith("; give the truststore's password")


def test_a_wrong_truststore_password_is_an_error_not_a_verdict(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["root"])
    with pytest.raises(PasswordError):
        verify("localhost:1", StoreSpec(trust, Password("wrong")))


def test_a_password_less_truststore_is_read_without_one(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["root"], password=None)
    with server(tmp_path, pki["leaf"], pki["inter"]) as port:
        report = verify(f"localhost:{port}", StoreSpec(trust, None))
    assert report.trusted, report.reason


def test_an_empty_truststore_is_javas_empty_trust_anchors(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path)
    with server(tmp_path, pki["leaf"], pki["inter"]) as port:
        report = verify(f"localhost:{port}", StoreSpec(trust, PASSWORD))
    assert not report.trusted
    assert "trustAnchors parameter must be non-empty" in str(report.reason)


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("localhost", "does not name the host 'localhost' (it names DNS:apm.example.com)"),
        ("127.0.0.1", "does not name the IP address 127.0.0.1 (it names DNS:apm.example.com)"),
    ],
)
def test_the_host_name_is_checked_after_the_path(
    tmp_path: Path, pki: dict[str, Issued], host: str, words: str
) -> None:
    trust = _truststore(tmp_path, pki["root"])
    with server(tmp_path, pki["other-name"], pki["inter"]) as port:
        report = verify(f"{host}:{port}", StoreSpec(trust, PASSWORD))
    assert not report.trusted
    assert words in str(report.reason)
    assert report.anchor is not None, "the path was found; the name failed"


def test_a_required_client_certificate_that_is_missing_says_give_the_keystore(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["root"])
    with server(tmp_path, pki["leaf"], pki["inter"], client_ca=pki["client-root"]) as port:
        report = verify(f"localhost:{port}", StoreSpec(trust, PASSWORD))
    assert not report.trusted
    reason = report.as_json(remedy_text)["reason"]
    assert reason.startswith("the server requires a client certificate and none was given (")
    assert reason.endswith("); give the keystore holding it with --keystore")
    assert str(report.reason).endswith("); give the keystore holding it")


def test_an_accepted_client_certificate_completes_the_handshake(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["root"])
    keys = _keystore(tmp_path, pki["client-good"], extra_trusted=pki["stranger"])
    with server(tmp_path, pki["leaf"], pki["inter"], client_ca=pki["client-root"]) as port:
        report = verify(
            f"localhost:{port}", StoreSpec(trust, PASSWORD), keystore=StoreSpec(keys, PASSWORD)
        )
    assert report.trusted, report.reason
    assert report.client_certificate_sent is True


def test_a_client_certificate_from_a_stranger_is_rejected_by_name(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["root"])
    keys = _keystore(tmp_path, pki["client-bad"])
    with server(tmp_path, pki["leaf"], pki["inter"], client_ca=pki["client-root"]) as port:
        report = verify(
            f"localhost:{port}",
            StoreSpec(trust, PASSWORD),
            keystore=StoreSpec(keys, PASSWORD),
            alias="client",
        )
    assert not report.trusted and report.client_certificate_sent is True
    assert str(report.reason).startswith(
        "the server rejected the client certificate 'CN=client-bad' ("
    )
    assert str(report.reason).endswith("); the server does not trust its issuer")


def test_a_server_that_hangs_up_after_asking_for_a_certificate_rejected_it(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["root"])
    keys = _keystore(tmp_path, pki["client-bad"])
    # The server accepts the handshake (it trusts the stranger) and then hangs up.
    with closing_server(tmp_path, pki["leaf"], pki["inter"], client_ca=pki["stranger"]) as port:
        report = verify(
            f"localhost:{port}", StoreSpec(trust, PASSWORD), keystore=StoreSpec(keys, PASSWORD)
        )
    assert not report.trusted
    assert str(report.reason) == (
        "the server rejected the client certificate 'CN=client-bad' (it closed the "
        "connection); the server does not trust its issuer"
    )


def test_an_alias_without_a_key_cannot_be_presented(tmp_path: Path, pki: dict[str, Issued]) -> None:
    trust = _truststore(tmp_path, pki["root"])
    keys = _keystore(tmp_path, pki["client-good"], extra_trusted=pki["stranger"])
    with pytest.raises(UsageError, match="entry 'a-trusted' holds no private key") as caught:
        verify(
            "localhost:1",
            StoreSpec(trust, PASSWORD),
            keystore=StoreSpec(keys, PASSWORD),
            alias="a-trusted",
        )
    assert caught.value.alias == "a-trusted"


def test_a_keystore_without_key_entries_cannot_be_presented(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    trust = _truststore(tmp_path, pki["root"])
    with pytest.raises(UsageError, match="no private-key entry"):
        verify("localhost:1", StoreSpec(trust, PASSWORD), keystore=StoreSpec(trust, PASSWORD))


def _result(**fields: object) -> HandshakeResult:
    return HandshakeResult(chain=[], **fields)  # type: ignore[arg-type]


def test_a_failure_that_is_no_client_certificate_refusal_is_reported_as_it_came() -> None:
    result = _result(
        error="the server ended the connection with the alert 'protocol_version'",
        alert="PROTOCOL_VERSION",
    )
    refusal = verify_module._client_side_refusal(result, None)
    assert refusal is not None and refusal.text() == result.error and refusal.remedy is None
    assert verify_module._client_side_refusal(_result(), None) is None


def test_a_rejected_entry_without_a_chain_is_named_by_its_alias() -> None:
    entry = PrivateKeyEntry(alias="bare", chain=[], private_key=b"\x30\x00")
    result = _result(error="x", alert="UNKNOWN_CA")
    refusal = verify_module._client_side_refusal(result, entry)
    assert refusal is not None
    assert refusal.text() == (
        "the server rejected the client certificate of entry 'bare' (TLS alert 'unknown_ca'); "
        "the server does not trust its issuer"
    )


def test_java_anchors_take_trusted_entries_and_each_keys_leaf_once(pki: dict[str, Issued]) -> None:
    root, leaf = Certificate(pki["root"].der), Certificate(pki["leaf"].der)
    store = Keystore(
        [
            TrustedCertificateEntry(alias="root", certificate=root),
            TrustedCertificateEntry(alias="again", certificate=root),
            PrivateKeyEntry(alias="key", chain=[leaf, root], private_key=b"\x30\x00"),
        ]
    )
    assert [c.der for c in java_anchors(store)] == [root.der, leaf.der]
    # doctor and scripts import it from here; the rule itself lives in javatrust.
    assert java_anchors is javatrust.java_anchors


# --- java_verdict without a JVM: a stand-in `java` that reports what it was given ---------


def _fake_java(directory: Path, script: str) -> Path:
    java = directory / "bin" / "java"
    java.parent.mkdir(parents=True, exist_ok=True)
    java.write_text("#!/bin/sh\n" + script)
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return java


def test_java_verdict_passes_the_stores_in_the_environment_not_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "seen.json"
    java = _fake_java(
        tmp_path,
        f"""python3 - "$@" <<'EOF'
import json, os, sys
json.dump({{"argv": sys.argv[1:], "env": {{k: v for k, v in os.environ.items()
           if k.startswith(("KS_PROBE_", "JAVA_TOOL", "JDK_JAVA", "_JAVA"))}}}},
          open({str(record)!r}, "w"))
EOF
echo "status=200 body=x cipher=y"
echo "ok: HTTP 200"
""",
    )
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-Djavax.net.ssl.trustStore=/elsewhere")
    verdict = java_verdict(
        tmp_path,  # a Java home: bin/java is found in it
        Endpoint("::1", 8443),
        StoreSpec(Path("trust.p12"), Password("t-secret")),
        StoreSpec(Path("keys.p12"), Password("k-secret")),
        "pkcs12",
    )
    assert verdict.trusted is True and verdict.message == "ok: HTTP 200"
    assert verdict.java == str(java)
    assert verdict.as_json() == {"java": str(java), "trusted": True, "message": "ok: HTTP 200"}
    seen = json.loads(record.read_text())
    source, url = seen["argv"]
    assert source.endswith("HttpsProbe.java") and Path(source).is_file()
    assert url == "https://[::1]:8443/"
    assert seen["env"] == {
        "KS_PROBE_TRUSTSTORE": str(Path("trust.p12").resolve()),
        "KS_PROBE_TRUSTSTORE_PASSWORD": "t-secret",
        "KS_PROBE_KEYSTORE": str(Path("keys.p12").resolve()),
        "KS_PROBE_KEYSTORE_PASSWORD": "k-secret",
        "KS_PROBE_KEYSTORE_TYPE": "pkcs12",
    }
    assert "secret" not in " ".join(seen["argv"])


def test_java_verdict_of_a_failing_probe_is_its_last_line(tmp_path: Path) -> None:
    java = _fake_java(
        tmp_path, 'echo "failed: SSLHandshakeException: PKIX path building failed"\nexit 1\n'
    )
    verdict = java_verdict(
        java, Endpoint("localhost", 443), StoreSpec(Path("t.p12"), None), None, None
    )
    assert verdict.trusted is False
    assert verdict.message == "failed: SSLHandshakeException: PKIX path building failed"


def test_java_verdict_of_a_jvm_that_cannot_start_says_why(tmp_path: Path) -> None:
    java = _fake_java(
        tmp_path, 'echo "Error: could not create the Java Virtual Machine." >&2\nexit 1\n'
    )
    verdict = java_verdict(
        java, Endpoint("localhost", 443), StoreSpec(Path("t.p12"), None), None, None
    )
    assert verdict == verdict_of(
        str(java), 1, "", "Error: could not create the Java Virtual Machine.\n"
    )
    assert verdict.trusted is False and verdict.message.startswith("Error: could not create")
    assert verdict_of("j", 0, "", "").message == "no output"
    # An "ok:" line from a probe that then exits non-zero is not a success.
    assert verdict_of("j", 1, "ok: HTTP 200\n", "").trusted is False


def test_java_verdict_of_a_binary_that_is_not_executable(tmp_path: Path) -> None:
    java = tmp_path / "java"
    java.write_text("not a program")
    os.chmod(java, 0o644)
    verdict = java_verdict(
        java, Endpoint("localhost", 443), StoreSpec(Path("t.p12"), None), None, None
    )
    assert verdict.trusted is False and verdict.message.startswith("the JVM probe could not run (")


def test_java_verdict_of_no_java_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        java_verdict(tmp_path / "nowhere", Endpoint("h", 1), StoreSpec(Path("t"), None), None, None)
