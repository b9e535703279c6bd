"""TLS servers on 127.0.0.1 with a bounded lifetime, PKI fixtures, and running ``ks``."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from tests.certs import Issued

ROOT = Path(__file__).resolve().parents[2]


def ks(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ if env is None else env, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "keystore_tool", *args],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )


def ks_json(*args: str, expect: int = 0, env: dict[str, str] | None = None) -> Any:
    proc = ks(*args, "--json", env=env)
    assert proc.returncode == expect, proc.stderr
    return json.loads(proc.stdout)


def pem(*certs: Issued) -> bytes:
    return b"".join(c.cert.public_bytes(serialization.Encoding.PEM) for c in certs)


def write_server_files(directory: Path, leaf: Issued, *extra: Issued) -> tuple[Path, Path]:
    chain = directory / f"{id(leaf)}-chain.pem"
    key = directory / f"{id(leaf)}-key.pem"
    chain.write_bytes(pem(leaf, *extra))
    key.write_bytes(leaf.key_pem())
    return chain, key


@dataclass
class ServerLog:
    server_names: list[str | None] = field(default_factory=list)
    handshakes: list[str] = field(default_factory=list)


@contextmanager
def tls_server(
    chain: Path,
    key: Path,
    *,
    client_ca: Path | None = None,
    lifetime: float = 120.0,
) -> Iterator[tuple[int, ServerLog]]:
    """An HTTPS server on 127.0.0.1 that records the SNI each client sent."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key)
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

    def handle(raw: socket.socket) -> None:
        raw.settimeout(10)
        try:
            with context.wrap_socket(raw, server_side=True) as tls:
                log.handshakes.append("ok")
                request = b""
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    request += chunk
                body = b"hello\n"
                tls.sendall(
                    b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
        except (ssl.SSLError, OSError) as exc:
            log.handshakes.append(f"failed: {exc}")

    def serve() -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(raw,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port, log
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


@contextmanager
def plain_http_server() -> Iterator[int]:
    """A server that answers in plain HTTP: not TLS."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with raw:
                raw.settimeout(5)
                try:
                    raw.recv(4096)
                    raw.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
    return port
