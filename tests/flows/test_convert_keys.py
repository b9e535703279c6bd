"""`ks convert` and the keys keytool -importkeystore converts or refuses: keys under two
passwords (the store password first, then --entry-pass*, then --entry-pass-for ALIAS=VAR), a
key whose chain does not chain by name (refused, named, as keytool refuses it), and the secret
keys keytool converts to PKCS12 (PBKDF2WithHmacSHA1 among them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore_tool.formats import get_format
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from keystore_tool.password import Password
from tests.certs import issue
from tests.conftest import Jdk, run
from tests.interop.javadump import java_dump
from tests.ks import assert_one_line_error, ks, ks_ok

pytestmark = pytest.mark.interop

SRC = ["--srcstorepass", "storepass1"]
JAVA = Path(__file__).parent.parent / "interop" / "java"


@pytest.fixture(scope="module")
def two_passwords(tmp_path_factory: pytest.TempPathFactory, jdk17: Jdk) -> Path:
    """A JKS made by keytool 17 whose key 'first' uses the store password and 'second' its own;
    beside it, keytool.p12: what keytool -importkeystore makes of it, one alias at a time."""
    path = tmp_path_factory.mktemp("twopw") / "two.jks"
    common = ["-keystore", str(path), "-storetype", "JKS", "-storepass", "storepass1"]
    for alias, keypass in (("first", "storepass1"), ("second", "secondpass2")):
        jdk17.run_keytool(
            "-genkeypair",
            *common,
            "-alias",
            alias,
            "-keyalg",
            "EC",
            "-dname",
            f"CN={alias}",
            "-keypass",
            keypass,
        )
        jdk17.run_keytool(
            "-importkeystore",
            "-srckeystore",
            str(path),
            "-srcstoretype",
            "JKS",
            "-srcstorepass",
            "storepass1",
            "-srcalias",
            alias,
            "-srckeypass",
            keypass,
            "-destkeystore",
            str(path.parent / "keytool.p12"),
            "-deststoretype",
            "PKCS12",
            "-deststorepass",
            "storepass1",
        )
    return path


def test_a_key_under_its_own_password_stops_convert_naming_it(
    two_passwords: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.p12"
    error = assert_one_line_error(ks("convert", "-k", two_passwords, "--out", out, *SRC), 1)
    assert "'second'" in error and "'first'" not in error
    assert not out.exists()


@pytest.mark.parametrize("how", ["entry-pass", "entry-pass-for"])
def test_keys_under_two_passwords_convert_as_keytool_converts_them(
    two_passwords: Path, tmp_path: Path, jdk17: Jdk, how: str
) -> None:
    out = tmp_path / "out.p12"
    given = (
        ["--entry-pass-env", "SECOND_PW"]
        if how == "entry-pass"
        else ["--entry-pass-for", "second=SECOND_PW"]
    )
    ks_ok(
        "convert", "-k", two_passwords, "--out", out, *SRC, *given, env={"SECOND_PW": "secondpass2"}
    )
    seen = java_dump(jdk17, out, "pkcs12", "storepass1")
    assert seen == java_dump(jdk17, two_passwords.parent / "keytool.p12", "pkcs12", "storepass1")
    assert set(seen) == {"first", "second"}


def test_a_wrong_per_alias_password_is_exit_3_naming_the_alias(
    two_passwords: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.p12"
    proc = ks(
        "convert",
        "-k",
        two_passwords,
        "--out",
        out,
        *SRC,
        "--entry-pass-for",
        "second=PW",
        env={"PW": "not-it"},
    )
    assert "'second'" in assert_one_line_error(proc, 3)
    proc = ks("convert", "-k", two_passwords, "--out", out, *SRC, "--entry-pass-for", "second")
    assert_one_line_error(proc, 2)


def test_a_chain_that_does_not_chain_by_name_is_refused_as_keytool_refuses_it(
    tmp_path: Path, jdk17: Jdk
) -> None:
    root = issue("Real Root", ca=True)
    leaf = issue("leaf.example", issuer=root)
    stranger = issue("Unrelated CA", ca=True)
    good = issue("good.example", issuer=root)
    source = Keystore(
        [
            PrivateKeyEntry(
                alias="broken",
                chain=[Certificate(leaf.der), Certificate(stranger.der)],
                private_key=leaf.key_pkcs8_der(),
            ),
            PrivateKeyEntry(
                alias="good",
                chain=[Certificate(good.der), Certificate(root.der)],
                private_key=good.key_pkcs8_der(),
            ),
            TrustedCertificateEntry(alias="root", certificate=Certificate(root.der)),
        ]
    )
    jks = tmp_path / "src.jks"
    jks.write_bytes(get_format("jks").dump(source, Password("storepass1")))
    # keytool's own verdict on the same store.
    judged = jdk17.run_keytool(
        "-importkeystore",
        "-srckeystore",
        str(jks),
        "-srcstoretype",
        "JKS",
        "-srcstorepass",
        "storepass1",
        "-destkeystore",
        str(tmp_path / "keytool.p12"),
        "-deststoretype",
        "PKCS12",
        "-deststorepass",
        "storepass1",
        check=False,
    )
    assert (
        "broken" in judged.stdout + judged.stderr
        and "1 entries failed" in judged.stdout + judged.stderr
    )
    out = tmp_path / "out.p12"
    error = assert_one_line_error(ks("convert", "-k", jks, "--out", out, *SRC), 1)
    assert "'broken'" in error and "chain" in error
    assert not out.exists()
    proc = ks_ok("convert", "-k", jks, "--out", out, *SRC, "--skip-unsupported")
    assert "broken" in proc.stderr
    seen = java_dump(jdk17, out, "pkcs12", "storepass1")
    assert set(seen) == set(java_dump(jdk17, tmp_path / "keytool.p12", "pkcs12", "storepass1"))
    # JKS keeps a chain as given: converting to JCEKS is not refused.
    ks_ok("convert", "-k", jks, "--out", tmp_path / "out.jceks", *SRC)


def test_every_secret_key_keytool_converts_to_pkcs12_ks_converts_alike(
    tmp_path: Path, jdk17: Jdk
) -> None:
    source = tmp_path / "secrets.jceks"
    run([jdk17.java, str(JAVA / "JceSecretKeys.java"), str(source), "storepass1"])
    by_keytool = tmp_path / "keytool.p12"
    judged = jdk17.run_keytool(
        "-importkeystore",
        "-srckeystore",
        str(source),
        "-srcstoretype",
        "JCEKS",
        "-srcstorepass",
        "storepass1",
        "-destkeystore",
        str(by_keytool),
        "-deststoretype",
        "PKCS12",
        "-deststorepass",
        "storepass1",
        check=False,
        input="no\n" * 10,
    )
    said = judged.stdout + judged.stderr
    refused = {a for a in ("blowfish", "chacha20") if f"alias {a}:" in said}
    assert refused == {"blowfish", "chacha20"}, said
    by_ks = tmp_path / "ks.p12"
    proc = ks_ok("convert", "-k", source, "--out", by_ks, *SRC, "--skip-unsupported")
    assert "'blowfish'" in proc.stderr and "'chacha20'" in proc.stderr
    theirs = java_dump(jdk17, by_keytool, "pkcs12", "storepass1")
    assert java_dump(jdk17, by_ks, "pkcs12", "storepass1") == theirs
    assert theirs["pbkdf2"]["algorithm"] == "PBKDF2WithHmacSHA1"
    listing = jdk17.run_keytool("-list", "-keystore", str(by_ks), "-storepass", "storepass1")
    assert listing.stdout.count("SecretKeyEntry") == len(theirs)
