"""A command with nothing to change needs no write access, and a killed writer's temporary
files are cleaned by the next write.

On the old code the lock file was created before the change was known, so a no-op ``import``
failed on a read-only directory or file system; temporary files of a SIGKILLed writer stayed
forever.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from tests.safety.conftest import PASS, Material, User, Users, ks_as


def _import(store: Path, cert: Path, *, user: User | None = None) -> CompletedProcess[str]:
    return ks_as(user, "import", "-k", store, "--file", cert, "--alias", "o", *PASS)


def _store_holding(path: Path, material: Material) -> Path:
    """A store that already holds the other certificate: importing it again is a no-op."""
    shutil.copyfile(material.store, path)
    proc = _import(path, material.other_cert)
    assert proc.returncode == 0, proc.stderr
    for leftover in path.parent.glob(".*.ks-lock"):
        leftover.unlink()
    path.chmod(0o644)
    return path


def test_a_noop_import_in_a_directory_the_user_cannot_write_succeeds(
    world: Path, material: Material, users: Users
) -> None:
    directory = world / "roots"
    directory.mkdir()  # root's, 0755: the attacker may read but not write it
    store = _store_holding(directory / "trust.p12", material)
    proc = _import(store, material.other_cert, user=users.attacker)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in directory.iterdir()) == ["trust.p12"]
    # A real change there still fails cleanly, naming the reason.
    proc = ks_as(
        users.attacker, "import", "-k", store, "--file", material.cert, "--alias", "k2", *PASS
    )
    assert proc.returncode == 1 and "permission denied" in proc.stderr.lower()


def test_a_noop_import_in_a_read_only_directory_succeeds_as_root(
    world: Path, material: Material
) -> None:
    directory = world / "ro"
    directory.mkdir()
    store = _store_holding(directory / "trust.p12", material)
    directory.chmod(0o555)
    try:
        proc = _import(store, material.other_cert)
        assert proc.returncode == 0, proc.stderr
        assert sorted(p.name for p in directory.iterdir()) == ["trust.p12"]
    finally:
        directory.chmod(0o755)


@pytest.fixture
def read_only_mount(world: Path, material: Material) -> Iterator[Path]:
    mountpoint = world / "rofs"
    mountpoint.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or proc.returncode})")
    try:
        _store_holding(mountpoint / "trust.p12", material)
        subprocess.run(["mount", "-o", "remount,ro", str(mountpoint)], check=True)
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def test_a_noop_import_on_a_read_only_file_system_succeeds(
    read_only_mount: Path, material: Material
) -> None:
    proc = _import(read_only_mount / "trust.p12", material.other_cert)
    assert proc.returncode == 0, proc.stderr
    proc = ks_as(
        None,
        "import",
        "-k",
        read_only_mount / "trust.p12",
        "--file",
        material.cert,
        "--alias",
        "k2",
        *PASS,
    )
    assert proc.returncode == 1 and "read-only" in proc.stderr.lower()


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_next_write_removes_temp_files_of_dead_writers_only(
    world: Path, material: Material
) -> None:
    store = world / "trust.p12"
    shutil.copyfile(material.store, store)
    old = time.time() - 3600
    dead = world / f".trust.p12.ks-tmp-{_dead_pid()}-0badcafe"
    alive = world / f".trust.p12.ks-tmp-{os.getpid()}-0000cafe"  # this test's own process
    other_store = world / f".other.p12.ks-tmp-{_dead_pid()}-00c0ffee"
    for path in (dead, alive, other_store):
        path.write_bytes(b"half a store")
        os.utime(path, (old, old))
    proc = ks_as(None, "import", "-k", store, "--file", material.other_cert, "--alias", "o", *PASS)
    assert proc.returncode == 0, proc.stderr
    assert not dead.exists()
    assert alive.exists() and other_store.exists()
