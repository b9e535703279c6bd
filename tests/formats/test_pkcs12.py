"""The PKCS12 codec on its own: round trips, kept attributes and bags, passwords, hostile input.

cryptography's own PKCS#12 reader is used as an independent judge of our KDF, ciphers and MAC
(it is lossy for keystores, but it decrypts what it reads correctly)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_pkcs12
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keystore_tool.cli import errors as cli_errors
from keystore_tool.errors import FormatError, KsError, PasswordError, UsageError
from keystore_tool.formats import DumpOptions, LoadOptions, _der, _pbe, pkcs12
from keystore_tool.formats.pkcs12 import profile as pkcs12_profile
from keystore_tool.formats.pkcs12 import writer as pkcs12_writer
from keystore_tool.model import (
    Certificate,
    CertificateEntry,
    Entry,
    Keystore,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.password import Password
from tests.certs import Issued, issue

PW = Password("s3cret")
FAST = DumpOptions(iterations=1000)  # keeps unit tests quick; interop tests use the defaults


@pytest.fixture(scope="module")
def pki() -> dict[str, Issued]:
    root = issue("root", ca=True, key_kind="ec")
    inter = issue("inter", issuer=root, ca=True, key_kind="ec")
    return {
        "root": root,
        "inter": inter,
        "leaf": issue("leaf", issuer=inter, key_kind="ec"),
        "other": issue("other", issuer=root, key_kind="ec"),
        "lone": issue("lone", key_kind="ec"),
    }


def cert(issued: Issued) -> Certificate:
    return Certificate(issued.der)


def sample_store(pki: dict[str, Issued]) -> Keystore:
    leaf, inter, root = pki["leaf"], pki["inter"], pki["root"]
    return Keystore(
        [
            PrivateKeyEntry(
                alias="Server",
                private_key=leaf.key_pkcs8_der(),
                chain=[cert(leaf), cert(inter), cert(root)],
            ),
            PrivateKeyEntry(
                alias="other",
                private_key=pki["other"].key_pkcs8_der(),
                chain=[cert(pki["other"]), cert(root)],
            ),
            TrustedCertificateEntry(alias="root-ca", certificate=cert(root)),
            SecretKeyEntry(alias="aes", algorithm="AES", key=bytes(range(32))),
            SecretKeyEntry(alias="mac", algorithm="HmacSHA256", key=b"k" * 32),
            CertificateEntry(alias="loose", certificate=cert(pki["lone"])),
        ]
    )


def summary(keystore: Keystore) -> list[tuple[str, str, tuple[bytes, ...], object]]:
    rows = []
    for entry in keystore:
        key: object = None
        if isinstance(entry, PrivateKeyEntry):
            key = entry.private_key
        elif isinstance(entry, SecretKeyEntry):
            key = (entry.algorithm, entry.key)
        rows.append((entry.alias, entry.kind, tuple(c.der for c in entry.certificates()), key))
    return sorted(rows, key=lambda row: row[0].lower())


def by_alias(keystore: Keystore) -> list[Entry]:
    # not Keystore.sorted_entries: SecretKeyEntry.key (the bytes) shadows Entry.key in model.py
    return sorted(keystore, key=lambda e: e.alias.lower())


def load(data: bytes, password: Password | None = PW) -> Keystore:
    return pkcs12.load(data, password, LoadOptions())


@pytest.mark.parametrize("profile", ["default", "legacy"])
def test_round_trip_keeps_every_entry(pki: dict[str, Issued], profile: Any) -> None:
    store = sample_store(pki)
    data = pkcs12.dump(store, PW, DumpOptions(profile=profile, iterations=1000))
    again = load(data)
    assert summary(again) == summary(store)
    # A second round trip is byte-stable in everything but salts: same entries, same attributes.
    third = load(pkcs12.dump(again, PW, FAST))
    assert summary(third) == summary(again)
    for a, b in zip(by_alias(again), by_alias(third), strict=True):
        assert sorted(a.attributes["pkcs12.attributes"]) == sorted(
            b.attributes["pkcs12.attributes"]
        )


def test_profiles_record_the_algorithms_they_wrote(pki: dict[str, Issued]) -> None:
    store = sample_store(pki)
    default = load(pkcs12.dump(store, PW, DumpOptions()))
    assert default.properties["pkcs12.mac"] == {"digest": "sha256", "iterations": 10000}
    assert default.properties["pkcs12.cert_pbe"] == (
        "PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), 10000 iterations"
    )
    assert default.properties["pkcs12.key_pbe"] == default.properties["pkcs12.cert_pbe"]
    legacy = load(pkcs12.dump(store, PW, DumpOptions(profile="legacy", iterations=2048)))
    assert legacy.properties["pkcs12.mac"] == {"digest": "sha1", "iterations": 2048}
    assert legacy.properties["pkcs12.cert_pbe"] == "pbeWithSHAAnd40BitRC2-CBC, 2048 iterations"
    assert legacy.properties["pkcs12.key_pbe"] == "pbeWithSHAAnd3-KeyTripleDES-CBC, 2048 iterations"


@pytest.mark.parametrize("profile", ["default", "legacy"])
def test_cryptography_decrypts_what_we_write(pki: dict[str, Issued], profile: Any) -> None:
    leaf = pki["leaf"]
    store = Keystore(
        [PrivateKeyEntry(alias="k", private_key=leaf.key_pkcs8_der(), chain=[cert(leaf)])]
    )
    data = pkcs12.dump(store, PW, DumpOptions(profile=profile, iterations=2048))
    key, certificate, _ = crypto_pkcs12.load_key_and_certificates(data, b"s3cret")
    assert certificate is not None and certificate == leaf.cert
    assert key is not None and key.private_numbers() == leaf.key.private_numbers()  # type: ignore[union-attr]


def test_reads_what_cryptography_writes(pki: dict[str, Issued]) -> None:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption

    leaf = pki["leaf"]
    data = crypto_pkcs12.serialize_key_and_certificates(
        b"me",
        leaf.key,
        leaf.cert,
        [pki["inter"].cert],
        BestAvailableEncryption(b"s3cret"),  # type: ignore[arg-type]
    )
    store = load(data)
    entry = store["me"]
    assert isinstance(entry, PrivateKeyEntry)
    assert entry.private_key == leaf.key_pkcs8_der()
    assert [c.der for c in entry.chain] == [leaf.der, pki["inter"].der]


def test_unknown_attributes_and_bags_are_written_back(pki: dict[str, Issued]) -> None:
    unknown_attr = _der.seq(
        _der.encode_oid("1.3.6.1.4.1.311.17.1"), _der.set_of([_der.bmp("Some CSP")])
    )
    crl_bag = _der.seq(
        _der.encode_oid("1.2.840.113549.1.12.10.1.4"),
        _der.explicit(
            0,
            _der.seq(
                _der.encode_oid("1.2.840.113549.1.9.23.1"),
                _der.explicit(0, _der.octet_string(b"\x30\x00")),
            ),
        ),
    )
    store = sample_store(pki)
    store["root-ca"].attributes["pkcs12.attributes"] = [unknown_attr]
    store.properties["pkcs12.unknown_bags"] = [crl_bag]
    again = load(pkcs12.dump(store, PW, FAST))
    assert unknown_attr in again["root-ca"].attributes["pkcs12.attributes"]
    assert again.properties["pkcs12.unknown_bags"] == [crl_bag]
    # and once more: nothing is lost on a second rewrite
    third = load(pkcs12.dump(again, PW, FAST))
    assert unknown_attr in third["root-ca"].attributes["pkcs12.attributes"]
    assert third.properties["pkcs12.unknown_bags"] == [crl_bag]


def test_renamed_entry_gets_its_new_friendly_name_and_keeps_its_local_key_id(
    pki: dict[str, Issued],
) -> None:
    first = load(pkcs12.dump(sample_store(pki), PW, FAST))
    before = first["server"].attributes["pkcs12.attributes"]
    first.rename("server", "web")
    again = load(pkcs12.dump(first, PW, FAST))
    assert "web" in again and "server" not in again
    local_key_id = [a for a in before if _der.encode_oid(pkcs12.OID_LOCAL_KEY_ID) in a]
    assert local_key_id and local_key_id[0] in again["web"].attributes["pkcs12.attributes"]


def test_trusted_certificates_carry_javas_trust_mark(pki: dict[str, Issued]) -> None:
    data = pkcs12.dump(sample_store(pki), PW, FAST)
    attrs = load(data)["root-ca"].attributes["pkcs12.attributes"]
    trusted = _der.seq(
        _der.encode_oid(pkcs12.OID_TRUSTED_KEY_USAGE),
        _der.set_of([_der.encode_oid(pkcs12.OID_ANY_EKU)]),
    )
    assert trusted in attrs
    assert not any(
        _der.encode_oid(pkcs12.OID_TRUSTED_KEY_USAGE) in a
        for a in load(data)["loose"].attributes["pkcs12.attributes"]
    )


def test_loose_certificate_is_kept_with_a_warning(pki: dict[str, Issued]) -> None:
    again = load(pkcs12.dump(sample_store(pki), PW, FAST))
    assert again["loose"].kind == "certificate"
    assert any("Java will not see" in w for w in again.warnings)


def test_reader_warnings_carry_stable_codes(pki: dict[str, Issued]) -> None:
    # Two loose certificates named alike: ks keeps both (renaming one) and says so, each
    # warning with the code doctor and scripts test instead of its text.
    named_alike = [
        crypto_pkcs12.PKCS12Certificate(pki["lone"].cert, b"dup"),
        crypto_pkcs12.PKCS12Certificate(pki["root"].cert, b"dup"),
    ]
    data = crypto_pkcs12.serialize_key_and_certificates(
        None, None, None, named_alike, serialization.NoEncryption()
    )
    store = load(data, None)
    assert sorted(e.alias for e in store) == ["dup", "dup-2"]
    codes = {getattr(w, "code", None): w for w in store.warnings}
    assert set(codes) == {"loose-certificates", "alias-collision"}
    assert codes["alias-collision"] == (
        "aliases used twice in the file were made unique: 'dup' → 'dup-2'"
    )


def test_unnamed_bags_get_javas_counter_aliases(pki: dict[str, Issued]) -> None:
    leaf = pki["leaf"]
    store = Keystore(
        [
            PrivateKeyEntry(alias="x", private_key=leaf.key_pkcs8_der(), chain=[cert(leaf)]),
            TrustedCertificateEntry(alias="y", certificate=cert(pki["root"])),
            CertificateEntry(alias="z", certificate=cert(pki["lone"])),
        ]
    )
    for entry in store:
        entry.attributes["pkcs12.generated_alias"] = entry.alias  # write no friendlyName
    data = pkcs12.dump(store, PW, FAST)
    # our writer always names keys and trusted certificates; strip the names by hand
    stripped = _strip_friendly_names(data)
    again = load(stripped)
    kinds = {e.alias: e.kind for e in again}
    assert kinds["1"] == "trusted-cert"  # certificates come first in the file, as Java writes
    assert kinds["2"] == "private-key"
    assert kinds["cert-" + cert(pki["lone"]).sha256.hex()[:16]] == "certificate"


def _strip_friendly_names(data: bytes) -> bytes:
    """Re-encodes ``data`` (password PW) without any friendlyName attribute, using a
    password-less cert safe so no re-encryption is needed for the test."""
    store = load(data)
    for entry in store:
        entry.attributes["pkcs12.attributes"] = [
            a
            for a in entry.attributes.get("pkcs12.attributes", [])
            if _der.encode_oid(pkcs12.OID_FRIENDLY_NAME) not in a
        ]
    original = pkcs12_writer._attributes

    def no_names(
        kept: object, friendly_name: str | None, local_key_id: bytes | None, trusted: bool
    ) -> bytes:
        return original(kept, None, local_key_id, trusted)

    pkcs12_writer._attributes = no_names  # type: ignore[assignment]
    try:
        return pkcs12.dump(store, PW, FAST)
    finally:
        pkcs12_writer._attributes = original  # type: ignore[assignment]


def test_password_less_truststore(pki: dict[str, Issued]) -> None:
    store = Keystore([TrustedCertificateEntry(alias="r", certificate=cert(pki["root"]))])
    data = pkcs12.dump(store, None, DumpOptions())
    again = load(data, None)
    assert again.properties["pkcs12.mac"] is None
    assert again.properties["pkcs12.cert_pbe"] is None
    assert summary(again) == summary(store)
    # a password given for a store without a MAC still reads it, with a warning
    assert summary(load(data, PW)) == summary(store)


def test_password_less_dump_refuses_keys(pki: dict[str, Issued]) -> None:
    with pytest.raises(UsageError, match="password"):
        pkcs12.dump(sample_store(pki), None, DumpOptions())


def test_wrong_password_is_a_password_error(pki: dict[str, Issued]) -> None:
    data = pkcs12.dump(sample_store(pki), PW, FAST)
    with pytest.raises(PasswordError, match="wrong password"):
        load(data, Password("nope"))
    with pytest.raises(PasswordError) as refused:
        load(data, None)
    # the library names no option; the command line's rendering of the error does
    assert "--storepass" in cli_errors.message(refused.value)


def test_empty_password_store_opens_without_a_password(pki: dict[str, Issued]) -> None:
    data = pkcs12.dump(sample_store(pki), Password(""), FAST)
    assert summary(load(data, None)) == summary(sample_store(pki))


def test_encrypted_bags_without_mac_need_the_password(pki: dict[str, Issued]) -> None:
    data = pkcs12.dump(sample_store(pki), PW, FAST)
    pfx = _der.read(data, 0, len(data))
    items = _der.children(data, pfx.start, pfx.end)
    no_mac = _der.seq(_der.raw(data, items[0]), _der.raw(data, items[1]))
    with pytest.raises(PasswordError) as refused:
        load(no_mac, None)
    assert "--storepass" in cli_errors.message(refused.value)
    unchecked = load(no_mac, PW)
    assert summary(unchecked) == summary(sample_store(pki))
    assert "no-integrity-check" in [getattr(w, "code", None) for w in unchecked.warnings]


# ---- hostile input ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_store(pki: dict[str, Issued]) -> bytes:
    leaf = pki["leaf"]
    store = Keystore(
        [
            PrivateKeyEntry(alias="k", private_key=leaf.key_pkcs8_der(), chain=[cert(leaf)]),
            TrustedCertificateEntry(alias="t", certificate=cert(pki["root"])),
        ]
    )
    return pkcs12.dump(store, PW, DumpOptions(iterations=1))


def test_truncation_at_every_length_is_a_clean_error(small_store: bytes) -> None:
    for cut in range(0, len(small_store), 7):
        with pytest.raises(KsError):
            load(small_store[:cut])


def test_bit_flips_are_clean_errors(small_store: bytes) -> None:
    for position in [*range(0, 40), *range(40, len(small_store), 31), len(small_store) - 3]:
        damaged = bytearray(small_store)
        damaged[position] ^= 0x10
        try:
            loaded = load(bytes(damaged))
        except KsError as exc:
            assert "\n" not in str(exc)
        else:
            # The MAC covers every entry: a flip that still loads may only have hit bytes that
            # carry no content (the MAC's own framing), and must read back the same store.
            assert _content(loaded) == _content(load(small_store)), f"flip at {position} loaded"


def _content(store: Keystore) -> list[tuple[str, str, list[bytes], bytes | None]]:
    return [
        (
            e.alias,
            e.kind,
            [c.der for c in e.certificates()],
            e.private_key if isinstance(e, PrivateKeyEntry) else None,
        )
        for e in store.sorted_entries()
    ]


HUGE = 2**31 - 1


def _refusal(data: bytes, password: Password | None = PW) -> str:
    with pytest.raises(FormatError) as info:
        load(data, password)
    return str(info.value)


def _dump_claiming_iterations(
    monkeypatch: pytest.MonkeyPatch, store: Keystore, profile: Any, iterations: int
) -> bytes:
    """A store whose PBE and MAC parameters claim ``iterations``; written with stand-in KDFs
    so that making it costs nothing (its content is then unreadable, which is fine: a reader
    must refuse it before deriving anything)."""
    real = pkcs12_profile._profile(DumpOptions(profile=profile, iterations=1))

    def claiming(options: DumpOptions) -> Any:
        return pkcs12_profile._Profile(
            dataclasses.replace(real.key_scheme, iterations=iterations),
            dataclasses.replace(real.cert_scheme, iterations=iterations),
            real.mac_digest,
            iterations,
        )

    with monkeypatch.context() as patch:
        patch.setattr(pkcs12_writer, "_profile", claiming)
        patch.setattr(_pbe, "pkcs12_kdf", lambda pw, salt, purpose, n, length, d: b"\0" * length)
        patch.setattr(_pbe, "pbkdf2", lambda pw, salt, n, length, prf: b"\0" * length)
        return pkcs12.dump(store, PW, DumpOptions(profile=profile))


def _strip_mac(data: bytes) -> bytes:
    pfx = _der.read(data, 0, len(data))
    items = _der.children(data, pfx.start, pfx.end)
    return _der.seq(_der.raw(data, items[0]), _der.raw(data, items[1]))


def test_dump_refuses_absurd_iteration_counts(pki: dict[str, Issued]) -> None:
    with pytest.raises(UsageError):
        pkcs12.dump(sample_store(pki), PW, DumpOptions(iterations=HUGE))


@pytest.mark.parametrize("profile", ["default", "legacy"])
def test_two_billion_iterations_are_refused_before_any_derivation(
    pki: dict[str, Issued],
    monkeypatch: pytest.MonkeyPatch,
    profile: Any,
    request: pytest.FixtureRequest,
) -> None:
    leaf = pki["leaf"]
    store = Keystore(
        [
            PrivateKeyEntry(alias="k", private_key=leaf.key_pkcs8_der(), chain=[cert(leaf)]),
            TrustedCertificateEntry(alias="t", certificate=cert(pki["root"])),
        ]
    )
    data = _dump_claiming_iterations(monkeypatch, store, profile, HUGE)
    keys_only = Keystore([PrivateKeyEntry(alias="k", private_key=leaf.key_pkcs8_der(), chain=[])])
    bare = _strip_mac(_dump_claiming_iterations(monkeypatch, keys_only, profile, HUGE))
    request.getfixturevalue("no_key_derivation")
    assert len(data) < 2000
    # the MAC is checked first, with or without a password
    assert "integrity check" in _refusal(data)
    assert "integrity check" in _refusal(data, None)
    # without a MAC, the certificate safe's PBES1/PBES2 parameters are refused
    assert "certificates" in _refusal(_strip_mac(data))
    # and a key bag's parameters too (a store of one key bag in a plain safe)
    assert "private keys" in _refusal(bare)


def test_decrypt_charges_the_budget_before_deriving(
    pki: dict[str, Issued], request: pytest.FixtureRequest
) -> None:
    from keystore_tool.formats._limits import DEFAULT_KDF_WORK, KdfBudget

    scheme = _pbe.PbeScheme("pbes2", 10_000)
    algid, ciphertext = _pbe.encrypt(b"secret", "pw", scheme)
    assert _pbe.decrypt(algid, ciphertext, "pw") == b"secret"
    budget = KdfBudget()
    budget.spent = DEFAULT_KDF_WORK - 5_000
    request.getfixturevalue("no_key_derivation")
    with pytest.raises(FormatError, match="more than the budget"):
        _pbe.decrypt(algid, ciphertext, "pw", budget)


def test_deep_nesting_and_huge_lengths_are_refused() -> None:
    with pytest.raises(FormatError):
        load(b"\x30\x84\xff\xff\xff\xff\x02\x01\x03")
    with pytest.raises(FormatError):
        load(b"\x30\x80" * 10_000)
    with pytest.raises(FormatError):
        load(b"\x30" + b"\x82\x10\x00" + b"\x30\x82\x0f\xfc" * 1000)


def test_der_oid_round_trip() -> None:
    for dotted in ["1.2.840.113549.1.12.10.1.2", "2.16.840.1.113894.746875.1.1", "2.999.3"]:
        encoded = _der.encode_oid(dotted)
        assert _der.oid(encoded, _der.read(encoded, 0, len(encoded)), "x") == dotted


# ---- properties ------------------------------------------------------------------------------


_entry_kinds = st.lists(st.sampled_from(["key", "trusted", "secret", "cert"]), max_size=6)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kinds=_entry_kinds,
    legacy=st.booleans(),
    names=st.lists(st.text(min_size=1, max_size=8), min_size=6, max_size=6, unique_by=str.lower),
)
def test_random_stores_round_trip(
    pki: dict[str, Issued], kinds: list[str], legacy: bool, names: list[str]
) -> None:
    entries: list[Entry] = []
    for index, kind in enumerate(kinds):
        alias = names[index]
        if kind == "key":
            entries.append(
                PrivateKeyEntry(
                    alias=alias,
                    private_key=pki["leaf"].key_pkcs8_der(),
                    chain=[cert(pki["leaf"]), cert(pki["inter"]), cert(pki["root"])],
                )
            )
        elif kind == "trusted":
            entries.append(TrustedCertificateEntry(alias=alias, certificate=cert(pki["root"])))
        elif kind == "secret":
            entries.append(SecretKeyEntry(alias=alias, algorithm="AES", key=bytes([index]) * 16))
        else:
            entries.append(CertificateEntry(alias=alias, certificate=cert(pki["lone"])))
    store = Keystore(entries)
    options = DumpOptions(profile="legacy" if legacy else "default", iterations=1)
    first = load(pkcs12.dump(store, PW, options))
    second = load(pkcs12.dump(first, PW, options))
    assert summary(first) == summary(store)
    assert summary(second) == summary(first)
    for a, b in zip(by_alias(first), by_alias(second), strict=True):
        assert sorted(a.attributes["pkcs12.attributes"]) == sorted(
            b.attributes["pkcs12.attributes"]
        )


# ---- speed -----------------------------------------------------------------------------------


def _many_certificates(template: bytes, count: int) -> list[Certificate]:
    """Distinct certificate DERs from one template by rewriting bytes of its serial number
    (we never verify signatures when loading, so this is enough for timing)."""
    serial_at = template.index(b"\x02", 8) + 2  # the serial's content in the TBSCertificate
    out = []
    for i in range(count):
        der = bytearray(template)
        der[serial_at + 1 : serial_at + 5] = i.to_bytes(4, "big")
        out.append(Certificate(bytes(der)))
    return out


@pytest.mark.slow
def test_fifty_thousand_certificates_load_and_dump(pki: dict[str, Issued]) -> None:
    """Scale, not speed: `make bench` measures the time (tests assert no timings)."""
    certificates = _many_certificates(pki["root"].der, 50_000)
    store = Keystore(
        TrustedCertificateEntry(alias=f"ca-{i}", certificate=c) for i, c in enumerate(certificates)
    )
    again = load(pkcs12.dump(store, PW, DumpOptions()))
    assert len(again) == 50_000
    assert {e.alias: e.certificates()[0].der for e in again} == {
        f"ca-{i}": c.der for i, c in enumerate(certificates)
    }


def test_untouched_trusted_bags_are_written_back_byte_for_byte(pki: dict[str, Issued]) -> None:
    store = Keystore(
        TrustedCertificateEntry(alias=f"ca-{i}", certificate=cert(pki[name]))
        for i, name in enumerate(("root", "leaf"))
    )
    first = pkcs12.dump(store, None, DumpOptions())  # password-less: no random salt anywhere
    again = pkcs12.load(first, None, LoadOptions())
    assert pkcs12.dump(again, None, DumpOptions()) == first
    again.rename("ca-1", "renamed")
    renamed = pkcs12.load(pkcs12.dump(again, None, DumpOptions()), None, LoadOptions())
    assert sorted(e.alias for e in renamed) == ["ca-0", "renamed"]


def test_keys_opened_later_share_the_budget_of_the_load(pki: dict[str, Issued]) -> None:
    """Each key opened used to get a budget of its own: a file of many keys, each just under
    the budget, cost it many times over."""
    from keystore_tool.errors import KdfWorkError

    leaf = pki["leaf"]
    store = Keystore(
        PrivateKeyEntry(alias=f"k{i}", private_key=leaf.key_pkcs8_der(), chain=[cert(leaf)])
        for i in range(3)
    )
    data = pkcs12.dump(store, PW, DumpOptions(iterations=1000))
    # what the load itself derives (3,000 rounds) fits, and one key more, not two
    loaded = pkcs12.load(data, PW, LoadOptions(max_kdf_work=4500))
    keys = [e for e in loaded.sorted_entries() if isinstance(e, PrivateKeyEntry)]
    assert keys[0].private_key is not None
    with pytest.raises(KdfWorkError):
        for entry in keys[1:]:
            entry.load_private_key()
