"""`ks passwd`: keytool and the JVM open the store with the new password only; key entries
follow (or get their own password); password-less and back, explicitly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Jdk
from tests.interop.javadump import java_dump
from tests.ks import assert_one_line_error, ks, ks_json, ks_ok

pytestmark = pytest.mark.interop
OLD, NEW = "old-secret", "new-secret"


def keytool_opens(jdk: Jdk, store: Path, storetype: str, password: str) -> bool:
    proc = jdk.run_keytool(
        "-list", "-keystore", str(store), "-storetype", storetype, "-storepass", password,
        check=False,
    )  # fmt: skip
    return proc.returncode == 0


@pytest.mark.parametrize(("suffix", "storetype"), [("jks", "JKS"), ("p12", "PKCS12")])
def test_keytool_opens_with_the_new_password_only(
    jdk: Jdk, tmp_path: Path, suffix: str, storetype: str
) -> None:
    store = tmp_path / f"s.{suffix}"
    ks_ok("genkeypair", "-k", store, "--alias", "key", "--dname", "CN=k", "--keyalg", "ec",
          "--storepass", OLD)  # fmt: skip
    report = ks_json("passwd", "-k", store, "--storepass", OLD, "--new-storepass-env", "NEWPW",
                     env={"NEWPW": NEW})  # fmt: skip
    assert report["changed"] is True and report["keys_rewrapped"] == ["key"]
    assert keytool_opens(jdk, store, storetype, NEW)
    assert not keytool_opens(jdk, store, storetype, OLD)
    # The key opens with the new store password too (what a KeyManagerFactory needs).
    assert java_dump(jdk, store, storetype, NEW)["key"]["key"]


def test_a_jceks_key_gets_its_own_password(jdk: Jdk, tmp_path: Path) -> None:
    store = tmp_path / "s.jceks"
    ks_ok("genkeypair", "-k", store, "--alias", "key", "--dname", "CN=k", "--keyalg", "ec",
          "--storepass", OLD)  # fmt: skip
    ks_ok("passwd", "-k", store, "--storepass", OLD, "--new-storepass", NEW,
          "--new-entry-pass", "key-only")  # fmt: skip
    assert keytool_opens(jdk, store, "JCEKS", NEW)
    assert java_dump(jdk, store, "JCEKS", NEW, "key-only")["key"]["key"]
    # Back to the store password, with the key's current password given.
    ks_ok("passwd", "-k", store, "--storepass", NEW, "--entry-pass", "key-only",
          "--new-storepass", OLD)  # fmt: skip
    assert java_dump(jdk, store, "JCEKS", OLD)["key"]["key"]


def test_passwordless_and_back_explicitly(jdk: Jdk, tmp_path: Path, material: object) -> None:
    from tests.provision.conftest import Material

    assert isinstance(material, Material)
    store = tmp_path / "trust.p12"
    ks_ok("import", "-k", store, "--file", material.path("a.pem"), "--storepass", OLD)
    assert_one_line_error(ks("passwd", "-k", store, "--storepass", OLD), 2)
    ks_ok("passwd", "-k", store, "--storepass", OLD, "--no-new-storepass")
    dump = java_dump(jdk, store, "PKCS12", None)
    assert [e["type"] for e in dump.values()] == ["trusted-cert"]
    ks_ok("passwd", "-k", store, "--new-storepass", NEW)
    assert keytool_opens(jdk, store, "PKCS12", NEW)
    assert not keytool_opens(jdk, store, "PKCS12", OLD)


def test_refusals_and_no_change(tmp_path: Path) -> None:
    store = tmp_path / "s.p12"
    ks_ok("genkeypair", "-k", store, "--alias", "key", "--dname", "CN=k", "--keyalg", "ec",
          "--storepass", OLD)  # fmt: skip
    before = (store.read_bytes(), store.stat().st_mtime_ns)
    # A PKCS12 store holding keys cannot be password-less.
    assert_one_line_error(ks("passwd", "-k", store, "--storepass", OLD, "--no-new-storepass"), 2)
    assert_one_line_error(ks("passwd", "-k", store, "--storepass", "wrong", "--new-storepass",
                             NEW), 3)  # fmt: skip
    proc = ks("passwd", "-k", store, "--storepass", OLD, "--new-storepass", NEW,
              "--no-new-storepass")  # fmt: skip
    assert_one_line_error(proc, 2)
    assert (
        ks_json("passwd", "-k", store, "--storepass", OLD, "--new-storepass", OLD)["changed"]
        is False
    )
    assert (store.read_bytes(), store.stat().st_mtime_ns) == before
    jks = tmp_path / "s.jks"
    ks_ok("genkeypair", "-k", jks, "--alias", "key", "--dname", "CN=k", "--keyalg", "ec",
          "--storepass", OLD)  # fmt: skip
    assert_one_line_error(ks("passwd", "-k", jks, "--storepass", OLD, "--no-new-storepass"), 2)
