"""PKCS12 files OpenSSL 3 writes with every protection it offers (RC4 and DES with -legacy,
unencrypted certificates, no MAC, one iteration, SHA-2 MACs, every PBES2 cipher), and the
PBES2 PRFs OpenSSL writes into encrypted PKCS#8: openssl makes them, openssl judges what ks
lists and rewrites, keytool 17 lists what ks converts."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore_tool.formats import _der, _pbe
from tests.certs import issue
from tests.conftest import Jdk, run
from tests.interop.producers import (
    converted_listed_by_keytool,
    import_one_certificate,
    ks_view,
    openssl_chain,
)

pytestmark = pytest.mark.interop

PASS = "secret"

# openssl pkcs12 -export options; True: also converted and listed by keytool 17
VARIANTS = {
    "rc4-128-certs-rc4-40-keys": (["-legacy", "-certpbe", "PBE-SHA1-RC4-128",
                                   "-keypbe", "PBE-SHA1-RC4-40"], True),
    "rc4-40-certs-rc4-128-keys": (["-legacy", "-certpbe", "PBE-SHA1-RC4-40",
                                   "-keypbe", "PBE-SHA1-RC4-128"], False),
    "certificates-unencrypted": (["-certpbe", "NONE"], True),
    "no-mac": (["-nomac"], True),
    "one-iteration": (["-iter", "1"], True),
    "mac-sha512": (["-macalg", "sha512"], False),
    "mac-sha512-224": (["-macalg", "sha512-224"], False),
    "aes-128-and-192": (["-certpbe", "AES-128-CBC", "-keypbe", "AES-192-CBC"], False),
    "des-ede3-cbc": (["-certpbe", "DES-EDE3-CBC", "-keypbe", "DES-EDE3-CBC"], False),
    "des-cbc": (["-legacy", "-certpbe", "DES-CBC", "-keypbe", "DES-CBC"], False),
    "2des-and-rc2-128": (["-legacy", "-certpbe", "PBE-SHA1-RC2-128",
                          "-keypbe", "PBE-SHA1-2DES"], False),
}  # fmt: skip


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("openssl-pbe")
    root = issue("PBE Root", ca=True)
    leaf = issue("pbe-leaf", issuer=root)
    paths = {name: directory / f"{name}.pem" for name in ("root", "leaf", "key")}
    paths["root"].write_bytes(root.pem)
    paths["leaf"].write_bytes(leaf.pem)
    paths["key"].write_bytes(leaf.key_pem())
    return paths


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_openssl_protection_variants_list_and_survive_a_rewrite(
    variant: str, material: dict[str, Path], tmp_path: Path, openssl: str, jdk17: Jdk
) -> None:
    options, convert = VARIANTS[variant]
    made = tmp_path / f"{variant}.p12"
    run([openssl, "pkcs12", "-export", "-inkey", str(material["key"]), "-in",
         str(material["leaf"]), "-certfile", str(material["root"]), "-name", "pbe-key",
         "-passout", f"pass:{PASS}", *options, "-out", str(made)])  # fmt: skip
    theirs = openssl_chain(openssl, made, PASS)
    view = ks_view(made, PASS)
    assert list(view) == ["pbe-key"]
    assert view["pbe-key"]["type"] == "private-key"
    assert view["pbe-key"]["chain"][0] == theirs[0]
    assert sorted(view["pbe-key"]["chain"]) == sorted(theirs)

    rewritten = import_one_certificate(made, PASS, tmp_path)
    after = openssl_chain(openssl, rewritten, PASS)
    assert set(theirs) < set(after) and len(after) == len(theirs) + 1
    if convert:
        converted_listed_by_keytool(jdk17, made, PASS, tmp_path, view)


PRFS = ["hmacWithSHA1", "hmacWithSHA224", "hmacWithSHA256", "hmacWithSHA384",
        "hmacWithSHA512", "hmacWithSHA512-224", "hmacWithSHA512-256"]  # fmt: skip
CIPHERS = ["aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "des-ede3-cbc", "des-cbc"]


@pytest.mark.parametrize("cipher", CIPHERS)
@pytest.mark.parametrize("prf", PRFS)
def test_every_pbes2_prf_and_cipher_openssl_writes_decrypts(
    prf: str, cipher: str, material: dict[str, Path], tmp_path: Path, openssl: str
) -> None:
    out = tmp_path / "key.p8"
    legacy = ["-provider", "legacy", "-provider", "default"] if cipher == "des-cbc" else []
    run([openssl, "pkcs8", "-topk8", "-in", str(material["key"]), "-v2", cipher,
         "-v2prf", prf, *legacy, "-passout", f"pass:{PASS}", "-outform", "DER",
         "-out", str(out)])  # fmt: skip
    plain = tmp_path / "plain.p8"
    run([openssl, "pkcs8", "-in", str(material["key"]), "-topk8", "-nocrypt",
         "-outform", "DER", "-out", str(plain)])  # fmt: skip
    der = out.read_bytes()
    top = _der.read(der, 0, len(der))
    algid, ciphertext = _der.children(der, top.start, top.end)
    assert _pbe.decrypt(_der.raw(der, algid), _der.content(der, ciphertext), PASS) == (
        plain.read_bytes()
    )
