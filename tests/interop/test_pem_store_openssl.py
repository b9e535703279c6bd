"""The PEM store judged by real tools: openssl reads what we write (and bundles it into a
PKCS12 a JVM can use), and an `openssl pkcs12 -nodes` dump of a keytool-made PKCS12 reads
back to the entries the JVM sees in that PKCS12."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keystore_tool.certfiles import pem_blocks, read_private_key
from keystore_tool.formats import DumpOptions, LoadOptions, pem
from keystore_tool.model import (
    Certificate,
    Keystore,
    PrivateKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.password import Password
from tests.certs import issue
from tests.conftest import Jdk, run
from tests.interop.javadump import java_dump

pytestmark = pytest.mark.interop

ROOT = issue("pem root", ca=True)
LEAF = issue("pem.server", issuer=ROOT, key_kind="ec")


def _our_store() -> Keystore:
    return Keystore(
        [
            PrivateKeyEntry(
                alias="server",
                chain=[Certificate(LEAF.der), Certificate(ROOT.der)],
                private_key=LEAF.key_pkcs8_der(),
            ),
            TrustedCertificateEntry(alias="root", certificate=Certificate(ROOT.der)),
        ]
    )


def _sha256_chain(entry: Any) -> list[str]:
    return [c.sha256.hex().upper() for c in entry.certificates()]


@pytest.mark.parametrize("password", ["s3cret", None])
def test_openssl_reads_our_pem_store(tmp_path: Path, openssl: str, password: str | None) -> None:
    ours = tmp_path / "ours.pem"
    ours.write_bytes(
        pem.dump(_our_store(), Password(password) if password else None, DumpOptions())
    )
    passin = ["-passin", f"pass:{password}"] if password else []
    # The key block: openssl decrypts it to the same PKCS#8.
    key_out = tmp_path / "key.der"
    run(
        [
            openssl,
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            str(ours),
            *passin,
            "-outform",
            "DER",
            "-out",
            str(key_out),
        ]
    )
    assert read_private_key(key_out.read_bytes(), "k", None) == read_private_key(
        LEAF.key_pkcs8_der(), "k", None
    )
    # Every certificate block parses as X.509 and fingerprints as ours.
    blocks = [b for b in pem_blocks(ours.read_bytes(), "ours") if b.label == "CERTIFICATE"]
    assert len(blocks) == 3
    for block in blocks:
        one = tmp_path / "one.pem"
        one.write_bytes(block.text + b"\n")
        out = run([openssl, "x509", "-in", str(one), "-noout", "-fingerprint", "-sha256"]).stdout
        assert Certificate(block.der).sha256_hex in out


def test_openssl_bundles_our_pem_into_a_pkcs12_the_jvm_uses(
    tmp_path: Path, openssl: str, jdk17: Jdk
) -> None:
    ours = tmp_path / "ours.pem"
    single = Keystore([_our_store()["server"]])
    ours.write_bytes(pem.dump(single, Password("pw"), DumpOptions()))
    p12 = tmp_path / "bundle.p12"
    run(
        [
            openssl,
            "pkcs12",
            "-export",
            "-in",
            str(ours),
            "-passin",
            "pass:pw",
            "-passout",
            "pass:out",
            "-name",
            "server",
            "-out",
            str(p12),
        ]
    )
    seen = java_dump(jdk17, p12, "pkcs12", "out")
    entry = seen["server"]
    assert entry["type"] == "private-key"
    assert entry["chain"] == _sha256_chain(single["server"])
    assert bytes.fromhex(entry["key"]) == read_private_key(LEAF.key_pkcs8_der(), "k", None)


@pytest.fixture(scope="module")
def keytool_p12(tmp_path_factory: pytest.TempPathFactory, jdk17: Jdk) -> Path:
    """A keytool-made PKCS12: a CA key, a server key whose chain runs to the CA, and the CA
    certificate again as a trusted entry."""
    d = tmp_path_factory.mktemp("kt")
    store = str(d / "s.p12")
    common = ["-keystore", store, "-storepass", "changeit", "-storetype", "pkcs12"]
    jdk17.run_keytool(
        "-genkeypair", "-alias", "ca", "-dname", "CN=ca", "-keyalg", "EC", "-ext", "bc:c", *common
    )
    jdk17.run_keytool(
        "-genkeypair", "-alias", "server", "-dname", "CN=server", "-keyalg", "RSA", *common
    )
    req = jdk17.run_keytool("-certreq", "-alias", "server", *common).stdout
    signed = jdk17.run_keytool("-gencert", "-alias", "ca", "-rfc", *common, input=req).stdout
    ca_pem = jdk17.run_keytool("-exportcert", "-rfc", "-alias", "ca", *common).stdout
    (d / "ca.pem").write_text(ca_pem)
    (d / "reply.pem").write_text(signed + ca_pem)
    jdk17.run_keytool(
        "-importcert", "-noprompt", "-alias", "cacert", "-file", str(d / "ca.pem"), *common
    )
    jdk17.run_keytool(
        "-importcert", "-noprompt", "-alias", "server", "-file", str(d / "reply.pem"), *common
    )
    return Path(store)


def test_openssl_nodes_dump_reads_as_the_jvm_sees_the_pkcs12(
    tmp_path: Path, openssl: str, jdk17: Jdk, keytool_p12: Path
) -> None:
    dump = run(
        [openssl, "pkcs12", "-in", str(keytool_p12), "-nodes", "-passin", "pass:changeit"]
    ).stdout
    assert "Bag Attributes" in dump and "friendlyName: CN=ca" in dump  # Java's chain naming
    store = pem.load(dump.encode(), None, LoadOptions())
    seen = java_dump(jdk17, keytool_p12, "pkcs12", "changeit")
    assert sorted(e.folded_alias for e in store) == sorted(seen)
    for entry in store:
        java = seen[entry.folded_alias]
        assert entry.kind == java["type"], entry.alias
        assert _sha256_chain(entry) == java["chain"], entry.alias
        if isinstance(entry, PrivateKeyEntry):
            assert entry.private_key is not None
            assert entry.private_key.hex() == java["key"], entry.alias


def test_our_pem_of_the_keytool_store_round_trips(openssl: str, keytool_p12: Path) -> None:
    dump = run(
        [openssl, "pkcs12", "-in", str(keytool_p12), "-nodes", "-passin", "pass:changeit"]
    ).stdout
    store = pem.load(dump.encode(), None, LoadOptions())
    again = pem.load(pem.dump(store, Password("x"), DumpOptions()), Password("x"), LoadOptions())
    assert [e.alias for e in again] == [e.alias for e in store]
    for entry in store:
        assert entry.same_content(again[entry.alias]), entry.alias
