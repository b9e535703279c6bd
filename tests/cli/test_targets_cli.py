"""`--target` on a rewrite: it changes the protection once, and then there is nothing to change.

Whether the runtimes load the result is judged in tests/interop/test_targets_matrix.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.certs import issue
from tests.ks import ks, ks_json, ks_ok

PASS = ("--storepass", "changeit")


def test_passwd_with_a_target_rewrites_once_then_leaves_the_file_alone(tmp_path: Path) -> None:
    cert = tmp_path / "ca.pem"
    cert.write_bytes(issue("ca", ca=True, key_kind="ec").pem)
    store = tmp_path / "trust.p12"
    ks_ok("import", "-k", store, "--file", cert, "--alias", "ca", *PASS)
    doctor = ks("doctor", "-k", store, *PASS, "--target", "jdk11.0.9", "--json")
    assert json.loads(doctor.stdout)["targets"][0]["loads"] is False
    again = ("passwd", "-k", store, *PASS, "--new-storepass", "changeit", "--target", "jdk11.0.9")
    assert ks_json(*again)["changed"] is True
    before = store.stat().st_mtime_ns, store.read_bytes()
    assert ks_json(*again)["changed"] is False
    assert (store.stat().st_mtime_ns, store.read_bytes()) == before
    fixed = json.loads(ks("doctor", "-k", store, *PASS, "--target", "jdk11.0.9", "--json").stdout)
    assert fixed["targets"] == [{"target": "jdk11.0.9", "loads": True, "problems": []}]


def test_a_rewrite_without_target_keeps_the_protection_it_was_read_with(tmp_path: Path) -> None:
    """A store written for JDK 11.0.9 stays loadable there after ks adds a certificate."""
    first, second = tmp_path / "a.pem", tmp_path / "b.pem"
    first.write_bytes(issue("a", ca=True, key_kind="ec").pem)
    second.write_bytes(issue("b", ca=True, key_kind="ec").pem)
    store = tmp_path / "trust.p12"
    ks_ok("import", "-k", store, "--file", first, *PASS, "--target", "jdk11.0.9,openssl3.0")
    ks_ok("import", "-k", store, "--file", second, *PASS)
    targets = "jdk11.0.9,openssl3.0"
    document = json.loads(ks("doctor", "-k", store, *PASS, "--target", targets, "--json").stdout)
    assert [t["loads"] for t in document["targets"]] == [True, True]


def _key_pbe(store: Path) -> str | None:
    from keystore_tool import Password, load_store

    info = load_store(store, Password("changeit")).read_info
    assert info is not None
    return info.key_pbe


def test_a_target_reencrypts_the_keys_of_a_store_once(tmp_path: Path) -> None:
    """A key bag read and left encrypted was written back as read, whatever the target: a
    keystore 'rewritten for jdk11.0.9' kept its AES key, and every run rewrote it again."""
    leaf = issue("client", key_kind="ec")
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_bytes(leaf.pem)
    key.write_bytes(leaf.key_pem())
    store = tmp_path / "client.p12"
    ks_ok("bundle-p12", "--cert", cert, "--key", key, "--out", store, *PASS)
    assert _key_pbe(store) == "pbes2-aes256"
    again = ("passwd", "-k", store, *PASS, "--new-storepass", "changeit", "--target", "jdk11.0.9")
    assert ks_json(*again)["changed"] is True
    assert _key_pbe(store) == "pbe-3des"
    assert ks_json(*again)["changed"] is False
    converted = tmp_path / "converted.p12"
    fresh = tmp_path / "fresh.p12"
    ks_ok("bundle-p12", "--cert", cert, "--key", key, "--out", fresh, *PASS)
    ks_ok(
        "convert",
        "-k",
        fresh,
        "--out",
        converted,
        "--srcstorepass",
        "changeit",
        *PASS,
        "--target",
        "jdk11.0.9",
    )
    assert _key_pbe(converted) == "pbe-3des"


def test_an_import_with_a_target_rewrites_a_store_whose_certificates_are_already_there(
    tmp_path: Path,
) -> None:
    cert = tmp_path / "ca.pem"
    cert.write_bytes(issue("ca", ca=True, key_kind="ec").pem)
    store = tmp_path / "trust.p12"
    ks_ok("import", "-k", store, "--file", cert, "--alias", "ca", *PASS)
    with_target = (
        "import",
        "-k",
        store,
        "--file",
        cert,
        "--alias",
        "ca",
        *PASS,
        "--target",
        "jdk11.0.9",
    )
    ks_ok(*with_target)
    doctor = json.loads(ks("doctor", "-k", store, *PASS, "--target", "jdk11.0.9", "--json").stdout)
    assert doctor["targets"][0]["loads"] is True
    before = store.stat().st_mtime_ns, store.read_bytes()
    ks_ok(*with_target)
    assert (store.stat().st_mtime_ns, store.read_bytes()) == before
