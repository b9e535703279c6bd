"""A small HTTPS server on 127.0.0.1 that can require a client certificate: the stand-in for
an APM server in the demo and the tests. It serves one line of text, lives in a thread, and
stops when its context ends (or after ``lifetime`` seconds at most)."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ServerLog:
    """What the server saw: one record per connection, for tests to inspect."""

    handshakes: list[str] = field(default_factory=list)
    client_subjects: list[str] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)  # the SNI each client sent


BODY = b"hello from the APM server\n"


def _client_subject(tls: ssl.SSLSocket) -> str | None:
    peer = tls.getpeercert()
    if not peer:
        return None
    return ",".join(f"{k}={v}" for rdn in peer.get("subject", ()) for k, v in rdn)


def _read_request(tls: ssl.SSLSocket) -> bytes:
    request = b""
    while b"\r\n\r\n" not in request and len(request) < 65536:
        chunk = tls.recv(4096)
        if not chunk:
            break
        request += chunk
    return request


def _answer(context: ssl.SSLContext, raw: socket.socket, log: ServerLog) -> None:
    """One connection: the handshake, the request, one line of text."""
    raw.settimeout(10)
    try:
        with context.wrap_socket(raw, server_side=True) as tls:
            subject = _client_subject(tls)
            if subject is not None:
                log.client_subjects.append(subject)
            log.handshakes.append("ok")
            _read_request(tls)
            tls.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                + f"Content-Length: {len(BODY)}\r\n\r\n".encode()
                + BODY
            )
    except (ssl.SSLError, OSError) as exc:
        log.handshakes.append(f"failed: {exc}")


@contextmanager
def https_server(
    cert_chain: Path,
    key: Path,
    *,
    client_ca: Path | None = None,
    lifetime: float = 120.0,
) -> Iterator[tuple[int, ServerLog]]:
    """Serves ``GET /`` over TLS on 127.0.0.1:<port>; yields the port and the log.

    ``cert_chain`` is the server certificate followed by its intermediates (PEM); with
    ``client_ca`` the server requires a client certificate issued by that CA.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_chain, key)
    log = ServerLog()

    def on_sni(sock: ssl.SSLObject, name: str | None, ctx: ssl.SSLContext) -> None:
        log.server_names.append(name)

    context.sni_callback = on_sni  # type: ignore[assignment]
    if client_ca is not None:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    stop = threading.Event()
    deadline = time.monotonic() + lifetime

    def serve() -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_answer, args=(context, raw, log), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port, log
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)
