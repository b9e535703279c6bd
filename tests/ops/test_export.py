"""``ops.export`` in-process: an entry's certificate or chain as PEM or DER, and its key."""

from __future__ import annotations

import functools

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from keystore_tool.cli.errors import message
from keystore_tool.errors import Remedy, UnsupportedError
from keystore_tool.model import (
    Certificate,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.ops.export import (
    certificates_of,
    encode_certificates,
    export_entry,
    private_key_pem,
)
from tests.certs import Issued, issue


@functools.cache
def _chain() -> tuple[Issued, Issued]:
    root = issue("Export Root", ca=True)
    return issue("svc", issuer=root), root


def _key_entry() -> PrivateKeyEntry:
    leaf, root = _chain()
    return PrivateKeyEntry(
        alias="svc",
        chain=[Certificate(leaf.der), Certificate(root.der)],
        private_key=leaf.key_pkcs8_der(),
    )


def test_the_leaf_alone_unless_the_chain_is_asked_for() -> None:
    leaf, root = _chain()
    entry = _key_entry()
    assert [c.der for c in certificates_of(entry, chain=False)] == [leaf.der]
    assert [c.der for c in certificates_of(entry, chain=True)] == [leaf.der, root.der]


def test_pem_holds_the_chain_and_der_one_certificate() -> None:
    leaf, root = _chain()
    pem = export_entry(_key_entry(), chain=True, der=False, key=False)
    assert pem.key_pem is None
    assert [
        c.public_bytes(serialization.Encoding.DER)
        for c in x509.load_pem_x509_certificates(pem.data)
    ] == [
        leaf.der,
        root.der,
    ]
    assert export_entry(_key_entry(), chain=False, der=True, key=False).data == leaf.der


def test_a_chain_cannot_be_der_and_the_remedy_is_cli_free() -> None:
    leaf, root = _chain()
    with pytest.raises(UnsupportedError) as refused:
        encode_certificates([Certificate(leaf.der), Certificate(root.der)], der=True)
    assert refused.value.remedy is Remedy.EXPORT_CHAIN_AS_PEM
    assert str(refused.value) == "DER holds one certificate; export the chain as PEM"
    assert (
        message(refused.value) == "DER holds one certificate; drop --der to export the chain as PEM"
    )


def test_the_private_key_comes_out_as_unencrypted_pkcs8_pem() -> None:
    leaf, _ = _chain()
    exported = export_entry(_key_entry(), chain=False, der=False, key=True)
    assert exported.key_pem is not None and exported.key_pem.startswith(
        b"-----BEGIN PRIVATE KEY-----"
    )
    key = serialization.load_pem_private_key(exported.key_pem, None)
    assert (
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        == leaf.key_pkcs8_der()
    )


def test_entries_without_certificate_or_key_are_refused_by_name() -> None:
    secret = SecretKeyEntry(alias="aes", algorithm="AES", key=bytes(16))
    with pytest.raises(
        UnsupportedError, match="entry 'aes' is a secret-key and holds no certificate"
    ):
        certificates_of(secret, chain=False)
    trusted = TrustedCertificateEntry(alias="ca", certificate=Certificate(_chain()[1].der))
    with pytest.raises(UnsupportedError, match="only key entries have a private key"):
        private_key_pem(trusted)
    assert export_entry(trusted, chain=True, der=True, key=False).data == _chain()[1].der
