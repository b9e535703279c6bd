"""A password that is not valid text (non-UTF-8 bytes from an environment variable, a password
file or the command line) is a usage error naming the option, never "a corrupt file", and no
character of it is shown, not even with --debug (issue 10, item 8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.certs import issue
from tests.ks import ks

SECRET = b"qz7\xffmk9"
SECRET_TEXT = os.fsdecode(SECRET)  # what Python makes of those bytes: "qz7\\udcffmk9"
NEVER_SHOWN = ["qz7", "mk9", "\\xff", "0xff", "xff", "\xff", "\udcff", "udcff", "\u00ff"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pw")
    (directory / "ca.pem").write_bytes(issue("pw ca").pem)
    made = ks("import", "-k", directory / "s.p12", "--file", directory / "ca.pem",
              "--storepass", "changeit")  # fmt: skip
    assert made.returncode == 0, made.stderr
    return directory / "s.p12"


def _assert_usage_error_naming(proc: object, option: str, debug: bool = False) -> None:
    stderr: str = proc.stderr  # type: ignore[attr-defined]
    # --debug lets the error propagate with its traceback (Python's exit 1).
    assert proc.returncode == (1 if debug else 2), stderr  # type: ignore[attr-defined]
    assert "UsageError" in stderr if debug else stderr.startswith("ks: error: ")
    assert option in stderr and "UTF-8" in stderr
    assert "corrupt" not in stderr
    for fragment in NEVER_SHOWN:
        assert fragment not in stderr, fragment


@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_non_utf8_password_in_an_environment_variable(store: Path, debug: list[str]) -> None:
    proc = ks(*debug, "list", "-k", store, "--storepass-env", "KS_PW", env={"KS_PW": SECRET_TEXT})
    _assert_usage_error_naming(proc, "--storepass-env", bool(debug))
    if not debug:
        assert len(proc.stderr.splitlines()) == 1


@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_non_utf8_password_file(store: Path, tmp_path: Path, debug: list[str]) -> None:
    password_file = tmp_path / "pw"
    password_file.write_bytes(SECRET + b"\n")
    proc = ks(*debug, "list", "-k", store, "--storepass-file", password_file)
    _assert_usage_error_naming(proc, "--storepass-file", bool(debug))


def test_a_non_utf8_password_on_the_command_line(store: Path) -> None:
    proc = ks("list", "-k", store, "--storepass", SECRET_TEXT)
    _assert_usage_error_naming(proc, "--storepass")
