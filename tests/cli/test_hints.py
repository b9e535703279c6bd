"""Hints that say what to do, each pinned: the message a user gets where the old one misled."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.certs import issue
from tests.ks import assert_one_line_error, ks, ks_ok

PASS = "hint-pass"


def test_import_of_a_key_file_points_at_bundle_p12(tmp_path: Path) -> None:
    leaf = issue("server")
    key = tmp_path / "server.key"
    key.write_bytes(leaf.key_pem())
    line = assert_one_line_error(
        ks("import", "-k", tmp_path / "t.p12", "--file", key, "--storepass", PASS), 1
    )
    assert f"ks bundle-p12 --cert CERT --key {key}" in line
    assert "give it with --key" not in line


def test_bundle_with_the_key_as_cert_says_give_it_with_key(tmp_path: Path) -> None:
    leaf = issue("client")
    key = tmp_path / "client.key"
    key.write_bytes(leaf.key_pem())
    line = assert_one_line_error(
        ks(
            "bundle-p12",
            "--cert",
            key,
            "--key",
            key,
            "--out",
            tmp_path / "k.p12",
            "--storepass",
            PASS,
        ),
        1,
    )
    assert line.endswith("contains a private key, not a certificate; give the key with --key")


@pytest.mark.parametrize("target", ["pkcs12", "pem"])  # JCEKS keeps the sealed key as it is
def test_converting_a_key_with_its_own_password_never_says_convert_to_pkcs12(
    tmp_path: Path, target: str
) -> None:
    store = tmp_path / "k.jks"
    ks_ok(
        "genkeypair",
        "-k",
        store,
        "--alias",
        "own",
        "--dname",
        "CN=own",
        "--keyalg",
        "ec",
        "--storepass",
        PASS,
        "--entry-pass",
        "entry-secret",
    )
    line = assert_one_line_error(
        ks(
            "convert",
            "-k",
            store,
            "--out",
            tmp_path / f"k.{target}",
            "--to",
            target,
            "--srcstorepass",
            PASS,
            "--storepass",
            PASS,
        ),
        1,
    )
    assert "protected by its own password" in line and "--entry-pass" in line
    assert "convert to pkcs12" not in line


def test_doctor_renews_an_expiring_key_entry_without_import(tmp_path: Path) -> None:
    store = tmp_path / "k.p12"
    ks_ok(
        "genkeypair",
        "-k",
        store,
        "--alias",
        "svc",
        "--dname",
        "CN=svc",
        "--keyalg",
        "ec",
        "--validity",
        "5",
        "--storepass",
        PASS,
    )
    proc = ks("doctor", "-k", store, "--storepass", PASS, "--json")
    import json

    findings = {f["code"]: f for f in json.loads(proc.stdout)["findings"]}
    remedy = findings["expires-soon"]["remedy"]
    assert "ks import" not in remedy
    assert "ks certreq --alias svc" in remedy and "ks bundle-p12" in remedy


def test_apply_check_reports_the_missing_directory_the_run_would_hit(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_bytes(issue("spec ca", ca=True).pem)
    spec = tmp_path / "spec.toml"
    spec.write_text(
        '[[store]]\npath = "missing/t.p12"\npassword = { env = "P" }\n'
        '[[store.certificates]]\nfile = "ca.pem"\n'
    )
    for extra in (["--check"], []):
        line = assert_one_line_error(ks("apply", spec, *extra, env={"P": PASS}), 4)
        assert "directory not found" in line and "would be created" not in line
    assert not (tmp_path / "missing").exists()


def test_apply_warns_about_an_incomplete_chain_once_per_change(tmp_path: Path) -> None:
    root = issue("Spec Root", ca=True)
    inter = issue("Spec Inter", issuer=root, ca=True)
    leaf = issue("spec client", issuer=inter)
    (tmp_path / "c.crt").write_bytes(leaf.pem)
    (tmp_path / "c.key").write_bytes(leaf.key_pem())
    spec = tmp_path / "spec.toml"
    spec.write_text(
        '[[store]]\npath = "c.p12"\npassword = { env = "P" }\n'
        '[[store.keys]]\nalias = "client"\ncert = "c.crt"\nkey = "c.key"\n'
    )
    first = ks("apply", spec, env={"P": PASS})
    assert first.returncode == 0, first.stderr
    assert "the chain is incomplete" in first.stderr
    assert "the `chain` of store[1].keys[1]" in first.stderr
    assert "--chain" not in first.stderr
    again = ks("apply", spec, env={"P": PASS})
    assert again.returncode == 0 and "incomplete" not in again.stderr
    assert "incomplete" in ks("apply", spec, "-v", env={"P": PASS}).stderr


def test_a_second_alias_for_a_stored_certificate_is_said(tmp_path: Path) -> None:
    cert = tmp_path / "ca.crt"
    cert.write_bytes(issue("dup ca", ca=True).pem)
    store = tmp_path / "t.p12"
    ks_ok("import", "-k", store, "--alias", "one", "--file", cert, "--storepass", PASS)
    second = ks_ok("import", "-k", store, "--alias", "two", "--file", cert, "--storepass", PASS)
    assert "'two' is the certificate 'one' already holds" in second.stderr
    again = ks_ok("import", "-k", store, "--alias", "two", "--file", cert, "--storepass", PASS)
    assert again.stderr == ""
