"""The model: aliases compare case-insensitively, conflicts are refused, look-ups are indexed."""

from __future__ import annotations

import pytest

from keystore_tool import (
    Certificate,
    ConflictError,
    Keystore,
    NotFoundError,
    Password,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.errors import FormatError, UsageError
from keystore_tool.formats import detect, format_for_new_file, get_format


def trusted(alias: str, der: bytes = b"0\x03\x02\x01\x01") -> TrustedCertificateEntry:
    return TrustedCertificateEntry(alias=alias, certificate=Certificate(der))


def test_aliases_compare_case_insensitively_and_keep_their_case() -> None:
    store = Keystore([trusted("APM-Server")])
    assert "apm-server" in store
    assert store["APM-SERVER"].alias == "APM-Server"
    with pytest.raises(ConflictError):
        store.add(trusted("apm-SERVER"))


def test_replace_rename_and_remove_keep_the_fingerprint_index_current() -> None:
    cert_a, cert_b = Certificate(b"\x30\x01a"), Certificate(b"\x30\x01b")
    store = Keystore([TrustedCertificateEntry(alias="a", certificate=cert_a)])
    assert store.aliases_holding(cert_a) == ["a"]
    store.rename("a", "Renamed")
    assert store.aliases_holding(cert_a) == ["renamed"]
    store.add(TrustedCertificateEntry(alias="renamed", certificate=cert_b), replace=True)
    assert store.aliases_holding(cert_a) == []
    assert store.aliases_holding(cert_b) == ["renamed"]
    store.remove("RENAMED")
    assert len(store) == 0 and store.aliases_holding(cert_b) == []


def test_missing_alias_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="no entry with alias 'x'"):
        Keystore()["x"]


def test_sorted_entries_are_in_keytool_order() -> None:
    store = Keystore([trusted("b"), trusted("A"), trusted("c")])
    assert [e.alias for e in store.sorted_entries()] == ["A", "b", "c"]


def test_entries_need_key_material() -> None:
    with pytest.raises(ValueError):
        PrivateKeyEntry(alias="k", chain=[])
    with pytest.raises(ValueError):
        SecretKeyEntry(alias="s")


def test_password_never_shows_itself() -> None:
    secret = Password("s3cret-sentinel")
    assert (
        "s3cret" not in repr(secret) and "s3cret" not in str(secret) and "s3cret" not in f"{secret}"
    )
    assert secret.reveal() == "s3cret-sentinel"
    assert Password("") != Password(" ")


@pytest.mark.parametrize(
    ("prefix", "name"),
    [
        (b"0\x82\x01\x00\x02\x01\x03", "pkcs12"),
        (b"0\x81\x90\x02\x01\x03", "pkcs12"),
        (b"\xfe\xed\xfe\xed\x00\x00\x00\x02", "jks"),
        (b"\xce\xce\xce\xce\x00\x00\x00\x02", "jceks"),
        (b"Bag Attributes\n    friendlyName: x\n-----BEGIN CERTIFICATE-----\n", "pem"),
    ],
)
def test_detection_looks_at_content(prefix: bytes, name: str) -> None:
    assert detect(prefix + b"\x00" * 16).name == name


@pytest.mark.parametrize("data", [b"", b"hello world", b"0\x82\x01\x00\x30\x82", b"\x00" * 64])
def test_detection_refuses_what_is_no_keystore(data: bytes) -> None:
    with pytest.raises(FormatError):
        detect(data)


@pytest.mark.parametrize(
    ("path", "storetype", "name"),
    [
        ("t.p12", None, "pkcs12"),
        ("t.PFX", None, "pkcs12"),
        ("t.jks", None, "jks"),
        ("t.jceks", None, "jceks"),
        ("t.pem", None, "pem"),
        ("t.crt", None, "pem"),
        ("truststore", None, "pkcs12"),
        ("t.jks", "PKCS12", "pkcs12"),
    ],
)
def test_new_file_type_comes_from_storetype_then_extension(
    path: str, storetype: str | None, name: str
) -> None:
    assert format_for_new_file(path, storetype).name == name


def test_unknown_storetype_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        get_format("bks2")


def test_a_store_warning_is_text_with_a_code() -> None:
    from keystore_tool.model import StoreWarning

    warning = StoreWarning("aliases used twice: a, A", "alias-collision")
    assert warning == "aliases used twice: a, A" and warning.code == "alias-collision"
    assert f"x: {warning}" == "x: aliases used twice: a, A"
    assert StoreWarning("plain").code == "note"
