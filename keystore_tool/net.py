"""The only code that opens sockets: TLS handshakes that report what the server presented.

Nothing here verifies anything. :func:`handshake` connects, sends SNI, takes the chain the
server presented (every certificate, not only the leaf: ``get_unverified_chain``, public from
Python 3.13 and present on the private ``_sslobj`` since 3.10) and, when asked, presents a
client certificate and finds out whether the server accepted it. Judging the chain is
``javatrust``'s business (``ops.verify`` asks it).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from keystore_tool.errors import NetworkError, UsageError
from keystore_tool.model import Certificate

if TYPE_CHECKING:
    from keystore_tool.model import PrivateKeyEntry

DEFAULT_TIMEOUT = 10.0

# TLS alert descriptions (RFC 8446 §6) that mean "your certificate is not acceptable".
CLIENT_CERT_ALERTS = frozenset(
    {
        "BAD_CERTIFICATE",
        "UNSUPPORTED_CERTIFICATE",
        "CERTIFICATE_REVOKED",
        "CERTIFICATE_EXPIRED",
        "CERTIFICATE_UNKNOWN",
        "UNKNOWN_CA",
        "ACCESS_DENIED",
        "CERTIFICATE_REQUIRED",
        "HANDSHAKE_FAILURE",
        "DECRYPT_ERROR",
    }
)

_HANDSHAKE_CERTIFICATE_REQUEST = 13


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def is_ip(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


def parse_endpoint(text: str, default_port: int = 443) -> Endpoint:
    """``HOST:PORT``, ``HOST`` (port 443), ``[v6]:PORT``, a bare IPv6 literal, or an
    ``https://HOST[:PORT][/path]`` URL (its path and query are ignored)."""
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    if sep:
        if scheme.lower() != "https":
            raise UsageError(f"'{text}' is not HOST:PORT: only https:// URLs name a TLS server")
        text = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        text = text.rsplit("@", 1)[-1]  # user info is not part of the address
    host, port_text = text, ""
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise UsageError(f"'{text}' is not HOST:PORT: an IPv6 address needs its closing ']'")
        host, rest = text[1:close], text[close + 1 :]
        if rest and not rest.startswith(":"):
            raise UsageError(f"'{text}' is not HOST:PORT")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not host:
        raise UsageError(f"'{text}' is not HOST:PORT: the host is missing")
    port = default_port
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise UsageError(f"'{text}' is not HOST:PORT: the port must be 1-65535")
        port = int(port_text)
    return Endpoint(host, port)


@dataclass(frozen=True)
class ClientIdentity:
    """A client certificate chain and its key as PEM files (0600, see :func:`client_identity`)."""

    chain_pem: Path
    key_pem: Path


@contextlib.contextmanager
def client_identity(entry: PrivateKeyEntry) -> Iterator[ClientIdentity]:
    """The entry's key and chain as PEM files in a private temporary directory (0700, files
    0600), removed afterwards: the only way Python's ``ssl`` takes a client key."""
    import shutil
    import tempfile

    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    from keystore_tool.x509util import certificates_pem

    key_pem = entry.load_private_key().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    chain_pem = certificates_pem(entry.chain).encode("ascii")
    directory = tempfile.mkdtemp(prefix="ks-client-")
    try:
        paths = []
        for name, data in (("chain.pem", chain_pem), ("key.pem", key_pem)):
            path = os.path.join(directory, name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            paths.append(Path(path))
        yield ClientIdentity(paths[0], paths[1])
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class HandshakeResult:
    """What one connection showed.

    ``chain`` is what the server presented, in its order. ``error`` is set when the handshake
    or the first exchange after it failed (``alert`` then names the TLS alert, if one came).
    """

    chain: list[Certificate]
    protocol: str | None = None
    cipher: str | None = None
    certificate_requested: bool = False
    client_certificate_sent: bool = False
    error: str | None = None
    alert: str | None = None
    closed_after_handshake: bool = False


def _client_context(identity: ClientIdentity | None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # Verification is javatrust's job, done the way Java does it; here we only look.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if identity is not None:
        try:
            context.load_cert_chain(identity.chain_pem, identity.key_pem)
        except ssl.SSLError as exc:
            raise NetworkError(
                f"the client certificate and key cannot be used ({exc.reason or exc})"
            ) from exc
    return context


def _watch_certificate_request(context: ssl.SSLContext, result: HandshakeResult) -> None:
    """Notes whether the server asked for a client certificate (a CertificateRequest
    handshake message). Uses CPython's private message callback where it exists."""

    def callback(
        conn: object,
        direction: str,
        version: object,
        content_type: object,
        msg_type: object,
        data: bytes,
    ) -> None:
        del conn, version
        if (
            direction == "read"
            and getattr(content_type, "name", "") == "HANDSHAKE"
            and int(msg_type) == _HANDSHAKE_CERTIFICATE_REQUEST  # type: ignore[call-overload]
            and data[:1] == bytes([_HANDSHAKE_CERTIFICATE_REQUEST])
        ):
            result.certificate_requested = True

    if hasattr(context, "_msg_callback"):
        context._msg_callback = callback


def _presented_chain(tls: ssl.SSLSocket) -> list[Certificate]:
    public = getattr(tls, "get_unverified_chain", None)
    if public is not None:  # Python 3.13+
        return [Certificate(bytes(der)) for der in public() or ()]
    sslobj = getattr(tls, "_sslobj", None)
    private = getattr(sslobj, "get_unverified_chain", None)
    if private is not None:
        der_encoding = ssl._ssl.ENCODING_DER  # type: ignore[attr-defined]
        return [Certificate(c.public_bytes(der_encoding)) for c in private() or ()]
    leaf = tls.getpeercert(binary_form=True)
    return [Certificate(leaf)] if leaf else []


def _alert_name(exc: ssl.SSLError) -> str | None:
    reason = str(exc.reason or "")
    for prefix in ("SSLV3_ALERT_", "TLSV1_ALERT_", "TLSV13_ALERT_", "TLSV1_"):
        if reason.startswith(prefix):
            return reason[len(prefix) :]
    return None


def _connect(endpoint: Endpoint, timeout: float) -> socket.socket:
    """A TCP connection to the first of the host's addresses that answers, within ``timeout``
    in total: a name with several unresponsive addresses waits the timeout once, not once per
    address (socket.create_connection gives each address the whole timeout)."""
    import time

    deadline = time.monotonic() + timeout
    try:
        addresses = socket.getaddrinfo(endpoint.host, endpoint.port, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise NetworkError(
            f"cannot resolve host name '{endpoint.host}' ({exc.strerror}); check the spelling"
        ) from exc
    last: OSError | None = None
    for family, kind, proto, _, address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            last = TimeoutError()
            break
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(remaining)
            sock.connect(address)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        sock.settimeout(timeout)
        return sock
    if isinstance(last, TimeoutError):
        raise NetworkError(
            f"connecting to {endpoint} timed out after {timeout:g} s; check the host, port and "
            "firewall"
        ) from last
    if isinstance(last, ConnectionRefusedError):
        raise NetworkError(
            f"connection to {endpoint} refused: nothing listens on port {endpoint.port}"
        ) from last
    if last is not None and last.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        raise NetworkError(f"{endpoint} is unreachable ({last.strerror})") from last
    detail = (last.strerror or str(last)) if last is not None else "no address"
    raise NetworkError(f"cannot connect to {endpoint}: {detail}") from last


def _handshake_error(endpoint: Endpoint, exc: BaseException, timeout: float) -> NetworkError:
    if isinstance(exc, TimeoutError | socket.timeout):
        return NetworkError(
            f"the TLS handshake with {endpoint} timed out after {timeout:g} s; the server may "
            "not speak TLS on this port"
        )
    if isinstance(exc, ssl.SSLError):
        alert = _alert_name(exc)
        if alert:
            return NetworkError(
                f"the server {endpoint} ended the TLS handshake with the alert '{alert.lower()}'"
            )
        reason = str(exc.reason or "")
        if reason in (
            "WRONG_VERSION_NUMBER",
            "UNKNOWN_PROTOCOL",
            "PACKET_LENGTH_TOO_LONG",
            "RECORD_LAYER_FAILURE",
            "HTTP_REQUEST",
        ):
            return NetworkError(
                f"{endpoint} does not speak TLS (it answered something else, e.g. plain HTTP)"
            )
        return NetworkError(f"the TLS handshake with {endpoint} failed ({reason or exc})")
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ssl.SSLEOFError):
        return NetworkError(
            f"{endpoint} closed the connection during the TLS handshake; it may not speak TLS "
            "or may refuse this client"
        )
    return NetworkError(f"the TLS handshake with {endpoint} failed ({exc})")


def _check_server_name(context: ssl.SSLContext, sni: str) -> None:
    """Refuses a name ``ssl`` will not send, before any socket exists (a refusal inside
    ``wrap_socket`` leaves its half-made socket open)."""
    try:
        context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname=sni)
    except (ValueError, ssl.SSLError) as exc:
        raise UsageError(f"'{sni}' cannot be sent as a TLS server name (SNI)") from exc


def handshake(
    endpoint: Endpoint,
    *,
    servername: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    identity: ClientIdentity | None = None,
    probe_request: bool = False,
) -> HandshakeResult:
    """Connects, handshakes without verifying, and returns what the server presented.

    With ``probe_request`` an HTTP ``HEAD /`` is sent and the answer awaited: under TLS 1.3 a
    server rejects a client certificate only after the client finished its handshake, so the
    verdict arrives on the first read. A failed handshake is a :class:`NetworkError` unless
    the server's chain was already seen (then the failure is recorded in the result).
    """
    context = _client_context(identity)
    result = HandshakeResult(chain=[])
    _watch_certificate_request(context, result)
    # Python sends no SNI for an IP literal, as RFC 6066 asks.
    sni = servername or endpoint.host
    _check_server_name(context, sni)
    raw = _connect(endpoint, timeout)
    tls = context.wrap_socket(raw, server_hostname=sni, do_handshake_on_connect=False)
    with tls:
        try:
            tls.do_handshake()
        except (OSError, ssl.SSLError) as exc:
            result.chain = _safe_chain(tls)
            if not result.chain:
                raise _handshake_error(endpoint, exc, timeout) from exc
            result.error = str(_handshake_error(endpoint, exc, timeout))
            result.alert = _alert_name(exc) if isinstance(exc, ssl.SSLError) else None
            result.client_certificate_sent = identity is not None and result.certificate_requested
            return result
        result.chain = _presented_chain(tls)
        result.protocol = tls.version()
        cipher = tls.cipher()
        result.cipher = cipher[0] if cipher else None
        result.client_certificate_sent = identity is not None and result.certificate_requested
        # Only TLS 1.3 lets a server refuse a client (or a missing client certificate) after
        # the handshake; otherwise the verdict is already known and nothing is awaited.
        if probe_request and result.protocol == "TLSv1.3" and result.certificate_requested:
            _probe(tls, endpoint, result, timeout)
    return result


def _first_answer(tls: ssl.SSLSocket, timeout: float) -> bytes | None:
    """The first byte the server sends (``b""``: it closed), or ``None`` once it has shown it
    accepted us without answering: a TLS 1.3 server sends its session ticket only after it
    accepted the client's Finished (and certificate), so a ticket is the verdict, HTTP or not.
    Waits at most ``timeout`` for a server that neither answers nor sends a ticket."""
    import time

    deadline = time.monotonic() + timeout
    tls.settimeout(0.05)
    while True:
        try:
            return tls.recv(1)
        except TimeoutError:
            session = tls.session
            if session is not None and session.has_ticket:
                return None
            if time.monotonic() >= deadline:
                return None  # no alert came: the server accepted us and is not an HTTP server


def _safe_chain(tls: ssl.SSLSocket) -> list[Certificate]:
    try:
        return _presented_chain(tls)
    except (ValueError, OSError, ssl.SSLError):
        return []


def _probe(tls: ssl.SSLSocket, endpoint: Endpoint, result: HandshakeResult, timeout: float) -> None:
    host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
    request = f"HEAD / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    # A server that refuses our certificate sends an alert and closes; depending on timing we
    # see the alert, or only the close (a reset while sending, or EOF). Try to read the alert
    # even when sending failed.
    failure: BaseException | None = None
    try:
        tls.sendall(request)
    except (OSError, ssl.SSLError) as exc:
        failure = exc
    try:
        answer = _first_answer(tls, timeout)
        if answer == b"" and failure is None:
            result.closed_after_handshake = True
            result.error = "the server closed the connection right after the handshake"
    except ssl.SSLError as exc:
        failure = exc
    except OSError as exc:
        failure = failure or exc
    if failure is None:
        return
    alert = _alert_name(failure) if isinstance(failure, ssl.SSLError) else None
    result.alert = alert
    result.closed_after_handshake = alert is None
    result.error = (
        f"the server ended the connection with the alert '{alert.lower()}'"
        if alert
        else "the server closed the connection right after the handshake"
    )
