"""ks passwd in process (ops.passwd): the store and its JKS/JCEKS keys under a new password,
password-less where the format allows it, the refusals and their context, --target."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from keystore_tool.compat import parse_targets
from keystore_tool.errors import NotFoundError, PasswordError, Remedy, UsageError
from keystore_tool.formats import LoadOptions
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from keystore_tool.ops.passwd import change_password
from keystore_tool.ops.update import StoreTarget
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes, load_store
from tests.certs import Issued, issue

OLD, NEW = Password("old-secret"), Password("new-secret")
EXTENSIONS = {"jks": "jks", "jceks": "jceks", "pkcs12": "p12", "pem": "pem"}


@pytest.fixture(scope="module")
def server() -> Issued:
    return issue("passwd.example", key_kind="ec")


def key_entry(issued: Issued) -> PrivateKeyEntry:
    return PrivateKeyEntry(
        alias="server",
        chain=[Certificate(issued.der)],
        private_key=issued.key_pkcs8_der(),
        created=datetime(2024, 1, 1, tzinfo=UTC),
    )


def trusted_entry(issued: Issued) -> TrustedCertificateEntry:
    return TrustedCertificateEntry(
        alias="ca", certificate=Certificate(issued.der), created=datetime(2024, 1, 1, tzinfo=UTC)
    )


def make(path: Path, storetype: str, password: Password | None, *entries: object) -> bytes:
    data = dump_bytes(Keystore(entries, storetype=storetype), storetype, password)  # type: ignore[arg-type]
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("storetype", sorted(EXTENSIONS))
def test_the_store_and_its_keys_follow_the_new_password(
    tmp_path: Path, server: Issued, storetype: str
) -> None:
    path = tmp_path / f"keys.{EXTENSIONS[storetype]}"
    make(path, storetype, OLD, key_entry(server))

    result = change_password(StoreTarget(str(path), OLD), NEW)

    assert result.changed and result.keys_rewrapped == ["server"]
    assert result.storetype == storetype
    entry = load_store(path, NEW)["server"]
    assert isinstance(entry, PrivateKeyEntry) and entry.private_key == server.key_pkcs8_der()
    with pytest.raises(PasswordError):
        load_store(path, OLD)
    assert result.as_json()["keys_rewrapped"] == ["server"]


@pytest.mark.parametrize("storetype", sorted(EXTENSIONS))
def test_a_store_already_under_the_password_is_left_alone(
    tmp_path: Path, server: Issued, storetype: str
) -> None:
    path = tmp_path / f"keys.{EXTENSIONS[storetype]}"
    before = make(path, storetype, NEW, key_entry(server))
    result = change_password(StoreTarget(str(path), NEW), NEW)
    assert not result.changed and result.keys_rewrapped == []
    assert path.read_bytes() == before


def test_a_jks_key_can_get_its_own_password(tmp_path: Path, server: Issued) -> None:
    path = tmp_path / "keys.jks"
    make(path, "jks", OLD, key_entry(server))
    key_password = Password("key-only")

    result = change_password(StoreTarget(str(path), OLD), NEW, new_entry=key_password)

    assert result.changed
    sealed = load_store(path, NEW)["server"]
    assert isinstance(sealed, PrivateKeyEntry) and sealed.private_key is None
    opened = load_store(path, NEW, options=LoadOptions(entry_password=key_password))["server"]
    assert isinstance(opened, PrivateKeyEntry) and opened.private_key is not None

    # Back under the store password: the key's own password opens it.
    change_password(StoreTarget(str(path), NEW, entry_password=key_password), NEW)
    back = load_store(path, NEW)["server"]
    assert isinstance(back, PrivateKeyEntry) and back.private_key is not None


def test_a_key_that_does_not_open_is_refused_naming_it(tmp_path: Path, server: Issued) -> None:
    path = tmp_path / "keys.jks"
    make(path, "jks", OLD, key_entry(server))
    change_password(StoreTarget(str(path), OLD), OLD, new_entry=Password("own"))
    before = path.read_bytes()
    with pytest.raises(PasswordError) as raised:
        change_password(StoreTarget(str(path), OLD), NEW)
    error = raised.value
    assert (error.alias, error.password, error.remedy) == ("server", "entry", Remedy.ENTRY_PASSWORD)
    assert "does not open with the current password" in error.message
    assert path.read_bytes() == before


@pytest.mark.parametrize("storetype", ["jks", "jceks"])
def test_a_java_store_needs_both_passwords(tmp_path: Path, server: Issued, storetype: str) -> None:
    path = tmp_path / f"keys.{storetype}"
    before = make(path, storetype, OLD, trusted_entry(server))
    with pytest.raises(UsageError) as without_old:
        change_password(StoreTarget(str(path), None), NEW)
    assert without_old.value.remedy is Remedy.WRITE_STORE_PASSWORD
    with pytest.raises(UsageError) as without_new:
        change_password(StoreTarget(str(path), OLD), None)
    assert without_new.value.remedy is Remedy.NEW_STORE_PASSWORD
    assert without_new.value.password == "new store"
    assert without_new.value.message == f"a {storetype.upper()} store must have a password"
    assert path.read_bytes() == before


def test_a_pkcs12_truststore_can_become_passwordless_and_back(
    tmp_path: Path, server: Issued
) -> None:
    path = tmp_path / "trust.p12"
    make(path, "pkcs12", OLD, trusted_entry(server))

    assert change_password(StoreTarget(str(path), OLD), None).changed
    read = load_store(path, None)
    assert read.read_info is not None and read.read_info.passwordless and len(read) == 1

    assert change_password(StoreTarget(str(path), None), NEW).changed
    again = load_store(path, NEW)
    assert again.read_info is not None and not again.read_info.passwordless


def test_a_wrong_current_password_changes_nothing(tmp_path: Path, server: Issued) -> None:
    path = tmp_path / "trust.p12"
    before = make(path, "pkcs12", OLD, trusted_entry(server))
    with pytest.raises(PasswordError):
        change_password(StoreTarget(str(path), Password("wrong")), NEW)
    assert path.read_bytes() == before


def test_a_missing_store_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        change_password(StoreTarget(str(tmp_path / "none.p12"), OLD), NEW)
    assert not (tmp_path / "none.p12").exists()


def test_targets_rewrite_a_store_under_the_same_password(tmp_path: Path, server: Issued) -> None:
    path = tmp_path / "trust.p12"
    make(path, "pkcs12", OLD, trusted_entry(server))
    targets = parse_targets(["jdk8u202"])

    result = change_password(StoreTarget(str(path), OLD, targets=tuple(targets)), OLD)

    assert result.changed
    info = load_store(path, OLD).read_info
    assert info is not None and info.profile == "legacy"
    assert not change_password(StoreTarget(str(path), OLD, targets=tuple(targets)), OLD).changed


def test_a_jceks_secret_key_keeps_its_old_password_and_says_so(tmp_path: Path) -> None:
    from keystore_tool.model import SecretKeyEntry

    path = tmp_path / "secrets.jceks"
    secret = SecretKeyEntry(
        alias="aes", algorithm="AES", key=bytes(16), created=datetime(2024, 1, 1, tzinfo=UTC)
    )
    make(path, "jceks", OLD, secret)
    sealed = load_store(path, OLD)["aes"]
    assert isinstance(sealed, SecretKeyEntry)
    if sealed.sealed is None:
        pytest.skip("this reader opens JCEKS secret keys: nothing is kept sealed")
    result = change_password(StoreTarget(str(path), OLD), NEW)
    assert result.changed
    assert result.warnings == [
        "secret key 'aes' keeps its old password (ks rewrites JCEKS secret keys only as they "
        "were read)"
    ]
