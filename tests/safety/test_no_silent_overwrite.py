"""``bundle-p12 --out`` never silently replaces a keystore that held something else (issue 10,
item 7; CLI.md): keytool's and openssl's view of the file is the judge of what it holds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.certs import issue, keytool_sha256
from tests.conftest import Jdk
from tests.ks import ks
from tests.pki import Pki

PASS = ["--storepass", "changeit"]


def _bundle(
    pki: Pki, out: Path, *extra: str, cert: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return ks(
        "bundle-p12", "--cert", cert or pki.path("client.crt"), "--key", pki.path("client.pk8"),
        "--out", out, *PASS, *extra,
    )  # fmt: skip


def _openssl_names(openssl: str, store: Path, password: str = "changeit") -> list[str]:
    text = subprocess.run(
        [openssl, "pkcs12", "-in", store, "-info", "-nokeys", "-nomacver", "-passin",
         f"pass:{password}", "-noenc"],
        capture_output=True, text=True, check=True,
    ).stdout + ""  # fmt: skip
    return sorted({ln.split(":", 1)[1].strip() for ln in text.splitlines() if "friendlyName" in ln})


def test_an_out_holding_another_key_is_kept_unless_replace(
    tmp_path: Path, pki: Pki, jdk: Jdk, openssl: str
) -> None:
    out = tmp_path / "keystore.p12"
    subprocess.run(
        [jdk.keytool, "-genkeypair", "-keystore", out, "-storetype", "pkcs12", "-storepass",
         "changeit", "-alias", "server", "-keyalg", "EC", "-dname", "CN=server"],
        check=True, capture_output=True,
    )  # fmt: skip
    before = out.read_bytes()
    refused = _bundle(pki, out)
    assert refused.returncode == 5, refused.stderr
    assert len(refused.stderr.splitlines()) == 1 and "'server'" in refused.stderr
    assert "--replace" in refused.stderr
    assert out.read_bytes() == before
    assert _openssl_names(openssl, out) == ["server"]
    replaced = _bundle(pki, out, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert _openssl_names(openssl, out) == ["client"]


def test_an_out_the_password_does_not_open_counts_as_holding_other_entries(
    tmp_path: Path, pki: Pki, openssl: str
) -> None:
    out = tmp_path / "keystore.p12"
    first = ks("bundle-p12", "--cert", pki.path("client.crt"), "--key", pki.path("client.pk8"),
               "--out", out, "--storepass", "another")  # fmt: skip
    assert first.returncode == 0, first.stderr
    before = out.read_bytes()
    refused = _bundle(pki, out)
    assert refused.returncode == 5 and "does not open it" in refused.stderr
    assert out.read_bytes() == before
    assert _openssl_names(openssl, out, "another") == ["client"]
    garbage = tmp_path / "notes.txt"
    garbage.write_text("my notes\n")
    assert _bundle(pki, garbage).returncode == 5
    assert garbage.read_text() == "my notes\n"


def test_an_out_holding_only_this_alias_is_replaced_and_the_same_bundle_left_alone(
    tmp_path: Path, pki: Pki, openssl: str
) -> None:
    out = tmp_path / "keystore.p12"
    assert _bundle(pki, out).returncode == 0
    stamp = out.stat().st_mtime_ns
    before = out.read_bytes()
    again = _bundle(pki, out, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["changed"] is False
    assert out.read_bytes() == before and out.stat().st_mtime_ns == stamp
    # A rotated certificate for the same alias replaces the old one without --replace.
    other = issue("other client")
    other_cert, other_key = tmp_path / "o.crt", tmp_path / "o.key"
    other_cert.write_bytes(other.pem)
    other_key.write_bytes(other.key_pem())
    rotated = ks("bundle-p12", "--cert", other_cert, "--key", other_key, "--out", out, *PASS,
                 "--json")  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr
    assert json.loads(rotated.stdout)["changed"] is True
    assert _openssl_names(openssl, out) == ["client"]
    listed = ks("list", "-k", out, *PASS, "--json")
    assert json.loads(listed.stdout)["entries"][0]["sha256"] == keytool_sha256(other.der)


def test_a_bundle_alias_that_mixes_scripts_is_warned_about(tmp_path: Path, pki: Pki) -> None:
    proc = _bundle(pki, tmp_path / "k.p12", "--alias", "cl\u0456ent")  # Cyrillic i
    assert proc.returncode == 0, proc.stderr
    assert "mixes letters of several scripts (CYRILLIC, LATIN)" in proc.stderr
