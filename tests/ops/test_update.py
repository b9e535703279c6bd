"""The one read-modify-write (ops.update): create vs update, the write-password rule, the
candidate passwords of a password change, --target rewrites, bytes left alone on a no-op."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from keystore_tool.compat import parse_targets
from keystore_tool.errors import NotFoundError, PasswordError, Remedy, UsageError
from keystore_tool.formats import DumpOptions, get_format
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from keystore_tool.ops.update import (
    StoreChange,
    StoreTarget,
    kept_options,
    load_with_any,
    update_store,
    write_password,
)
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes, load_store
from tests.certs import Issued, issue

PASSWORD = Password("changeit")
EXTENSIONS = {"jks": "jks", "jceks": "jceks", "pkcs12": "p12", "pem": "pem"}
WHEN = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca() -> Issued:
    return issue("Update Test CA", ca=True)


@pytest.fixture(scope="module")
def other_ca() -> Issued:
    return issue("Another Test CA", ca=True)


def trusted(alias: str, issued: Issued) -> TrustedCertificateEntry:
    return TrustedCertificateEntry(alias=alias, certificate=Certificate(issued.der), created=WHEN)


def write_store(
    path: Path,
    storetype: str,
    password: Password | None,
    *entries: TrustedCertificateEntry | PrivateKeyEntry,
    options: DumpOptions | None = None,
) -> bytes:
    data = dump_bytes(Keystore(entries, storetype=storetype), storetype, password, options)
    path.write_bytes(data)
    return data


def add(alias: str, issued: Issued, seen: list[StoreChange] | None = None):  # type: ignore[no-untyped-def]
    """A change that adds one trusted entry unless the alias is taken."""

    def change(store: StoreChange) -> tuple[str, bool]:
        if seen is not None:
            seen.append(store)
        if alias in store.keystore:
            return "kept", False
        store.keystore.add(trusted(alias, issued))
        return "added", True

    return change


def unchanged(store: StoreChange) -> tuple[None, bool]:
    return None, False


@pytest.mark.parametrize("storetype", sorted(EXTENSIONS))
def test_a_missing_store_is_created_as_its_extension_says(
    tmp_path: Path, ca: Issued, storetype: str
) -> None:
    path = tmp_path / f"new.{EXTENSIONS[storetype]}"
    seen: list[StoreChange] = []

    result, outcome = update_store(
        StoreTarget(str(path), PASSWORD), add("root", ca, seen), create=True
    )

    assert (result, outcome.storetype, outcome.created, outcome.written) == (
        "added",
        storetype,
        True,
        True,
    )
    assert seen[0].created and seen[0].read_password == PASSWORD
    assert not seen[0].password_changes
    assert [e.alias for e in load_store(path, PASSWORD)] == ["root"]


def test_a_missing_store_without_create_is_not_found_and_not_made(tmp_path: Path) -> None:
    path = tmp_path / "absent.p12"
    with pytest.raises(NotFoundError) as raised:
        update_store(StoreTarget(str(path), PASSWORD), unchanged)
    assert raised.value.store == str(path)
    assert not path.exists()


@pytest.mark.parametrize("storetype", sorted(EXTENSIONS))
def test_an_existing_store_is_updated_and_keeps_its_entries(
    tmp_path: Path, ca: Issued, other_ca: Issued, storetype: str
) -> None:
    path = tmp_path / f"store.{EXTENSIONS[storetype]}"
    write_store(path, storetype, PASSWORD, trusted("first", ca))
    seen: list[StoreChange] = []

    result, outcome = update_store(
        StoreTarget(str(path), PASSWORD), add("second", other_ca, seen), create=True
    )

    assert (result, outcome.created, outcome.written) == ("added", False, True)
    assert not seen[0].created and seen[0].read_password == PASSWORD
    assert seen[0].format.name == storetype
    assert sorted(e.alias for e in load_store(path, PASSWORD)) == ["first", "second"]


@pytest.mark.parametrize("storetype", sorted(EXTENSIONS))
def test_a_change_that_changes_nothing_leaves_bytes_and_mtime(
    tmp_path: Path, ca: Issued, storetype: str
) -> None:
    path = tmp_path / f"store.{EXTENSIONS[storetype]}"
    before = write_store(path, storetype, PASSWORD, trusted("root", ca))
    os.utime(path, (1_000_000, 1_000_000))

    result, outcome = update_store(StoreTarget(str(path), PASSWORD), add("root", ca))

    assert (result, outcome.written) == ("kept", False)
    assert path.read_bytes() == before
    assert path.stat().st_mtime == 1_000_000


def test_the_change_raising_leaves_the_store_alone(tmp_path: Path, ca: Issued) -> None:
    path = tmp_path / "store.jks"
    before = write_store(path, "jks", PASSWORD, trusted("root", ca))

    def failing(store: StoreChange) -> tuple[None, bool]:
        store.keystore.remove("root")
        raise UsageError("no")

    with pytest.raises(UsageError):
        update_store(StoreTarget(str(path), PASSWORD), failing)
    assert path.read_bytes() == before


@pytest.mark.parametrize("storetype", ["jks", "pkcs12"])
def test_writing_a_store_without_its_password_is_refused_with_the_remedy(
    tmp_path: Path, ca: Issued, storetype: str
) -> None:
    path = tmp_path / f"new.{EXTENSIONS[storetype]}"
    with pytest.raises(UsageError) as raised:
        update_store(StoreTarget(str(path), None), add("root", ca), create=True)
    error = raised.value
    assert error.message == f"writing {path.name} needs its password"
    assert (error.remedy, error.password, error.store) == (
        Remedy.WRITE_STORE_PASSWORD,
        "store",
        str(path),
    )
    assert not path.exists()


def test_a_pem_file_without_keys_is_written_without_a_password(tmp_path: Path, ca: Issued) -> None:
    path = tmp_path / "trust.pem"
    _, outcome = update_store(StoreTarget(str(path), None), add("root", ca), create=True)
    assert outcome.written
    assert b"-----BEGIN CERTIFICATE-----" in path.read_bytes()


def test_a_passwordless_target_makes_a_truststore_without_password(
    tmp_path: Path, ca: Issued, other_ca: Issued
) -> None:
    path = tmp_path / "cacerts.p12"
    update_store(StoreTarget(str(path), None, passwordless=True), add("root", ca), create=True)
    made = load_store(path, None)
    assert made.read_info is not None and made.read_info.passwordless

    # Read password-less, it may stay so without asking again.
    _, outcome = update_store(StoreTarget(str(path), None), add("second", other_ca))
    assert outcome.written
    again = load_store(path, None)
    assert again.read_info is not None and again.read_info.passwordless
    assert sorted(e.alias for e in again) == ["root", "second"]


def test_a_password_change_opens_with_any_candidate_and_writes_with_the_new(
    tmp_path: Path, ca: Issued
) -> None:
    path = tmp_path / "store.p12"
    old, new = Password("old-secret"), Password("new-secret")
    write_store(path, "pkcs12", old, trusted("root", ca))
    seen: list[StoreChange] = []

    def change(store: StoreChange) -> tuple[None, bool]:
        seen.append(store)
        return None, store.password_changes

    target = StoreTarget(str(path), new, current_passwords=(new, old))
    _, outcome = update_store(target, change)

    assert outcome.written and seen[0].read_password == old and seen[0].password_changes
    assert [e.alias for e in load_store(path, new)] == ["root"]
    with pytest.raises(PasswordError):
        load_store(path, old)


def test_no_candidate_password_opening_the_store_is_a_password_error(
    tmp_path: Path, ca: Issued
) -> None:
    path = tmp_path / "store.p12"
    before = write_store(path, "pkcs12", PASSWORD, trusted("root", ca))
    target = StoreTarget(str(path), PASSWORD, current_passwords=(Password("a"), Password("b")))
    with pytest.raises(PasswordError):
        update_store(target, unchanged)
    assert path.read_bytes() == before


def test_a_jks_opened_without_password_tries_the_next_candidate(tmp_path: Path, ca: Issued) -> None:
    path = tmp_path / "store.jks"
    data = write_store(path, "jks", PASSWORD, trusted("root", ca))
    fmt = get_format("jks")
    keystore, opened = load_with_any(fmt, data, [None, PASSWORD], None)
    assert opened == PASSWORD and len(keystore) == 1
    # Alone, no password reads it (unverified), as keytool does.
    _, opened_alone = load_with_any(fmt, data, [None], None)
    assert opened_alone is None


def test_a_legacy_store_stays_legacy_after_an_update(
    tmp_path: Path, ca: Issued, other_ca: Issued
) -> None:
    path = tmp_path / "java8.p12"
    write_store(
        path, "pkcs12", PASSWORD, trusted("root", ca), options=DumpOptions(profile="legacy")
    )
    read = load_store(path, PASSWORD)
    assert read.read_info is not None and read.read_info.profile == "legacy"
    assert kept_options(read).profile == "legacy"

    update_store(StoreTarget(str(path), PASSWORD), add("second", other_ca))

    after = load_store(path, PASSWORD).read_info
    assert after is not None and after.profile == "legacy" and after.cert_pbe == "pbe-rc2-40"


def test_targets_rewrite_a_store_they_cannot_read_even_when_no_entry_changes(
    tmp_path: Path, ca: Issued
) -> None:
    path = tmp_path / "store.p12"
    write_store(path, "pkcs12", PASSWORD, trusted("root", ca))  # current JDK: PBES2
    target = StoreTarget(str(path), PASSWORD, targets=parse_targets(["jdk8u202"]))
    seen: list[StoreChange] = []

    def change(store: StoreChange) -> tuple[None, bool]:
        seen.append(store)
        return None, False

    _, outcome = update_store(target, change)

    assert seen[0].protection_outdated() is True
    assert outcome.written
    info = load_store(path, PASSWORD).read_info
    assert info is not None and info.profile == "legacy"

    # Now readable by the target: the next run leaves the bytes alone.
    before = path.read_bytes()
    _, again = update_store(target, unchanged)
    assert not again.written and path.read_bytes() == before


def test_targets_leave_a_store_they_already_read(tmp_path: Path, ca: Issued) -> None:
    path = tmp_path / "store.p12"
    before = write_store(path, "pkcs12", PASSWORD, trusted("root", ca))
    target = StoreTarget(str(path), PASSWORD, targets=parse_targets(["jdk17"]))
    _, outcome = update_store(target, unchanged)
    assert not outcome.written and path.read_bytes() == before


def test_a_new_store_is_never_outdated(tmp_path: Path, ca: Issued) -> None:
    path = tmp_path / "new.p12"
    seen: list[StoreChange] = []
    target = StoreTarget(str(path), PASSWORD, targets=parse_targets(["jdk8u202"]))
    update_store(target, add("root", ca, seen), create=True)
    assert seen[0].protection_outdated() is False
    info = load_store(path, PASSWORD).read_info
    assert info is not None and info.profile == "legacy"


def test_mode_alone_is_set_under_the_lock_without_rewriting(tmp_path: Path, ca: Issued) -> None:
    path = tmp_path / "store.p12"
    before = write_store(path, "pkcs12", PASSWORD, trusted("root", ca))
    path.chmod(0o644)
    _, outcome = update_store(StoreTarget(str(path), PASSWORD, mode=0o640), unchanged)
    assert outcome.written
    assert path.stat().st_mode & 0o777 == 0o640
    assert path.read_bytes() == before

    _, again = update_store(StoreTarget(str(path), PASSWORD, mode=0o640), unchanged)
    assert not again.written


def test_mode_travels_with_a_write(tmp_path: Path, ca: Issued) -> None:
    path = tmp_path / "new.p12"
    update_store(StoreTarget(str(path), PASSWORD, mode=0o600), add("root", ca), create=True)
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_write_password_rule(tmp_path: Path) -> None:
    pkcs12, pem = get_format("pkcs12"), get_format("pem")
    empty = Keystore(storetype="pkcs12")
    assert write_password(pkcs12, empty, StoreTarget("x.p12", PASSWORD)) == PASSWORD
    assert write_password(pkcs12, empty, StoreTarget("x.p12", None, passwordless=True)) is None
    assert write_password(pem, Keystore(storetype="pem"), StoreTarget("x.pem", None)) is None
    with pytest.raises(UsageError):
        write_password(pkcs12, empty, StoreTarget("x.p12", None))


def test_adding_a_taken_alias_says_whether_the_content_differs(
    ca: Issued, other_ca: Issued
) -> None:
    from keystore_tool.errors import ConflictError

    keystore = Keystore([trusted("root", ca)])
    with pytest.raises(ConflictError) as same:
        keystore.add(trusted("ROOT", ca))
    assert same.value.message == "alias 'ROOT' already exists with the same content"
    assert (same.value.remedy, same.value.alias) == (Remedy.REPLACE, "ROOT")
    with pytest.raises(ConflictError) as different:
        keystore.add(trusted("root", other_ca))
    assert different.value.message == "alias 'root' already exists with different content"
