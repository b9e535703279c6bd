"""x509util: entry JSON fields, derived aliases, chain ordering, key/certificate matching."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from keystore_tool.model import (
    Certificate,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.x509util import (
    derived_alias,
    describe_certificate,
    describe_entry,
    key_matches_certificate,
    order_chain,
    unique_alias,
)
from tests.certs import issue

ROOT = issue("Root CA", ca=True, key_kind="ec")
INTER = issue("Inter CA", issuer=ROOT, ca=True)
LEAF = issue("Leaf.Example", issuer=INTER, key_kind="ed25519")
OTHER_ROOT = issue("Other", ca=True)


def cert(issued: object) -> Certificate:
    return Certificate(issued.der)  # type: ignore[attr-defined]


def test_describe_certificate_fields() -> None:
    fields = describe_certificate(cert(INTER))
    assert fields["subject"] == "CN=Inter CA"
    assert fields["issuer"] == "CN=Root CA"
    assert fields["serial"] == format(INTER.cert.serial_number, "x")
    assert fields["key_algorithm"] == "RSA" and fields["key_size"] == 2048
    assert fields["not_before"].endswith("Z") and "T" in fields["not_before"]
    assert dt.datetime.strptime(fields["not_after"], "%Y-%m-%dT%H:%M:%SZ")
    assert len(fields["sha256"].split(":")) == 32
    assert fields["sha256"] == fields["sha256"].upper()
    assert len(fields["sha1"].split(":")) == 20


@pytest.mark.parametrize(
    ("issued", "algorithm", "size"),
    [(ROOT, "EC", 256), (LEAF, "Ed25519", 255), (OTHER_ROOT, "RSA", 2048)],
)
def test_key_algorithm_and_size(issued: object, algorithm: str, size: int) -> None:
    fields = describe_certificate(cert(issued))
    assert (fields["key_algorithm"], fields["key_size"]) == (algorithm, size)


def test_describe_private_key_entry_lists_the_chain_leaf_first() -> None:
    chain = [cert(LEAF), cert(INTER), cert(ROOT)]
    entry = PrivateKeyEntry(alias="srv", chain=chain, private_key=LEAF.key_pkcs8_der())
    described = describe_entry(entry)
    assert described["alias"] == "srv" and described["type"] == "private-key"
    assert described["subject"] == "CN=Leaf.Example"
    assert [c["subject"] for c in described["chain"]] == [
        "CN=Leaf.Example",
        "CN=Inter CA",
        "CN=Root CA",
    ]
    assert set(described["chain"][0]) == {"sha256", "subject", "issuer", "not_after"}


def test_describe_trusted_and_secret_entries() -> None:
    trusted = describe_entry(TrustedCertificateEntry(alias="ca", certificate=cert(ROOT)))
    assert trusted["type"] == "trusted-cert" and "chain" not in trusted
    secret = describe_entry(SecretKeyEntry(alias="k", algorithm="AES", key=b"\0" * 32))
    assert secret == {"alias": "k", "type": "secret-key", "algorithm": "AES", "key_size": 256}


def test_derived_alias_is_the_lower_cased_cn_else_a_fingerprint_prefix() -> None:
    assert derived_alias(cert(LEAF)) == "leaf.example"
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = OTHER_ROOT.key
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "No CN")])
    no_cn = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)  # type: ignore[arg-type]
        .not_valid_before(dt.datetime(2020, 1, 1))
        .not_valid_after(dt.datetime(2030, 1, 1))
        .sign(key, hashes.SHA256())  # type: ignore[arg-type]
    )
    c = Certificate.from_x509(no_cn)
    assert derived_alias(c) == c.sha256.hex()[:8]


def test_unique_alias() -> None:
    taken = {"ca", "ca-2"}
    assert unique_alias("ca", taken.__contains__) == "ca-3"
    assert unique_alias("new", taken.__contains__) == "new"


def test_order_chain_from_shuffled_input_with_duplicates_and_strangers() -> None:
    others = [cert(ROOT), cert(OTHER_ROOT), cert(INTER), cert(ROOT), cert(LEAF)]
    for _ in range(5):
        random.shuffle(others)
        ordered = order_chain(cert(LEAF), others)
        assert ordered.chain == [cert(LEAF), cert(INTER), cert(ROOT)]
        assert ordered.leftovers == [cert(OTHER_ROOT)]
        assert ordered.complete


def test_order_chain_without_the_root_is_incomplete() -> None:
    ordered = order_chain(cert(LEAF), [cert(INTER)])
    assert ordered.chain == [cert(LEAF), cert(INTER)] and not ordered.complete


def test_order_chain_prefers_the_issuer_whose_ski_matches() -> None:
    # Same subject name as ROOT, different key: only the AKI tells them apart.
    impostor = issue("Root CA", ca=True, key_kind="ec")
    ordered = order_chain(cert(INTER), [cert(impostor), cert(ROOT)])
    assert ordered.chain == [cert(INTER), cert(ROOT)]
    assert ordered.leftovers == [cert(impostor)]


def test_key_matches_certificate() -> None:
    assert key_matches_certificate(LEAF.key_pkcs8_der(), cert(LEAF))
    assert key_matches_certificate(INTER.key_pkcs8_der(), cert(INTER))
    assert not key_matches_certificate(INTER.key_pkcs8_der(), cert(ROOT))
    assert not key_matches_certificate(ROOT.key_pkcs8_der(), cert(OTHER_ROOT))
