"""PKCS12 against the real tools: keytool (JDK 17 and 25), a JVM's KeyStore, and openssl.

Stores are made at test time by keytool and openssl, and what we write is judged by them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from keystore_tool.formats import DumpOptions, LoadOptions, pkcs12
from keystore_tool.model import (
    Certificate,
    Entry,
    Keystore,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.password import Password
from tests.certs import Issued, issue
from tests.conftest import Jdk, run
from tests.interop.javadump import java_dump

pytestmark = pytest.mark.interop

PASS = "changeit"
KEYTOOL_TYPES = {
    "PrivateKeyEntry": "private-key",
    "trustedCertEntry": "trusted-cert",
    "SecretKeyEntry": "secret-key",
}


def keytool_list(jdk: Jdk, path: Path, password: str | None = PASS) -> dict[str, dict[str, Any]]:
    """``keytool -list -v`` parsed: alias -> {"type", "chain": [SHA-256 hex, leaf first]}."""
    args = ["-list", "-v", "-storetype", "PKCS12", "-keystore", str(path)]
    if password is not None:
        args += ["-storepass", password]
    out = jdk.run_keytool(*args, input="\n" if password is None else None).stdout
    entries: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for line in out.splitlines():
        if line.startswith("Alias name: "):
            current = {"type": None, "chain": []}
            entries[line[len("Alias name: ") :].strip().lower()] = current
        elif current is not None and line.startswith("Entry type: "):
            current["type"] = KEYTOOL_TYPES[line[len("Entry type: ") :].strip()]
        elif current is not None and re.match(r"^\s*SHA256: ", line):
            current["chain"].append(line.split("SHA256:", 1)[1].strip().replace(":", ""))
    return entries


def ours(path: Path, password: str | None = PASS) -> Keystore:
    return pkcs12.load(
        path.read_bytes(), Password(password) if password is not None else None, LoadOptions()
    )


def our_listing(keystore: Keystore) -> dict[str, dict[str, Any]]:
    return {
        e.alias.lower(): {
            "type": e.kind,
            "chain": [c.sha256.hex().upper() for c in e.certificates()],
        }
        for e in keystore
        if e.kind != "certificate"
    }


def our_keys(keystore: Keystore) -> dict[str, str]:
    keys = {}
    for entry in keystore:
        if isinstance(entry, PrivateKeyEntry):
            assert entry.private_key is not None
            keys[entry.alias.lower()] = entry.private_key.hex()
        elif isinstance(entry, SecretKeyEntry):
            assert entry.key is not None
            keys[entry.alias.lower()] = entry.key.hex()
    return keys


def java_keys(dump: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {alias: e["key"] for alias, e in dump.items() if e["type"] != "trusted-cert"}


# ---- stores made by keytool -------------------------------------------------------------


@pytest.fixture(scope="session")
def keytool_store(jdk: Jdk, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CA-signed RSA and EC keys, the CA's own key, an AES key, a password, a trusted cert."""
    work = tmp_path_factory.mktemp(f"keytool{jdk.version}")
    store = work / "store.p12"
    common = ["-keystore", str(store), "-storetype", "PKCS12", "-storepass", PASS]

    def kt(*args: str) -> None:
        jdk.run_keytool(*args, *common, input="s3cret-pass\ns3cret-pass\n")

    kt("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-dname", "CN=Test CA", "-ext", "bc:c")
    for alias, alg in (("rsa-server", "RSA"), ("ec-server", "EC")):
        kt("-genkeypair", "-alias", alias, "-keyalg", alg, "-dname", f"CN={alias}")
        csr, reply = work / f"{alias}.csr", work / f"{alias}.crt"
        kt("-certreq", "-alias", alias, "-file", str(csr))
        kt("-gencert", "-alias", "ca", "-infile", str(csr), "-outfile", str(reply))
        kt("-importcert", "-alias", alias, "-file", str(reply))
    kt("-genseckey", "-alias", "aes", "-keyalg", "AES", "-keysize", "256")
    kt("-importpass", "-alias", "db-password")
    other = issue("Other Root", ca=True)
    pem = work / "other.pem"
    pem.write_bytes(other.pem)
    kt("-importcert", "-noprompt", "-alias", "other-root", "-file", str(pem))
    return store


def test_reads_keytool_store_as_keytool_lists_it(jdk: Jdk, keytool_store: Path) -> None:
    store = ours(keytool_store)
    listing = keytool_list(jdk, keytool_store)
    assert set(listing) == {"ca", "rsa-server", "ec-server", "aes", "db-password", "other-root"}
    assert our_listing(store) == listing
    assert len(listing["rsa-server"]["chain"]) == 2  # leaf signed by the keytool CA, then the CA
    assert our_keys(store) == java_keys(java_dump(jdk, keytool_store, "pkcs12", PASS))
    # (looked up by iteration: SecretKeyEntry.key, the bytes, shadows Entry.key in model.py)
    algorithms = {e.alias: e.algorithm for e in store if isinstance(e, SecretKeyEntry)}
    assert algorithms == {"aes": "AES", "db-password": "PBEWithMD5AndDES"}
    assert store.properties["pkcs12.mac"] == {"digest": "sha256", "iterations": 10000}
    # Java writes each chain certificate again under its subject name; that is not an entry
    assert not [e for e in store if e.kind == "certificate"]


def test_rewritten_keytool_store_is_identical_to_java(
    jdk: Jdk, keytool_store: Path, tmp_path: Path
) -> None:
    rewritten = tmp_path / "rewritten.p12"
    rewritten.write_bytes(pkcs12.dump(ours(keytool_store), Password(PASS), DumpOptions()))
    before = java_dump(jdk, keytool_store, "pkcs12", PASS)
    after = java_dump(jdk, rewritten, "pkcs12", PASS)
    assert after == before
    assert keytool_list(jdk, rewritten) == keytool_list(jdk, keytool_store)


# ---- stores made by openssl -------------------------------------------------------------


@pytest.fixture(scope="module")
def openssl_material(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("openssl")
    root = issue("OpenSSL Root", ca=True)
    leaf = issue("openssl-leaf", issuer=root)
    extra = issue("Unrelated", ca=True, key_kind="ec")
    files = {}
    for name, data in {
        "key.pem": leaf.key_pem(),
        "leaf.pem": leaf.pem,
        "root.pem": root.pem,
        "extra.pem": extra.pem,
        "cas.pem": root.pem + extra.pem,
    }.items():
        (work / name).write_bytes(data)
        files[name] = str(work / name)
    return {"dir": work, "files": files, "root": root, "leaf": leaf, "extra": extra}


def _openssl_export(openssl: str, material: dict[str, Any], name: str, *extra: str) -> Path:
    out = material["dir"] / name
    run([openssl, "pkcs12", "-export", "-out", str(out), "-passout", f"pass:{PASS}", *extra])
    return out


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"],
        ["-legacy"],
    ],
    ids=["default", "3des-sha1", "legacy-rc2"],
)
def test_reads_openssl_key_stores(
    openssl: str, jdk17: Jdk, openssl_material: dict[str, Any], flags: list[str]
) -> None:
    f = openssl_material["files"]
    path = _openssl_export(
        openssl,
        openssl_material,
        f"openssl-{len(flags)}.p12",
        "-inkey",
        f["key.pem"],
        "-in",
        f["leaf.pem"],
        "-certfile",
        f["root.pem"],
        "-name",
        "web",
        *flags,
    )
    store = ours(path)
    assert our_listing(store) == keytool_list(jdk17, path)
    assert our_keys(store) == java_keys(java_dump(jdk17, path, "pkcs12", PASS))
    leaf: Issued = openssl_material["leaf"]
    assert store["web"].certificates()[0].der == leaf.der


def test_reads_openssl_truststore_as_certificate_entries(
    openssl: str, jdk17: Jdk, openssl_material: dict[str, Any]
) -> None:
    f = openssl_material["files"]
    path = _openssl_export(openssl, openssl_material, "nokeys.p12", "-nokeys", "-in", f["cas.pem"])
    store = ours(path)
    assert sorted(e.kind for e in store) == ["certificate", "certificate"]
    assert {e.certificates()[0].der for e in store} == {
        openssl_material["root"].der,
        openssl_material["extra"].der,
    }
    assert keytool_list(jdk17, path) == {}  # Java sees none of them: the warning is true
    assert any("Java will not see" in w for w in store.warnings)


def test_openssl_extra_attribute_and_extra_cert_survive_a_rewrite(
    openssl: str, openssl_material: dict[str, Any], tmp_path: Path
) -> None:
    f = openssl_material["files"]
    path = _openssl_export(
        openssl,
        openssl_material,
        "csp.p12",
        "-inkey",
        f["key.pem"],
        "-in",
        f["leaf.pem"],
        "-certfile",
        f["extra.pem"],
        "-name",
        "web",
        "-CSP",
        "Test CSP Name",
    )
    rewritten = tmp_path / "rewritten.p12"
    rewritten.write_bytes(pkcs12.dump(ours(path), Password(PASS), DumpOptions()))
    info = run(
        [openssl, "pkcs12", "-info", "-nokeys", "-in", str(rewritten), "-passin", f"pass:{PASS}"]
    ).stdout
    original = run(
        [openssl, "pkcs12", "-info", "-nokeys", "-in", str(path), "-passin", f"pass:{PASS}"]
    ).stdout
    original_keys = run(
        [openssl, "pkcs12", "-info", "-nodes", "-in", str(path), "-passin", f"pass:{PASS}"]
    ).stdout
    assert "Test CSP Name" in original_keys
    # openssl -info -nokeys shows cert bags only; the CSP attribute sits on the key bag
    info_keys = run(
        [openssl, "pkcs12", "-info", "-nodes", "-in", str(rewritten), "-passin", f"pass:{PASS}"]
    ).stdout
    assert "Test CSP Name" in info_keys
    assert info.count("BEGIN CERTIFICATE") == original.count("BEGIN CERTIFICATE") == 2
    again = ours(rewritten)
    kinds = sorted(e.kind for e in again)
    assert kinds == ["certificate", "private-key"]


# ---- stores we write --------------------------------------------------------------------


@pytest.fixture(scope="module")
def written_material() -> dict[str, Issued]:
    root = issue("Written Root", ca=True)
    inter = issue("Written Intermediate", issuer=root, ca=True)
    return {
        "root": root,
        "inter": inter,
        "rsa": issue("rsa.example", issuer=inter),
        "ec": issue("ec.example", issuer=root, key_kind="ec"),
        "anchor": issue("Another Anchor", ca=True, key_kind="ec"),
    }


def _written_store(material: dict[str, Issued], with_keys: bool) -> Keystore:
    def c(name: str) -> Certificate:
        return Certificate(material[name].der)

    entries: list[Entry] = [
        TrustedCertificateEntry(alias="root", certificate=c("root")),
        TrustedCertificateEntry(alias="Another Anchor", certificate=c("anchor")),
    ]
    if with_keys:
        entries += [
            PrivateKeyEntry(
                alias="rsa",
                private_key=material["rsa"].key_pkcs8_der(),
                chain=[c("rsa"), c("inter"), c("root")],
            ),
            PrivateKeyEntry(
                alias="ec", private_key=material["ec"].key_pkcs8_der(), chain=[c("ec"), c("root")]
            ),
            SecretKeyEntry(alias="aes", algorithm="AES", key=bytes(range(16))),
            SecretKeyEntry(alias="hmac", algorithm="HmacSHA256", key=b"h" * 32),
        ]
    return Keystore(entries)


OPENSSL_SAYS = {
    "default": [
        "MAC: sha256, Iteration 10000",
        "PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256",
    ],
    "legacy": [
        "MAC: sha1, Iteration 100000",
        "pbeWithSHA1And40BitRC2-CBC, Iteration 50000",
        "pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 50000",
    ],
}


@pytest.mark.parametrize("profile", ["default", "legacy", "password-less"])
def test_written_store_is_read_by_keytool_java_and_openssl(
    jdk: Jdk,
    openssl: str,
    written_material: dict[str, Issued],
    tmp_path: Path,
    profile: str,
) -> None:
    password = None if profile == "password-less" else PASS
    store = _written_store(written_material, with_keys=password is not None)
    options = DumpOptions(profile="legacy" if profile == "legacy" else "default")
    path = tmp_path / "written.p12"
    path.write_bytes(pkcs12.dump(store, Password(password) if password else None, options))

    assert keytool_list(jdk, path, password) == our_listing(store)
    dumped = java_dump(jdk, path, "pkcs12", password)
    assert {a: e["type"] for a, e in dumped.items()} == {e.alias.lower(): e.kind for e in store}
    assert java_keys(dumped) == our_keys(store)
    if password is not None:
        copy = tmp_path / "copy.p12"
        jdk.run_keytool(
            "-importkeystore",
            "-srckeystore",
            str(path),
            "-srcstoretype",
            "PKCS12",
            "-srcstorepass",
            PASS,
            "-destkeystore",
            str(copy),
            "-deststoretype",
            "PKCS12",
            "-deststorepass",
            PASS,
            "-noprompt",
        )
        assert java_dump(jdk, copy, "pkcs12", PASS) == dumped

        proc = run(
            [
                openssl,
                "pkcs12",
                "-info",
                "-noout",
                "-legacy",
                "-in",
                str(path),
                "-passin",
                f"pass:{PASS}",
            ]
        )
        info = proc.stdout + proc.stderr
        for claim in OPENSSL_SAYS[profile]:
            assert claim in info, info
    else:
        proc = run([openssl, "pkcs12", "-info", "-noout", "-in", str(path), "-passin", "pass:"])
        info = proc.stdout + proc.stderr
        assert "MAC:" not in info  # no integrity check, like JDK 18+'s cacerts
        assert "PKCS7 Data" in info and "Encrypted data" not in info


def test_keytool_keeps_an_entry_set_by_java_in_a_store_we_wrote(
    jdk17: Jdk, written_material: dict[str, Issued], tmp_path: Path
) -> None:
    """keytool can modify what we write (it verifies the MAC and rewrites it)."""
    path = tmp_path / "w.p12"
    store = _written_store(written_material, with_keys=True)
    path.write_bytes(pkcs12.dump(store, Password(PASS), DumpOptions()))
    jdk17.run_keytool(
        "-genseckey",
        "-alias",
        "added",
        "-keyalg",
        "AES",
        "-keysize",
        "128",
        "-keystore",
        str(path),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASS,
    )
    again = ours(path)
    assert {e.alias.lower() for e in again} == {e.alias.lower() for e in store} | {"added"}
