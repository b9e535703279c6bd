"""JKS and JCEKS codec: round trips, pyjks as an independent second reader, modified UTF-8,
byte-identical rewrites, and hostile input (truncation, bit flips, bogus lengths)."""

from __future__ import annotations

import contextlib
import datetime as dt
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keystore_tool.cli.errors import message
from keystore_tool.errors import (
    FormatError,
    KsError,
    PasswordError,
    UnsupportedError,
    UsageError,
)
from keystore_tool.formats import DumpOptions, LoadOptions, _der, get_format
from keystore_tool.formats import java as js
from keystore_tool.formats.java import mapping, protectors
from keystore_tool.model import (
    Certificate,
    Keystore,
    PrivateKeyEntry,
    SealedBlob,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.password import Password
from tests.certs import issue
from tests.conftest import Jdk

CACERTS = Path("/etc/ssl/certs/java/cacerts")
PW = Password("changeit")
JKS = get_format("jks")
JCEKS = get_format("jceks")
# Low iterations keep JCEKS tests fast; the interop tests write keytool's 200,000.
FAST = DumpOptions(iterations=1000)


@pytest.fixture(scope="module")
def minted() -> dict[str, object]:
    root = issue("Test Root", ca=True)
    rsa_leaf = issue("rsa.example", issuer=root)
    ec_leaf = issue("ec.example", issuer=root, key_kind="ec")
    return {"root": root, "rsa": rsa_leaf, "ec": ec_leaf}


def _store(minted: dict[str, object]) -> Keystore:
    root, rsa_leaf, ec_leaf = minted["root"], minted["rsa"], minted["ec"]
    store = Keystore()
    for alias, leaf in (("rsa-key", rsa_leaf), ("ec-key", ec_leaf)):
        store.add(
            PrivateKeyEntry(
                alias=alias,
                chain=[Certificate(leaf.der), Certificate(root.der)],  # type: ignore[attr-defined]
                private_key=leaf.key_pkcs8_der(),  # type: ignore[attr-defined]
            )
        )
    store.add(TrustedCertificateEntry(alias="Root", certificate=Certificate(root.der)))  # type: ignore[attr-defined]
    return store


def _summary(store: Keystore) -> list[tuple[str, str, object, tuple[str, ...]]]:
    out = []
    for entry in store.sorted_entries():
        key = getattr(entry, "private_key", None) or getattr(entry, "key", None)
        out.append(
            (entry.alias, entry.kind, key, tuple(c.sha256_hex for c in entry.certificates()))
        )
    return out


@pytest.mark.parametrize("fmt", [JKS, JCEKS], ids=["jks", "jceks"])
def test_round_trip_keeps_keys_chains_and_certificates(fmt, minted) -> None:
    store = _store(minted)
    data = fmt.dump(store, PW, FAST)
    back = fmt.load(data, PW)
    assert [(a.lower(), k, key, c) for a, k, key, c in _summary(store)] == _summary(back)
    assert back.warnings == []
    assert back.properties[f"{fmt.name}.version"] == 2


def test_pyjks_reads_what_we_write_as_jks(minted) -> None:
    import jks

    data = JKS.dump(_store(minted), PW, DumpOptions())
    theirs = jks.KeyStore.loads(data, "changeit")
    assert sorted(theirs.private_keys) == ["ec-key", "rsa-key"]
    assert sorted(theirs.certs) == ["root"]
    leaf = minted["rsa"]
    assert theirs.private_keys["rsa-key"].pkey_pkcs8 == leaf.key_pkcs8_der()  # type: ignore[attr-defined]
    assert theirs.private_keys["rsa-key"].cert_chain[0][1] == leaf.der  # type: ignore[attr-defined]


def test_pyjks_reads_what_we_write_as_jceks(minted) -> None:
    import jks

    data = JCEKS.dump(_store(minted), PW, FAST)
    theirs = jks.KeyStore.loads(data, "changeit")
    assert theirs.store_type == "jceks"
    assert theirs.private_keys["ec-key"].pkey_pkcs8 == minted["ec"].key_pkcs8_der()  # type: ignore[attr-defined]


def test_we_read_pyjks_jks_output(minted) -> None:
    import jks

    leaf = minted["rsa"]
    entry = jks.PrivateKeyEntry.new("k", [leaf.der], leaf.key_pkcs8_der(), "pkcs8")  # type: ignore[attr-defined]
    data = jks.KeyStore.new("jks", [entry]).saves("changeit")
    ours = JKS.load(data, PW)
    assert ours["k"].private_key == leaf.key_pkcs8_der()  # type: ignore[attr-defined]


def test_jceks_key_protector_derivation_matches_pyjks() -> None:
    from jks import sun_crypto

    for salt in (bytes(range(8)), b"\x01\x02\x03\x04\x01\x02\x03\x04"):  # second: equal halves
        ours = protectors._jce_key_iv(b"changeit", salt, 17)
        assert ours == sun_crypto._jce_pbe_derive_key_and_iv("changeit", salt, 17)


@pytest.mark.parametrize(
    ("alias", "encoded"),
    [
        ("plain", b"plain"),
        ("a\x00b", b"a\xc0\x80b"),
        ("\u00e9t\u00e9", b"\xc3\xa9t\xc3\xa9"),
        ("\u20ac", b"\xe2\x82\xac"),
        ("x\U0001f600", b"x\xed\xa0\xbd\xed\xb8\x80"),  # a surrogate pair, 3 bytes each
    ],
)
def test_modified_utf8_both_ways(alias: str, encoded: bytes) -> None:
    assert js.encode_modified_utf8(alias) == encoded
    assert js.decode_modified_utf8(encoded) == alias


def test_modified_utf8_aliases_survive_a_store_round_trip(minted) -> None:
    aliases = ["nul\x00inside", "ключ", "emoji\U0001f511", "\u00e9"]
    cert = Certificate(minted["root"].der)  # type: ignore[attr-defined]
    store = Keystore(TrustedCertificateEntry(alias=a, certificate=cert) for a in aliases)
    back = JKS.load(JKS.dump(store, PW), PW)
    assert [e.alias for e in back] == [a.lower() for a in aliases]


def test_overlong_and_four_byte_utf8_are_format_errors() -> None:
    with pytest.raises(FormatError):
        js.decode_modified_utf8(b"\xf0\x9f\x98\x80")
    with pytest.raises(FormatError):
        js.decode_modified_utf8(b"\xe2\x82")


def test_aliases_are_written_lower_case(minted) -> None:
    back = JKS.load(JKS.dump(_store(minted), PW), PW)
    assert "root" in [e.alias for e in back]


@pytest.mark.skipif(not CACERTS.exists(), reason="no Debian cacerts")
def test_cacerts_rewrites_byte_for_byte() -> None:
    data = CACERTS.read_bytes()
    store = JKS.load(data, PW)
    assert JKS.dump(store, PW) == data


@pytest.mark.skipif(not CACERTS.exists(), reason="no Debian cacerts")
def test_cacerts_without_password_warns_and_lists_the_same() -> None:
    data = CACERTS.read_bytes()
    with_pw = JKS.load(data, PW)
    without = JKS.load(data, None)
    assert [e.alias for e in without] == [e.alias for e in with_pw]
    assert without.warnings == ["integrity of the JKS store not verified: no password given"]
    assert without.properties["jks.integrity_verified"] is False
    assert [getattr(w, "code", None) for w in without.warnings] == ["integrity-unchecked"]
    assert without.read_info is not None and without.read_info.integrity_checked is False
    assert with_pw.read_info is not None and with_pw.read_info.integrity_checked is True


@pytest.mark.skipif(not CACERTS.exists(), reason="no Debian cacerts")
def test_listing_cacerts_imports_neither_pyjks_nor_cryptography() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from keystore_tool.formats import get_format;"
        "from keystore_tool.password import Password;"
        f"get_format('jks').load(open({str(CACERTS)!r},'rb').read(), Password('changeit'));"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jks','cryptography','javaobj')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_wrong_password_is_a_password_error(minted) -> None:
    data = JKS.dump(_store(minted), PW)
    with pytest.raises(PasswordError, match="wrong password"):
        JKS.load(data, Password("nope"))


def test_dump_without_password_is_a_usage_error(minted) -> None:
    with pytest.raises(UsageError, match="password is needed") as refused:
        JKS.dump(_store(minted), None)
    assert message(refused.value) == "a password is needed to write a JKS store; give --storepass"
    assert "--" not in str(refused.value)


def test_a_jceks_store_read_as_jks_is_refused_naming_the_type_to_read_it_as(minted) -> None:
    data = JCEKS.dump(_store(minted), PW, FAST)
    with pytest.raises(FormatError) as refused:
        JKS.load(data, PW)
    assert message(refused.value) == "this is a JCEKS store, not JKS; read it as --storetype jceks"
    assert refused.value.details == {"storetype": "jceks"}


def test_key_under_its_own_password_is_kept_sealed_and_written_back_unchanged(minted) -> None:
    store = _store(minted)
    data = JKS.dump(store, PW, DumpOptions(entry_password=Password("keypass")))
    sealed = JKS.load(data, PW)
    entry = sealed["rsa-key"]
    assert isinstance(entry, PrivateKeyEntry)
    assert entry.private_key is None and entry.sealed is not None
    assert sealed.properties["jks.undecrypted_keys"] == 2
    again = JKS.dump(sealed, PW)
    assert again == data  # nothing re-encrypted, same timestamps, same order
    opened = JKS.load(again, PW, LoadOptions(entry_password=Password("keypass")))
    assert opened["rsa-key"].private_key == minted["rsa"].key_pkcs8_der()  # type: ignore[attr-defined]
    # JCEKS reads the JKS protector, so it may carry the sealed blob; the reverse is refused.
    assert JCEKS.can_hold(entry)
    jceks_data = JCEKS.dump(sealed, PW)
    assert (
        JCEKS.load(jceks_data, PW, LoadOptions(entry_password=Password("keypass")))[
            "rsa-key"
        ].private_key
        == minted["rsa"].key_pkcs8_der()
    )  # type: ignore[attr-defined]


def test_jceks_sealed_key_is_refused_by_jks(minted) -> None:
    data = JCEKS.dump(
        _store(minted), PW, DumpOptions(entry_password=Password("other"), iterations=10)
    )
    entry = JCEKS.load(data, PW)["ec-key"]
    assert isinstance(entry, PrivateKeyEntry) and entry.sealed is not None
    assert entry.sealed.format == "jceks"
    assert not JKS.can_hold(entry)
    store = Keystore([entry])
    with pytest.raises(UnsupportedError) as refused:
        JKS.dump(store, PW)
    assert message(refused.value) == (
        "the key of entry 'ec-key' is still encrypted for another format; "
        "give its password with --entry-pass to convert it"
    )


def test_new_secret_key_is_sealed_for_jceks_and_refused_elsewhere() -> None:
    entry = SecretKeyEntry(alias="S", algorithm="AES", key=bytes(range(16)))
    assert JCEKS.can_hold(entry)
    assert not JKS.can_hold(entry)
    back = JCEKS.load(JCEKS.dump(Keystore([entry]), PW, FAST), PW)["s"]
    assert isinstance(back, SecretKeyEntry)
    assert (back.algorithm, back.key) == ("AES", bytes(range(16)))
    assert back.sealed is not None and back.sealed.format == "jceks"
    nameless = SecretKeyEntry(alias="n", sealed=SealedBlob("pkcs12", b"x"))
    assert not JCEKS.can_hold(nameless)
    with pytest.raises(UnsupportedError, match="new secret key"):
        JCEKS.dump(Keystore([nameless]), PW)
    with pytest.raises(UnsupportedError):
        JKS.dump(Keystore([entry]), PW)


def test_pyjks_unseals_the_secret_keys_we_seal() -> None:
    import jks

    entry = SecretKeyEntry(alias="h", algorithm="HmacSHA256", key=b"k" * 32)
    theirs = jks.KeyStore.loads(JCEKS.dump(Keystore([entry]), PW, FAST), "changeit")
    assert theirs.secret_keys["h"].algorithm == "HmacSHA256"
    assert theirs.secret_keys["h"].key == b"k" * 32


def test_sealed_secret_key_is_written_back_unchanged() -> None:
    entry = SecretKeyEntry(alias="s", algorithm="AES", key=bytes(16))
    first = JCEKS.dump(Keystore([entry]), PW, FAST)
    assert JCEKS.dump(JCEKS.load(first, PW), PW, FAST) == first
    # Unreadable with another password, and still written back as it was.
    locked = JCEKS.load(first, PW, LoadOptions(entry_password=Password("other")))
    assert locked["s"].key is None  # type: ignore[attr-defined]
    assert JCEKS.dump(locked, PW) == first


def test_timestamps_are_read_and_written_back(minted) -> None:
    store = _store(minted)
    when = dt.datetime(2020, 5, 17, 12, 0, 0, 123000, tzinfo=dt.UTC)
    store["root"].created = when
    back = JKS.load(JKS.dump(store, PW), PW)
    assert back["root"].created == when
    assert back["root"].attributes[js.ATTR_TIMESTAMP] == 1589716800123
    assert back["rsa-key"].created is not None  # a new entry gets "now"


def test_jceks_iteration_count_default_is_keytools() -> None:
    root = issue("r", key_kind="ec")
    store = Keystore(
        [
            PrivateKeyEntry(
                alias="k", chain=[Certificate(root.der)], private_key=root.key_pkcs8_der()
            )
        ]
    )
    loaded = JCEKS.load(JCEKS.dump(store, PW), PW)
    assert loaded.properties["jceks.iterations"] == 200_000


# --- hostile input ---------------------------------------------------------------------------


def _small_store(minted, fmt) -> bytes:  # type: ignore[no-untyped-def]
    store = Keystore()
    leaf = minted["ec"]
    store.add(
        PrivateKeyEntry(alias="k", chain=[Certificate(leaf.der)], private_key=leaf.key_pkcs8_der())
    )
    store.add(TrustedCertificateEntry(alias="t", certificate=Certificate(minted["root"].der)))
    return fmt.dump(store, PW, DumpOptions(iterations=50))


@pytest.mark.parametrize("fmt", [JKS, JCEKS], ids=["jks", "jceks"])
def test_truncation_at_every_length_is_one_format_error(fmt, minted) -> None:
    data = _small_store(minted, fmt)
    for cut in range(len(data)):
        for password in (PW, None):
            with pytest.raises(FormatError):
                fmt.load(data[:cut], password)


@pytest.mark.parametrize("fmt", [JKS, JCEKS], ids=["jks", "jceks"])
def test_bit_flips_are_one_ks_error(fmt, minted) -> None:
    data = _small_store(minted, fmt)
    digest_start = len(data) - 20
    for pos in range(len(data)):
        flipped = bytearray(data)
        flipped[pos] ^= 0x10
        try:
            fmt.load(bytes(flipped), PW)
        except PasswordError:
            assert pos >= 12  # header flips are format errors
        except FormatError:
            assert pos < digest_start  # a damaged digest is a password/integrity error
        else:
            pytest.fail(f"a flip at {pos} was not detected")
    # Without a password the body flips that keep the structure load (unverified).
    for pos in range(len(data)):
        flipped = bytearray(data)
        flipped[pos] ^= 0x01
        with contextlib.suppress(FormatError):
            fmt.load(bytes(flipped), None)


def _header(count: int, magic: int = js.JKS_MAGIC) -> bytes:
    return struct.pack(">IIi", magic, 2, count)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_header(1_000_000), "claims 1000000 entries"),
        (_header(-1), "claims -1 entries"),
        (
            _header(1)
            + struct.pack(">iH", 2, 1)
            + b"a"
            + bytes(8)
            + struct.pack(">H", 5)
            + b"X.509"
            + struct.pack(">i", 0x7FFFFFF0)
            + bytes(40),
            "truncated",
        ),
        (
            _header(1) + struct.pack(">iH", 9, 1) + b"a" + bytes(8) + bytes(40),
            "unknown entry type 9",
        ),
        (
            _header(1) + struct.pack(">iH", 3, 1) + b"a" + bytes(8) + bytes(40),
            "unknown entry type 3",
        ),
        (
            _header(1)
            + struct.pack(">iH", 1, 1)
            + b"a"
            + bytes(8)
            + struct.pack(">i", -5)
            + bytes(40),
            "negative length",
        ),
        (struct.pack(">II", js.JKS_MAGIC, 7) + bytes(40), "version 7"),
    ],
    ids=["count", "negative-count", "length", "tag", "secret-in-jks", "negative-length", "version"],
)
def test_bogus_structure_is_a_one_line_format_error(body: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message) as info:
        JKS.load(body, None)
    assert "\n" not in str(info.value)


def _with_key_blob(blob: bytes, magic: int = js.JCEKS_MAGIC) -> bytes:
    raw = [js.RawEntry(js.TAG_PRIVATE_KEY, "k", 0, blob=blob, certs=[])]
    return js.serialize_store(magic, raw, PW)


def test_absurd_jceks_iteration_count_is_refused_before_deriving(no_key_derivation: None) -> None:
    params = _der.seq(_der.octet_string(bytes(8)), _der.encode_integer(6_000_000))
    alg = _der.seq(protectors._JCE_PROTECTOR_OID, params)
    blob = _der.seq(alg, _der.octet_string(bytes(64)))
    with pytest.raises(FormatError, match="6,000,000 iterations"):
        JCEKS.load(_with_key_blob(blob), PW)


def test_unknown_key_protector_is_a_format_error() -> None:
    alg = _der.seq(_der.tlv(_der.OID, b"\x2a\x03"), _der.DER_NULL)
    blob = _der.seq(alg, _der.octet_string(bytes(64)))
    with pytest.raises(FormatError, match="unknown protection"):
        JKS.load(_with_key_blob(blob, js.JKS_MAGIC), PW)


def test_jcesk_secret_key_with_cyclic_class_hierarchy_is_refused() -> None:
    # TC_OBJECT, TC_CLASSDESC "A" whose superclass is a reference to itself.
    stream = (
        b"\xac\xed\x00\x05\x73\x72\x00\x01A"
        + bytes(8)
        + b"\x02\x00\x00\x78"
        + b"\x71\x00\x7e\x00\x00"
    )
    raw = [js.RawEntry(js.TAG_SECRET_KEY, "s", 0, blob=stream)]
    with pytest.raises(FormatError, match="too deep"):
        JCEKS.load(js.serialize_store(js.JCEKS_MAGIC, raw, PW), PW)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from([js.JKS_MAGIC, js.JCEKS_MAGIC]))
def test_random_bodies_raise_only_ks_errors(body: bytes, magic: int) -> None:
    data = struct.pack(">II", magic, 2) + body
    for password in (PW, None):
        with contextlib.suppress(KsError):
            JCEKS.load(data, password)


# --- scale -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_fifty_thousand_entries_load_and_dump(minted) -> None:
    """Scale, not speed: `make bench` measures the time (tests assert no timings)."""
    der = minted["root"].der  # type: ignore[attr-defined]
    cert = Certificate(der)
    store = Keystore(
        TrustedCertificateEntry(alias=f"cert-{i:05d}", certificate=cert) for i in range(50_000)
    )
    back = JKS.load(JKS.dump(store, PW), PW)
    assert len(back) == 50_000
    assert back.sorted_entries()[-1].alias == "cert-49999"


def test_version_1_jks_is_readable(minted) -> None:
    der = minted["root"].der  # type: ignore[attr-defined]
    body = (
        struct.pack(">IIi", js.JKS_MAGIC, 1, 1)
        + struct.pack(">iH", js.TAG_TRUSTED_CERT, 4)
        + b"root"
        + struct.pack(">qi", 1_000, len(der))
        + der
    )
    digest = js.pre_keyed_digest(PW)
    digest.update(body)
    data = body + digest.digest()
    store = JKS.load(data, PW)
    assert store.properties["jks.version"] == 1
    assert store["root"].certificates()[0].der == der
    rewritten = JKS.load(JKS.dump(store, PW), PW)  # written as version 2
    assert rewritten.properties["jks.version"] == 2
    assert rewritten["root"].attributes[js.ATTR_TIMESTAMP] == 1_000


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_damaged_sealed_objects_raise_only_ks_errors(data: st.DataObject) -> None:
    sealed = js.seal_secret_key("AES", bytes(16), PW, 1)
    damaged = bytearray(sealed[: data.draw(st.integers(0, len(sealed)))])
    for _ in range(data.draw(st.integers(0, 3))):
        if damaged:
            pos = data.draw(st.integers(0, len(damaged) - 1))
            damaged[pos] = data.draw(st.integers(0, 255))
    raw = [js.RawEntry(js.TAG_SECRET_KEY, "s", 0, blob=bytes(damaged))]
    with contextlib.suppress(KsError):
        JCEKS.load(js.serialize_store(js.JCEKS_MAGIC, raw, PW), PW)


# --- trusted certificates written back as read --------------------------------------------------


def _keytool_layout_store(minted, count: int = 5) -> bytes:  # type: ignore[no-untyped-def]
    """Trusted certificates around a key entry, dated as keytool dates them."""
    store = Keystore()
    for i in range(count):
        cert = Certificate(issue(f"trusted {i}").der)
        store.add(TrustedCertificateEntry(alias=f"ca-{i}", certificate=cert))
        if i == 1:
            leaf = minted["ec"]
            store.add(
                PrivateKeyEntry(
                    alias="key", chain=[Certificate(leaf.der)], private_key=leaf.key_pkcs8_der()
                )
            )
    return JKS.dump(store, PW)


def test_unchanged_trusted_certificates_are_copied_not_encoded_again(minted, monkeypatch) -> None:
    data = _keytool_layout_store(minted)
    store = JKS.load(data, PW)
    added = Certificate(issue("added").der)
    store.add(TrustedCertificateEntry(alias="added", certificate=added))
    encoded: list[str] = []
    real_encode = js.encode_entry

    def counting(entry: js.RawEntry) -> bytes:
        encoded.append(entry.alias)
        return real_encode(entry)

    monkeypatch.setattr(mapping, "encode_entry", counting)
    out = JKS.dump(store, PW)
    # Only the key (re-protected) and the new certificate are encoded; the five trusted
    # entries are the file's own bytes, unchanged.
    assert encoded == ["key", "added"]
    back = JKS.load(out, PW)
    assert [e.alias for e in back] == ["ca-0", "ca-1", "key", "ca-2", "ca-3", "ca-4", "added"]
    for alias in ("ca-0", "ca-3"):
        assert back[alias].certificates() == store[alias].certificates()
        assert back[alias].created == store[alias].created


def test_a_truststore_read_and_written_unchanged_is_the_same_bytes(minted) -> None:
    data = _keytool_layout_store(minted)
    store = JKS.load(data, PW)
    store.remove("key")
    truststore = JKS.dump(store, PW)
    assert JKS.dump(JKS.load(truststore, PW), PW) == truststore


def _edit_rename(store: Keystore) -> None:
    store.rename("ca-3", "renamed")


def _edit_created(store: Keystore) -> None:
    store["ca-3"].created = dt.datetime(2001, 2, 3, tzinfo=dt.UTC)


def _edit_timestamp_in_place(store: Keystore) -> None:
    store["ca-3"].attributes[js.ATTR_TIMESTAMP] = 981_158_400_000  # 2001-02-03


def _edit_certificate(store: Keystore) -> None:
    entry = store["ca-3"]
    assert isinstance(entry, TrustedCertificateEntry)
    entry.certificate = Certificate(issue("replacement").der)


def _edit_by_copy(store: Keystore) -> None:
    import dataclasses

    copy = dataclasses.replace(store["ca-3"], alias="copied")
    store.remove("ca-3")
    store.add(copy)


@pytest.mark.parametrize(
    "edit",
    [_edit_rename, _edit_created, _edit_timestamp_in_place, _edit_certificate, _edit_by_copy],
    ids=["rename", "created", "timestamp-in-place", "certificate", "dataclasses-replace"],
)
def test_edits_to_a_stored_entry_are_written(minted, edit) -> None:  # type: ignore[no-untyped-def]
    store = JKS.load(_keytool_layout_store(minted), PW)
    edit(store)
    expected = {e.alias.lower(): (e.created, e.certificates()) for e in store}
    back = JKS.load(JKS.dump(store, PW), PW)
    assert {e.alias: (e.created, e.certificates()) for e in back} == expected


def _raw_trusted(alias: bytes, der: bytes) -> bytes:
    return (
        struct.pack(">iH", js.TAG_TRUSTED_CERT, len(alias))
        + alias
        + struct.pack(">qH", 1_000, 5)
        + b"X.509"
        + struct.pack(">i", len(der))
        + der
    )


def _sealed_body(*entries: bytes) -> bytes:
    body = struct.pack(">IIi", js.JKS_MAGIC, 2, len(entries)) + b"".join(entries)
    digest = js.pre_keyed_digest(PW)
    digest.update(body)
    return body + digest.digest()


def test_aliases_not_in_the_form_jks_writes_are_encoded_again(minted) -> None:
    # Written by some other tool: an upper-case alias (Java's JKS would never find it) and a
    # raw NUL (Java's readUTF accepts it; writeUTF writes C0 80).
    der = minted["root"].der  # type: ignore[attr-defined]
    data = _sealed_body(_raw_trusted(b"Upper", der), _raw_trusted(b"nul\x00", der))
    store = JKS.load(data, PW)
    assert [e.alias for e in store] == ["Upper", "nul\x00"]
    out = JKS.dump(store, PW)
    assert b"\x00\x05upper" in out and b"\x00\x05nul\xc0\x80" in out
    assert [e.alias for e in JKS.load(out, PW)] == ["upper", "nul\x00"]


def _keytool_types(jdk: Jdk, path: Path, storetype: str) -> dict[str, tuple[str, str]]:
    """alias -> (entry type, SHA-256 of the first certificate) as ``keytool -list`` prints."""
    listing = jdk.run_keytool(
        "-list", "-keystore", str(path), "-storetype", storetype, "-storepass", "changeit"
    ).stdout.splitlines()
    seen: dict[str, tuple[str, str]] = {}
    for i, line in enumerate(listing):
        if line.count(",") >= 3:
            following = listing[i + 1] if i + 1 < len(listing) else ""
            fingerprint = following.split(": ", 1)[1] if "(SHA-256)" in following else ""
            seen[line.split(",")[0]] = (line.split(",")[-2].strip(), fingerprint)
    return seen


def _with_magic(data: bytes, magic: int) -> bytes:
    """A store body under another magic number, its digest made again."""
    body = struct.pack(">I", magic) + data[4:-20]
    digest = js.pre_keyed_digest(PW)
    digest.update(body)
    return body + digest.digest()


@pytest.mark.parametrize("storetype", ["JKS", "JCEKS"])
def test_a_repeated_alias_is_read_as_java_reads_it_the_last_wins(
    minted, jdk17: Jdk, tmp_path: Path, storetype: str
) -> None:
    first, last = minted["root"].der, minted["rsa"].der  # type: ignore[attr-defined]
    data = _sealed_body(_raw_trusted(b"same", first), _raw_trusted(b"same", last))
    if storetype == "JCEKS":
        data = _with_magic(data, js.JCEKS_MAGIC)
    path = tmp_path / "dup.store"
    path.write_bytes(data)
    keytool = _keytool_types(jdk17, path, storetype)
    store = get_format(storetype.lower()).load(data, PW)
    assert [e.alias for e in store] == list(keytool) == ["same"]
    entry = store["same"]
    assert isinstance(entry, TrustedCertificateEntry)
    assert entry.certificate.der == last
    assert keytool["same"] == ("trustedCertEntry", entry.certificate.sha256_hex)
    assert any("more than once" in w for w in store.warnings)
    assert [getattr(w, "code", None) for w in store.warnings] == ["alias-collision"]


# JKS only: JCEKS reads a chain of 0 certificates as an empty array, and keytool 17 then fails
# listing the entry (ArrayIndexOutOfBoundsException), so there is no Java view to match.
@pytest.mark.parametrize("storetype", ["JKS"])
def test_a_key_entry_without_a_chain_is_a_secret_key_as_keytool_lists_it(
    minted, jdk17: Jdk, tmp_path: Path, storetype: str
) -> None:
    key = minted["rsa"].key_pkcs8_der()  # type: ignore[attr-defined]
    blob = js.jks_protect(key, PW)
    chainless = (
        struct.pack(">iH", js.TAG_PRIVATE_KEY, 4)
        + b"bare"
        + struct.pack(">qi", 1_000, len(blob))
        + blob
        + struct.pack(">i", 0)
    )
    data = _sealed_body(chainless, _raw_trusted(b"ca", minted["root"].der))  # type: ignore[attr-defined]
    path = tmp_path / "bare.store"
    path.write_bytes(data)
    fmt = get_format(storetype.lower())
    store = fmt.load(data, PW)
    assert _keytool_types(jdk17, path, storetype)["bare"][0] == "SecretKeyEntry"
    assert store["bare"].kind == "secret-key"
    # A rewrite keeps the entry as it was, and keytool still sees a SecretKeyEntry.
    rewritten = fmt.dump(store, PW)
    assert chainless in rewritten
    path.write_bytes(rewritten)
    assert _keytool_types(jdk17, path, storetype)["bare"][0] == "SecretKeyEntry"


def test_a_stored_entry_is_a_trusted_certificate_entry_like_any_other(minted) -> None:
    store = JKS.load(_keytool_layout_store(minted), PW)
    stored = store["ca-0"]
    assert isinstance(stored, TrustedCertificateEntry) and stored.kind == "trusted-cert"
    plain = TrustedCertificateEntry(alias="other", certificate=Certificate(stored.certificate.der))
    assert stored.same_content(plain) and plain.same_content(stored)
