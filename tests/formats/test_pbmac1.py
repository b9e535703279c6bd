"""PBMAC1 (RFC 9579): the RFC's own example files are read and verified, its invalid ones and
wrong passwords fail, hostile parameters are refused before any key derivation, and what ks
writes with PBMAC1 is loaded by cryptography's OpenSSL (>= 3.4 reads PBMAC1)."""

from __future__ import annotations

import base64
import warnings
from pathlib import Path

import pytest

from keystore_tool.errors import FormatError, PasswordError
from keystore_tool.formats import DumpOptions, LoadOptions, _der, _pbe, _pbmac1, pkcs12
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry
from keystore_tool.password import Password
from tests.certs import issue

VECTORS = Path(__file__).resolve().parents[2] / "fixtures" / "rfc9579"
RFC_PASSWORD = Password("1234")


def vector(name: str) -> bytes:
    return base64.b64decode((VECTORS / f"{name}.b64").read_text())


@pytest.mark.parametrize(("name", "hmac"), [("A1", "sha256"), ("A2", "sha256"), ("A3", "sha512")])
def test_rfc_9579_valid_examples_verify(name: str, hmac: str) -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_pkcs12

    keystore = pkcs12.load(vector(name), RFC_PASSWORD, LoadOptions())
    assert keystore.properties["pkcs12.mac"]["digest"] == "pbmac1"
    assert keystore.properties["pkcs12.mac"]["hmac"] == hmac
    (entry,) = keystore.entries
    assert isinstance(entry, PrivateKeyEntry)
    # cryptography's OpenSSL reads the same file: the same key certificate. (The RFC's files
    # encode MacData's DEFAULT iteration count, which cryptography warns about.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _, cert, _ = crypto_pkcs12.load_key_and_certificates(vector(name), b"1234")
    assert cert is not None and entry.chain == [Certificate.from_x509(cert)]


@pytest.mark.parametrize("name", ["A1", "A2", "A3"])
def test_a_wrong_password_fails_the_pbmac1_check(name: str) -> None:
    with pytest.raises(PasswordError, match="integrity check failed"):
        pkcs12.load(vector(name), Password("12345"), LoadOptions())


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("A4", PasswordError, "integrity check failed"),  # incorrect iteration count
        ("A5", PasswordError, "integrity check failed"),  # incorrect salt
        ("A6", FormatError, "key length"),  # missing keyLength
    ],
)
def test_rfc_9579_invalid_examples_are_refused(
    name: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        pkcs12.load(vector(name), RFC_PASSWORD, LoadOptions())


def _with_pbmac1_params(key_length: int, iterations: int) -> bytes:
    """A1 with its PBMAC1 key length and iteration count replaced."""
    data = vector("A1")
    params = _pbmac1.Pbmac1(b"salt-salt", iterations, key_length, "sha256", "sha256")
    top = _der.read(data, 0, len(data))
    version, auth_safe, _ = _der.children(data, top.start, top.end)
    mac_data = _der.seq(
        _der.seq(_pbmac1.pbmac1_algorithm(params), _der.octet_string(bytes(32))),
        _der.octet_string(b"NOT USED"),
    )
    return _der.seq(_der.raw(data, version), _der.raw(data, auth_safe), mac_data)


@pytest.mark.parametrize(
    ("key_length", "iterations", "message"),
    [
        (8, 2048, "8-byte key"),
        (19, 2048, "19-byte key"),
        (4096, 2048, "4096-byte key"),
        (32, 1_000_000_000, "above the limit"),
    ],
)
def test_hostile_pbmac1_parameters_are_refused_before_any_work(
    key_length: int, iterations: int, message: str, no_key_derivation: None
) -> None:
    with pytest.raises(FormatError, match=message):
        pkcs12.load(_with_pbmac1_params(key_length, iterations), RFC_PASSWORD, LoadOptions())


def _store() -> Keystore:
    root = issue("PBMAC1 Root", ca=True)
    leaf = issue("pbmac1-leaf", issuer=root, key_kind="ec")
    return Keystore(
        [
            PrivateKeyEntry(
                alias="server",
                chain=[Certificate(leaf.der), Certificate(root.der)],
                private_key=leaf.key_pkcs8_der(),
            )
        ]
    )


@pytest.mark.parametrize("password", ["changeit", "pässwörd"])
def test_what_ks_writes_with_pbmac1_is_verified_by_cryptography(password: str) -> None:
    import cryptography
    from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_pkcs12

    assert int(cryptography.__version__.split(".")[0]) >= 46  # bundles OpenSSL >= 3.4
    data = pkcs12.dump(_store(), Password(password), DumpOptions(mac_scheme="pbmac1"))
    assert _der.encode_oid(_pbmac1.PBMAC1) in data
    key, cert, extra = crypto_pkcs12.load_key_and_certificates(data, password.encode())
    assert key is not None and cert is not None and len(extra) == 1
    with pytest.raises(ValueError):
        crypto_pkcs12.load_key_and_certificates(data, b"wrong")
    # A MAC over changed content fails in OpenSSL too: flip one byte of the MAC value.
    mac_at = data.rindex(_der.encode_oid(_pbe.PRF_OIDS["sha256"]) + _der.DER_NULL) + 12
    damaged = data[:mac_at] + bytes([data[mac_at] ^ 1]) + data[mac_at + 1 :]
    with pytest.raises(ValueError):
        crypto_pkcs12.load_key_and_certificates(damaged, password.encode())
    assert (
        pkcs12.load(data, Password(password), LoadOptions()).properties["pkcs12.mac"]["digest"]
        == "pbmac1"
    )


def test_the_legacy_profile_refuses_pbmac1() -> None:
    from keystore_tool.errors import UsageError

    with pytest.raises(UsageError, match="PBMAC1"):
        pkcs12.dump(_store(), Password("x"), DumpOptions(profile="legacy", mac_scheme="pbmac1"))
