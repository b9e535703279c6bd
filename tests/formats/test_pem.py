"""The PEM store adapter: round trips, reading foreign layouts, refusals."""

from __future__ import annotations

import pytest

from keystore_tool.certfiles import armour, pem_blocks
from keystore_tool.cli.errors import message
from keystore_tool.errors import FormatError, PasswordError, UnsupportedError
from keystore_tool.formats import DumpOptions, LoadOptions, _der, get_format, pem
from keystore_tool.model import (
    Certificate,
    Keystore,
    PrivateKeyEntry,
    SealedBlob,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.password import Password
from tests.certs import Issued, issue

ROOT = issue("root", ca=True, key_kind="ec")
INTER = issue("inter", issuer=ROOT, ca=True)
LEAF = issue("server.example", issuer=INTER)
CLIENT = issue("client", issuer=ROOT, key_kind="ed25519")
OTHER = issue("other", ca=True)


def c(issued: Issued) -> Certificate:
    return Certificate(issued.der)


def sample_store() -> Keystore:
    return Keystore(
        [
            TrustedCertificateEntry(alias="root", certificate=c(ROOT)),
            PrivateKeyEntry(
                alias="Server", chain=[c(LEAF), c(INTER), c(ROOT)], private_key=LEAF.key_pkcs8_der()
            ),
            PrivateKeyEntry(
                alias="client", chain=[c(CLIENT), c(ROOT)], private_key=CLIENT.key_pkcs8_der()
            ),
            TrustedCertificateEntry(alias="other ca", certificate=c(OTHER)),
        ]
    )


def assert_same_entries(a: Keystore, b: Keystore) -> None:
    assert sorted(e.alias for e in a) == sorted(e.alias for e in b)
    for entry in a:
        assert entry.same_content(b[entry.alias]), entry.alias


@pytest.mark.parametrize("password", [Password("changeit"), Password(""), None])
def test_round_trip(password: Password | None) -> None:
    store = sample_store()
    data = pem.dump(store, password, DumpOptions(iterations=1000))
    labels = [b.label for b in pem_blocks(data, "x")]
    key_label = "PRIVATE KEY" if password is None else "ENCRYPTED PRIVATE KEY"
    assert labels.count(key_label) == 2
    assert_same_entries(store, pem.load(data, password, LoadOptions()))


def test_encrypted_key_is_pbes2_pbkdf2_sha256_aes256() -> None:
    data = pem.dump(sample_store(), Password("pw"), DumpOptions())
    der = next(b.der for b in pem_blocks(data, "x") if b.label == "ENCRYPTED PRIVATE KEY")
    top = _der.read(der, 0, len(der))
    algorithm, _ = _der.children(der, top.start, top.end)
    oids: list[str] = []

    def walk(start: int, end: int) -> None:
        for item in _der.children(der, start, end):
            if item.tag == 0x06:
                oids.append(_der.oid(der, item, "x"))
            elif item.tag == 0x30:
                walk(item.start, item.end)
            elif item.tag == 0x02:
                oids.append(f"int:{int.from_bytes(der[item.start : item.end], 'big')}")

    walk(algorithm.start, algorithm.end)
    assert oids == [
        "1.2.840.113549.1.5.13",  # PBES2
        "1.2.840.113549.1.5.12",  # PBKDF2
        f"int:{pem.DEFAULT_ITERATIONS}",
        "1.2.840.113549.2.9",  # hmacWithSHA256
        "2.16.840.1.101.3.4.1.42",  # aes256-CBC
    ]


def test_encrypted_store_needs_the_right_password() -> None:
    data = pem.dump(sample_store(), Password("pw"), DumpOptions(iterations=1000))
    with pytest.raises(PasswordError) as missing:
        pem.load(data, None, LoadOptions())
    assert "--storepass" in message(missing.value)
    with pytest.raises(PasswordError, match="wrong password"):
        pem.load(data, Password("nope"), LoadOptions())


def test_plain_pem_without_bag_attributes() -> None:
    # A key, its certificates in any order, and loose CA certificates.
    data = INTER.pem + LEAF.key_pem() + OTHER.pem + LEAF.pem + ROOT.pem
    store = pem.load(data, None, LoadOptions())
    assert sorted(e.alias for e in store) == ["other", "server.example"]
    entry = store["server.example"]
    assert isinstance(entry, PrivateKeyEntry)
    assert entry.chain == [c(LEAF), c(INTER), c(ROOT)]
    assert entry.private_key == LEAF.key_pkcs8_der()


def test_certificates_only_become_trusted_entries_with_unique_aliases() -> None:
    twin = issue("root", ca=True)
    store = pem.load(ROOT.pem + twin.pem + OTHER.pem, None, LoadOptions())
    assert [e.alias for e in store] == ["root", "root-2", "other"]
    assert all(isinstance(e, TrustedCertificateEntry) for e in store)


def test_friendly_names_win_over_derived_aliases() -> None:
    data = ROOT.pem + b"Bag Attributes\n    friendlyName: root\n" + OTHER.pem
    store = pem.load(data, None, LoadOptions())
    assert store["root"].certificates() == [c(OTHER)]
    assert store["root-2"].certificates() == [c(ROOT)]


def test_traditional_key_formats_read_as_pkcs8() -> None:
    from cryptography.hazmat.primitives import serialization

    data = LEAF.key_pem(serialization.PrivateFormat.TraditionalOpenSSL) + LEAF.pem
    entry = pem.load(data, None, LoadOptions())["server.example"]
    assert isinstance(entry, PrivateKeyEntry) and entry.private_key == LEAF.key_pkcs8_der()


def test_key_without_its_certificate_is_refused() -> None:
    with pytest.raises(FormatError, match="no matching certificate"):
        pem.load(LEAF.key_pem() + ROOT.pem, None, LoadOptions())


@pytest.mark.parametrize(
    "data",
    [
        b"-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n",
        b"no pem here",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ],
)
def test_unreadable_stores_are_refused(data: bytes) -> None:
    with pytest.raises(FormatError):
        pem.load(data, None, LoadOptions())


def test_secret_keys_and_sealed_keys_cannot_be_held() -> None:
    secret = SecretKeyEntry(alias="aes", algorithm="AES", key=b"k" * 16)
    fmt = get_format("pem")
    assert not fmt.can_hold(secret)
    assert fmt.can_hold(TrustedCertificateEntry(alias="x", certificate=c(ROOT)))
    assert not pem.can_hold(TrustedCertificateEntry(alias="a\nb", certificate=c(ROOT)))
    with pytest.raises(UnsupportedError, match="'aes'") as refused:
        pem.dump(Keystore([secret]), None, DumpOptions())
    assert message(refused.value) == (
        "entry 'aes' is a secret-key entry, which a PEM store cannot hold; "
        "use --skip-unsupported or another store type"
    )
    assert "--" not in str(refused.value)
    sealed = PrivateKeyEntry(alias="k", chain=[c(LEAF)], sealed=SealedBlob("jks", b"x"))
    with pytest.raises(UnsupportedError) as still_sealed:
        pem.dump(Keystore([sealed]), None, DumpOptions())
    assert message(still_sealed.value) == (
        "the key of entry 'k' is sealed under its own password; "
        "give it with --entry-pass so it can be written as PEM"
    )
    assert still_sealed.value.password == "entry" and still_sealed.value.alias == "k"


def test_the_read_is_recorded_with_the_form_of_each_key() -> None:
    certificates = pem.load(ROOT.pem + OTHER.pem, None, LoadOptions())
    assert certificates.read_info is not None
    assert (certificates.read_info.storetype, certificates.read_info.key_forms) == ("pem", ())
    with_key = pem.load(LEAF.key_pem() + LEAF.pem, None, LoadOptions())
    assert with_key.read_info is not None
    assert [f.alias for f in with_key.read_info.key_forms] == ["server.example"]
    # Whether a rewrite needs a password depends on the keys it will hold, not on the read.
    assert not with_key.read_info.passwordless and not certificates.read_info.passwordless


def test_absurd_iteration_count_in_the_store_is_refused() -> None:
    data = pem.dump(sample_store(), Password("pw"), DumpOptions(iterations=1000))
    from tests.test_certfiles import _reencode_iterations

    blocks = pem_blocks(data, "x")
    key = next(b for b in blocks if b.label == "ENCRYPTED PRIVATE KEY")
    crafted = data.replace(
        key.text,
        armour("ENCRYPTED PRIVATE KEY", _reencode_iterations(key.der, 6_000_000)).rstrip(b"\n"),
    )
    with pytest.raises(FormatError, match="above the limit"):
        pem.load(crafted, Password("pw"), LoadOptions())
