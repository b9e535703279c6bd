"""keytool of both JDKs lists exactly what `ks apply` wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.certs import keytool_sha256
from tests.conftest import Jdk
from tests.interop.javadump import java_dump
from tests.ks import ks_ok
from tests.provision.conftest import Material

pytestmark = pytest.mark.interop
ENV = {"STORE_PASS": "apply-secret"}


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory, material: Material) -> Path:
    d = tmp_path_factory.mktemp("applied")
    m = material.directory
    stores = "".join(
        f"""
[[store]]
path = "trust.{ext}"
password = {{ env = "STORE_PASS" }}
[[store.certificates]]
alias = "root-a"
file = "{m / "a.pem"}"
[[store.certificates]]
dir = "{m / "extra"}"
[[store]]
path = "client.{ext}"
password = {{ env = "STORE_PASS" }}
[[store.keys]]
alias = "agent"
cert = "{m / "client.crt"}"
key = "{m / "client.key"}"
chain = "{m / "client-ca.crt"}"
"""
        for ext in ("p12", "jks", "jceks")
    )
    (d / "spec.toml").write_text(stores)
    ks_ok("apply", d / "spec.toml", env=ENV)
    return d


@pytest.mark.parametrize("ext", ["p12", "jks", "jceks"])
def test_keytool_lists_what_apply_wrote(
    jdk: Jdk, applied: Path, material: Material, ext: str
) -> None:
    storetype = {"p12": "PKCS12", "jks": "JKS", "jceks": "JCEKS"}[ext]
    listing = jdk.run_keytool(
        "-list", "-keystore", str(applied / f"trust.{ext}"), "-storetype", storetype,
        "-storepass", ENV["STORE_PASS"],
    ).stdout  # fmt: skip
    assert "Your keystore contains 3 entries" in listing
    for alias, root in (("root-a", "a"), ("root d", "d"), ("root e", "e")):
        assert alias in listing
        assert keytool_sha256(material.roots[root].der) in listing
    dump = java_dump(jdk, applied / f"client.{ext}", storetype, ENV["STORE_PASS"])
    assert list(dump) == ["agent"] and len(dump["agent"]["chain"]) == 2 and dump["agent"]["key"]
