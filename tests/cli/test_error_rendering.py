"""An error's context becomes the command line's words in one place (cli/errors.py), and the
library's own text names no option."""

from __future__ import annotations

import re

import pytest

from keystore_tool.cli.errors import REMEDIES, flag, message
from keystore_tool.errors import (
    ConflictError,
    KdfWorkError,
    KsError,
    NotFoundError,
    Remedy,
    UsageError,
)

OPTION = re.compile(r"(?<![\w-])--[a-z]")


@pytest.mark.parametrize("remedy", list(Remedy))
def test_every_remedy_has_command_line_words_and_library_words_without_options(
    remedy: Remedy,
) -> None:
    assert remedy in REMEDIES
    assert not OPTION.search(remedy.value), remedy.value


def test_a_remedy_becomes_the_option_to_use_on_the_command_line() -> None:
    exc = ConflictError("alias 'ca' already exists", remedy=Remedy.REPLACE_OR_OTHER_ALIAS)
    assert message(exc) == (
        "alias 'ca' already exists; use --replace to overwrite it, or choose another --alias"
    )
    assert str(exc) == "alias 'ca' already exists; ask to replace it, or choose another alias"


def test_a_parameter_becomes_its_flag() -> None:
    exc = UsageError("'3x' is not a duration", parameter="expires_within")
    assert message(exc) == "--expires-within '3x' is not a duration"
    assert str(exc) == "expires_within: '3x' is not a duration"
    assert flag("store_password") == "--storepass"


def test_a_remedy_names_the_fields_of_its_details() -> None:
    exc = KdfWorkError("asks for 9,000,000 rounds", asked=9_000_000, budget=4_500_000)
    assert message(exc).endswith(
        "raise the budget with --max-kdf-work 9000000 (or KS_MAX_KDF_WORK)"
    )
    assert "9000000" in str(exc) and "--" not in str(exc)


def test_a_reworded_error_keeps_its_class_exit_code_and_context() -> None:
    exc = NotFoundError("no entry", alias="ca", store="t.p12", remedy=Remedy.OTHER_ALIAS)
    again = exc.reworded(f"t.p12: {exc.message}")
    assert type(again) is NotFoundError and again.exit_code == 4
    assert (again.alias, again.store, again.remedy) == ("ca", "t.p12", Remedy.OTHER_ALIAS)
    assert message(again) == "t.p12: no entry; choose another --alias"
    kdf = KdfWorkError("too much", asked=10, budget=2).reworded("x: too much")
    assert isinstance(kdf, KdfWorkError) and (kdf.asked, kdf.budget) == (10, 2)
    assert isinstance(again, KsError) and exc.message == "no entry"
