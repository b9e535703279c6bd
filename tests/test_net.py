"""``keystore_tool.net`` against sockets on 127.0.0.1: addresses, connecting (refused,
unresolvable, unreachable, out of time), handshakes (chain, SNI, not TLS, silent, alerts), the
client certificate's fate under TLS 1.2 and 1.3. Every server is a thread stopped at the end."""

from __future__ import annotations

import contextlib
import errno
import re
import socket
import ssl
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from demo.tls_server import https_server
from keystore_tool import net
from keystore_tool.errors import NetworkError, UsageError
from keystore_tool.model import Certificate, PrivateKeyEntry
from keystore_tool.net import ClientIdentity, Endpoint, client_identity, handshake, parse_endpoint
from tests.certs import Issued, issue


@pytest.fixture(scope="module")
def pki() -> dict[str, Issued]:
    root = issue("Net Root", ca=True)
    client_root = issue("Net Client Root", ca=True, key_kind="ec")
    return {
        "root": root,
        "leaf": issue("localhost", issuer=root, sans=["localhost", "127.0.0.1"]),
        "client-root": client_root,
        "client": issue("net-client", issuer=client_root, key_kind="ec"),
        "stranger": issue("net-stranger", key_kind="ec"),
    }


@pytest.fixture
def server_files(tmp_path: Path, pki: dict[str, Issued]) -> tuple[Path, Path, Path]:
    chain, key, client_ca = tmp_path / "chain.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    chain.write_bytes(pki["leaf"].pem + pki["root"].pem)
    key.write_bytes(pki["leaf"].key_pem())
    client_ca.write_bytes(pki["client-root"].pem)
    return chain, key, client_ca


def _entry(client: Issued) -> PrivateKeyEntry:
    key = client.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return PrivateKeyEntry(alias="c", chain=[Certificate(client.der)], private_key=key)


@contextmanager
def raw_server(answer: Callable[[socket.socket], object]) -> Iterator[int]:
    """A TCP server on 127.0.0.1 that hands each connection to ``answer`` in a thread."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return

            def run(conn: socket.socket = conn) -> None:
                with conn, contextlib.suppress(OSError):
                    conn.settimeout(5)
                    answer(conn)

            thread = threading.Thread(target=run, daemon=True)
            threads.append(thread)
            thread.start()

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        acceptor.join(timeout=5)
        for thread in threads:
            thread.join(timeout=5)


def _tls_answer(
    context: ssl.SSLContext, after: Callable[[ssl.SSLSocket], object]
) -> Callable[[socket.socket], object]:
    def answer(conn: socket.socket) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            after(tls)

    return answer


def _server_context(
    files: tuple[Path, Path, Path], *, require_client: bool = False, tls13: bool = True
) -> ssl.SSLContext:
    chain, key, client_ca = files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key)
    if not tls13:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    if require_client:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    return context


# --- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "endpoint"),
    [
        ("apm.internal", Endpoint("apm.internal", 443)),
        ("  apm.internal:8200 ", Endpoint("apm.internal", 8200)),
        ("[::1]:8443", Endpoint("::1", 8443)),
        ("[::1]", Endpoint("::1", 443)),
        ("::1", Endpoint("::1", 443)),  # a bare IPv6 literal: its colons are no port
        ("https://user:secret@apm.internal:8200/x#y", Endpoint("apm.internal", 8200)),
        ("https://apm.internal?query", Endpoint("apm.internal", 443)),
    ],
)
def test_server_addresses_parse(text: str, endpoint: Endpoint) -> None:
    assert parse_endpoint(text) == endpoint


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("ftp://apm.internal", "only https:// URLs"),
        ("[::1:8443", "needs its closing ']'"),
        ("[::1]8443", "is not HOST:PORT"),
        (":8443", "the host is missing"),
        ("apm.internal:0", "the port must be 1-65535"),
        ("apm.internal:65536", "the port must be 1-65535"),
        ("apm.internal:http", "the port must be 1-65535"),
    ],
)
def test_what_is_not_a_server_address_is_refused(text: str, words: str) -> None:
    with pytest.raises(UsageError, match=re.escape(words)):
        parse_endpoint(text)


def test_an_ipv6_endpoint_prints_in_brackets() -> None:
    assert str(Endpoint("::1", 443)) == "[::1]:443"
    assert str(Endpoint("apm.internal", 8200)) == "apm.internal:8200"
    assert Endpoint("::1", 1).is_ip and Endpoint("10.0.0.1", 1).is_ip
    assert not Endpoint("apm.internal", 1).is_ip


# --- connecting ----------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
    return port


def test_a_closed_port_is_refused_by_number() -> None:
    port = _closed_port()
    with pytest.raises(NetworkError, match=f"refused: nothing listens on port {port}"):
        net._connect(Endpoint("127.0.0.1", port), 2.0)


def test_a_name_that_does_not_resolve_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def unresolvable(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)
    with pytest.raises(NetworkError, match=re.escape("cannot resolve host name 'nowhere.invalid'")):
        handshake(Endpoint("nowhere.invalid", 443), timeout=1.0)


def test_a_name_without_addresses_cannot_be_connected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [])
    with pytest.raises(
        NetworkError, match=re.escape("cannot connect to empty.example:443: no address")
    ):
        net._connect(Endpoint("empty.example", 443), 1.0)


class _FailingSocket:
    """A socket whose connect fails with ``error``."""

    error: OSError = OSError()

    def __init__(self, *args: object) -> None:
        pass

    def settimeout(self, timeout: float) -> None:
        pass

    def connect(self, address: object) -> None:
        raise self.error

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (OSError(errno.ENETUNREACH, "Network is unreachable"), "is unreachable (Network is"),
        (OSError(errno.EHOSTUNREACH, "No route to host"), "is unreachable (No route to host)"),
        (OSError(errno.EACCES, "Permission denied"), "cannot connect to [::1]:443: Permission"),
    ],
)
def test_connect_failures_are_named(
    monkeypatch: pytest.MonkeyPatch, error: OSError, words: str
) -> None:
    monkeypatch.setattr(_FailingSocket, "error", error)
    monkeypatch.setattr(socket, "socket", _FailingSocket)
    with pytest.raises(NetworkError, match=re.escape(words)):
        net._connect(Endpoint("::1", 443), 1.0)


def test_the_deadline_is_shared_by_every_address(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", 443))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [entry, entry])
    attempts: list[float] = []

    class Slow(_FailingSocket):
        def settimeout(self, timeout: float) -> None:
            attempts.append(timeout)

        def connect(self, address: object) -> None:
            time.sleep(0.3)
            raise TimeoutError

    monkeypatch.setattr(socket, "socket", Slow)
    with pytest.raises(NetworkError, match=r"timed out after 0\.2 s"):
        net._connect(Endpoint("slow.example", 443), 0.2)
    assert len(attempts) == 1, "no time was left for the second address"


def test_the_connected_socket_gets_the_whole_timeout() -> None:
    with raw_server(lambda conn: conn.recv(1)) as port:
        sock = net._connect(Endpoint("127.0.0.1", port), 3.0)
        with sock:
            assert sock.gettimeout() == 3.0


# --- handshakes ----------------------------------------------------------------------------------


def test_the_presented_chain_comes_back_in_order_with_sni(
    server_files: tuple[Path, Path, Path], pki: dict[str, Issued]
) -> None:
    chain, key, _ = server_files
    with https_server(chain, key, lifetime=30) as (port, log):
        result = handshake(Endpoint("localhost", port), timeout=5)
        overridden = handshake(Endpoint("localhost", port), servername="apm.example.com")
        handshake(Endpoint("127.0.0.1", port))
    assert [c.der for c in result.chain] == [pki["leaf"].der, pki["root"].der]
    assert result.protocol == "TLSv1.3" and result.cipher
    assert result.error is None and not result.certificate_requested
    assert result.client_certificate_sent is False
    assert [c.der for c in overridden.chain] == [c.der for c in result.chain]
    # No SNI for an IP literal, as RFC 6066 asks.
    assert log.server_names == ["localhost", "apm.example.com", None]


def test_a_name_that_cannot_be_sni_is_a_usage_error(server_files: tuple[Path, Path, Path]) -> None:
    with (
        raw_server(lambda conn: conn.recv(1)) as port,
        pytest.raises(UsageError, match="cannot be sent as a TLS server name"),
    ):
        handshake(Endpoint("127.0.0.1", port), servername=".leading.dot")


def test_a_plain_http_server_does_not_speak_tls() -> None:
    def http(conn: socket.socket) -> None:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")

    with raw_server(http) as port, pytest.raises(NetworkError, match="does not speak TLS"):
        handshake(Endpoint("127.0.0.1", port), timeout=5)


def test_a_silent_server_times_the_handshake_out() -> None:
    release = threading.Event()
    with raw_server(lambda conn: conn.recv(65536) and release.wait(10)) as port:
        started = time.monotonic()
        with pytest.raises(
            NetworkError, match=r"TLS handshake with 127\.0\.0\.1:\d+ timed out after 0\.5 s"
        ):
            handshake(Endpoint("127.0.0.1", port), timeout=0.5)
        elapsed = time.monotonic() - started
        release.set()
    assert elapsed < 5


def test_a_server_that_hangs_up_during_the_handshake_is_a_network_error() -> None:
    with (
        raw_server(lambda conn: conn.recv(65536)) as port,
        pytest.raises(NetworkError, match=r"127\.0\.0\.1:\d+"),
    ):
        handshake(Endpoint("127.0.0.1", port), timeout=5)


def test_an_alert_before_any_certificate_is_named() -> None:
    def alert(conn: socket.socket) -> None:
        conn.recv(65536)
        # TLS 1.2 record: alert, fatal (2), protocol_version (70)
        conn.sendall(bytes([21, 3, 3, 0, 2, 2, 70]))

    with (
        raw_server(alert) as port,
        pytest.raises(
            NetworkError, match="ended the TLS handshake with the alert 'protocol_version'"
        ),
    ):
        handshake(Endpoint("127.0.0.1", port), timeout=5)


# --- the client certificate ------------------------------------------------------------------------


def test_client_identity_files_are_private_and_removed_afterwards(pki: dict[str, Issued]) -> None:
    with client_identity(_entry(pki["client"])) as identity:
        directory = identity.chain_pem.parent
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        for path in (identity.chain_pem, identity.key_pem):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert identity.chain_pem.read_bytes() == pki["client"].pem
        assert b"BEGIN PRIVATE KEY" in identity.key_pem.read_bytes()
    assert not directory.exists()


def test_an_unusable_client_identity_is_a_network_error(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    chain, key = tmp_path / "chain.pem", tmp_path / "key.pem"
    chain.write_bytes(pki["client"].pem)
    key.write_bytes(pki["stranger"].key_pem())  # not the certificate's key
    with pytest.raises(NetworkError, match="the client certificate and key cannot be used"):
        handshake(Endpoint("127.0.0.1", 1), identity=ClientIdentity(chain, key))


def _served(
    files: tuple[Path, Path, Path], *, tls13: bool, after: Callable[[ssl.SSLSocket], object]
) -> contextlib.AbstractContextManager[int]:
    return raw_server(_tls_answer(_server_context(files, require_client=True, tls13=tls13), after))


def _http_answer(tls: ssl.SSLSocket) -> None:
    tls.recv(4096)
    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.mark.parametrize("tls13", [True, False], ids=["tls1.3", "tls1.2"])
def test_an_accepted_client_certificate_is_sent_and_nothing_fails(
    server_files: tuple[Path, Path, Path], pki: dict[str, Issued], tls13: bool
) -> None:
    with (
        _served(server_files, tls13=tls13, after=_http_answer) as port,
        client_identity(_entry(pki["client"])) as identity,
    ):
        result = handshake(Endpoint("127.0.0.1", port), identity=identity, probe_request=True)
    assert result.certificate_requested and result.client_certificate_sent
    assert result.error is None and result.alert is None
    assert result.protocol == ("TLSv1.3" if tls13 else "TLSv1.2")


@pytest.mark.parametrize("tls13", [True, False], ids=["tls1.3", "tls1.2"])
def test_a_rejected_client_certificate_brings_the_alert(
    server_files: tuple[Path, Path, Path], pki: dict[str, Issued], tls13: bool
) -> None:
    with (
        _served(server_files, tls13=tls13, after=_http_answer) as port,
        client_identity(_entry(pki["stranger"])) as identity,
    ):
        result = handshake(Endpoint("127.0.0.1", port), identity=identity, probe_request=True)
    assert result.chain, "the server's chain was seen before the refusal"
    assert result.certificate_requested and result.client_certificate_sent
    assert result.alert is not None and result.alert.upper() in net.CLIENT_CERT_ALERTS
    assert result.error is not None and f"'{result.alert.lower()}'" in result.error


def test_a_missing_client_certificate_under_tls13_shows_on_the_first_read(
    server_files: tuple[Path, Path, Path],
) -> None:
    with _served(server_files, tls13=True, after=_http_answer) as port:
        result = handshake(Endpoint("127.0.0.1", port), probe_request=True)
    assert result.certificate_requested and not result.client_certificate_sent
    assert result.error is not None
    assert result.alert is not None or result.closed_after_handshake


def test_a_server_that_closes_right_after_the_handshake(
    server_files: tuple[Path, Path, Path], pki: dict[str, Issued]
) -> None:
    context = _server_context(server_files, require_client=True)
    context.num_tickets = 0  # a ticket would say the client was accepted

    with (
        raw_server(_tls_answer(context, lambda tls: None)) as port,
        client_identity(_entry(pki["client"])) as identity,
    ):
        result = handshake(Endpoint("127.0.0.1", port), identity=identity, probe_request=True)
    assert result.closed_after_handshake
    assert result.error == "the server closed the connection right after the handshake"


def test_a_server_that_accepts_and_stays_silent_is_an_acceptance(
    server_files: tuple[Path, Path, Path], pki: dict[str, Issued]
) -> None:
    release = threading.Event()
    context = _server_context(server_files, require_client=True)
    context.num_tickets = 0

    with (
        raw_server(_tls_answer(context, lambda tls: release.wait(10))) as port,
        client_identity(_entry(pki["client"])) as identity,
    ):
        started = time.monotonic()
        result = handshake(
            Endpoint("127.0.0.1", port), identity=identity, probe_request=True, timeout=0.5
        )
        elapsed = time.monotonic() - started
    assert result.error is None and not result.closed_after_handshake
    assert elapsed < 1.4, "the wait for an answer is bounded by the timeout"


def test_a_session_ticket_is_the_servers_acceptance(
    server_files: tuple[Path, Path, Path], pki: dict[str, Issued]
) -> None:
    release = threading.Event()
    with (
        _served(server_files, tls13=True, after=lambda tls: release.wait(10)) as port,
        client_identity(_entry(pki["client"])) as identity,
    ):
        started = time.monotonic()
        result = handshake(
            Endpoint("127.0.0.1", port), identity=identity, probe_request=True, timeout=5
        )
        elapsed = time.monotonic() - started
    assert result.error is None
    assert elapsed < 2.5, "the ticket ended the wait"


# --- what a TLS socket shows -------------------------------------------------------------------------


class _Tls:
    def __init__(self, public: object = None, private: object = None, leaf: bytes | None = None):
        if public is not None:
            self.get_unverified_chain = public
        self._sslobj = type("O", (), {"get_unverified_chain": private})() if private else None
        self._leaf = leaf

    def getpeercert(self, binary_form: bool = False) -> bytes | None:
        return self._leaf


def test_the_presented_chain_falls_back_to_the_leaf(pki: dict[str, Issued]) -> None:
    der = pki["leaf"].der
    assert [c.der for c in net._presented_chain(_Tls(public=lambda: [der]))] == [der]  # type: ignore[arg-type]
    assert [c.der for c in net._presented_chain(_Tls(leaf=der))] == [der]  # type: ignore[arg-type]
    assert net._presented_chain(_Tls()) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reason", "alert"),
    [
        ("SSLV3_ALERT_BAD_CERTIFICATE", "BAD_CERTIFICATE"),
        ("TLSV13_ALERT_CERTIFICATE_REQUIRED", "CERTIFICATE_REQUIRED"),
        ("TLSV1_ALERT_UNKNOWN_CA", "UNKNOWN_CA"),
        ("WRONG_VERSION_NUMBER", None),
    ],
)
def test_alert_names_come_from_openssls_reasons(reason: str, alert: str | None) -> None:
    error = ssl.SSLError(1, reason)
    error.reason = reason
    assert net._alert_name(error) == alert


def test_handshake_errors_say_what_happened() -> None:
    endpoint = Endpoint("h", 1)
    reset = net._handshake_error(endpoint, ConnectionResetError(), 1.0)
    assert str(reset) == (
        "h:1 closed the connection during the TLS handshake; it may not speak TLS or may "
        "refuse this client"
    )
    other = net._handshake_error(endpoint, OSError("boom"), 1.0)
    assert str(other) == "the TLS handshake with h:1 failed (boom)"
    unnamed = ssl.SSLError(1, "SOMETHING_ELSE")
    unnamed.reason = "SOMETHING_ELSE"
    assert str(net._handshake_error(endpoint, unnamed, 1.0)) == (
        "the TLS handshake with h:1 failed (SOMETHING_ELSE)"
    )
