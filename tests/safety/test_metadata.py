"""Mode and owner are set on the new file's descriptor before the rename, never on a path.

On the old code, ``apply`` set ``mode``/``owner`` with chmod/chown on the store's path after
the rename: another user who can write the store's directory swapped in a symlink between the
two and made root chmod (and chown) an arbitrary file. Group-shared stores lost their group
when a member rewrote them, and their 0600 lock file locked the other members out; a rewrite
that left an unencrypted private key in a world-readable PEM file kept it world-readable.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from keystore_tool.errors import KsError
from tests.safety.conftest import PASS, ROOT, Material, Users, as_user, error_line, ks_as

SWAPPER = r"""
import os, sys, time
directory, good, victim = sys.argv[1:4]
data = open(good, "rb").read()
store = os.path.join(directory, "store.p12")
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    real = os.path.join(directory, ".real")
    with open(real, "wb") as handle:
        handle.write(data)
    os.rename(real, store)
    link = os.path.join(directory, ".link")
    try:
        os.unlink(link)
    except FileNotFoundError:
        pass
    os.symlink(victim, link)
    os.rename(link, store)
"""


def test_apply_mode_and_owner_never_reach_a_swapped_in_symlink(
    world: Path, material: Material, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keystore_tool.ops.apply import apply_spec, parse_spec

    victim = world / "private" / "victim.key"
    victim.parent.mkdir(mode=0o755)
    victim.write_bytes(b"root's private key")
    victim.chmod(0o600)
    directory = world / "attacker-dir"  # a directory the attacker may write (not sticky)
    directory.mkdir()
    os.chown(directory, users.attacker.uid, users.attacker.gid)
    good = world / "good.p12"
    shutil.copyfile(material.store, good)
    good.chmod(0o644)
    spec_path = world / "spec.toml"
    spec_text = (
        f'[[store]]\npath = "{directory / "store.p12"}"\npassword = {{ env = "SP" }}\n'
        f'mode = "0644"\nowner = "{users.alice.name}"\n'
        f'[[store.certificates]]\nalias = "o"\nfile = "{material.other_cert}"\n'
    )
    spec_path.write_text(spec_text)
    monkeypatch.setenv("SP", "changeit")
    swapper = subprocess.Popen(
        [
            *users.attacker.setpriv(),
            sys.executable,
            "-c",
            SWAPPER,
            str(directory),
            str(good),
            str(victim),
        ],
    )
    try:
        written = 0
        for _ in range(100):
            try:
                report = apply_spec(parse_spec(spec_text, spec_path), lock_timeout=5)
                written += any(s.written for s in report.stores)
            except KsError:
                pass  # the attacker's link was in place when ks looked: refused, fine
            st = victim.stat()
            assert stat.S_IMODE(st.st_mode) == 0o600, "root chmod-ed the attacker's target"
            assert (st.st_uid, st.st_gid) == (0, 0), "root chown-ed the attacker's target"
            assert victim.read_bytes() == b"root's private key"
    finally:
        swapper.kill()
        swapper.wait()


def test_a_link_swapped_in_right_after_the_rename_gets_no_mode_or_owner(
    world: Path, material: Material, users: Users
) -> None:
    # The same race made deterministic: ks stops right after its rename (KS_PAUSE_AT), the
    # attacker puts the link there, ks goes on. Whatever ks does to a path afterwards lands
    # on the attacker's target.
    victim = world / "private" / "victim.key"
    victim.parent.mkdir(mode=0o755)
    victim.write_bytes(b"root's private key")
    victim.chmod(0o600)
    directory = world / "attacker-dir"
    directory.mkdir()
    os.chown(directory, users.attacker.uid, users.attacker.gid)
    store = directory / "store.p12"
    shutil.copyfile(material.store, store)
    os.chown(store, users.attacker.uid, users.attacker.gid)
    spec = world / "spec.toml"
    spec.write_text(
        f'[[store]]\npath = "{store}"\npassword = {{ env = "SP" }}\n'
        f'mode = "0644"\nowner = "{users.alice.name}"\n'
        f'[[store.certificates]]\nalias = "o"\nfile = "{material.other_cert}"\n'
    )
    marker = world / "renamed"
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        SP="changeit",
        KS_PAUSE_AT="renamed",
        KS_PAUSE_FILE=str(marker),
        KS_PAUSE_SECONDS="60",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "keystore_tool", "apply", str(spec)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "ks never reached its rename"
            time.sleep(0.02)
        as_user(users.attacker, "ln", "-s", str(victim), str(directory / ".link"))
        as_user(users.attacker, "mv", "-T", str(directory / ".link"), str(store))
        assert proc.poll() is None, "ks went on before the link was swapped in"
        marker.unlink()  # the swap is in place: let ks go on
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    st = victim.stat()
    assert stat.S_IMODE(st.st_mode) == 0o600, "root chmod-ed the attacker's target"
    assert (st.st_uid, st.st_gid) == (0, 0), "root chown-ed the attacker's target"


def test_apply_sets_mode_alone_on_the_file_without_rewriting_it(
    world: Path, material: Material, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = world / "trust.p12"
    shutil.copyfile(material.store, store)
    store.chmod(0o600)
    before = store.stat()
    spec = world / "spec.toml"
    spec.write_text(f'[[store]]\npath = "{store}"\npassword = {{ env = "SP" }}\nmode = "0640"\n')
    proc = ks_as(None, "apply", spec, env={"SP": "changeit"})
    assert proc.returncode == 0, proc.stderr
    after = store.stat()
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.interop
def test_passwd_leaving_an_unencrypted_key_in_a_world_readable_pem_makes_it_0600(
    world: Path, material: Material, openssl: str
) -> None:
    pem = world / "client.pem"
    proc = ks_as(
        None, "convert", "-k", material.store, "--out", pem, "--srcstorepass", "changeit", *PASS
    )
    assert proc.returncode == 0, proc.stderr
    pem.chmod(0o644)
    proc = ks_as(None, "passwd", "-k", pem, *PASS, "--no-new-storepass")
    assert proc.returncode == 0, proc.stderr
    assert b"BEGIN PRIVATE KEY" in pem.read_bytes()
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("ks: warning:")]
    assert len(warnings) == 1 and "0600" in warnings[0] and "unencrypted" in warnings[0]
    # openssl judges: the key is really there, unencrypted.
    judged = subprocess.run(
        [openssl, "pkey", "-in", str(pem), "-noout"], capture_output=True, text=True
    )
    assert judged.returncode == 0, judged.stderr


def _team_store(world: Path, material: Material, users: Users) -> Path:
    team = world / "team"
    team.mkdir()
    os.chown(team, 0, users.team_gid)
    team.chmod(0o770)  # no setgid bit: the new file's group comes from ks, not the directory
    store = team / "trust.p12"
    shutil.copyfile(material.store, store)
    os.chown(store, users.alice.uid, users.team_gid)
    store.chmod(0o660)
    return store


def test_a_members_rewrite_keeps_the_group_and_the_lock_lets_other_members_in(
    world: Path, material: Material, users: Users
) -> None:
    from tests.certs import issue

    store = _team_store(world, material, users)
    extra = world / "extra.crt"
    extra.write_bytes(issue("team-extra", key_kind="ec").pem)
    extra.chmod(0o644)
    team = (users.team_gid,)
    bob = ks_as(
        users.bob,
        "import",
        "-k",
        store,
        "--file",
        material.other_cert,
        "--alias",
        "o",
        *PASS,
        groups=team,
    )
    assert bob.returncode == 0, bob.stderr
    st = store.stat()
    assert st.st_gid == users.team_gid, "the team lost its group"
    assert stat.S_IMODE(st.st_mode) == 0o660
    warnings = [line for line in bob.stderr.splitlines() if line.startswith("ks: warning:")]
    assert len(warnings) == 1 and "group" in warnings[0] and "kept" in warnings[0]
    lock = store.with_name(".trust.p12.ks-lock")
    assert lock.stat().st_gid == users.team_gid
    assert stat.S_IMODE(lock.stat().st_mode) & 0o060 == 0o060
    alice = ks_as(
        users.alice, "import", "-k", store, "--file", extra, "--alias", "e", *PASS, groups=team
    )
    assert alice.returncode == 0, alice.stderr
    assert store.stat().st_gid == users.team_gid


def test_a_writer_outside_the_group_is_told_the_group_was_lost(
    world: Path, material: Material, users: Users
) -> None:
    store = _team_store(world, material, users)
    store.parent.chmod(0o777)  # the attacker may write the directory but is not in the group
    store.chmod(0o666)
    proc = ks_as(
        users.attacker,
        "import",
        "-k",
        store,
        "--file",
        material.other_cert,
        "--alias",
        "o",
        *PASS,
    )
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("ks: warning:")]
    assert len(warnings) == 1 and "lose access" in warnings[0]


def test_apply_owner_that_only_root_may_give_is_a_clean_error(
    world: Path, material: Material, users: Users
) -> None:
    directory = world / "bobs"
    directory.mkdir()
    os.chown(directory, users.bob.uid, users.bob.gid)
    store = directory / "trust.p12"
    shutil.copyfile(material.store, store)
    os.chown(store, users.bob.uid, users.bob.gid)
    spec = directory / "spec.toml"
    spec.write_text(
        f'[[store]]\npath = "{store}"\npassword = {{ env = "SP" }}\nowner = "{users.alice.name}"\n'
    )
    spec.chmod(0o644)
    before = store.read_bytes()
    proc = ks_as(users.bob, "apply", spec, env={"SP": "changeit"})
    assert "only root can give a file away" in error_line(proc, 1)
    assert store.stat().st_uid == users.bob.uid and store.read_bytes() == before
