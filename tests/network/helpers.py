"""TLS servers on 127.0.0.1 with a bounded lifetime, PKI fixtures, and running ``ks``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from demo.tls_server import https_server
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


# One HTTPS test server for the whole project: it records the SNI each client sent.
tls_server = https_server


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
