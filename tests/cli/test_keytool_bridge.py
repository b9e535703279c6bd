"""keytool's spelling understood: the argv translation in-process, then ks run with keytool's
words against a store keytool itself lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore_tool.cli.keytool import translate
from keystore_tool.cli.main import COMMANDS
from keystore_tool.errors import UsageError
from tests.certs import issue
from tests.conftest import Jdk
from tests.ks import assert_one_line_error, ks, ks_ok


def ks_args(*words: str) -> list[str]:
    return translate(list(words), COMMANDS).args


@pytest.mark.parametrize(
    ("keytool", "expected"),
    [
        (
            ["-list", "-keystore", "c", "-storepass", "changeit", "-v"],
            ["list", "--keystore", "c", "--storepass", "changeit", "-v"],
        ),
        (
            [
                "-importcert",
                "-noprompt",
                "-trustcacerts",
                "-alias",
                "ca",
                "-file",
                "ca.crt",
                "-keystore",
                "t.p12",
                "-storepass:env",
                "P",
            ],
            [
                "import",
                "--alias",
                "ca",
                "--file",
                "ca.crt",
                "--keystore",
                "t.p12",
                "--storepass-env",
                "P",
            ],
        ),
        (
            ["-import", "-file", "a.pem", "-keystore", "t"],
            ["import", "--file", "a.pem", "--keystore", "t"],
        ),
        (
            ["-exportcert", "-alias", "a", "-keystore", "t", "-file", "a.der"],
            ["export", "--alias", "a", "--keystore", "t", "--out", "a.der", "--der"],
        ),
        (
            ["-export", "-rfc", "-alias", "a", "-keystore", "t"],
            ["export", "--alias", "a", "--keystore", "t"],
        ),
        (
            [
                "-importkeystore",
                "-srckeystore",
                "a.jks",
                "-destkeystore",
                "b.p12",
                "-deststoretype",
                "pkcs12",
                "-srcstorepass:file",
                "f",
                "-deststorepass",
                "x",
            ],
            [
                "convert",
                "--keystore",
                "a.jks",
                "--out",
                "b.p12",
                "--to",
                "pkcs12",
                "--srcstorepass-file",
                "f",
                "--storepass",
                "x",
            ],
        ),
        (
            ["-delete", "-alias", "a", "-keystore", "t"],
            ["delete", "--alias", "a", "--keystore", "t"],
        ),
        (
            ["-changealias", "-alias", "a", "-destalias", "b", "-keystore", "t"],
            ["rename", "--alias", "a", "--to", "b", "--keystore", "t"],
        ),
        (
            ["-storepasswd", "-keystore", "t", "-storepass", "o", "-new:env", "N"],
            ["passwd", "--keystore", "t", "--storepass", "o", "--new-storepass-env", "N"],
        ),
        (
            [
                "-genkeypair",
                "-alias",
                "s",
                "-keyalg",
                "EC",
                "-keysize",
                "256",
                "-validity",
                "30",
                "-dname",
                "CN=s",
                "-keystore",
                "k.p12",
                "-keypass",
                "kp",
            ],
            [
                "genkeypair",
                "--alias",
                "s",
                "--keyalg",
                "EC",
                "--keysize",
                "256",
                "--validity",
                "30",
                "--dname",
                "CN=s",
                "--keystore",
                "k.p12",
                "--entry-pass",
                "kp",
            ],
        ),
        (
            ["-genkey", "-alias", "s", "-keystore", "k"],
            ["genkeypair", "--alias", "s", "--keystore", "k"],
        ),
        (
            ["-certreq", "-alias", "s", "-file", "s.csr", "-keystore", "k"],
            ["certreq", "--alias", "s", "--out", "s.csr", "--keystore", "k"],
        ),
        (
            ["-gencert", "-alias", "ca", "-infile", "r", "-outfile", "c", "-rfc", "-keystore", "k"],
            ["gencert", "--alias", "ca", "--infile", "r", "--outfile", "c", "--keystore", "k"],
        ),
        (["-printcert", "-sslserver", "h:8200"], ["fetch", "h:8200"]),
        # The issue's own examples: a ks command with keytool's options, and the explicit form.
        (
            [
                "import",
                "-keystore",
                "t.p12",
                "-storepass",
                "changeit",
                "-alias",
                "a",
                "-file",
                "ca.crt",
            ],
            [
                "import",
                "--keystore",
                "t.p12",
                "--storepass",
                "changeit",
                "--alias",
                "a",
                "--file",
                "ca.crt",
            ],
        ),
        (["list", "-keystore", "x"], ["list", "--keystore", "x"]),
        (["keytool", "--", "-list", "-keystore", "x"], ["list", "--keystore", "x"]),
        (
            ["importcert", "-file", "f", "-keystore", "k"],
            ["import", "--file", "f", "--keystore", "k"],
        ),
    ],
)
def test_keytool_line_becomes_the_ks_line(keytool: list[str], expected: list[str]) -> None:
    assert ks_args(*keytool) == expected


def test_ks_line_is_left_alone() -> None:
    line = ["list", "-k", "x", "--storepass", "-storepass", "-v", "--json"]
    translation = translate(line, COMMANDS)
    assert translation.args == line
    assert translation.note is None


def test_note_spells_the_ks_line_and_hides_the_password() -> None:
    note = translate(["-list", "-keystore", "my store", "-storepass", "s3cret"], COMMANDS).note
    assert note == "running it as ks spells it: ks list --keystore 'my store' --storepass ***"


@pytest.mark.parametrize(
    ("keytool", "advice"),
    [
        (["-keypasswd", "-alias", "a"], "ks passwd --new-entry-pass"),
        (["-printcert", "-file", "c.crt"], "ks fetch HOST:PORT"),
        (["-genkeypair", "-ext", "san=dns:x", "-alias", "a"], "--san"),
        (["-list", "-cacerts"], "ks where"),
        (["-importcert", "-providerclass", "x.Y"], "JCA providers"),
        (["list", "-rfc", "-keystore", "x"], "ks show --pem"),
        (["delete", "-file", "x"], "has no -file"),
        (["-list", "-keystore"], "-keystore needs a value"),
        (["keytool", "--", "-keystore", "x"], "needs a keytool command"),
    ],
)
def test_keytool_word_without_counterpart_is_refused_with_advice(
    keytool: list[str], advice: str
) -> None:
    with pytest.raises(UsageError, match=advice.replace("-", r"\-")):
        translate(keytool, COMMANDS)


@pytest.mark.interop
def test_list_with_keytool_words_matches_keytool(tmp_path: Path, jdk17: Jdk) -> None:
    store = tmp_path / "t.p12"
    (tmp_path / "ca.crt").write_bytes(issue("bridge ca", ca=True).pem)
    imported = ks(
        "-importcert",
        "-noprompt",
        "-alias",
        "Bridge",
        "-file",
        tmp_path / "ca.crt",
        "-keystore",
        store,
        "-storepass",
        "changeit",
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr.startswith("ks: note: running it as ks spells it: ks import --alias")
    assert "changeit" not in imported.stderr
    listed = ks_ok("list", "-keystore", store, "-storepass", "changeit")
    keytool = jdk17.run_keytool("-list", "-keystore", str(store), "-storepass", "changeit").stdout
    fingerprint = [line for line in keytool.splitlines() if "SHA-256" in line]
    assert fingerprint and fingerprint[0] in listed.stdout
    assert "bridge, " in listed.stdout.lower()


def test_refusal_is_one_error_line_exit_2(tmp_path: Path) -> None:
    proc = ks(
        "-genkeypair", "-alias", "a", "-keystore", tmp_path / "k.p12", "-sigalg", "SHA1withRSA"
    )
    line = assert_one_line_error(proc, 2)
    assert "-sigalg" in line
    assert not (tmp_path / "k.p12").exists()


def test_the_note_hides_a_password_given_as_option_equals_value() -> None:
    from keystore_tool.cli.keytool import translate
    from keystore_tool.cli.main import COMMANDS

    note = translate(["list", "-keystore", "a.p12", "--storepass=hunter2"], COMMANDS).note
    assert note is not None and "hunter2" not in note and "--storepass=***" in note
