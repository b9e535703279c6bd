"""Inputs the fuzz suite found or that represent a class of damage, kept as files
(fixtures/README.md says how each was made). Each must end in a load or a one-line KsError,
through the library and through `ks list` as a user runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore_tool import certfiles
from keystore_tool.password import Password
from keystore_tool.x509util import describe_certificate
from tests.fuzz.conftest import PASSWORD
from tests.fuzz.harness import judge
from tests.fuzz.test_fuzz_adapters import exercise
from tests.ks import ks

FIXTURES = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "fuzz").glob("*.bin"))


def _target(path: Path) -> str:
    return path.name.split("-", 1)[0]


@pytest.mark.parametrize("password", [Password(PASSWORD), None], ids=["password", "no-password"])
@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture_loads_or_fails_cleanly(path: Path, password: Password | None) -> None:
    target = _target(path)
    data = path.read_bytes()
    if target == "certificates":

        def action(d: bytes) -> None:
            for cert in certfiles.read_certificates(d, path.name):
                describe_certificate(cert)

        judge(target, data, action)
    else:
        judge(target, data, exercise(target, password))  # type: ignore[arg-type]


def test_there_are_fixtures() -> None:
    assert len(FIXTURES) >= 5


@pytest.mark.parametrize(
    "path", [p for p in FIXTURES if _target(p) != "certificates"], ids=lambda p: p.name
)
def test_ks_list_json_reports_a_one_line_error_not_a_traceback(path: Path) -> None:
    proc = ks("list", "-k", path, "--storepass", PASSWORD, "--json")
    assert "Traceback" not in proc.stderr
    assert "internal error" not in proc.stderr
    # Warnings (an unverified store) may precede the error; every line is ks' own.
    assert all(line.startswith("ks: ") for line in proc.stderr.splitlines())
    if proc.returncode != 0:
        assert proc.stderr.splitlines()[-1].startswith("ks: error: ")
        assert proc.stdout == ""


@pytest.mark.parametrize(
    "path", [p for p in FIXTURES if _target(p) == "certificates"], ids=lambda p: p.name
)
def test_ks_import_of_a_damaged_certificate_is_a_one_line_error(path: Path, tmp_path: Path) -> None:
    proc = ks("import", "-k", tmp_path / "t.p12", "--file", path, "--storepass", PASSWORD)
    assert proc.returncode == 1
    assert proc.stderr.startswith("ks: error: ") and proc.stderr.count("\n") == 1
    assert not (tmp_path / "t.p12").exists()
