"""The library entry points the Ansible collection is built on: one store from a table, applied
alone, and a store removed under its lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore_tool.errors import UsageError
from keystore_tool.ops.apply import apply_store, store_spec_from_table
from keystore_tool.storage import remove_store
from tests.certs import issue, keytool_sha256
from tests.conftest import Jdk


@pytest.mark.interop
def test_one_table_is_applied_checked_first_then_written(tmp_path: Path, jdk17: Jdk) -> None:
    root = issue("Table Root", ca=True, key_kind="ec")
    (tmp_path / "root.pem").write_bytes(root.pem)
    table = {
        "path": "trust.p12",
        "password": {"value": "table-secret"},
        "certificates": [{"alias": "root", "file": "root.pem"}],
    }
    spec = store_spec_from_table(table, tmp_path)
    assert spec.path == tmp_path / "trust.p12" and spec.where == str(tmp_path / "trust.p12")

    checked = apply_store(spec, check=True)
    assert checked.created and not checked.written
    assert not (tmp_path / "trust.p12").exists()

    done = apply_store(spec)
    assert done.written and done.added == [("root", keytool_sha256(root.der))]
    listing = jdk17.run_keytool(
        "-list", "-keystore", str(tmp_path / "trust.p12"), "-storepass", "table-secret"
    ).stdout
    assert keytool_sha256(root.der) in listing
    assert not apply_store(spec).changed


def test_a_table_with_an_unknown_option_names_it(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown key 'colour'"):
        store_spec_from_table({"path": "x.p12", "password": {"none": True}, "colour": 1}, tmp_path)


def test_removing_a_store_through_a_symlink_keeps_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "real.p12"
    real.write_bytes(b"not read")
    link = tmp_path / "link.p12"
    link.symlink_to(real)
    assert remove_store(link)
    assert not link.exists() and not link.is_symlink()
    assert real.read_bytes() == b"not read"
    assert remove_store(real)
    assert not real.exists()
    assert not remove_store(real)


@pytest.mark.parametrize(
    ("first", "then"), [("jdk11", "jdk17"), ("jdk17", "jdk8"), ("openssl3.0", "jdk25")]
)
def test_a_truststore_with_a_target_is_rewritten_only_when_its_target_moves(
    tmp_path: Path, first: str, then: str
) -> None:
    root = issue("Targeted Root", ca=True, key_kind="ec")
    (tmp_path / "root.pem").write_bytes(root.pem)

    def apply(target: str) -> tuple[bool, bool]:
        table = {
            "path": "trust.p12",
            "password": {"value": "table-secret"},
            "target": target,
            "certificates": [{"alias": "root", "file": "root.pem"}],
        }
        diff = apply_store(store_spec_from_table(table, tmp_path))
        return diff.changed, bool(diff.as_json()["protection_changed"])

    assert apply(first) == (True, False)  # created
    assert apply(first) == (False, False)
    moved = apply(then)
    assert apply(then) == (False, False)
    assert apply(first)[0] == moved[0]  # moving back costs what moving there did
