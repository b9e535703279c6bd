"""BKS (v1, v2), UBER and BCFKS readers on stores BouncyCastle writes at test time, judged by
BouncyCastle's own view of them; Twofish against the cipher's published vectors; hostile
variants of the real files."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path
from typing import Any

import pytest

from keystore_tool.errors import FormatError, KsError, PasswordError
from keystore_tool.formats import LoadOptions, _twofish, detect, get_format
from keystore_tool.model import Keystore, PrivateKeyEntry, SecretKeyEntry
from keystore_tool.password import Password
from tests.interop.bcstores import KS_TYPES, PASSWORD, STORES, BcStores, bc_stores

__all__ = ["bc_stores"]

PW = Password(PASSWORD)


@pytest.fixture(scope="module")
def bc_view(bc_stores: BcStores) -> dict[Path, dict[str, dict[str, Any]]]:
    return bc_stores.dump({bc_stores.path(name): kind for name, kind in STORES.items()})


def same_private_key(ours: bytes, theirs: bytes) -> bool:
    """The same key, whatever optional fields each encoder put in its PKCS#8 (BC adds the EC
    parameters and public key)."""
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    a, b = load_der_private_key(ours, None), load_der_private_key(theirs, None)
    return a.private_numbers() == b.private_numbers()  # type: ignore[union-attr]


def _load(bc_stores: BcStores, name: str, password: Password | None = PW) -> Keystore:
    data = bc_stores.path(name).read_bytes()
    return detect(data).load(data, password)


# Twofish paper (Schneier et al., 1998), appendix A.1: the all-zero plaintext under these keys.
TWOFISH_VECTORS = [
    ("00" * 16, "9F589F5CF6122C32B6BFEC2F2AE8C35A"),
    ("0123456789ABCDEFFEDCBA98765432100011223344556677", "CFD1D2E5A9BE9CDF501F13B892BD2248"),
    (
        "0123456789ABCDEFFEDCBA987654321000112233445566778899AABBCCDDEEFF",
        "37527BE0052334B89F0CFCCAE87CFA20",
    ),
    ("00" * 32, "57FF739D4DC92C1BD7FC01700CC8216F"),
]


@pytest.mark.parametrize(("key", "ciphertext"), TWOFISH_VECTORS)
def test_twofish_matches_the_published_known_answers(key: str, ciphertext: str) -> None:
    cipher = _twofish.Twofish(bytes.fromhex(key))
    assert cipher.encrypt_block(bytes(16)).hex().upper() == ciphertext
    assert cipher.decrypt_block(bytes.fromhex(ciphertext)) == bytes(16)


def test_twofish_cbc_chains_blocks_as_cbc() -> None:
    key, iv = bytes(range(32)), bytes(range(16, 32))
    cipher = _twofish.Twofish(key)
    plain = bytes(range(48))
    blocks, previous = [], iv
    for i in range(0, 48, 16):
        previous = cipher.encrypt_block(
            bytes(a ^ b for a, b in zip(plain[i : i + 16], previous, strict=True))
        )
        blocks.append(previous)
    assert _twofish.cbc_decrypt(key, iv, b"".join(blocks)) == plain


@pytest.mark.parametrize("name", list(STORES))
def test_each_bc_store_is_detected_by_its_content(bc_stores: BcStores, name: str) -> None:
    assert detect(bc_stores.path(name).read_bytes()).name == KS_TYPES[STORES[name]]


def test_uber_ciphertext_is_never_taken_for_a_bks_entry() -> None:
    """UBER's header is BKS v1's followed by ciphertext; sniffing once took one UBER file in
    about seventy for BKS (a random first byte 1-4 and a long random "alias")."""
    import random

    rng = random.Random(1234)
    header = struct.pack(">ii", 1, 20) + bytes(20) + struct.pack(">i", 1024)
    misread = [n for n in range(5000) if detect(header + rng.randbytes(4096)).name != "uber"]
    assert misread == []


@pytest.mark.parametrize("name", list(STORES))
def test_reading_a_bc_store_gives_what_bouncycastle_sees(
    bc_stores: BcStores, bc_view: dict[Path, dict[str, dict[str, Any]]], name: str
) -> None:
    keystore = _load(bc_stores, name)
    seen = bc_view[bc_stores.path(name)]
    assert {e.folded_alias for e in keystore} == set(seen)
    for entry in keystore:
        bc = seen[entry.folded_alias]
        assert entry.kind == bc["type"], entry.alias
        assert [c.sha256.hex().upper() for c in entry.certificates()] == bc["chain"]
        if isinstance(entry, PrivateKeyEntry):
            assert entry.private_key is not None
            assert same_private_key(entry.private_key, bytes.fromhex(bc["key"]))
        if isinstance(entry, SecretKeyEntry):
            assert entry.key is not None
            if bc["key"]:  # BC 1.72 cannot rebuild a BCFKS HMAC key, but stored it
                assert (entry.algorithm, entry.key.hex()) == (bc["algorithm"], bc["key"])
            else:
                assert entry.algorithm == "HmacSHA256"
    assert keystore.properties[f"{keystore.storetype}.integrity_verified"] is True
    assert keystore.read_info is not None
    assert (keystore.read_info.storetype, keystore.read_info.integrity_checked) == (
        keystore.storetype,
        True,
    )


@pytest.mark.parametrize("name", list(STORES))
def test_a_wrong_password_is_refused(bc_stores: BcStores, name: str) -> None:
    with pytest.raises(PasswordError):
        _load(bc_stores, name, Password("not-" + PASSWORD))


@pytest.mark.parametrize("name", ["store.bks", "store.bks-v1"])
def test_bks_without_password_lists_every_entry_with_keys_still_sealed(
    bc_stores: BcStores, bc_view: dict[Path, dict[str, dict[str, Any]]], name: str
) -> None:
    keystore = _load(bc_stores, name, None)
    seen = bc_view[bc_stores.path(name)]
    assert {e.folded_alias: e.kind for e in keystore} == {a: e["type"] for a, e in seen.items()}
    assert keystore.properties["bks.undecrypted_keys"] == 4
    assert any("not verified" in w for w in keystore.warnings)
    assert "integrity-unchecked" in [getattr(w, "code", None) for w in keystore.warnings]
    assert keystore.read_info is not None and keystore.read_info.integrity_checked is False


def test_bks_keys_under_another_password_are_opened_with_the_entry_password(
    bc_stores: BcStores,
) -> None:
    data = bc_stores.path("store.bks").read_bytes()
    keystore = get_format("bks").load(data, PW, LoadOptions(entry_password=Password("other")))
    # The store password is not tried again: the entry password is the keys' password.
    assert keystore.properties["bks.undecrypted_keys"] == 4


@pytest.mark.parametrize("name", ["store.uber", "store.bcfks"])
def test_stores_encrypted_whole_need_their_password(bc_stores: BcStores, name: str) -> None:
    with pytest.raises(PasswordError):
        _load(bc_stores, name, None)


def test_an_opaque_bks_key_is_listed_as_keytool_lists_it_and_kept_sealed(
    bc_stores: BcStores,
) -> None:
    data = bc_stores.path("opaque.bks").read_bytes()
    keystore = get_format("bks").load(data, PW)
    entry = keystore["opaque"]
    assert isinstance(entry, SecretKeyEntry) and entry.key is None
    assert entry.sealed is not None and entry.sealed.data == bytes([1, 2, 3, 4, 5])
    assert any("opaque" in w for w in keystore.warnings)
    assert "opaque-key" in [getattr(w, "code", None) for w in keystore.warnings]


# ---- hostile variants of the real files ------------------------------------------------------


@pytest.mark.parametrize("name", ["store.bks", "store.uber", "store.bcfks"])
def test_every_truncation_is_a_clean_refusal(bc_stores: BcStores, name: str) -> None:
    data = bc_stores.path(name).read_bytes()
    fmt = get_format(KS_TYPES[STORES[name]])
    for cut in range(0, len(data), max(1, len(data) // 60)):
        with pytest.raises(KsError):
            fmt.load(data[:cut], PW)


@pytest.mark.parametrize("name", ["store.bks", "store.bcfks"])
def test_bit_flips_are_refused_or_read_never_crash(bc_stores: BcStores, name: str) -> None:
    data = bc_stores.path(name).read_bytes()
    fmt = get_format(KS_TYPES[STORES[name]])
    refused = 0
    for pos in range(0, len(data), max(1, len(data) // 80)):
        flipped = bytearray(data)
        flipped[pos] ^= 0x10
        try:
            fmt.load(bytes(flipped), PW)
        except KsError:
            refused += 1
    # The MAC covers everything after BKS's header and everything of BCFKS's store data.
    assert refused >= (len(range(0, len(data), max(1, len(data) // 80))) - 3)


def _bks_with_header_iterations(data: bytes, iterations: int) -> bytes:
    (salt_length,) = struct.unpack_from(">i", data, 4)
    at = 8 + salt_length
    return data[:at] + struct.pack(">i", iterations) + data[at + 4 :]


@pytest.mark.parametrize("name", ["store.bks", "store.uber"])
def test_an_absurd_iteration_count_is_refused_before_any_work(
    bc_stores: BcStores, name: str, no_key_derivation: None
) -> None:
    data = _bks_with_header_iterations(bc_stores.path(name).read_bytes(), 0x7FFFFFFF)
    with pytest.raises(FormatError, match="iterations"):
        get_format(KS_TYPES[STORES[name]]).load(data, PW)


def test_a_bcfks_asking_for_absurd_pbkdf2_work_is_refused_before_any_work(
    bc_stores: BcStores, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = bc_stores.path("store.bcfks").read_bytes()
    # BC writes 51,200 (02 03 00 C8 00) iterations; 8,388,607 is above Java's bound.
    assert data.count(b"\x02\x03\x00\xc8\x00") >= 1
    hostile = data.replace(b"\x02\x03\x00\xc8\x00", b"\x02\x03\x7f\xff\xff")

    def forbidden(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a key derivation ran before the input was refused")

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", forbidden)
    with pytest.raises(FormatError, match="iterations"):
        get_format("bcfks").load(hostile, PW)


def test_a_bks_entry_claiming_a_huge_chain_is_refused(bc_stores: BcStores) -> None:
    data = bytearray(bc_stores.path("store.bks").read_bytes())
    (salt_length,) = struct.unpack_from(">i", data, 4)
    first = 12 + salt_length
    alias_length = int.from_bytes(data[first + 1 : first + 3], "big")
    chain_at = first + 3 + alias_length + 8
    data[chain_at : chain_at + 4] = struct.pack(">i", 0x7FFFFFF0)
    with pytest.raises(FormatError, match="claims"):
        get_format("bks").load(bytes(data), None)


@pytest.mark.parametrize("name", ["store.bks", "store.uber", "store.bcfks"])
def test_the_key_derivation_budget_bounds_bc_stores_too(bc_stores: BcStores, name: str) -> None:
    data = bc_stores.path(name).read_bytes()
    with pytest.raises(FormatError, match="budget"):
        get_format(KS_TYPES[STORES[name]]).load(data, PW, LoadOptions(max_kdf_work=1_000))
