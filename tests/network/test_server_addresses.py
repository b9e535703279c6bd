"""``fetch`` and ``verify`` take a server as HOST:PORT, HOST (port 443) or an https:// URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore_tool.errors import UsageError
from keystore_tool.net import Endpoint, parse_endpoint
from tests.certs import issue
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
