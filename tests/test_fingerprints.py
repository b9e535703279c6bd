"""One pin parser: every spelling that ``import --expect-sha256`` accepts, an apply spec's
``sha256`` accepts too (they used to disagree on ``sha256=AB…``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore_tool.errors import UsageError
from keystore_tool.fingerprints import parse_sha256
from keystore_tool.ops.apply import parse_spec
from keystore_tool.ops.fetch import normalize_sha256

DIGEST = bytes(range(32))
SPELLINGS = [
    DIGEST.hex(":").upper(),
    DIGEST.hex(),
    DIGEST.hex().upper(),
    "sha256=" + DIGEST.hex(":"),
    "SHA256:" + DIGEST.hex(),
    " ".join(DIGEST.hex(":").split(":")),
]


@pytest.mark.parametrize("text", SPELLINGS)
def test_every_spelling_is_the_same_pin_everywhere(text: str, tmp_path: Path) -> None:
    assert parse_sha256(text) == DIGEST
    assert normalize_sha256(text) == DIGEST
    spec = f'[[store]]\npath = "t.p12"\npassword = {{ none = true }}\n[[store.certificates]]\nfile = "ca.pem"\nsha256 = "{text}"\n'
    parse_spec(spec, tmp_path / "spec.toml")


@pytest.mark.parametrize("text", ["AB:CD", DIGEST.hex() + "00", "zz" * 32, "sha1=" + DIGEST.hex()])
def test_what_is_not_a_pin_is_refused_everywhere(text: str, tmp_path: Path) -> None:
    assert parse_sha256(text) is None
    with pytest.raises(UsageError, match="not a SHA-256 fingerprint"):
        normalize_sha256(text)
    spec = f'[[store]]\npath = "t.p12"\npassword = {{ none = true }}\n[[store.certificates]]\nfile = "ca.pem"\nsha256 = "{text}"\n'
    with pytest.raises(UsageError, match="not a SHA-256 fingerprint"):
        parse_spec(spec, tmp_path / "spec.toml")
