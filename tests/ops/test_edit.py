"""ks delete and ks rename in process (ops.edit): one alias changes, the rest stays as read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from keystore_tool.errors import ConflictError, NotFoundError
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.ops.edit import delete_entry, rename_entry
from keystore_tool.ops.update import StoreTarget
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes, load_store
from tests.certs import Issued, issue

PASSWORD = Password("changeit")
EXTENSIONS = {"jks": "jks", "jceks": "jceks", "pkcs12": "p12", "pem": "pem"}


@pytest.fixture(scope="module")
def cas() -> list[Issued]:
    return [issue("Edit CA One", ca=True), issue("Edit CA Two", ca=True)]


def store(tmp_path: Path, storetype: str, cas: list[Issued]) -> Path:
    path = tmp_path / f"trust.{EXTENSIONS[storetype]}"
    entries = [
        TrustedCertificateEntry(
            alias=alias, certificate=Certificate(ca.der), created=datetime(2024, 1, 1, tzinfo=UTC)
        )
        for alias, ca in zip(("one", "two"), cas, strict=True)
    ]
    path.write_bytes(dump_bytes(Keystore(entries, storetype=storetype), storetype, PASSWORD))
    return path


@pytest.mark.parametrize("storetype", sorted(EXTENSIONS))
def test_delete_removes_one_entry(tmp_path: Path, cas: list[Issued], storetype: str) -> None:
    path = store(tmp_path, storetype, cas)
    result = delete_entry(StoreTarget(str(path), PASSWORD), "ONE")
    assert result.as_json() == {"keystore": str(path), "changed": True, "deleted": "one"}
    assert [e.alias for e in load_store(path, PASSWORD)] == ["two"]


def test_deleting_a_missing_alias_is_not_found_and_changes_nothing(
    tmp_path: Path, cas: list[Issued]
) -> None:
    path = store(tmp_path, "pkcs12", cas)
    before = path.read_bytes()
    with pytest.raises(NotFoundError):
        delete_entry(StoreTarget(str(path), PASSWORD), "three")
    assert path.read_bytes() == before


def test_deleting_from_a_missing_store_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        delete_entry(StoreTarget(str(tmp_path / "none.p12"), PASSWORD), "a")
    assert not (tmp_path / "none.p12").exists()


@pytest.mark.parametrize("storetype", ["jks", "pkcs12"])
def test_rename_moves_the_entry(tmp_path: Path, cas: list[Issued], storetype: str) -> None:
    path = store(tmp_path, storetype, cas)
    result = rename_entry(StoreTarget(str(path), PASSWORD), "one", "first")
    assert result.as_json() == {
        "keystore": str(path),
        "changed": True,
        "alias": "one",
        "to": "first",
    }
    assert sorted(e.alias for e in load_store(path, PASSWORD)) == ["first", "two"]


def test_renaming_to_the_same_alias_writes_nothing(tmp_path: Path, cas: list[Issued]) -> None:
    path = store(tmp_path, "pkcs12", cas)
    before = path.read_bytes()
    result = rename_entry(StoreTarget(str(path), PASSWORD), "one", "one")
    assert not result.changed and not result.outcome.written
    assert path.read_bytes() == before


def test_a_change_of_case_alone_is_a_rename(tmp_path: Path, cas: list[Issued]) -> None:
    path = store(tmp_path, "pkcs12", cas)
    result = rename_entry(StoreTarget(str(path), PASSWORD), "one", "One")
    assert result.changed
    assert sorted(e.alias for e in load_store(path, PASSWORD)) == ["One", "two"]


def test_renaming_onto_another_entry_is_a_conflict(tmp_path: Path, cas: list[Issued]) -> None:
    path = store(tmp_path, "pkcs12", cas)
    before = path.read_bytes()
    with pytest.raises(ConflictError, match="alias 'TWO' already exists"):
        rename_entry(StoreTarget(str(path), PASSWORD), "one", "TWO")
    assert path.read_bytes() == before


def test_a_lookalike_new_alias_is_warned_about(tmp_path: Path, cas: list[Issued]) -> None:
    path = store(tmp_path, "pkcs12", cas)
    result = rename_entry(StoreTarget(str(path), PASSWORD), "one", "tw\u043e")  # Cyrillic o
    assert result.changed and len(result.warnings) == 1
