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
