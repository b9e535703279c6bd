"""The attacker's workshop: a second (and third) user, a shared sticky directory like /tmp,
device nodes, FIFOs and sockets of our own, and ks run as root or as one of those users.

Users are created for the session with ``useradd`` and removed afterwards; device nodes are
made with ``mknod`` inside the test's own directory (never the machine's ``/dev``). Every ks
run has a timeout and a memory limit, so that old code that hangs on a FIFO or reads a
``/dev/zero`` lookalike fails the test instead of the machine.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.certs import Issued, issue
from tests.conftest import _missing
from tests.ks import ROOT

PASS = ["--storepass", "changeit"]
KS_TIMEOUT = 90.0
KS_MEMORY = 1 << 30  # address space for one ks run: a runaway read fails instead of swapping


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int

    def setpriv(self, *groups: int) -> list[str]:
        """The command prefix that runs a program as this user, with exactly ``groups`` as
        supplementary groups."""
        group_option = [f"--groups={','.join(map(str, groups))}"] if groups else ["--clear-groups"]
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", *group_option, "--"]


@dataclass(frozen=True)
class Users:
    attacker: User
    alice: User
    bob: User
    team_gid: int  # alice and bob are members; the attacker is not


def _need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("these attacks are tried as root (the provisioning case)")
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "setpriv", "prlimit"):
        if shutil.which(tool) is None:
            _missing(tool)


@pytest.fixture(scope="session")
def users() -> Iterator[Users]:
    _need_root()
    import grp
    import pwd

    tag = f"{os.getpid() % 100000}"
    team = f"ksteam{tag}"
    names = [f"ksatk{tag}", f"ksalice{tag}", f"ksbob{tag}"]
    created: list[str] = []
    _account_tool("groupadd", team)
    try:
        for name in names:
            _account_tool(
                "useradd",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                "--user-group",
                name,
            )
            created.append(name)
        records = [pwd.getpwnam(name) for name in names]
        yield Users(
            *(User(r.pw_name, r.pw_uid, r.pw_gid) for r in records),
            team_gid=grp.getgrnam(team).gr_gid,
        )
    finally:
        for name in created:
            with contextlib.suppress(AssertionError):
                _account_tool("userdel", name)
        with contextlib.suppress(AssertionError):
            _account_tool("groupdel", team)


def _account_tool(*command: str) -> None:
    """useradd and friends, retried: parallel test workers may hold /etc/passwd's lock."""
    for _ in range(20):
        proc = subprocess.run(list(command), capture_output=True, text=True)
        if proc.returncode == 0:
            return
        if "lock" not in proc.stderr.lower():
            break
        time.sleep(0.25)
    raise AssertionError(f"{' '.join(command)} failed: {proc.stderr}")


@pytest.fixture
def world() -> Iterator[Path]:
    """A directory every user can reach (pytest's own tmp_path is 0700), holding ``shared``:
    sticky and world-writable, as /tmp is."""
    _need_root()
    base = Path(tempfile.mkdtemp(prefix="ks-safety-"))
    try:
        base.chmod(0o755)
        shared = base / "shared"
        shared.mkdir()
        shared.chmod(0o1777)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (KS_MEMORY, KS_MEMORY))


def ks_as(
    user: User | None,
    *args: str | Path,
    groups: tuple[int, ...] = (),
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    input: str = "",
) -> subprocess.CompletedProcess[str]:
    """Runs ks as root (``user`` None) or as ``user``, bounded in time and memory."""
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), HOME="/nonexistent")
    full_env.pop("JAVA_TOOL_OPTIONS", None)
    full_env.update(env or {})
    prefix = user.setpriv(*groups) if user is not None else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "keystore_tool", *map(str, args)],
        capture_output=True,
        text=True,
        input=input,
        env=full_env,
        cwd=cwd,
        timeout=KS_TIMEOUT,
        preexec_fn=_limits,
    )


def as_user(user: User, *command: str, groups: tuple[int, ...] = ()) -> None:
    """Runs a shell tool as ``user`` (how the attacker plants links and files)."""
    subprocess.run([*user.setpriv(*groups), *command], check=True, capture_output=True)


@dataclass(frozen=True)
class Material:
    """A store holding one private key (PKCS12, password changeit), and its inputs."""

    store: Path
    cert: Path
    key: Path
    other_cert: Path
    issued: Issued


@pytest.fixture(scope="session")
def material() -> Iterator[Material]:
    _need_root()
    directory = Path(tempfile.mkdtemp(prefix="ks-safety-inputs-"))
    directory.chmod(0o755)  # the other users read these inputs too
    try:
        yield _make_material(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _make_material(directory: Path) -> Material:
    issued = issue("safety-key", key_kind="ec")
    other = issue("safety-other", key_kind="ec")
    cert, key, other_cert = directory / "k.crt", directory / "k.key", directory / "o.crt"
    cert.write_bytes(issued.pem)
    key.write_bytes(issued.key_pem())
    other_cert.write_bytes(other.pem)
    for path in (cert, key, other_cert):
        path.chmod(0o644)
    store = directory / "store.p12"
    proc = ks_as(
        None, "bundle-p12", "--cert", cert, "--key", key, "--out", store, "--alias", "k", *PASS
    )
    assert proc.returncode == 0, proc.stderr
    store.chmod(0o644)
    return Material(store, cert, key, other_cert, issued)


def mknod(path: Path, major: int, minor: int) -> Path:
    """A character device node of our own (1,3 is what /dev/null is; 1,5 is /dev/zero)."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path, 0o666)
    return path


@pytest.fixture
def unix_socket(world: Path) -> Iterator[Path]:
    path = world / "sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    try:
        yield path
    finally:
        server.close()


def error_line(proc: subprocess.CompletedProcess[str], code: int) -> str:
    """The one ``ks: error:`` line of a failed run with exit ``code``."""
    assert proc.returncode == code, f"exit {proc.returncode} != {code}: {proc.stderr}"
    errors = [line for line in proc.stderr.splitlines() if line.startswith("ks: error: ")]
    assert len(errors) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    return errors[0]


@pytest.fixture(scope="session")
def tls_port(material: Material) -> Iterator[int]:
    """A local TLS server presenting the material's certificate (for ``fetch --out``)."""
    from demo.tls_server import https_server

    with https_server(material.cert, material.key, lifetime=3600.0) as (port, _):
        yield port


# Every command that replaces a file it is told to write: (name of the target, arguments).
WRITERS = ("export", "export --key", "bundle-p12", "convert", "import", "fetch")


def writer_args(command: str, out: Path, material: Material, port: int) -> list[str | Path]:
    """The command line of ``command`` writing ``out``."""
    store = material.store
    if command == "export":
        return ["export", "-k", store, "--alias", "k", "--out", out, *PASS]
    if command == "export --key":
        return ["export", "-k", store, "--alias", "k", "--key", "--out", out, *PASS]
    if command == "bundle-p12":
        args: list[str | Path] = ["bundle-p12", "--cert", material.cert, "--key", material.key]
        return [*args, "--out", out, "--replace", "--alias", "k", *PASS]
    if command == "convert":
        return [
            "convert",
            "-k",
            store,
            "--out",
            out,
            "--replace",
            "--srcstorepass",
            "changeit",
            *PASS,
        ]
    if command == "import":
        return ["import", "-k", out, "--file", material.other_cert, "--alias", "o", *PASS]
    if command == "fetch":
        return ["fetch", f"127.0.0.1:{port}", "--out", out]
    raise AssertionError(command)


def out_name(command: str) -> str:
    return "out.pem" if command in ("export", "export --key", "fetch") else "out.p12"
