"""The one password reader (keystore_tool.password) that the command line and an apply spec
share: each source, each refusal, and the messages both callers get."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from keystore_tool.cli.passwords import resolve
from keystore_tool.errors import NotFoundError, StorageError, UsageError
from keystore_tool.password import (
    Password,
    PasswordSource,
    password_from_environment,
    password_from_file,
)

NOT_UTF8 = os.fsdecode(b"qz7\xffmk9")


def test_each_source_gives_its_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KS_TEST_PW", "from-env")
    (tmp_path / "pw").write_bytes(b"from-file\r\nsecond line\n")
    assert PasswordSource("none").resolve() is None
    assert PasswordSource("value", "literal").resolve() == Password("literal")
    assert PasswordSource("env", "KS_TEST_PW").resolve() == Password("from-env")
    assert PasswordSource("file", str(tmp_path / "pw")).resolve() == Password("from-file")


def test_a_file_keeps_everything_on_its_first_line_but_the_line_end(tmp_path: Path) -> None:
    (tmp_path / "pw").write_bytes(b" a\rb \n")
    assert password_from_file(tmp_path / "pw") == Password(" a\rb ")
    (tmp_path / "empty").write_bytes(b"")
    assert password_from_file(tmp_path / "empty") == Password("")


def test_the_same_errors_reach_the_cli_and_apply_only_the_naming_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KS_TEST_UNSET", raising=False)
    with pytest.raises(UsageError) as spec_side:
        PasswordSource("env", "KS_TEST_UNSET").resolve()
    with pytest.raises(UsageError) as cli_side:
        resolve("--storepass", None, "KS_TEST_UNSET", None)
    assert spec_side.value.message == "environment variable KS_TEST_UNSET is not set"
    assert cli_side.value.message == (
        "environment variable KS_TEST_UNSET named by --storepass-env is not set"
    )
    missing = tmp_path / "missing"
    with pytest.raises(NotFoundError) as spec_file:
        PasswordSource("file", str(missing)).resolve()
    with pytest.raises(NotFoundError) as cli_file:
        resolve("--storepass", None, None, missing)
    assert spec_file.value.message == f"password file not found: {missing}"
    assert cli_file.value.message == f"password file not found: {missing} (from --storepass-file)"


def test_a_password_that_is_not_utf8_is_a_usage_error_showing_none_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KS_TEST_PW", NOT_UTF8)
    (tmp_path / "pw").write_bytes(b"qz7\xffmk9\n")
    failures = []
    readers: list[Callable[[], object]] = [
        lambda: password_from_environment("KS_TEST_PW"),
        lambda: password_from_environment("KS_TEST_PW", "--storepass-env"),
        lambda: password_from_file(tmp_path / "pw"),
        lambda: password_from_file(tmp_path / "pw", "--storepass-file"),
        lambda: PasswordSource("value", NOT_UTF8).resolve(),
        lambda: resolve("--storepass", NOT_UTF8, None, None),
    ]
    for read in readers:
        with pytest.raises(UsageError) as caught:
            read()
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
        failures.append(caught.value.message)
    assert all("UTF-8" in m and "qz7" not in m and "mk9" not in m for m in failures)
    assert failures[0] == (
        "the password from environment variable KS_TEST_PW is not valid UTF-8 text; give it as UTF-8"
    )
    assert "from --storepass-env (variable KS_TEST_PW)" in failures[1]
    assert (
        failures[2]
        == f"the password in {tmp_path / 'pw'} is not valid UTF-8 text; save it as UTF-8"
    )
    assert f"in {tmp_path / 'pw'} (from --storepass-file)" in failures[3]
    assert "from the value given" in failures[4]
    assert "from --storepass is" in failures[5]


def test_a_password_file_that_cannot_be_read_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=f"cannot read the password file {tmp_path}$"):
        password_from_file(tmp_path)  # a directory
    with pytest.raises(StorageError, match=r"\(from --key-pass-file\)$"):
        resolve("--key-pass", None, None, tmp_path)


def test_a_literal_source_never_shows_its_secret() -> None:
    assert "hunter2" not in repr(PasswordSource("value", "hunter2"))
    assert repr(PasswordSource("env", "PW")) == "PasswordSource('env', 'PW')"
    assert "hunter2" not in repr(Password("hunter2")) + str(Password("hunter2"))
