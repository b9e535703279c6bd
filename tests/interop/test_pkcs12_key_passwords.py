"""A PKCS12 whose keys have their own passwords (the JDK's two-password test store, made here
through the KeyStore API) lists, shows, checks and takes an import without the key password,
as keytool does; the key password is asked for, by alias, only when a key is needed. And an
unencrypted key bag, which Java skips, stays one through a rewrite and is reported."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.certs import issue
from tests.conftest import Jdk, run
from tests.interop.javadump import java_dump
from tests.interop.producers import (
    import_one_certificate,
    keytool_view,
    ks_matches_keytool,
    ks_view,
)
from tests.ks import ks, ks_json, ks_ok

pytestmark = pytest.mark.interop

STORE = "store-pass"
KEY = "key-pass"
_SOURCE = Path(__file__).parent / "java" / "KeyPasswordStore.java"


@pytest.fixture(scope="module")
def two_password_store(jdk17: Jdk, openssl: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("key-passwords")
    root = issue("Key Password Root", ca=True)
    leaf = issue("own-password", issuer=root, key_kind="ec")
    for name, data in (("key", leaf.key_pem()), ("leaf", leaf.pem), ("root", root.pem)):
        (directory / f"{name}.pem").write_bytes(data)
    made = directory / "openssl.p12"
    run([openssl, "pkcs12", "-export", "-inkey", str(directory / "key.pem"), "-in",
         str(directory / "leaf.pem"), "-certfile", str(directory / "root.pem"), "-name",
         "server", "-passout", f"pass:{STORE}", "-out", str(made)])  # fmt: skip
    jdk17.run_keytool("-genseckey", "-alias", "aes", "-keyalg", "AES", "-keysize", "128",
                      "-keystore", str(made), "-storetype", "PKCS12", "-storepass", STORE)  # fmt: skip
    store = directory / "two-passwords.p12"
    proc = subprocess.run(
        [jdk17.java, str(_SOURCE), str(made), STORE, str(store), KEY],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return store


def test_a_store_whose_keys_have_their_own_password_lists_without_it(
    two_password_store: Path, jdk17: Jdk, tmp_path: Path
) -> None:
    view = ks_view(two_password_store, STORE)
    ks_matches_keytool(view, keytool_view(jdk17, two_password_store, STORE))
    shown = ks_json("show", "-k", two_password_store, "--alias", "server", "--storepass", STORE)
    assert shown["entry"]["type"] == "private-key"
    assert ks("doctor", "-k", two_password_store, "--storepass", STORE).returncode in (0, 1)
    # keytool's view of the rewritten copy, and the JVM's key under its own password, are
    # those of the original: the key bag went back as it was read.
    before = java_dump(jdk17, two_password_store, "PKCS12", STORE, KEY)
    rewritten = import_one_certificate(two_password_store, STORE, tmp_path)
    after = java_dump(jdk17, rewritten, "PKCS12", STORE, KEY)
    assert after["server"] == before["server"] and "added-ca" in after
    assert after["aes"] == before["aes"] and view["aes"]["type"] == "secret-key"


def test_the_key_password_is_asked_for_by_alias_only_when_the_key_is_needed(
    two_password_store: Path, jdk17: Jdk, tmp_path: Path
) -> None:
    out = tmp_path / "server.pem"
    refused = ks("export", "-k", two_password_store, "--alias", "server", "--key",
                 "--out", out, "--storepass", STORE)  # fmt: skip
    assert refused.returncode == 3, refused.stderr
    assert "'server'" in refused.stderr
    ks_ok("export", "-k", two_password_store, "--alias", "server", "--key", "--out", out,
          "--storepass", STORE, "--entry-pass", KEY)  # fmt: skip
    jvm = java_dump(jdk17, two_password_store, "PKCS12", STORE, KEY)
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        load_pem_private_key,
    )

    pem = out.read_bytes()
    key = load_pem_private_key(pem[pem.index(b"-----BEGIN PRIVATE KEY") :], None)
    der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    assert der.hex() == jvm["server"]["key"]
    converted = tmp_path / "converted.jceks"
    ks_ok("convert", "-k", two_password_store, "--out", converted, "--to", "jceks",
          "--srcstorepass", STORE, "--storepass", STORE, "--entry-pass", KEY)  # fmt: skip
    assert java_dump(jdk17, converted, "JCEKS", STORE) == jvm


def test_an_unencrypted_key_bag_stays_one_and_is_reported(
    jdk17: Jdk, openssl: str, tmp_path: Path
) -> None:
    leaf = issue("bare-key")
    (tmp_path / "key.pem").write_bytes(leaf.key_pem())
    (tmp_path / "leaf.pem").write_bytes(leaf.pem)
    store = tmp_path / "keybag.p12"
    run([openssl, "pkcs12", "-export", "-inkey", str(tmp_path / "key.pem"), "-in",
         str(tmp_path / "leaf.pem"), "-name", "bare", "-keypbe", "NONE",
         "-passout", f"pass:{STORE}", "-out", str(store)])  # fmt: skip
    listed = ks("list", "-k", store, "--storepass", STORE)
    assert "java-ignores-key-bag" in listed.stderr
    java_before = keytool_view(jdk17, store, STORE)
    rewritten = import_one_certificate(store, STORE, tmp_path)
    info = run([openssl, "pkcs12", "-in", str(rewritten), "-passin", f"pass:{STORE}",
                "-info", "-noout"]).stderr  # fmt: skip
    assert "Key bag" in info and "Shrouded Keybag" not in info
    java_after = keytool_view(jdk17, rewritten, STORE)
    assert {a: java_after[a] for a in java_before} == java_before


def test_a_bag_with_two_local_key_ids_keeps_both_and_java_reads_the_last(
    jdk17: Jdk, openssl: str, tmp_path: Path
) -> None:
    from keystore_tool.formats import DumpOptions, _der, pkcs12
    from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry
    from keystore_tool.password import Password

    def local_key_id(value: bytes) -> bytes:
        return _der.seq(
            _der.encode_oid(pkcs12.OID_LOCAL_KEY_ID), _der.set_of([_der.octet_string(value)])
        )

    leaf = issue("two-ids")
    both = [local_key_id(b"first-id"), local_key_id(b"Time 1700000000000")]
    keystore = Keystore(
        [
            PrivateKeyEntry(
                alias="two-ids",
                chain=[Certificate(leaf.der)],
                private_key=leaf.key_pkcs8_der(),
                attributes={"pkcs12.attributes": both, "pkcs12.cert_attributes": both},
            )
        ]
    )
    store = tmp_path / "two-ids.p12"
    store.write_bytes(pkcs12.dump(keystore, Password(STORE), DumpOptions()))
    java = keytool_view(jdk17, store, STORE)
    assert java["two-ids"]["type"] == "private-key"
    rewritten = import_one_certificate(store, STORE, tmp_path)
    for path in (store, rewritten):
        info = run([openssl, "pkcs12", "-in", str(path), "-passin", f"pass:{STORE}",
                    "-nodes", "-info"]).stdout  # fmt: skip
        # openssl prints each localKeyId attribute's value as hex
        assert info.count(b"first-id".hex(" ").upper()) >= 2, info
        assert info.count(b"Time 1700000000000".hex(" ").upper()) >= 2
    assert keytool_view(jdk17, rewritten, STORE)["two-ids"] == java["two-ids"]
