"""ks convert in process (ops.convert): every entry into a new store of another type, the
entries a type cannot hold (refused with their remedy, or skipped), keys under their own
passwords, and the checks made before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from keystore_tool.compat import parse_targets
from keystore_tool.errors import (
    ConflictError,
    NotFoundError,
    PasswordError,
    Remedy,
    UnsupportedError,
    UsageError,
)
from keystore_tool.formats import LoadOptions, get_format
from keystore_tool.model import (
    Certificate,
    Keystore,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.ops.convert import convert_store, plan_conversion, unlock_keys
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes, load_store
from tests.certs import Issued, issue

PASSWORD = Password("changeit")
WHEN = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca() -> Issued:
    return issue("Convert CA", ca=True)


@pytest.fixture(scope="module")
def server(ca: Issued) -> Issued:
    return issue("convert.example", issuer=ca, key_kind="ec")


def trusted(ca: Issued) -> TrustedCertificateEntry:
    return TrustedCertificateEntry(alias="ca", certificate=Certificate(ca.der), created=WHEN)


def key(server: Issued, ca: Issued, alias: str = "server") -> PrivateKeyEntry:
    return PrivateKeyEntry(
        alias=alias,
        chain=[Certificate(server.der), Certificate(ca.der)],
        private_key=server.key_pkcs8_der(),
        created=WHEN,
    )


def secret() -> SecretKeyEntry:
    return SecretKeyEntry(alias="aes", algorithm="AES", key=bytes(16), created=WHEN)


@pytest.mark.parametrize(
    ("source", "target"), [("jks", "pkcs12"), ("pkcs12", "jks"), ("jks", "pem")]
)
def test_every_entry_is_copied(
    tmp_path: Path, ca: Issued, server: Issued, source: str, target: str
) -> None:
    model = Keystore([trusted(ca), key(server, ca)], storetype=source)
    src = tmp_path / f"in.{source}"
    src.write_bytes(dump_bytes(model, source, PASSWORD))
    out = tmp_path / f"out.{target}"

    result = convert_store(load_store(src, PASSWORD), str(src), out, get_format(target), PASSWORD)

    assert result.copied == ["ca", "server"] and result.skipped == []
    converted = load_store(out, PASSWORD)
    assert converted.storetype == target
    entry = converted["server"]
    assert isinstance(entry, PrivateKeyEntry) and entry.private_key == server.key_pkcs8_der()
    assert result.as_json() == {
        "keystore": str(src),
        "out": str(out),
        "storetype": target,
        "copied": ["ca", "server"],
        "skipped": [],
    }


def test_an_entry_the_target_cannot_hold_is_refused_or_skipped(ca: Issued) -> None:
    source = Keystore([trusted(ca), secret()], storetype="jceks")
    with pytest.raises(UnsupportedError) as raised:
        plan_conversion(source, get_format("jks"), skip_unsupported=False)
    error = raised.value
    assert error.message == "jks cannot hold entry 'aes' (secret-key)"
    assert (error.remedy, error.alias) == (Remedy.PKCS12_OR_SKIP, "aes")

    converted, skipped = plan_conversion(source, get_format("jks"), skip_unsupported=True)
    assert skipped == ["aes"] and [e.alias for e in converted] == ["ca"]


def test_a_chain_that_does_not_chain_by_name_is_refused_for_pkcs12(
    ca: Issued, server: Issued
) -> None:
    stranger = issue("Stranger", ca=True)
    broken = PrivateKeyEntry(
        alias="k",
        chain=[Certificate(server.der), Certificate(stranger.der)],
        private_key=server.key_pkcs8_der(),
        created=WHEN,
    )
    source = Keystore([broken], storetype="jks")
    with pytest.raises(UnsupportedError, match="does not chain by name"):
        plan_conversion(source, get_format("pkcs12"), skip_unsupported=False)
    _, skipped = plan_conversion(source, get_format("pkcs12"), skip_unsupported=True)
    assert skipped == ["k"]


def test_checks_before_writing(tmp_path: Path, ca: Issued, server: Issued) -> None:
    src = tmp_path / "in.jks"
    src.write_bytes(dump_bytes(Keystore([key(server, ca)], storetype="jks"), "jks", PASSWORD))
    source = load_store(src, PASSWORD)
    with pytest.raises(UsageError) as same:
        convert_store(source, str(src), src, get_format("pkcs12"), PASSWORD)
    assert same.value.parameter == "out"

    taken = tmp_path / "taken.p12"
    taken.write_bytes(b"x")
    with pytest.raises(ConflictError) as exists:
        convert_store(source, str(src), taken, get_format("pkcs12"), PASSWORD)
    assert exists.value.remedy is Remedy.REPLACE and taken.read_bytes() == b"x"

    for storetype in ("jks", "pkcs12"):
        with pytest.raises(UsageError) as no_password:
            convert_store(
                source, str(src), tmp_path / f"o.{storetype}", get_format(storetype), None
            )
        assert no_password.value.remedy is Remedy.WRITE_STORE_PASSWORD
    assert not (tmp_path / "o.jks").exists() and not (tmp_path / "o.p12").exists()


def test_replace_overwrites_and_targets_pick_the_protection(tmp_path: Path, ca: Issued) -> None:
    src = tmp_path / "in.jks"
    src.write_bytes(dump_bytes(Keystore([trusted(ca)], storetype="jks"), "jks", PASSWORD))
    out = tmp_path / "out.p12"
    out.write_bytes(b"old")
    convert_store(
        load_store(src, PASSWORD),
        str(src),
        out,
        get_format("pkcs12"),
        PASSWORD,
        replace=True,
        targets=parse_targets(["jdk8u202"]),
    )
    info = load_store(out, PASSWORD).read_info
    assert info is not None and info.profile == "legacy"


def test_a_truststore_may_be_converted_without_password(tmp_path: Path, ca: Issued) -> None:
    src = tmp_path / "in.jks"
    src.write_bytes(dump_bytes(Keystore([trusted(ca)], storetype="jks"), "jks", PASSWORD))
    out = tmp_path / "out.p12"
    convert_store(load_store(src, PASSWORD), str(src), out, get_format("pkcs12"), None)
    info = load_store(out, None).read_info
    assert info is not None and info.passwordless


# --------------------------------------------------------------------------- unlock_keys


def own_password_store(tmp_path: Path, server: Issued, ca: Issued) -> tuple[Path, Password]:
    from keystore_tool.formats import DumpOptions

    own = Password("key-own")
    model = Keystore([key(server, ca, "a"), key(server, ca, "b")], storetype="jks")
    path = tmp_path / "own.jks"
    path.write_bytes(dump_bytes(model, "jks", PASSWORD, DumpOptions(entry_password=own)))
    return path, own


def test_keys_under_their_own_password_are_opened_by_the_passwords_given(
    tmp_path: Path, ca: Issued, server: Issued
) -> None:
    path, own = own_password_store(tmp_path, server, ca)
    source = load_store(path, PASSWORD)
    assert all(isinstance(e, PrivateKeyEntry) and e.private_key is None for e in source)

    unlock_keys(str(path), source, PASSWORD, [Password("wrong"), own], {})

    assert all(isinstance(e, PrivateKeyEntry) and e.private_key is not None for e in source)


def test_a_per_alias_password_opens_its_key_alone(
    tmp_path: Path, ca: Issued, server: Issued
) -> None:
    path, own = own_password_store(tmp_path, server, ca)
    source = load_store(path, PASSWORD)
    unlock_keys(str(path), source, PASSWORD, [], {"a": own})
    a, b = source["a"], source["b"]
    assert isinstance(a, PrivateKeyEntry) and a.private_key is not None
    assert isinstance(b, PrivateKeyEntry) and b.private_key is None


def test_a_per_alias_password_that_does_not_open_names_the_alias(
    tmp_path: Path, ca: Issued, server: Issued
) -> None:
    path, _ = own_password_store(tmp_path, server, ca)
    source = load_store(path, PASSWORD)
    with pytest.raises(PasswordError) as raised:
        unlock_keys(str(path), source, PASSWORD, [], {"a": Password("wrong")})
    assert (raised.value.alias, raised.value.password) == ("a", "entry")
    with pytest.raises(NotFoundError) as missing:
        unlock_keys(str(path), source, PASSWORD, [], {"zzz": Password("x")})
    assert missing.value.alias == "zzz"


def test_nothing_to_unlock_reads_nothing(tmp_path: Path, ca: Issued) -> None:
    source = Keystore([trusted(ca)], storetype="jks")
    # The path does not exist: unlock_keys must not read it when no key is locked.
    unlock_keys(str(tmp_path / "absent.jks"), source, PASSWORD, [Password("x")], {})
    assert LoadOptions().entry_password is None


def test_a_locked_key_asks_for_its_password(tmp_path: Path, ca: Issued, server: Issued) -> None:
    path, _ = own_password_store(tmp_path, server, ca)
    source = load_store(path, PASSWORD)
    with pytest.raises(UnsupportedError) as raised:
        plan_conversion(source, get_format("pkcs12"), skip_unsupported=False)
    error = raised.value
    assert (
        error.message == "pkcs12 cannot hold entry 'a' (private-key, protected by its own password)"
    )
    assert error.remedy is Remedy.ENTRY_PASSWORD_OR_SKIP
