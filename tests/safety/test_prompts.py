"""Interactive prompts, driven through a real pseudo-terminal (the child's controlling
terminal, as getpass reads it): a new store's password is asked twice and must have at least
6 characters, as keytool asks; ``check`` names the store each prompt is for; scripts that give
--storepass* are not asked anything."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from tests.certs import issue
from tests.ks import ROOT, ks


def run_in_pty(
    args: list[str | Path], answers: list[tuple[str, str]], cwd: Path
) -> tuple[int, str]:
    """Runs ks on a new pseudo-terminal; waits for each prompt text and types its answer."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("JAVA_TOOL_OPTIONS", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-m", "keystore_tool", *map(str, args)], env)
    seen = b""
    searched_from = 0

    def read_more() -> bool:
        nonlocal seen
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            raise TimeoutError(f"no output from ks; so far: {seen!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return False
        seen += chunk
        return bool(chunk)

    try:
        for prompt, answer in answers:
            while prompt.encode() not in seen[searched_from:]:
                if not read_more():
                    raise AssertionError(f"ks ended before asking {prompt!r}: {seen!r}")
            searched_from = seen.index(prompt.encode(), searched_from) + len(prompt)
            os.write(fd, answer.encode() + b"\n")
        while read_more():
            pass
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")


def _openssl_opens(openssl: str, store: Path, password: str) -> bool:
    return (
        subprocess.run(
            [openssl, "pkcs12", "-in", store, "-nokeys", "-passin", f"pass:{password}"],
            capture_output=True,
        ).returncode
        == 0
    )


def test_a_new_store_password_is_asked_twice_and_needs_six_characters(
    tmp_path: Path, openssl: str
) -> None:
    (tmp_path / "ca.pem").write_bytes(issue("prompt ca").pem)
    code, screen = run_in_pty(
        ["import", "-k", "new.p12", "--file", "ca.pem"],
        [
            ("password (new store): ", "abc"),  # too short
            ("password (new store): ", "secret-1"),
            ("Re-enter the new password: ", "secret-2"),  # a typo
            ("password (new store): ", "secret-1"),
            ("Re-enter the new password: ", "secret-1"),
        ],
        tmp_path,
    )
    assert code == 0, screen
    assert "at least 6 characters" in screen and "don't match" in screen
    assert "secret" not in screen  # no echo
    assert _openssl_opens(openssl, tmp_path / "new.p12", "secret-1")


def test_three_failed_attempts_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_bytes(issue("prompt ca").pem)
    code, screen = run_in_pty(
        ["import", "-k", "new.p12", "--file", "ca.pem"],
        [("password (new store): ", "short")] * 3,
        tmp_path,
    )
    assert code == 2, screen
    assert not (tmp_path / "new.p12").exists()


def test_an_existing_store_is_asked_once_and_scripts_are_not_asked(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_bytes(issue("prompt ca").pem)
    (tmp_path / "other.pem").write_bytes(issue("other ca").pem)
    made = ks("import", "-k", tmp_path / "s.p12", "--file", tmp_path / "ca.pem",
              "--storepass", "abc")  # fmt: skip
    assert made.returncode == 0, made.stderr  # a script may choose a short password
    code, screen = run_in_pty(
        ["import", "-k", "s.p12", "--file", "other.pem"], [("Keystore password: ", "abc")], tmp_path
    )
    assert code == 0, screen
    assert "Re-enter" not in screen


def test_check_prompts_name_each_store(tmp_path: Path) -> None:
    for name, password in (("a.p12", "first-pw"), ("b.p12", "second-pw")):
        (tmp_path / f"{name}.pem").write_bytes(issue(name).pem)
        made = ks("import", "-k", tmp_path / name, "--file", tmp_path / f"{name}.pem",
                  "--storepass", password)  # fmt: skip
        assert made.returncode == 0, made.stderr
    code, screen = run_in_pty(
        ["check", "-k", "a.p12", "-k", "b.p12"],
        [("Password of a.p12: ", "first-pw"), ("Password of b.p12: ", "second-pw")],
        tmp_path,
    )
    assert code == 0, screen
    assert "checked in 2 stores" in screen
