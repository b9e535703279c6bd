"""Writes are locked, atomic, keep mode and owner, and leave nothing behind on failure."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from keystore_tool.cli.errors import message
from keystore_tool.errors import NotFoundError, StorageError
from keystore_tool.storage import StoreUpdate, read_file, write_new_file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".ks-tmp-" in p.name)


def test_new_file_with_a_private_key_is_0600(tmp_path: Path) -> None:
    target = tmp_path / "keystore.p12"
    write_new_file(target, b"key", holds_private_key=True)
    assert mode(target) == 0o600
    assert target.read_bytes() == b"key"


def test_new_truststore_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_new_file(tmp_path / "trust.p12", b"certs", holds_private_key=False)
    finally:
        os.umask(old)
    assert mode(tmp_path / "trust.p12") == 0o644


def test_rewrite_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "store"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with StoreUpdate(target, 5) as update:
        assert update.current == b"old"
        update.replace(b"new", holds_private_key=True)
    assert target.read_bytes() == b"new"
    assert mode(target) == 0o640
    assert leftovers(tmp_path) == []


def test_wholesale_replacement_of_a_key_file_is_0600(tmp_path: Path) -> None:
    target = tmp_path / "keystore.p12"
    target.write_bytes(b"old")
    target.chmod(0o644)
    write_new_file(target, b"new", holds_private_key=True)
    assert mode(target) == 0o600


def test_symlinked_store_is_updated_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "store.p12"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "link.p12"
    link.symlink_to(real)
    with StoreUpdate(link, 5) as update:
        update.replace(b"new", holds_private_key=False)
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_every_spelling_of_a_path_shares_one_lock(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    target = tmp_path / "store"
    target.write_bytes(b"")
    link = tmp_path / "alias"
    link.symlink_to(target)
    spellings = [target, tmp_path / "x" / ".." / "store", link]
    assert len({StoreUpdate(p, 1).lock_path for p in spellings}) == 1


def test_second_writer_waits_for_the_lock_then_times_out(tmp_path: Path) -> None:
    target = tmp_path / "store"
    target.write_bytes(b"")
    with StoreUpdate(target, 5):
        started = time.monotonic()
        with pytest.raises(StorageError) as info:
            StoreUpdate(target, 0.3).__enter__()
        assert "lock-timeout" in message(info.value)
        assert time.monotonic() - started >= 0.3


def test_lock_serialises_read_modify_write(tmp_path: Path) -> None:
    target = tmp_path / "counter"
    target.write_bytes(b"0")

    def bump() -> None:
        for _ in range(20):
            with StoreUpdate(target, 30) as update:
                assert update.current is not None
                update.replace(str(int(update.current) + 1).encode(), holds_private_key=False)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert target.read_bytes() == b"80"


def test_read_only_file_is_refused_untouched(tmp_path: Path) -> None:
    target = tmp_path / "store"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(StorageError, match="read-only"), StoreUpdate(target, 5) as update:
        update.replace(b"new", holds_private_key=False)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_read_only_directory_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    (directory / "store").write_bytes(b"old")
    directory.chmod(0o555)
    try:
        with pytest.raises(StorageError, match="read-only"):
            write_new_file(directory / "store", b"new", holds_private_key=False)
    finally:
        directory.chmod(0o755)
    assert (directory / "store").read_bytes() == b"old"


def test_failure_mid_write_leaves_the_store_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "store"
    target.write_bytes(b"old")

    def no_space(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", no_space)
    with pytest.raises(StorageError, match="no space left"), StoreUpdate(target, 5) as update:
        update.replace(b"new", holds_private_key=False)
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_missing_input_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_file(tmp_path / "nope")


def test_missing_directory_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        write_new_file(tmp_path / "no" / "store", b"x", holds_private_key=False)
