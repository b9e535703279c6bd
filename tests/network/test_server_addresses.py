"""``fetch`` and ``verify`` take a server as HOST:PORT, HOST (port 443) or an https:// URL."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from keystore_tool.errors import UsageError
from keystore_tool.net import Endpoint, parse_endpoint
from tests.certs import issue, keytool_sha256
from tests.network.helpers import ks, ks_json, tls_server, write_server_files


@pytest.mark.parametrize(
    ("text", "endpoint"),
    [
        ("https://apm.internal:8200/", Endpoint("apm.internal", 8200)),
        ("https://apm.internal", Endpoint("apm.internal", 443)),
        ("HTTPS://apm.internal:8200/intake/v2?x=1", Endpoint("apm.internal", 8200)),
        ("https://[::1]:8443/", Endpoint("::1", 8443)),
        ("apm.internal", Endpoint("apm.internal", 443)),
        ("apm.internal:8200", Endpoint("apm.internal", 8200)),
    ],
)
def test_server_address_forms(text: str, endpoint: Endpoint) -> None:
    assert parse_endpoint(text) == endpoint


def test_other_schemes_are_refused() -> None:
    with pytest.raises(UsageError, match="only https://"):
        parse_endpoint("http://apm.internal:8200/")


def test_fetch_and_verify_take_a_url(tmp_path: Path) -> None:
    leaf = issue("localhost", sans=["localhost", "127.0.0.1"])
    chain, key = write_server_files(tmp_path, leaf)
    trust = tmp_path / "trust.p12"
    (tmp_path / "leaf.crt").write_bytes(leaf.pem)
    assert (
        ks(
            "import",
            "-k",
            str(trust),
            "--file",
            str(tmp_path / "leaf.crt"),
            "--alias",
            "l",
            "--storepass",
            "p",
        ).returncode
        == 0
    )
    with tls_server(chain, key) as (port, _):
        fetched = ks_json("fetch", f"https://localhost:{port}/")
        assert (fetched["host"], fetched["port"]) == ("localhost", port)
        verified = ks_json(
            "verify", f"https://localhost:{port}/", "-t", str(trust), "--truststorepass", "p"
        )
        assert verified["trusted"] is True


def test_a_pin_of_a_root_the_server_does_not_send_says_so(tmp_path: Path) -> None:
    root = issue("Unsent Root", ca=True)
    inter = issue("Sent Intermediate", issuer=root, ca=True)
    leaf = issue("localhost", issuer=inter, sans=["localhost", "127.0.0.1"])
    chain, key = write_server_files(tmp_path, leaf, inter)
    store = tmp_path / "t.p12"
    with tls_server(chain, key) as (port, _):
        server = f"localhost:{port}"
        refused = ks(
            "import",
            "-k",
            str(store),
            "--from-server",
            server,
            "--expect-sha256",
            keytool_sha256(root.der),
            "--storepass",
            "p",
        )
        assert refused.returncode == 1
        assert "issued by CN=Unsent Root, which the server does not send" in refused.stderr
        assert "--file" in refused.stderr and not store.exists()
        # A pin of a certificate the server does send takes that one.
        taken = ks_json(
            "import",
            "-k",
            str(store),
            "--from-server",
            server,
            "--expect-sha256",
            keytool_sha256(inter.der),
            "--storepass",
            "p",
        )
        assert taken["added"] == ["sent intermediate"]


@contextmanager
def silent_tls_server(chain: Path, key: Path, client_ca: Path) -> Iterator[int]:
    """TLS 1.3 that requires a client certificate and then says nothing: not HTTP."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(chain, key)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(client_ca)
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
            raw.settimeout(60)
            try:
                with context.wrap_socket(raw, server_side=True) as tls:
                    while tls.recv(4096):  # reads whatever comes, answers nothing
                        pass
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def test_verify_of_a_service_that_is_not_http_ends_with_the_tls_verdict(tmp_path: Path) -> None:
    leaf = issue("localhost", sans=["localhost", "127.0.0.1"])
    client = issue("client")
    chain, key = write_server_files(tmp_path, leaf)
    (tmp_path / "client.crt").write_bytes(client.pem)
    (tmp_path / "client.key").write_bytes(client.key_pem())
    (tmp_path / "leaf.crt").write_bytes(leaf.pem)
    trust, keystore = tmp_path / "trust.p12", tmp_path / "client.p12"
    assert (
        ks(
            "import", "-k", str(trust), "--file", str(tmp_path / "leaf.crt"), "--storepass", "p"
        ).returncode
        == 0
    )
    bundled = ks(
        "bundle-p12",
        "--cert",
        str(tmp_path / "client.crt"),
        "--key",
        str(tmp_path / "client.key"),
        "--out",
        str(keystore),
        "--storepass",
        "p",
    )
    assert bundled.returncode == 0, bundled.stderr
    with silent_tls_server(chain, key, tmp_path / "client.crt") as port:
        started = time.monotonic()
        proc = ks(
            "verify",
            "--json",
            f"localhost:{port}",
            "-t",
            str(trust),
            "--truststorepass",
            "p",
            "-k",
            str(keystore),
            "--storepass",
            "p",
            "--timeout",
            "60",
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        document = json.loads(proc.stdout)
        # The budget the issue names: not waiting out the timeout (60 s) for an HTTP answer.
        assert time.monotonic() - started < 30
        assert document["trusted"] is True and document["client_certificate_sent"] is True
