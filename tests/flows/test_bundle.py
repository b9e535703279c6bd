"""`ks bundle-p12`: key formats, chain order, mismatches, and what keytool and openssl see."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.certs import issue, keytool_sha256
from tests.conftest import Jdk
from tests.ks import assert_one_line_error, ks, ks_json, ks_ok
from tests.pki import Pki

PASS = ["--storepass", "changeit"]


@pytest.mark.parametrize("key_file", ["client.key", "client.pk8"])
def test_bundle_writes_a_0600_keystore_and_prints_jvm_options(
    tmp_path: Path, pki: Pki, key_file: str
) -> None:
    out = tmp_path / "keystore.p12"
    proc = ks_ok(
        "bundle-p12",
        "--cert",
        pki.path("client.crt"),
        "--key",
        pki.path(key_file),
        "--chain",
        pki.path("client-ca.crt"),
        "--out",
        out,
        *PASS,
    )
    assert proc.stdout.splitlines() == [
        f"-Djavax.net.ssl.keyStore={out}",
        "-Djavax.net.ssl.keyStoreType=pkcs12",
        "-Djavax.net.ssl.keyStorePassword=<password>",
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    entry = ks_json("show", "-k", out, "--alias", "client", *PASS)["entry"]
    assert entry["type"] == "private-key"
    assert [c["sha256"] for c in entry["chain"]] == [
        keytool_sha256(pki.client.der),
        keytool_sha256(pki.client_ca.der),
    ]


def test_chain_is_ordered_leaf_first_and_deduplicated(tmp_path: Path) -> None:
    root = issue("Root", ca=True)
    middle = issue("Intermediate", issuer=root, ca=True)
    leaf = issue("leaf", issuer=middle, key_kind="ec")
    (tmp_path / "leaf.crt").write_bytes(leaf.pem + root.pem)  # extra certificates in --cert
    (tmp_path / "chain.crt").write_bytes(root.pem + middle.pem + middle.pem)
    (tmp_path / "leaf.key").write_bytes(
        leaf.key_pem(serialization.PrivateFormat.TraditionalOpenSSL)
    )
    report = ks_json(
        "bundle-p12",
        "--cert",
        tmp_path / "leaf.crt",
        "--key",
        tmp_path / "leaf.key",
        "--chain",
        tmp_path / "chain.crt",
        "--out",
        tmp_path / "k.p12",
        "--alias",
        "agent",
        *PASS,
    )
    assert report["alias"] == "agent"
    assert [c["sha256"] for c in report["entry"]["chain"]] == [
        keytool_sha256(leaf.der),
        keytool_sha256(middle.der),
        keytool_sha256(root.der),
    ]


def test_warns_about_incomplete_chain_and_foreign_certificates(tmp_path: Path, pki: Pki) -> None:
    proc = ks_ok(
        "bundle-p12",
        "--cert",
        pki.path("client.crt"),
        "--key",
        pki.path("client.key"),
        "--chain",
        pki.path("unrelated-ca.crt"),
        "--out",
        tmp_path / "k.p12",
        *PASS,
    )
    assert "incomplete" in proc.stderr
    assert "another chain" in proc.stderr


def test_ed25519_key_bundles(tmp_path: Path) -> None:
    leaf = issue("ed", key_kind="ed25519")
    (tmp_path / "ed.crt").write_bytes(leaf.pem)
    (tmp_path / "ed.key").write_bytes(leaf.key_pem())
    report = ks_json(
        "bundle-p12",
        "--cert",
        tmp_path / "ed.crt",
        "--key",
        tmp_path / "ed.key",
        "--out",
        tmp_path / "k.p12",
        *PASS,
    )
    assert report["entry"]["key_algorithm"] == "Ed25519"


def test_encrypted_key_needs_its_password(tmp_path: Path, pki: Pki) -> None:
    out = tmp_path / "k.p12"
    base = [
        "bundle-p12",
        "--cert",
        pki.path("client.crt"),
        "--key",
        pki.path("client-encrypted.key"),
        "--out",
        out,
        *PASS,
    ]
    assert_one_line_error(ks(*base), 3)
    assert_one_line_error(ks(*base, "--key-pass", "wrong"), 3)
    assert not out.exists()
    ks_ok(*base, "--key-pass-env", "KEYPASS", env={"KEYPASS": "key-secret"})
    assert out.exists()


@pytest.mark.parametrize(
    ("cert", "key", "code", "words"),
    [
        ("client.crt", "server.key", 1, "does not belong"),
        ("client.crt", "client.crt", 1, "certificate, not a private key"),
        ("client.key", "client.key", 1, "private key, not a certificate"),
        ("missing.crt", "client.key", 4, "not found"),
        ("client.crt", "missing.key", 4, "not found"),
    ],
)
def test_bad_inputs_fail_cleanly_and_write_nothing(
    tmp_path: Path, pki: Pki, cert: str, key: str, code: int, words: str
) -> None:
    out = tmp_path / "k.p12"
    proc = ks("bundle-p12", "--cert", pki.path(cert), "--key", pki.path(key), "--out", out, *PASS)
    assert words in assert_one_line_error(proc, code)
    assert list(tmp_path.iterdir()) == [] or not out.exists()
    assert not [p for p in tmp_path.iterdir() if "ks-tmp" in p.name]


def test_existing_output_is_kept_when_bundling_fails(tmp_path: Path, pki: Pki) -> None:
    out = tmp_path / "k.p12"
    out.write_bytes(b"previous keystore")
    ks(
        "bundle-p12",
        "--cert",
        pki.path("client.crt"),
        "--key",
        pki.path("server.key"),
        "--out",
        out,
        *PASS,
    )
    assert out.read_bytes() == b"previous keystore"


def test_no_password_source_non_interactively_is_usage_error(tmp_path: Path, pki: Pki) -> None:
    proc = ks(
        "bundle-p12",
        "--cert",
        pki.path("client.crt"),
        "--key",
        pki.path("client.key"),
        "--out",
        tmp_path / "k.p12",
    )
    assert "--storepass" in assert_one_line_error(proc, 2)


@pytest.mark.interop
@pytest.mark.parametrize("legacy", [False, True])
def test_keytool_and_openssl_use_the_bundle(
    tmp_path: Path, pki: Pki, jdk: Jdk, openssl: str, legacy: bool
) -> None:
    out = tmp_path / "k.p12"
    ks_ok(
        "bundle-p12",
        "--cert",
        pki.path("client.crt"),
        "--key",
        pki.path("client.key"),
        "--chain",
        pki.path("client-ca.crt"),
        "--out",
        out,
        *PASS,
        *(["--legacy"] if legacy else []),
    )
    listing = jdk.run_keytool("-list", "-v", "-keystore", str(out), "-storepass", "changeit").stdout
    assert "PrivateKeyEntry" in listing and "Certificate chain length: 2" in listing
    # keytool signs a CSR with the bundled key: the key decrypts and is usable.
    csr = jdk.run_keytool(
        "-certreq", "-keystore", str(out), "-storepass", "changeit", "-alias", "client"
    ).stdout
    assert "BEGIN NEW CERTIFICATE REQUEST" in csr
    extra = ["-legacy"] if legacy else []
    nodes = subprocess.run(
        [openssl, "pkcs12", *extra, "-in", str(out), "-nodes", "-passin", "pass:changeit"],
        capture_output=True,
        check=True,
    ).stdout
    key = serialization.load_pem_private_key(
        nodes[nodes.index(b"-----BEGIN PRIVATE KEY-----") :], password=None
    )
    assert key.public_key().public_numbers() == pki.client.key.public_key().public_numbers()  # type: ignore[union-attr]
