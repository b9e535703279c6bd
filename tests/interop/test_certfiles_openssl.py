"""Inputs made by openssl and judged by openssl and keytool: certificates in every encoding,
keys in every format openssl writes, fingerprints and fields as the real tools print them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keystore_tool.certfiles import read_certificates, read_private_key
from keystore_tool.cli.errors import message
from keystore_tool.errors import FormatError, PasswordError
from keystore_tool.model import Certificate
from keystore_tool.password import Password
from keystore_tool.x509util import describe_certificate, key_matches_certificate
from tests.certs import Issued, issue
from tests.conftest import Jdk, run

pytestmark = pytest.mark.interop

ROOT = issue("Interop Root", ca=True, key_kind="ec")
INTER = issue("Interop Inter", issuer=ROOT, ca=True)
LEAF = issue("leaf.interop", issuer=INTER)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, openssl: str) -> Path:
    d = tmp_path_factory.mktemp("inputs")
    for name, issued in (("root", ROOT), ("inter", INTER), ("leaf", LEAF)):
        (d / f"{name}.pem").write_bytes(issued.pem)
    chain = d / "chain.pem"
    chain.write_bytes(LEAF.pem + INTER.pem + ROOT.pem)
    run([openssl, "x509", "-in", str(d / "leaf.pem"), "-text", "-out", str(d / "text.pem")])
    run(
        [
            openssl,
            "x509",
            "-in",
            str(d / "leaf.pem"),
            "-outform",
            "DER",
            "-out",
            str(d / "leaf.der"),
        ]
    )
    for form in ("PEM", "DER"):
        run(
            [
                openssl,
                "crl2pkcs7",
                "-nocrl",
                "-certfile",
                str(chain),
                "-outform",
                form,
                "-out",
                str(d / f"chain.p7b.{form.lower()}"),
            ]
        )
    # Keys: RSA in every openssl format, EC traditional and PKCS#8, Ed25519.
    (d / "rsa8.pem").write_bytes(LEAF.key_pem())
    run([openssl, "pkey", "-in", str(d / "rsa8.pem"), "-traditional", "-out", str(d / "rsa1.pem")])
    run(
        [
            openssl,
            "pkey",
            "-in",
            str(d / "rsa8.pem"),
            "-outform",
            "DER",
            "-out",
            str(d / "rsa8.der"),
        ]
    )
    run(
        [
            openssl,
            "pkey",
            "-in",
            str(d / "rsa8.pem"),
            "-traditional",
            "-aes256",
            "-passout",
            "pass:kpw",
            "-out",
            str(d / "rsa1-enc.pem"),
        ]
    )
    run(
        [
            openssl,
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            str(d / "rsa8.pem"),
            "-passout",
            "pass:kpw",
            "-out",
            str(d / "rsa8-enc.pem"),
        ]
    )
    run(
        [
            openssl,
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            str(d / "rsa8.pem"),
            "-outform",
            "DER",
            "-passout",
            "pass:kpw",
            "-out",
            str(d / "rsa8-enc.der"),
        ]
    )
    run(
        [
            openssl,
            "pkcs8",
            "-topk8",
            "-v1",
            "PBE-SHA1-3DES",
            "-in",
            str(d / "rsa8.pem"),
            "-passout",
            "pass:kpw",
            "-out",
            str(d / "rsa8-3des.pem"),
        ]
    )
    (d / "ec8.pem").write_bytes(ROOT.key_pem())
    run([openssl, "ec", "-in", str(d / "ec8.pem"), "-out", str(d / "sec1.pem")])
    run(
        [
            openssl,
            "ec",
            "-in",
            str(d / "ec8.pem"),
            "-aes256",
            "-passout",
            "pass:kpw",
            "-out",
            str(d / "sec1-enc.pem"),
        ]
    )
    run([openssl, "genpkey", "-algorithm", "ed25519", "-out", str(d / "ed.pem")])
    run([openssl, "genpkey", "-algorithm", "ed448", "-out", str(d / "ed448.pem")])
    run(
        [
            openssl,
            "req",
            "-new",
            "-key",
            str(d / "rsa8.pem"),
            "-subj",
            "/CN=req",
            "-out",
            str(d / "req.csr"),
        ]
    )
    return d


def ders(*issued: Issued) -> list[bytes]:
    return [i.der for i in issued]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("leaf.pem", [LEAF]),
        ("text.pem", [LEAF]),
        ("leaf.der", [LEAF]),
        ("chain.pem", [LEAF, INTER, ROOT]),
        ("chain.p7b.pem", [LEAF, INTER, ROOT]),
        ("chain.p7b.der", [LEAF, INTER, ROOT]),
    ],
)
def test_openssl_certificate_files_read_in_file_order(
    files: Path, name: str, expected: list[Issued]
) -> None:
    got = read_certificates((files / name).read_bytes(), name)
    assert [c.der for c in got] == ders(*expected)


def test_fields_match_openssl(files: Path, openssl: str) -> None:
    for name, issued in (("leaf.pem", LEAF), ("root.pem", ROOT)):
        out = run(
            [
                openssl,
                "x509",
                "-in",
                str(files / name),
                "-noout",
                "-fingerprint",
                "-sha256",
                "-serial",
                "-subject",
                "-nameopt",
                "RFC2253",
            ]
        ).stdout
        fields = describe_certificate(Certificate(issued.der))
        assert f"sha256 Fingerprint={fields['sha256']}" in out
        serial = re.search(r"serial=([0-9A-F]+)", out)
        assert serial is not None and int(serial.group(1), 16) == int(fields["serial"], 16)
        assert f"subject={fields['subject']}" in out
        sha1 = run(
            [openssl, "x509", "-in", str(files / name), "-noout", "-fingerprint", "-sha1"]
        ).stdout
        assert f"Fingerprint={fields['sha1']}" in sha1


def test_fields_match_keytool_printcert(files: Path, jdk: Jdk) -> None:
    out = jdk.run_keytool("-printcert", "-file", str(files / "chain.pem")).stdout
    for issued in (LEAF, INTER, ROOT):
        fields = describe_certificate(Certificate(issued.der))
        assert f"SHA256: {fields['sha256']}" in out
        assert f"Serial number: {fields['serial']}" in out
    assert "2048-bit RSA key" in out and "256-bit EC (secp256r1) key" in out


@pytest.mark.parametrize(
    ("name", "password", "source_key"),
    [
        ("rsa8.pem", None, "rsa8.pem"),
        ("rsa1.pem", None, "rsa8.pem"),
        ("rsa8.der", None, "rsa8.pem"),
        ("rsa1-enc.pem", "kpw", "rsa8.pem"),
        ("rsa8-enc.pem", "kpw", "rsa8.pem"),
        ("rsa8-enc.der", "kpw", "rsa8.pem"),
        ("rsa8-3des.pem", "kpw", "rsa8.pem"),
        ("sec1.pem", None, "ec8.pem"),
        ("sec1-enc.pem", "kpw", "ec8.pem"),
        ("ed.pem", None, "ed.pem"),
        ("ed448.pem", None, "ed448.pem"),
    ],
)
def test_openssl_key_files_read_as_the_same_pkcs8(
    files: Path, openssl: str, name: str, password: str | None, source_key: str
) -> None:
    got = read_private_key(
        (files / name).read_bytes(), name, Password(password) if password else None
    )
    # openssl is the judge of what the key is: its unencrypted PKCS#8 DER.
    out = files / f"{name}.judged.der"
    run(
        [
            openssl,
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            str(files / source_key),
            "-outform",
            "DER",
            "-out",
            str(out),
        ]
    )
    assert got == out.read_bytes()


@pytest.mark.parametrize(
    "name", ["rsa1-enc.pem", "rsa8-enc.pem", "rsa8-enc.der", "sec1-enc.pem", "rsa8-3des.pem"]
)
def test_encrypted_openssl_keys_need_the_right_password(files: Path, name: str) -> None:
    data = (files / name).read_bytes()
    with pytest.raises(PasswordError) as missing:
        read_private_key(data, name, None)
    assert "is encrypted; give its password with --key-pass" in message(missing.value)
    with pytest.raises(PasswordError, match=f"wrong password for the key in {re.escape(name)}"):
        read_private_key(data, name, Password("wrong"))


def test_refusals_of_openssl_files(files: Path) -> None:
    with pytest.raises(FormatError, match="contains a private key, not a certificate"):
        read_certificates((files / "rsa1.pem").read_bytes(), "rsa1.pem")
    with pytest.raises(FormatError, match="certificate signing request"):
        read_certificates((files / "req.csr").read_bytes(), "req.csr")
    with pytest.raises(FormatError, match="contains a certificate, not a private key"):
        read_private_key((files / "leaf.der").read_bytes(), "leaf.der", None)


def test_key_matches_openssl_certificate(files: Path) -> None:
    key = read_private_key((files / "rsa1.pem").read_bytes(), "k", None)
    assert key_matches_certificate(
        key, read_certificates((files / "leaf.pem").read_bytes(), "c")[0]
    )
    assert not key_matches_certificate(key, Certificate(INTER.der))
