"""keytool's key verbs in process (ops.keygen, x509names): genkeypair into each format,
conflicts, the -dname and SAN spellings with the parameter their errors name, certreq and
gencert making a chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from keystore_tool.errors import ConflictError, FormatError, Remedy, UsageError
from keystore_tool.model import PrivateKeyEntry
from keystore_tool.ops.keygen import (
    Extensions,
    KeySpec,
    certreq,
    gencert,
    generate_private_key,
    genkeypair,
    key_entry,
    read_csr,
)
from keystore_tool.ops.update import StoreTarget
from keystore_tool.password import Password
from keystore_tool.storage import load_store
from keystore_tool.x509names import parse_dname, parse_sans, san_text, split_list

PASSWORD = Password("changeit")
FAST = KeySpec("ec", 256)


@pytest.mark.parametrize(("storetype", "suffix"), [("pkcs12", "p12"), ("jks", "jks")])
def test_genkeypair_adds_a_self_signed_key_entry(
    tmp_path: Path, storetype: str, suffix: str
) -> None:
    path = tmp_path / f"keys.{suffix}"
    result = genkeypair(
        StoreTarget(str(path), PASSWORD),
        "server",
        dname="CN=server.example, O=Example, C=US",
        key=FAST,
        validity_days=30,
        extensions=Extensions(
            sans=("dns:server.example", "ip:10.0.0.1"), ext_key_usage=("serverAuth",)
        ),
    )
    assert result.outcome is not None and result.outcome.created
    assert result.outcome.storetype == storetype
    entry = load_store(path, PASSWORD)["server"]
    assert isinstance(entry, PrivateKeyEntry) and entry.chain[0] == result.entry.chain[0]
    leaf = entry.chain[0].x509
    assert leaf.subject == leaf.issuer
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "server.example"
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["server.example"]
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert result.as_json()["keystore"] == str(path)


def test_genkeypair_onto_a_taken_alias_is_a_conflict(tmp_path: Path) -> None:
    path = tmp_path / "keys.p12"
    target = StoreTarget(str(path), PASSWORD)
    genkeypair(target, "server", dname="CN=a", key=FAST)
    before = path.read_bytes()
    with pytest.raises(ConflictError) as raised:
        genkeypair(target, "SERVER", dname="CN=b", key=FAST)
    assert (raised.value.remedy, raised.value.alias) == (Remedy.DELETE_OR_OTHER_ALIAS, "SERVER")
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("dname", "message"),
    [
        ("  ", "is empty; write it as 'CN=name, O=org, C=US'"),
        ("CN=a, bogus", "part 'bogus' is not NAME=value; write it as 'CN=name, O=org, C=US'"),
        ("CN=", "gives CN an empty value; write it as 'CN=name, O=org, C=US'"),
        ("CN=a, C=USA", "C=USA: a country is two letters (C=US)"),
    ],
)
def test_a_bad_dname_names_the_parameter(tmp_path: Path, dname: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        genkeypair(StoreTarget(str(tmp_path / "k.p12"), PASSWORD), "a", dname=dname, key=FAST)
    assert (raised.value.parameter, raised.value.message) == ("dname", message)
    assert not (tmp_path / "k.p12").exists()


def test_a_dname_with_escapes_quotes_and_multivalued_parts() -> None:
    name = parse_dname(r'CN=Doe\, John, O="Example, Inc"+OU=Ops, C=US')
    assert name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Doe, John"
    assert name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Example, Inc"
    # keytool's order: the string's last attribute first in DER.
    assert name.rdns[0].get_attributes_for_oid(NameOID.COUNTRY_NAME)


def test_validity_out_of_range_names_the_parameter(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        genkeypair(
            StoreTarget(str(tmp_path / "k.p12"), PASSWORD), "a", dname="CN=a", validity_days=0
        )
    assert raised.value.parameter == "validity_days"


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        (KeySpec("ec", 384), ec.EllipticCurvePrivateKey),
        (KeySpec("ed25519"), ed25519.Ed25519PrivateKey),
    ],
)
def test_key_specs(spec: KeySpec, kind: type) -> None:
    assert isinstance(generate_private_key(spec), kind)


def test_rsa_is_the_default_algorithm() -> None:
    key = generate_private_key(KeySpec("rsa", 2048))
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048


@pytest.mark.parametrize(
    ("spec", "remedy"),
    [
        (KeySpec("rsa", 1024), None),
        (KeySpec("ec", 200), None),
        (KeySpec("ed25519", 448), Remedy.DROP_KEY_SIZE),
        (KeySpec("dsa"), None),
    ],
)
def test_key_specs_that_are_refused(spec: KeySpec, remedy: Remedy | None) -> None:
    with pytest.raises(UsageError) as raised:
        generate_private_key(spec)
    assert raised.value.remedy is remedy


def test_sans_are_read_and_written_back() -> None:
    names = parse_sans(split_list(["dns:a.example,ip:::1", "email:a@example.com", "uri:https://a"]))
    assert [san_text(n) for n in names] == [
        "dns:a.example",
        "ip:::1",
        "email:a@example.com",
        "uri:https://a",
    ]
    for bad in ("a.example", "ip:nope", "x400:a"):
        with pytest.raises(UsageError):
            parse_sans([bad])
    with pytest.raises(UsageError) as raised:
        san_text(x509.RegisteredID(x509.ObjectIdentifier("1.2.3")))
    assert raised.value.remedy is Remedy.GIVE_SAN


def test_unknown_usages_are_refused(tmp_path: Path) -> None:
    target = StoreTarget(str(tmp_path / "k.p12"), PASSWORD)
    with pytest.raises(UsageError, match="key usage 'flying' is unknown"):
        genkeypair(
            target, "a", dname="CN=a", key=FAST, extensions=Extensions(key_usage=("flying",))
        )
    with pytest.raises(UsageError, match="extended key usage 'nope' is unknown"):
        genkeypair(
            target, "a", dname="CN=a", key=FAST, extensions=Extensions(ext_key_usage=("nope",))
        )


def test_certreq_and_gencert_make_a_chain(tmp_path: Path) -> None:
    path = tmp_path / "pki.p12"
    target = StoreTarget(str(path), PASSWORD)
    genkeypair(target, "ca", dname="CN=Small CA", key=FAST, extensions=Extensions(ca=True))
    genkeypair(
        target, "server", dname="CN=server", key=FAST, extensions=Extensions(sans=("dns:server",))
    )
    store = load_store(path, PASSWORD)

    request = certreq(key_entry(store, "server"))
    csr = read_csr(request, "server.csr")
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "server"

    issued = gencert(key_entry(store, "ca"), csr, validity_days=10)
    cert = issued.certificate.x509
    ca = key_entry(store, "ca").chain[0].x509
    assert cert.issuer == ca.subject
    cert.verify_directly_issued_by(ca)
    # The request's SANs are copied when none are given.
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["server"]
    assert issued.pem().count(b"BEGIN CERTIFICATE") == 2


def test_certreq_with_another_subject_and_sans(tmp_path: Path) -> None:
    path = tmp_path / "k.p12"
    genkeypair(StoreTarget(str(path), PASSWORD), "k", dname="CN=old", key=FAST)
    entry = key_entry(load_store(path, PASSWORD), "k")
    csr = read_csr(certreq(entry, dname="CN=new", sans=["dns:new.example"]), "r")
    assert csr.subject.rfc4514_string() == "CN=new"


def test_a_request_without_certificate_needs_a_subject() -> None:
    key = generate_private_key(FAST)
    from keystore_tool.certfiles import pkcs8_der

    entry = PrivateKeyEntry(alias="bare", chain=[], private_key=pkcs8_der(key, "k"))
    with pytest.raises(UsageError) as raised:
        certreq(entry)
    assert (raised.value.remedy, raised.value.alias) == (Remedy.GIVE_SUBJECT, "bare")


def test_key_entry_refuses_other_kinds(tmp_path: Path) -> None:
    from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
    from tests.certs import issue

    store = Keystore([TrustedCertificateEntry(alias="ca", certificate=Certificate(issue("x").der))])
    with pytest.raises(UsageError, match="not a private-key entry"):
        key_entry(store, "ca")


def test_a_tampered_or_missing_request_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.p12"
    genkeypair(StoreTarget(str(path), PASSWORD), "k", dname="CN=req", key=FAST)
    request = certreq(key_entry(load_store(path, PASSWORD), "k"))
    with pytest.raises(FormatError, match="holds no certificate request"):
        read_csr(b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", "x")
    with pytest.raises(FormatError, match="is not a PKCS#10"):
        read_csr(b"\x30\x00", "x")
    from keystore_tool.certfiles import pem_blocks

    der = bytearray(pem_blocks(request, "r")[0].der)
    der[-5] ^= 1  # a bit of the signature
    with pytest.raises(FormatError):
        read_csr(bytes(der), "x")
