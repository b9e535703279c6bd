"""Keys and certificates keytool makes and ``cryptography`` may not read: JDK 25's ML-DSA,
ML-KEM, Ed448, X25519, RSASSA-PSS and EC P-521 keys, and JDK 17's DSA certificates (which
cryptography refuses: "ExtraData"). keytool makes them here and judges what ks lists, what
``ks import`` leaves and what ``ks convert`` writes; the JVM's own KeyStore shows that every
private key (both ML-DSA/ML-KEM PKCS#8 forms) survives byte for byte."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import Jdk, run
from tests.interop.javadump import java_dump
from tests.interop.producers import (
    converted_listed_by_keytool,
    import_one_certificate,
    keytool_view,
    ks_matches_keytool,
    ks_view,
)
from tests.ks import ks, ks_json, ks_ok

pytestmark = pytest.mark.interop

PASS = "changeit"
_BATCH = Path(__file__).parent / "java" / "KeytoolBatch.java"


def keytool_batch(jdk: Jdk, commands: list[list[str]], directory: Path) -> None:
    """Runs keytool commands in one JVM (KeytoolBatch.java)."""
    script = directory / "keytool-commands.txt"
    script.write_text("\n".join("\t".join(c) for c in commands) + "\n")
    proc = subprocess.run(
        [jdk.java, "--add-exports", "java.base/sun.security.tools.keytool=ALL-UNNAMED",
         "--add-opens", "java.base/sun.security.tools.keytool=ALL-UNNAMED",
         "-Duser.language=en", str(_BATCH), str(script)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


# alias, keytool's -genkeypair options
JDK25_KEYS = [
    ("mldsa44", ["-keyalg", "ML-DSA-44"]),
    ("mldsa65", ["-keyalg", "ML-DSA-65"]),
    ("mldsa87", ["-keyalg", "ML-DSA-87"]),
    ("mlkem768", ["-keyalg", "ML-KEM-768", "-signer", "mldsa65"]),
    ("ed25519", ["-keyalg", "Ed25519"]),
    ("ed448", ["-keyalg", "Ed448"]),
    ("x25519", ["-keyalg", "X25519", "-signer", "ed25519"]),
    ("pss", ["-keyalg", "RSASSA-PSS"]),
    ("p521", ["-keyalg", "EC", "-groupname", "secp521r1"]),
]


@pytest.fixture(scope="module")
def jdk25_store(jdk25: Jdk, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("jdk25-keys")
    store = directory / "keys.p12"
    keytool_batch(
        jdk25,
        [
            [
                "-genkeypair",
                "-alias",
                alias,
                *options,
                "-dname",
                f"CN={alias}",
                "-keystore",
                str(store),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASS,
            ]
            for alias, options in JDK25_KEYS
        ],
        directory,
    )
    return store


def _private_key_encoding(pkcs8_hex: str) -> str:
    """seed/expanded/both of an ML-DSA/ML-KEM PKCS#8, judged on the JVM's bytes: the
    privateKey OCTET STRING's content starts [0] (seed), OCTET STRING or raw (expanded), or
    SEQUENCE (both)."""
    der = bytes.fromhex(pkcs8_hex)
    # version INTEGER 0 (3 bytes) and a 13-byte AlgorithmIdentifier follow the outer header.
    pos = 4 + 3 + 13
    assert der[pos] == 0x04, der[:32].hex()
    length_octets = der[pos + 1] & 0x7F if der[pos + 1] & 0x80 else 0
    first = der[pos + 2 + length_octets]
    return {0x80: "seed", 0x30: "both"}.get(first, "expanded")


def test_jdk25_keys_list_as_keytool_names_them(jdk25_store: Path, jdk25: Jdk) -> None:
    view = ks_view(jdk25_store, PASS)
    keytool = keytool_view(jdk25, jdk25_store, PASS)
    ks_matches_keytool(view, keytool)
    assert view["ed448"]["key_size"] == 448
    assert view["pss"]["key_algorithm"] == "RSASSA-PSS"
    jvm = java_dump(jdk25, jdk25_store, "PKCS12", PASS)
    for alias in ("mldsa44", "mldsa65", "mldsa87", "mlkem768"):
        assert view[alias]["key_encoding"] == _private_key_encoding(jvm[alias]["key"]), alias
    assert view["p521"]["key_encoding"] is None


def test_jdk25_keys_survive_import_and_convert_byte_for_byte(
    jdk25_store: Path, jdk25: Jdk, tmp_path: Path
) -> None:
    before = java_dump(jdk25, jdk25_store, "PKCS12", PASS)
    keytool_before = keytool_view(jdk25, jdk25_store, PASS)
    rewritten = import_one_certificate(jdk25_store, PASS, tmp_path)
    after = java_dump(jdk25, rewritten, "PKCS12", PASS)
    assert {a: after[a] for a in before} == before
    assert "added-ca" in after
    converted = tmp_path / "keys.jks"
    ks_ok("convert", "-k", jdk25_store, "--out", converted, "--to", "jks",
          "--srcstorepass", PASS, "--storepass", PASS)  # fmt: skip
    assert java_dump(jdk25, converted, "JKS", PASS) == before
    # keytool 17 cannot read ML-DSA certificates; keytool 25 judges the PKCS12 convert.
    converted_listed_by_keytool(jdk25, jdk25_store, PASS, tmp_path, keytool_before)


def test_doctor_reads_a_store_of_keys_cryptography_does_not_support(jdk25_store: Path) -> None:
    proc = ks("doctor", "-k", jdk25_store, "--storepass", PASS, "--json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "internal error" not in proc.stderr and "unreadable" not in proc.stderr


# ---- JDK 17 DSA: certificates cryptography refuses ---------------------------------------


@pytest.fixture(scope="module")
def dsa_stores(jdk17: Jdk, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("jdk17-dsa")
    stores = {kind: directory / f"dsa.{kind}" for kind in ("pkcs12", "jks")}
    keytool_batch(
        jdk17,
        [
            [
                "-genkeypair",
                "-alias",
                "dsa-key",
                "-keyalg",
                "DSA",
                "-dname",
                "CN=dsa, C=DE",
                "-keystore",
                str(path),
                "-storetype",
                kind.upper(),
                "-storepass",
                PASS,
                "-keypass",
                PASS,
            ]
            for kind, path in stores.items()
        ]
        + [
            [
                "-exportcert",
                "-alias",
                "dsa-key",
                "-keystore",
                str(stores["jks"]),
                "-storepass",
                PASS,
                "-file",
                str(directory / "dsa.der"),
            ],
            [
                "-importcert",
                "-noprompt",
                "-alias",
                "dsa-trusted",
                "-file",
                str(directory / "dsa.der"),
                "-keystore",
                str(stores["jks"]),
                "-storepass",
                PASS,
            ],
        ],
        directory,
    )
    return stores


@pytest.mark.parametrize("kind", ["pkcs12", "jks"])
def test_jdk17_dsa_store_lists_as_keytool_lists_it(
    kind: str, dsa_stores: dict[str, Path], jdk17: Jdk, tmp_path: Path
) -> None:
    store = dsa_stores[kind]
    view = ks_view(store, PASS)
    keytool = keytool_view(jdk17, store, PASS)
    ks_matches_keytool(view, keytool)
    assert view["dsa-key"]["key_algorithm"] == "DSA"
    assert "not valid X.509" in view["dsa-key"]["warning"]
    shown = ks_json("show", "-k", store, "--alias", "dsa-key", "--storepass", PASS)["entry"]
    assert shown["subject"] == keytool["dsa-key"]["owner"].replace(", ", ",")

    rewritten = import_one_certificate(store, PASS, tmp_path)
    again = keytool_view(jdk17, rewritten, PASS)
    assert {a: again[a] for a in view} == keytool
    converted_listed_by_keytool(jdk17, store, PASS, tmp_path, view)


def test_doctor_and_check_handle_jdk17_dsa_certificates(dsa_stores: dict[str, Path]) -> None:
    for store in dsa_stores.values():
        report = ks_json("doctor", "-k", store, "--storepass", PASS)
        assert report["java_sees_anchors"] >= 1
        proc = ks("check", "-k", store, "--storepass", PASS, "--json")
        assert proc.returncode == 0, proc.stderr


def test_a_jks_of_blobs_that_are_not_certificates_is_an_error(tmp_path: Path) -> None:
    import struct

    count = 20_000
    body = bytearray(struct.pack(">III", 0xFEEDFEED, 2, count))
    for index in range(count):
        alias = f"c{index}".encode()
        body += struct.pack(">IH", 2, len(alias)) + alias + struct.pack(">Q", 0)
        body += struct.pack(">H", 5) + b"X.509" + struct.pack(">I", 1) + b"\x30"
    import hashlib

    digest = hashlib.sha1(
        "changeit".encode("utf-16-be") + b"Mighty Aphrodite" + bytes(body)
    ).digest()
    store = tmp_path / "blobs.jks"
    store.write_bytes(bytes(body) + digest)
    proc = ks("list", "-k", store, "--storepass", PASS)
    assert proc.returncode == 1, proc.stdout[:200]
    assert "not DER" in proc.stderr
    assert proc.stdout.count("trustedCertEntry") == 0


# ---- certificates cryptography warns about or cannot take the key of ---------------------


def _gost_certificate(openssl: str, directory: Path) -> Path:
    """A certificate whose public key is a GOST R 34.10-2012 key (which cryptography does not
    support): an openssl certificate re-encoded with the GOST algorithm in its SPKI."""
    from keystore_tool.formats import _der

    key, cert = directory / "k.pem", directory / "c.der"
    run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(key), "-subj", "/CN=gost-like", "-outform", "DER",
         "-out", str(cert)])  # fmt: skip
    der = cert.read_bytes()
    top = _der.read(der, 0, len(der))
    tbs, sig_alg, signature = _der.children(der, top.start, top.end)
    items = [_der.raw(der, t) for t in _der.children(der, tbs.start, tbs.end)]
    spki_index = 6  # [0] version, serial, signature, issuer, validity, subject, spki
    spki = _der.read(items[spki_index], 0, len(items[spki_index]))
    bits = _der.children(items[spki_index], spki.start, spki.end)[1]
    gost = _der.algorithm_identifier(
        "1.2.643.7.1.1.1.1", _der.seq(_der.encode_oid("1.2.643.7.1.2.1.1.1"))
    )
    items[spki_index] = _der.seq(gost, _der.raw(items[spki_index], bits))
    cert.write_bytes(_der.seq(_der.seq(*items), _der.raw(der, sig_alg), _der.raw(der, signature)))
    return cert


def test_doctor_does_not_crash_on_sect193r1_or_gost_certificates(
    openssl: str, tmp_path: Path
) -> None:
    sect_key, sect_cert = tmp_path / "sect.key", tmp_path / "sect.pem"
    run([openssl, "ecparam", "-name", "sect193r1", "-genkey", "-noout", "-out", str(sect_key)])
    run([openssl, "req", "-x509", "-key", str(sect_key), "-subj", "/CN=sect193r1",
         "-out", str(sect_cert), "-days", "30"])  # fmt: skip
    store = tmp_path / "sect.p12"
    run([openssl, "pkcs12", "-export", "-inkey", str(sect_key), "-in", str(sect_cert),
         "-name", "sect", "-passout", f"pass:{PASS}", "-out", str(store)])  # fmt: skip
    gost = _gost_certificate(openssl, tmp_path)
    ks_ok("import", "-k", store, "--file", gost, "--alias", "gost", "--storepass", PASS)
    view = ks_view(store, PASS)
    assert view["sect"]["key_algorithm"] == "EC" and view["sect"]["key_size"] == 193
    proc = ks("doctor", "-k", store, "--storepass", PASS, "--json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "internal error" not in proc.stderr and "unreadable" not in proc.stderr


def test_an_over_long_country_name_prints_no_python_warning(tmp_path: Path) -> None:
    import warnings

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    from tests.certs import issue

    key = ec.generate_private_key(ec.SECP256R1())
    # cryptography refuses to make such a name unless told not to validate it (and warns).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        country = x509.NameAttribute(NameOID.COUNTRY_NAME, "USA", _validate=False)
    name = x509.Name([country, x509.NameAttribute(NameOID.COMMON_NAME, "long country")])
    ref = issue("ref")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(ref.cert.not_valid_before_utc)
        .not_valid_after(ref.cert.not_valid_after_utc)
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "country.pem"
    pem.write_bytes(cert.public_bytes(Encoding.PEM))
    store = tmp_path / "country.p12"
    for args in (
        ["import", "-k", store, "--file", pem, "--alias", "country", "--storepass", PASS],
        ["list", "-k", store, "--storepass", PASS, "-v"],
        ["list", "-k", store, "--storepass", PASS, "--json"],
        ["doctor", "-k", store, "--storepass", PASS],
    ):
        proc = ks(*args)
        assert "Warning" not in proc.stderr and ".py:" not in proc.stderr, proc.stderr
