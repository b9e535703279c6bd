"""JKS and JCEKS against keytool and the JVM of both JDKs.

keytool makes the stores we read (a CA, RSA and EC leaves it signed, trusted certificates,
secret keys, a key under its own password); keytool ``-list -v`` and StoreDump.java judge
what we read and what we write."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from keystore_tool.formats import DumpOptions, LoadOptions, get_format
from keystore_tool.model import (
    Certificate,
    Keystore,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.password import Password
from tests.certs import issue, keytool_sha256
from tests.conftest import Jdk
from tests.interop.javadump import java_dump
from tests.ks import ks_ok

pytestmark = pytest.mark.interop

STOREPASS = "storepass1"
OWNPASS = "ownkeypass2"
CACERTS = Path("/etc/ssl/certs/java/cacerts")


@dataclass(frozen=True)
class Made:
    jks: Path
    jceks: Path
    ownpass_jks: Path


def _build(jdk: Jdk, root: Path) -> Made:
    """One JCEKS with everything keytool can put there; the JKS is its -importkeystore copy
    (secret keys are skipped: JKS cannot hold them)."""
    jceks = root / "made.jceks"
    common = ["-keystore", str(jceks), "-storetype", "JCEKS", "-storepass", STOREPASS]
    kt = jdk.run_keytool
    kt(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=Test CA",
        "-ext",
        "bc:c",
        "-validity",
        "30",
        *common,
    )
    ca_pem = root / "ca.pem"
    kt("-exportcert", "-rfc", "-alias", "ca", "-file", str(ca_pem), *common)
    kt("-importcert", "-noprompt", "-alias", "root", "-file", str(ca_pem), *common)
    for alias, alg in (("rsa-leaf", "RSA"), ("ec-leaf", "EC")):
        kt("-genkeypair", "-alias", alias, "-keyalg", alg, "-dname", f"CN={alias}", *common)
        csr, reply = root / f"{alias}.csr", root / f"{alias}.pem"
        kt("-certreq", "-alias", alias, "-file", str(csr), *common)
        kt("-gencert", "-rfc", "-alias", "ca", "-infile", str(csr), "-outfile", str(reply), *common)
        kt("-importcert", "-alias", alias, "-file", str(reply), *common)
    kt("-genseckey", "-alias", "aes-key", "-keyalg", "AES", "-keysize", "256", *common)
    kt("-genseckey", "-alias", "hmac-key", "-keyalg", "HmacSHA256", "-keysize", "256", *common)
    kt("-importpass", "-alias", "db-password", *common, input="s3cret-value\ns3cret-value\n")
    jks = root / "made.jks"
    kt(
        "-importkeystore",
        "-noprompt",
        "-srckeystore",
        str(jceks),
        "-srcstoretype",
        "JCEKS",
        "-srcstorepass",
        STOREPASS,
        "-destkeystore",
        str(jks),
        "-deststoretype",
        "JKS",
        "-deststorepass",
        STOREPASS,
        check=False,
    )
    ownpass = root / "ownpass.jks"
    kt(
        "-genkeypair",
        "-alias",
        "own",
        "-keyalg",
        "EC",
        "-dname",
        "CN=own",
        "-keypass",
        OWNPASS,
        "-keystore",
        str(ownpass),
        "-storetype",
        "JKS",
        "-storepass",
        STOREPASS,
    )
    return Made(jks, jceks, ownpass)


@pytest.fixture(scope="module")
def made(jdk: Jdk, tmp_path_factory: pytest.TempPathFactory) -> Made:
    return _build(jdk, tmp_path_factory.mktemp(f"javastores-{jdk.version}"))


# keytool runs under LC_ALL=C; without these, non-ASCII aliases (cacerts has one) print as '?'.
_UTF8_OUTPUT = ("-J-Dstdout.encoding=UTF-8", "-J-Dsun.stdout.encoding=UTF-8")

_ENTRY_TYPES = {
    "PrivateKeyEntry": "private-key",
    "trustedCertEntry": "trusted-cert",
    "SecretKeyEntry": "secret-key",
}


def keytool_listing(jdk: Jdk, path: Path, storetype: str, password: str) -> dict[str, Any]:
    """alias -> (entry type, [SHA-256 of each certificate]) as ``keytool -list -v`` prints."""
    out = jdk.run_keytool(
        *_UTF8_OUTPUT,
        "-list",
        "-v",
        "-keystore",
        str(path),
        "-storetype",
        storetype,
        "-storepass",
        password,
    ).stdout
    listing: dict[str, Any] = {}
    for block in out.split("Alias name: ")[1:]:
        alias = block.splitlines()[0].strip()
        kind = re.search(r"Entry type: (\w+)", block)
        assert kind is not None, block
        fingerprints = re.findall(r"^\s*SHA256: ([0-9A-F:]+)\s*$", block, re.MULTILINE)
        listing[alias] = (_ENTRY_TYPES[kind.group(1)], fingerprints)
    count = re.search(r"Your keystore contains (\d+) entr", out)
    assert count is not None and int(count.group(1)) == len(listing)
    return listing


def our_listing(store: Keystore) -> dict[str, Any]:
    return {e.alias: (e.kind, [c.sha256_hex for c in e.certificates()]) for e in store}


def our_keys(store: Keystore) -> dict[str, str]:
    keys = {}
    for entry in store:
        if isinstance(entry, PrivateKeyEntry):
            assert entry.private_key is not None, entry.alias
            keys[entry.alias] = entry.private_key.hex()
        elif isinstance(entry, SecretKeyEntry):
            assert entry.key is not None, entry.alias
            keys[entry.alias] = entry.key.hex()
    return keys


def java_keys(dump: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {alias: e["key"] for alias, e in dump.items() if "key" in e}


def _load(path: Path, storetype: str, password: str | None = STOREPASS, **kw: Any) -> Keystore:
    pw = None if password is None else Password(password)
    return get_format(storetype).load(path.read_bytes(), pw, LoadOptions(**kw))


# --- reading keytool's stores --------------------------------------------------------------


@pytest.mark.parametrize("storetype", ["jks", "jceks"])
def test_we_read_what_keytool_lists(jdk: Jdk, made: Made, storetype: str) -> None:
    path = made.jks if storetype == "jks" else made.jceks
    store = _load(path, storetype)
    theirs = keytool_listing(jdk, path, storetype.upper(), STOREPASS)
    assert our_listing(store) == theirs
    expected_secret = {"aes-key", "hmac-key", "db-password"} if storetype == "jceks" else set()
    assert {e.alias for e in store if e.kind == "secret-key"} == expected_secret
    assert len(store["rsa-leaf"].certificates()) == 2  # the leaf and the keytool CA


@pytest.mark.parametrize("storetype", ["jks", "jceks"])
def test_we_decrypt_the_same_key_bytes_as_the_jvm(jdk: Jdk, made: Made, storetype: str) -> None:
    path = made.jks if storetype == "jks" else made.jceks
    store = _load(path, storetype)
    jvm = java_dump(jdk, path, storetype, STOREPASS)
    assert our_keys(store) == java_keys(jvm)
    for alias, entry in jvm.items():
        if entry["type"] == "secret-key":
            ours = store[alias]
            assert isinstance(ours, SecretKeyEntry)
            assert ours.algorithm == entry["algorithm"]


def test_key_under_its_own_password(jdk: Jdk, made: Made) -> None:
    sealed = _load(made.ownpass_jks, "jks")["own"]
    assert isinstance(sealed, PrivateKeyEntry) and sealed.private_key is None
    opened = _load(made.ownpass_jks, "jks", entry_password=Password(OWNPASS))["own"]
    jvm = java_dump(jdk, made.ownpass_jks, "jks", STOREPASS, OWNPASS)
    assert isinstance(opened, PrivateKeyEntry) and opened.private_key is not None
    assert opened.private_key.hex() == jvm["own"]["key"]


@pytest.mark.skipif(not CACERTS.exists(), reason="no Debian cacerts")
def test_real_cacerts_with_and_without_password(jdk: Jdk) -> None:
    theirs = keytool_listing(jdk, CACERTS, "JKS", "changeit")
    with_pw = _load(CACERTS, "jks", "changeit")
    without = _load(CACERTS, "jks", None)
    assert len(with_pw) == len(theirs)
    assert our_listing(with_pw) == theirs == our_listing(without)
    assert all(e.kind == "trusted-cert" for e in with_pw)
    assert without.warnings and not with_pw.warnings


@pytest.mark.skipif(not CACERTS.exists(), reason="no Debian cacerts")
def test_importing_into_cacerts_keeps_every_entry_byte_for_byte(jdk: Jdk, tmp_path: Path) -> None:
    store = tmp_path / "cacerts"
    shutil.copyfile(CACERTS, store)
    added = issue("Added Private CA", ca=True)
    pem = tmp_path / "added.pem"
    pem.write_bytes(added.pem)
    before = store.read_bytes()
    ks_ok("import", "-k", store, "--file", pem, "--alias", "added-ca", "--storepass", "changeit")
    after = store.read_bytes()
    # The header with the count bumped, the JDK-made entries exactly as they were, the new
    # entry, and a new digest.
    assert after[:8] == before[:8]
    assert int.from_bytes(after[8:12], "big") == int.from_bytes(before[8:12], "big") + 1
    assert after[12 : len(before) - 20] == before[12:-20]
    expected = keytool_listing(jdk, CACERTS, "JKS", "changeit")
    expected["added-ca"] = ("trusted-cert", [keytool_sha256(added.der)])
    assert keytool_listing(jdk, store, "JKS", "changeit") == expected
    # Converted to JCEKS (same entry layout, another magic; ordered by alias as ks convert
    # orders), every entry is the same bytes.
    jceks = tmp_path / "cacerts.jceks"
    ks_ok("convert", "-k", store, "--out", jceks, "--to", "jceks", "--storepass", "changeit")
    assert keytool_listing(jdk, jceks, "JCEKS", "changeit") == expected
    assert _entry_bytes(jceks) == _entry_bytes(store)


def _entry_bytes(path: Path) -> list[bytes]:
    from keystore_tool.formats import java

    data = path.read_bytes()
    spans = []
    for entry in java.parse_store(data, Password("changeit")).entries:
        assert isinstance(entry, java.StoredTrustedCertificate)
        span = entry.span()
        assert span is not None
        spans.append(data[span[1] : span[2]])
    return sorted(spans)


# --- writing ----------------------------------------------------------------------------------


def _fresh_store(made_jceks: Keystore | None) -> Keystore:
    root = issue("Our Root", ca=True)
    rsa_leaf = issue("rsa.ours", issuer=root)
    ec_leaf = issue("ec.ours", issuer=root, key_kind="ec")
    store = Keystore()
    for alias, leaf in (("Our-RSA", rsa_leaf), ("our-ec", ec_leaf)):
        store.add(
            PrivateKeyEntry(
                alias=alias,
                chain=[Certificate(leaf.der), Certificate(root.der)],
                private_key=leaf.key_pkcs8_der(),
            )
        )
    store.add(TrustedCertificateEntry(alias="our-root", certificate=Certificate(root.der)))
    if made_jceks is not None:  # JCEKS: keytool's secret keys as read, and new ones we seal
        for entry in made_jceks:
            if isinstance(entry, SecretKeyEntry):
                store.add(entry)
        store.add(SecretKeyEntry(alias="New-AES", algorithm="AES", key=bytes(range(32))))
        store.add(SecretKeyEntry(alias="new-hmac", algorithm="HmacSHA256", key=b"h" * 32))
    return store


@pytest.mark.parametrize("storetype", ["jks", "jceks"])
def test_keytool_and_jvm_read_what_we_write(
    jdk: Jdk, made: Made, storetype: str, tmp_path: Path
) -> None:
    source = _load(made.jceks, "jceks") if storetype == "jceks" else None
    store = _fresh_store(source)
    path = tmp_path / f"ours.{storetype}"
    path.write_bytes(get_format(storetype).dump(store, Password(STOREPASS), DumpOptions()))

    expected = {e.alias.lower(): (e.kind, [c.sha256_hex for c in e.certificates()]) for e in store}
    assert keytool_listing(jdk, path, storetype.upper(), STOREPASS) == expected
    jvm = java_dump(jdk, path, storetype, STOREPASS)
    assert java_keys(jvm) == {a.lower(): k for a, k in our_keys(store).items()}
    for entry in store:
        if isinstance(entry, SecretKeyEntry):
            assert jvm[entry.alias.lower()]["algorithm"] == entry.algorithm

    p12 = tmp_path / "imported.p12"
    jdk.run_keytool(
        "-importkeystore",
        "-noprompt",
        "-srckeystore",
        str(path),
        "-srcstoretype",
        storetype.upper(),
        "-srcstorepass",
        STOREPASS,
        "-destkeystore",
        str(p12),
        "-deststoretype",
        "PKCS12",
        "-deststorepass",
        STOREPASS,
    )
    assert keytool_listing(jdk, p12, "PKCS12", STOREPASS) == expected


@pytest.mark.parametrize("storetype", ["jks", "jceks"])
def test_rewrite_of_keytool_store_is_unchanged_for_the_jvm(
    jdk: Jdk, made: Made, storetype: str, tmp_path: Path
) -> None:
    path = made.jks if storetype == "jks" else made.jceks
    before = java_dump(jdk, path, storetype, STOREPASS)
    fmt = get_format(storetype)
    out = tmp_path / f"rewritten.{storetype}"
    out.write_bytes(fmt.dump(_load(path, storetype), Password(STOREPASS), DumpOptions()))
    assert java_dump(jdk, out, storetype, STOREPASS) == before


def test_own_password_key_survives_rewrite_and_conversion_to_jceks(
    jdk: Jdk, made: Made, tmp_path: Path
) -> None:
    before = java_dump(jdk, made.ownpass_jks, "jks", STOREPASS, OWNPASS)
    store = _load(made.ownpass_jks, "jks")  # the key stays sealed: no entry password given
    for storetype in ("jks", "jceks"):
        out = tmp_path / f"own.{storetype}"
        out.write_bytes(get_format(storetype).dump(store, Password(STOREPASS), DumpOptions()))
        assert java_dump(jdk, out, storetype, STOREPASS, OWNPASS) == before
        listed = jdk.run_keytool(
            "-list",
            "-v",
            "-keystore",
            str(out),
            "-storetype",
            storetype.upper(),
            "-storepass",
            STOREPASS,
            "-alias",
            "own",
            "-keypass",
            OWNPASS,
        )
        assert "PrivateKeyEntry" in listed.stdout
    jks_bytes = made.ownpass_jks.read_bytes()
    assert get_format("jks").dump(store, Password(STOREPASS)) == jks_bytes
