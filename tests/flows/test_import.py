"""`ks import`: aliases, deduplication, idempotency, conflicts, and what keytool sees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.certs import keytool_sha256
from tests.conftest import Jdk
from tests.ks import assert_one_line_error, ks, ks_json
from tests.pki import Pki

PASS = ["--storepass", "changeit"]
STORES = ["truststore.p12", "truststore.jks", "truststore.jceks"]


@pytest.mark.parametrize("name", STORES)
def test_import_creates_store_and_is_idempotent(tmp_path: Path, pki: Pki, name: str) -> None:
    store = tmp_path / name
    first = ks_json(
        "import", "-k", store, "--alias", "apm-server-cert", "--file", pki.path("ca.crt"), *PASS
    )
    assert first == {
        "keystore": str(store),
        "changed": True,
        "added": ["apm-server-cert"],
        "replaced": [],
        "unchanged": [],
    }
    before = store.read_bytes(), store.stat().st_mtime_ns
    again = ks_json(
        "import", "-k", store, "--alias", "apm-server-cert", "--file", pki.path("ca.crt"), *PASS
    )
    assert again["changed"] is False and again["unchanged"] == ["apm-server-cert"]
    assert (store.read_bytes(), store.stat().st_mtime_ns) == before
    listed = ks_json("list", "-k", store, *PASS)
    assert listed["storetype"] == {"p12": "pkcs12"}.get(
        name.rsplit(".", 1)[1], name.rsplit(".", 1)[1]
    )
    assert [(e["alias"], e["type"], e["sha256"]) for e in listed["entries"]] == [
        ("apm-server-cert", "trusted-cert", keytool_sha256(pki.ca.der))
    ]


def test_bundle_file_takes_numbered_aliases_in_file_order(tmp_path: Path, pki: Pki) -> None:
    store = tmp_path / "t.p12"
    report = ks_json(
        "import", "-k", store, "--alias", "chain", "--file", pki.path("server-chain.crt"), *PASS
    )
    assert report["added"] == ["chain", "chain-2"]
    shown = ks_json("show", "-k", store, "--alias", "chain-2", *PASS)
    assert shown["entry"]["sha256"] == keytool_sha256(pki.ca.der)


def test_derived_aliases_and_deduplication_by_fingerprint(tmp_path: Path, pki: Pki) -> None:
    store = tmp_path / "t.p12"
    ks_json("import", "-k", store, "--alias", "my-root", "--file", pki.path("ca.crt"), *PASS)
    report = ks_json("import", "-k", store, "--file", pki.path("server-chain.crt"), *PASS)
    # The CA is already there under another alias: reported unchanged, not added twice.
    assert report["added"] == ["localhost"]
    assert report["unchanged"] == ["my-root"]
    report = ks_json("import", "-k", store, "--file", pki.path("self-signed.crt"), *PASS)
    assert report["added"] == ["localhost-2"]


def test_conflict_is_exit_5_and_replace_replaces(tmp_path: Path, pki: Pki) -> None:
    store = tmp_path / "t.p12"
    ks_json("import", "-k", store, "--alias", "apm", "--file", pki.path("ca.crt"), *PASS)
    before = store.read_bytes()
    proc = ks(
        "import", "-k", store, "--alias", "APM", "--file", pki.path("unrelated-ca.crt"), *PASS
    )
    assert "--replace" in assert_one_line_error(proc, 5)
    assert store.read_bytes() == before
    report = ks_json(
        "import",
        "-k",
        store,
        "--alias",
        "apm",
        "--file",
        pki.path("unrelated-ca.crt"),
        "--replace",
        *PASS,
    )
    assert report["replaced"] == ["apm"] and report["changed"] is True


@pytest.mark.parametrize(
    ("fixture", "message"),
    [("client.key", "private key"), ("garbage", "")],
)
def test_import_refuses_what_is_not_a_certificate(
    tmp_path: Path, pki: Pki, fixture: str, message: str
) -> None:
    source = pki.path(fixture) if fixture != "garbage" else tmp_path / "garbage.crt"
    if fixture == "garbage":
        source.write_bytes(os.urandom(300))
    proc = ks("import", "-k", tmp_path / "t.p12", "--file", source, *PASS)
    assert message in assert_one_line_error(proc, 1)
    assert not (tmp_path / "t.p12").exists()


def test_import_refuses_a_csr(tmp_path: Path, openssl: str, pki: Pki) -> None:
    import subprocess

    csr = tmp_path / "req.csr"
    subprocess.run(
        [
            openssl,
            "req",
            "-new",
            "-key",
            str(pki.path("server.key")),
            "-subj",
            "/CN=x",
            "-out",
            str(csr),
        ],
        check=True,
        capture_output=True,
    )
    proc = ks("import", "-k", tmp_path / "t.p12", "--file", csr, *PASS)
    assert "signing request" in assert_one_line_error(proc, 1)


def test_import_into_existing_store_without_password_is_usage_error(
    tmp_path: Path, pki: Pki
) -> None:
    store = tmp_path / "t.jks"
    ks_json("import", "-k", store, "--file", pki.path("ca.crt"), *PASS)
    before = store.read_bytes()
    proc = ks("import", "-k", store, "--file", pki.path("unrelated-ca.crt"))
    assert "--storepass" in assert_one_line_error(proc, 2)
    assert store.read_bytes() == before


def test_storetype_contradicting_the_file_is_usage_error(tmp_path: Path, pki: Pki) -> None:
    store = tmp_path / "t.p12"
    ks_json("import", "-k", store, "--file", pki.path("ca.crt"), *PASS)
    proc = ks(
        "import", "-k", store, "--storetype", "jks", "--file", pki.path("unrelated-ca.crt"), *PASS
    )
    assert "contradicts" in assert_one_line_error(proc, 2)


@pytest.mark.interop
@pytest.mark.parametrize("name", STORES)
def test_keytool_lists_what_import_wrote(tmp_path: Path, pki: Pki, jdk: Jdk, name: str) -> None:
    store = tmp_path / name
    ks_json("import", "-k", store, "--alias", "Root", "--file", pki.path("server-chain.crt"), *PASS)
    out = jdk.run_keytool("-list", "-keystore", str(store), "-storepass", "changeit").stdout
    assert out.count("trustedCertEntry") == 2
    assert keytool_sha256(pki.server.der) in out and keytool_sha256(pki.ca.der) in out
    assert "root," in out.lower() and "root-2," in out.lower()


def test_import_keeps_a_passwordless_truststore_passwordless(tmp_path: Path, pki: Pki) -> None:
    from keystore_tool import Keystore, TrustedCertificateEntry
    from keystore_tool.formats import get_format
    from keystore_tool.model import Certificate

    store = tmp_path / "cacerts"
    seed = Keystore([TrustedCertificateEntry(alias="root", certificate=Certificate(pki.ca.der))])
    store.write_bytes(get_format("pkcs12").dump(seed, None))
    report = ks_json("import", "-k", store, "--file", pki.path("unrelated-ca.crt"))
    assert report["added"] == ["unrelated ca"]
    listed = ks_json("list", "-k", store)
    assert {e["alias"] for e in listed["entries"]} == {"root", "unrelated ca"}


@pytest.mark.interop
def test_import_keeps_a_legacy_store_legacy(tmp_path: Path, pki: Pki, openssl: str) -> None:
    import subprocess

    store = tmp_path / "java8.p12"
    ks_json(
        "bundle-p12",
        "--cert",
        pki.path("client.crt"),
        "--key",
        pki.path("client.key"),
        "--out",
        store,
        "--legacy",
        *PASS,
    )
    ks_json("import", "-k", store, "--alias", "root", "--file", pki.path("ca.crt"), *PASS)
    info = subprocess.run(
        [
            openssl,
            "pkcs12",
            "-legacy",
            "-info",
            "-noout",
            "-in",
            str(store),
            "-passin",
            "pass:changeit",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert (
        "MAC: sha1" in info and "pbeWithSHA1And3-KeyTripleDES-CBC" in info and "PBES2" not in info
    )
