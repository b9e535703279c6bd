"""Help that teaches, a reference that cannot drift, man pages that render, completion that
loads: judged by Click's own model of the app, man-db, bash, zsh and fish."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from keystore_tool.cli import docgen, helptext
from keystore_tool.cli.main import COMMANDS
from tests.ks import ROOT, ks, ks_ok

# typer-slim 0.21 imports helpers Click 8.3 deprecates; the CLI itself never sees the warning.
pytestmark = pytest.mark.filterwarnings("ignore:'click.utils:DeprecationWarning")


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing (scripts/tools.d/60-shells-man.sh installs it)")
        pytest.skip(f"{tool} is not installed")
    return path


@pytest.fixture(scope="module")
def refs() -> list[docgen.CommandRef]:
    return docgen.commands()


def test_every_command_is_documented(refs: list[docgen.CommandRef]) -> None:
    assert {r.name for r in refs} == set(COMMANDS)
    assert set(helptext.COMMAND_DOCS) <= set(COMMANDS)
    missing = [r.name for r in refs if r.doc is None or len(r.doc.examples) < 1]
    assert not missing, f"add examples to cli/helptext.py for {missing}"


def test_every_option_has_help(refs: list[docgen.CommandRef]) -> None:
    bare = [(r.name, o.names) for r in refs for o in (*r.options, *r.arguments) if not o.help]
    assert not bare


def test_summaries_fit_the_command_list(refs: list[docgen.CommandRef]) -> None:
    # Click cuts a summary at 45 characters in `ks --help` with an ellipsis.
    long = [r.name for r in refs if len(r.summary) > 58 or r.summary.endswith("...")]
    assert not long


def test_read_only_commands_do_not_offer_a_new_files_type(refs: list[docgen.CommandRef]) -> None:
    for ref in refs:
        for option in ref.options:
            if option.names == "--storetype" and ref.name in (
                "list",
                "show",
                "export",
                "delete",
                "rename",
            ):
                assert "new" not in option.help, (ref.name, option.help)


@pytest.mark.parametrize("name", ["list", "import", "apply", "check", "verify", "convert"])
def test_command_help_shows_examples_and_exit_codes(name: str) -> None:
    out = ks_ok(name, "--help").stdout
    assert "Examples:" in out
    assert "Exit codes:" in out
    assert helptext.COMMAND_DOCS[name].examples[0][1] in out
    for code, _ in helptext.COMMAND_DOCS[name].exit_codes:
        assert f"  {code} " in out


def test_main_help_lists_global_options_and_exit_codes() -> None:
    out = ks_ok("--help").stdout
    for option in ("--version", "--debug", "--no-color"):
        assert option in out
    for code in range(6):
        assert f"\n    {code}  " in out


def test_check_and_apply_help_give_their_own_exit_codes() -> None:
    assert "10   a certificate expires" in ks_ok("check", "--help").stdout
    assert "11   a certificate has expired" in ks_ok("check", "--help").stdout
    assert "10   with --check: something would change" in ks_ok("apply", "--help").stdout


def test_unknown_command_suggests_once() -> None:
    proc = ks("lst")
    assert proc.returncode == 2
    assert proc.stderr.count("Did you mean 'list'?") == 1, proc.stderr


def test_checked_in_reference_matches_the_app() -> None:
    assert (ROOT / "docs" / "CLI.md").read_text() == docgen.markdown(), "run make docs"
    pages = docgen.man_pages()
    assert sorted(p.name for p in (ROOT / "man").glob("*.1")) == sorted(pages), "run make docs"
    for name, text in pages.items():
        assert (ROOT / "man" / name).read_text() == text, f"man/{name} is stale: run make docs"


def test_reference_carries_the_contract() -> None:
    text = (ROOT / "docs" / "CLI.md").read_text()
    for needle in (
        "| 5 | conflict",
        "--storepass-env VAR",
        '"sha256": "AB:CD:..."',
        "## ks import",
    ):
        assert needle in text
    readme = (ROOT / "README.md").read_text()
    assert "../shared" not in readme
    assert "docs/CLI.md" in readme


def test_every_man_page_renders_without_warnings() -> None:
    man = _need("man")
    for page in sorted((ROOT / "man").glob("*.1")):
        proc = subprocess.run(
            [man, "--warnings", "-l", str(page)],
            capture_output=True,
            text=True,
            env={**os.environ, "MANWIDTH": "80", "MAN_KEEP_FORMATTING": "0", "PAGER": "cat"},
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == "", (page.name, proc.stderr)
        text = re.sub(".\b", "", proc.stdout)  # man's overstrike bold
        assert "EXAMPLES" in text or page.name == "ks.1"
        assert "EXIT STATUS" in text


def _script(tmp_path: Path, shell: str) -> Path:
    path = tmp_path / f"ks.{shell}"
    path.write_text(ks_ok("completion", shell).stdout)
    return path


def test_bash_completion_loads_and_completes(tmp_path: Path) -> None:
    bash = _need("bash")
    script = _script(tmp_path, "bash")
    probe = (
        f"source {script}\n"
        'COMP_WORDS=(ks li); COMP_CWORD=1; _ks_complete; echo "1:${COMPREPLY[*]}"\n'
        'COMP_WORDS=(ks list --store); COMP_CWORD=2; _ks_complete; echo "2:${COMPREPLY[*]}"\n'
        "COMP_WORDS=(ks convert --to ''); COMP_CWORD=3; _ks_complete; echo \"3:${COMPREPLY[*]}\"\n"
        "complete -p ks\n"
    )
    proc = subprocess.run([bash, "--norc", "-c", probe], capture_output=True, text=True, check=True)
    lines = proc.stdout.splitlines()
    assert lines[0] == "1:list"
    assert set(lines[1][2:].split()) == {
        "--storepass",
        "--storepass-env",
        "--storepass-file",
        "--storetype",
    }
    assert lines[2] == "3:pkcs12 jks jceks pem"
    assert "_ks_complete" in lines[3]


def test_zsh_completion_loads(tmp_path: Path) -> None:
    zsh = _need("zsh")
    script = _script(tmp_path, "zsh")
    probe = f"autoload -U compinit && compinit -u -d {tmp_path}/zcd && source {script} && print -r -- ${{_comps[ks]}}"
    proc = subprocess.run([zsh, "-f", "-c", probe], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "_ks"
    assert proc.stderr == ""


def test_fish_completion_completes(tmp_path: Path) -> None:
    fish = _need("fish")
    script = _script(tmp_path, "fish")
    probe = f"source {script}; complete -C 'ks li'; complete -C 'ks list --keys'"
    proc = subprocess.run(
        [fish, "--no-config", "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    words = [line.split("\t")[0] for line in proc.stdout.splitlines()]
    assert "list" in words
    assert "--keystore" in words


def test_unknown_shell_is_a_usage_error() -> None:
    assert ks("completion", "tcsh").returncode == 2
