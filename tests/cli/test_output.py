"""Output for people and for logs: colour and columns under a pseudo-terminal, keytool's plain
layout through a pipe, one summary line for bulk imports, and hints that say what happened."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.certs import issue
from tests.ks import ROOT, ks, ks_ok

PASS = "output-pass"


def ks_on_terminal(*args: str | Path, env: dict[str, str] | None = None) -> str:
    """stdout and stderr of ks run with both on a pseudo-terminal."""
    leader, follower = pty.openpty()
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", **(env or {})}
    full_env.pop("NO_COLOR", None) if env is None or "NO_COLOR" not in env else None
    proc = subprocess.Popen(
        [sys.executable, "-m", "keystore_tool", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=full_env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("output")
    bundle = directory / "cas.pem"
    bundle.write_bytes(b"".join(issue(f"Output CA {i}", ca=True).pem for i in range(3)))
    path = directory / "t.p12"
    ks_ok("import", "-k", path, "--file", bundle, "--alias", "ca", "--storepass", PASS)
    return path


def test_terminal_gets_colour_and_aligned_columns(store: Path) -> None:
    out = ks_on_terminal("list", "-k", store, "--storepass", PASS)
    assert "\x1b[1m" in out  # the header row
    rows = [line for line in out.splitlines() if line.startswith("ca")]
    assert len(rows) == 3
    # Every row's fingerprint starts in the same column.
    assert len({row.index(":") - 2 for row in rows}) == 1


def test_no_color_keeps_columns_and_drops_colour(store: Path) -> None:
    for extra, env in (([], {"NO_COLOR": "1"}), (["--no-color"], None)):
        out = ks_on_terminal("list", "-k", store, "--storepass", PASS, *extra, env=env)
        assert "\x1b[" not in out
        assert "ALIAS" in out


def test_pipe_gets_keytool_layout_without_colour(store: Path) -> None:
    out = ks_ok("list", "-k", store, "--storepass", PASS).stdout
    assert "\x1b[" not in out
    assert "Your keystore contains 3 entries" in out
    assert "Certificate fingerprint (SHA-256): " in out


def test_bulk_import_prints_one_summary_line_and_names_entries_with_v(tmp_path: Path) -> None:
    bundle = tmp_path / "many.pem"
    bundle.write_bytes(b"".join(issue(f"Bulk {i}").pem for i in range(5)))
    path = tmp_path / "bulk.p12"
    first = ks_ok("import", "-k", path, "--file", bundle, "--alias", "b", "--storepass", PASS)
    assert first.stdout == f"{path}: added 5\n"
    again = ks_ok("import", "-k", path, "--file", bundle, "--alias", "b", "--storepass", PASS, "-v")
    lines = again.stdout.splitlines()
    assert lines[0] == f"{path}: unchanged 5"
    assert lines[1:] == [
        f"  unchanged '{alias}' (already holds this certificate)"
        for alias in ("b", "b-2", "b-3", "b-4", "b-5")
    ]


def test_convert_says_the_new_store_takes_the_source_password(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.jks"
    proc = ks("convert", "-k", store, "--out", out, "--srcstorepass", PASS)
    assert proc.returncode == 0, proc.stderr
    assert "the new store takes the source's password" in proc.stderr
    assert PASS not in proc.stderr
    given = ks(
        "convert",
        "-k",
        store,
        "--out",
        tmp_path / "b.jks",
        "--srcstorepass",
        PASS,
        "--storepass",
        "other",
    )
    assert "source's password" not in given.stderr


def _held_lock(store: Path) -> int:
    """Holds the store's lock as another ks writing it would (storage.py's flock)."""
    import fcntl

    fd = os.open(store.with_name(f".{store.name}.ks-lock"), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_slow_operation_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    import threading

    cert = tmp_path / "ca.crt"
    cert.write_bytes(issue("slow ca", ca=True).pem)
    store = tmp_path / "slow.p12"
    args = ("import", "-k", store, "--file", cert, "--alias", "slow", "--storepass", PASS)
    for run in ("terminal", "pipe"):
        fd = _held_lock(store)
        # Another writer lets go after a while: ks waits past the 2 s of silence. On a terminal
        # the hold is long enough for a ks that starts slowly on a loaded machine (its
        # progress counts from when it starts waiting); the piped run waits 3.5 s.
        hold = 8.0 if run == "terminal" else 3.5
        threading.Timer(hold, os.close, args=(fd,)).start()
        if run == "terminal":
            out = ks_on_terminal(*args, "--lock-timeout", "30")
            assert re.search(
                rf"\r\x1b\[Kks: updating {re.escape(str(store))}\.\.\. \([23] s\)", out
            )
            # Wiped before the result, which then stands alone on its line.
            assert out.endswith(f"\r\x1b[K{store}: \x1b[32madded 1\x1b[0m\n")
        else:
            piped = ks(*args, "--lock-timeout", "30")
            assert piped.returncode == 0
            assert piped.stderr == "" and piped.stdout == f"{store}: unchanged 1\n"
