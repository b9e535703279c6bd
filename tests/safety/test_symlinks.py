"""Links planted in a shared sticky directory (/tmp) are not followed by root's writes.

On the old code (paths resolved with ``realpath``), another user's link at a predictable
``--out`` made root overwrite the link's target, a dangling link made root create the file
where the attacker chose, a link at the lock path was followed too, and root kept an attacker's
pre-created file owned by the attacker after writing a private key into it. Since the kernel's
``fs.protected_symlinks`` may be off (it is on this machine and in many containers), ks applies
its rule itself.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.safety.conftest import (
    PASS,
    ROOT,
    WRITERS,
    Material,
    Users,
    as_user,
    error_line,
    ks_as,
    out_name,
    writer_args,
)


def private_dir(world: Path) -> Path:
    """Root's own directory, which the attacker cannot even enter."""
    directory = world / "private"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def victim_store(world: Path, material: Material) -> Path:
    victim = private_dir(world) / "precious.p12"
    shutil.copyfile(material.store, victim)
    victim.chmod(0o600)
    return victim


def aliases(store: Path) -> set[str]:
    import json

    proc = ks_as(None, "list", "-k", store, *PASS, "--json")
    assert proc.returncode == 0, proc.stderr
    return {e["alias"] for e in json.loads(proc.stdout)["entries"]}


@pytest.mark.parametrize("command", WRITERS)
def test_root_does_not_follow_another_users_link_in_a_shared_directory(
    world: Path, material: Material, users: Users, tls_port: int, command: str
) -> None:
    victim = victim_store(world, material)
    before = victim.read_bytes()
    link = world / "shared" / out_name(command)
    as_user(users.attacker, "ln", "-s", str(victim), str(link))
    line = error_line(ks_as(None, *writer_args(command, link, material, tls_port)), 1)
    assert "refusing to follow the symbolic link" in line and users.attacker.name in line
    assert "shared directory" in line
    assert victim.read_bytes() == before
    assert stat.S_IMODE(victim.stat().st_mode) == 0o600
    assert link.is_symlink()


@pytest.mark.parametrize("command", WRITERS)
def test_a_dangling_link_is_not_followed_to_create_a_file(
    world: Path, material: Material, users: Users, tls_port: int, command: str
) -> None:
    chosen = private_dir(world) / "created-for-the-attacker"
    link = world / "shared" / out_name(command)
    as_user(users.attacker, "ln", "-s", str(chosen), str(link))
    error_line(ks_as(None, *writer_args(command, link, material, tls_port)), 1)
    assert not chosen.exists()
    assert sorted(p.name for p in chosen.parent.iterdir()) == []


def test_roots_own_dangling_link_is_not_followed_either(world: Path, material: Material) -> None:
    link = world / "trust.p12"
    link.symlink_to(world / "nothing.p12")
    proc = ks_as(None, "import", "-k", link, "--file", material.other_cert, "--alias", "o", *PASS)
    assert "dangling link" in error_line(proc, 1)
    assert not (world / "nothing.p12").exists()


@pytest.mark.parametrize("exists", [False, True], ids=["missing-target", "existing-target"])
def test_a_planted_link_at_the_lock_path_is_not_followed(
    world: Path, material: Material, users: Users, exists: bool
) -> None:
    chosen = private_dir(world) / "lock-target"
    if exists:
        chosen.write_bytes(b"root's file")
        chosen.chmod(0o640)
    shared = world / "shared"
    as_user(users.attacker, "ln", "-s", str(chosen), str(shared / ".out.pem.ks-lock"))
    proc = ks_as(None, *writer_args("export", shared / "out.pem", material, 0))
    assert "lock file" in error_line(proc, 1)
    if exists:
        assert chosen.read_bytes() == b"root's file"
        assert stat.S_IMODE(chosen.stat().st_mode) == 0o640
    else:
        assert not chosen.exists()
    assert not (shared / "out.pem").exists()


def test_a_link_on_the_way_through_a_shared_directory_is_not_followed(
    world: Path, material: Material, users: Users
) -> None:
    private = private_dir(world)
    as_user(users.attacker, "ln", "-s", str(private), str(world / "shared" / "certs"))
    out = world / "shared" / "certs" / "client.pem"
    proc = ks_as(None, *writer_args("export --key", out, material, 0))
    assert "refusing to follow" in error_line(proc, 1)
    assert list(private.iterdir()) == []


@pytest.mark.parametrize("command", ["export --key", "bundle-p12", "import"])
def test_root_does_not_write_into_another_users_file_in_a_shared_directory(
    world: Path, material: Material, users: Users, command: str
) -> None:
    # Keeping the old file's owner would leave the attacker owning (and reading) root's key.
    planted = world / "shared" / out_name(command)
    source = material.store if command == "import" else material.cert
    as_user(users.attacker, "cp", str(source), str(planted))
    as_user(users.attacker, "chmod", "0644", str(planted))
    before = planted.read_bytes()
    line = error_line(ks_as(None, *writer_args(command, planted, material, 0)), 1)
    assert "refusing to replace" in line and users.attacker.name in line
    assert planted.read_bytes() == before
    assert planted.stat().st_uid == users.attacker.uid


def test_reading_a_store_through_a_planted_link_is_refused(
    world: Path, material: Material, users: Users
) -> None:
    victim = victim_store(world, material)
    link = world / "shared" / "store.p12"
    as_user(users.attacker, "ln", "-s", str(victim), str(link))
    assert "refusing to follow" in error_line(ks_as(None, "list", "-k", link, *PASS), 1)


def test_roots_own_link_in_a_shared_directory_is_followed(world: Path, material: Material) -> None:
    real = victim_store(world, material)
    link = world / "shared" / "mine.p12"
    link.symlink_to(real)
    proc = ks_as(None, "import", "-k", link, "--file", material.other_cert, "--alias", "o", *PASS)
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()
    assert aliases(real) == {"k", "o"}


def test_a_link_of_the_shared_directorys_owner_is_followed(
    world: Path, material: Material, users: Users
) -> None:
    shared = world / "alices-shared"
    shared.mkdir()
    os.chown(shared, users.alice.uid, users.alice.gid)
    shared.chmod(0o1777)
    bobs = world / "bobs"
    bobs.mkdir()
    real = bobs / "store.p12"
    shutil.copyfile(material.store, real)
    for path in (bobs, real):
        os.chown(path, users.bob.uid, users.bob.gid)
    as_user(users.alice, "ln", "-s", str(real), str(shared / "store.p12"))
    proc = ks_as(
        users.bob,
        "import",
        "-k",
        shared / "store.p12",
        "--file",
        material.other_cert,
        "--alias",
        "o",
        *PASS,
    )
    assert proc.returncode == 0, proc.stderr
    assert aliases(real) == {"k", "o"}


def test_root_does_not_write_through_another_users_link_in_that_users_directory(
    world: Path, material: Material, users: Users
) -> None:
    # Not a shared directory, so the kernel's rule would follow it: the app user who owns
    # the configuration directory root provisions could point the store at any file.
    conf = world / "app-conf"
    conf.mkdir()
    os.chown(conf, users.attacker.uid, users.attacker.gid)
    victim = victim_store(world, material)
    before = victim.read_bytes()
    link = conf / "trust.p12"
    as_user(users.attacker, "ln", "-s", str(victim), str(link))
    proc = ks_as(None, "import", "-k", link, "--file", material.other_cert, "--alias", "o", *PASS)
    line = error_line(proc, 1)
    assert "as root" in line and users.attacker.name in line
    assert victim.read_bytes() == before
    # Reading through it is still allowed: nothing is written.
    assert aliases(link) == {"k"}


def test_a_users_own_link_in_a_shared_directory_works_for_that_user(
    world: Path, material: Material, users: Users
) -> None:
    home = world / "atk-home"
    home.mkdir()
    os.chown(home, users.attacker.uid, users.attacker.gid)
    real = home / "store.p12"
    shutil.copyfile(material.store, real)
    os.chown(real, users.attacker.uid, users.attacker.gid)
    link = world / "shared" / "atk.p12"
    as_user(users.attacker, "ln", "-s", str(real), str(link))
    proc = ks_as(
        users.attacker, "import", "-k", link, "--file", material.other_cert, "--alias", "o", *PASS
    )
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and aliases(real) == {"k", "o"}


@pytest.mark.slow
def test_parallel_imports_through_a_link_and_the_real_path_lose_nothing(
    world: Path, material: Material
) -> None:
    from tests.certs import issue

    real = victim_store(world, material)
    link = world / "shared" / "mine.p12"
    link.symlink_to(real)
    inputs = world / "inputs"
    inputs.mkdir()
    procs = []
    for i in range(12):
        cert = inputs / f"c{i}.crt"
        cert.write_bytes(issue(f"through-{i}", key_kind="ec").pem)
        store = link if i % 2 else real
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "keystore_tool",
                    "import",
                    "-k",
                    str(store),
                    "--file",
                    str(cert),
                    "--alias",
                    f"c{i}",
                    *PASS,
                ],
                env=dict(os.environ, PYTHONPATH=str(ROOT)),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert aliases(real) == {"k"} | {f"c{i}" for i in range(12)}
    assert link.is_symlink()
