"""Running ``ks`` as a user does: a separate process, its stdout, stderr and exit code."""

from __future__ import annotations

import atexit
import json
import locale
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def ks(
    *args: str | Path,
    env: dict[str, str] | None = None,
    input: str | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT)
    full_env.pop("JAVA_TOOL_OPTIONS", None)
    if env:
        full_env.update(env)
    if os.environ.get("KS_TESTS_FORKSERVER") == "1":
        return _forked([str(a) for a in args], full_env, input or "", cwd or Path.cwd(), timeout)
    return subprocess.run(
        [sys.executable, "-m", "keystore_tool", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        input=input if input is not None else "",
        cwd=cwd,
        timeout=timeout,
    )


_zygote: tuple[subprocess.Popen[bytes], str] | None = None


def _zygote_socket() -> str:
    """The socket of this test process's zygote (tests/ks_zygote.py), started on first use."""
    global _zygote
    if _zygote is None or _zygote[0].poll() is not None:
        path = tempfile.mktemp(prefix="ks-zygote-", suffix=".sock")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.pop("JAVA_TOOL_OPTIONS", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.ks_zygote", path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        assert process.stdout is not None and process.stdout.readline() == b"ready\n"
        atexit.register(process.kill)
        _zygote = (process, path)
    return _zygote[1]


def _text(data: bytes) -> str:
    """As ``subprocess.run(text=True)`` decodes: the locale's encoding, universal newlines."""
    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _forked(
    args: list[str], env: dict[str, str], input: str, cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """One ks run forked by the zygote: the same process boundary, without the start-up."""
    with (
        tempfile.TemporaryFile() as stdin,
        tempfile.TemporaryFile() as stdout,
        tempfile.TemporaryFile() as stderr,
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn,
    ):
        stdin.write(input.encode(locale.getpreferredencoding(False)))
        stdin.seek(0)
        conn.connect(_zygote_socket())
        request = json.dumps({"args": args, "env": env, "cwd": str(cwd)}).encode()
        socket.send_fds(conn, [request], [stdin.fileno(), stdout.fileno(), stderr.fileno()])
        conn.settimeout(timeout)
        answer = conn.makefile("rb")
        pid = int(answer.readline())
        try:
            line = answer.readline()
        except TimeoutError:
            os.kill(pid, 9)
            raise subprocess.TimeoutExpired(["ks", *args], timeout) from None
        returncode = int(line)
        stdout.seek(0)
        stderr.seek(0)
        return subprocess.CompletedProcess(
            [sys.executable, "-m", "keystore_tool", *args],
            returncode,
            _text(stdout.read()),
            _text(stderr.read()),
        )


def ks_ok(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    proc = ks(*args, **kwargs)
    assert proc.returncode == 0, (
        f"ks {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr}"
    )
    return proc


def ks_json(*args: str | Path, **kwargs: Any) -> Any:
    proc = ks_ok(*args, "--json", **kwargs)
    return json.loads(proc.stdout)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    """The contract's failure shape: the exit code, one 'ks: error:' line, no traceback."""
    assert proc.returncode == code, f"exit {proc.returncode} != {code}: {proc.stderr}"
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ks: error: ")]
    assert len(errors) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return errors[0]
