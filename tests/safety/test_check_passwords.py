"""``ks check`` takes a password per store (CLI.md): repeated password options pair with
``--keystore`` by position, one given once applies to all, mixed counts are a usage error, and
every error names the store it is about. The README's two-store example runs as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.certs import issue
from tests.conftest import Jdk
from tests.ks import ROOT, ks


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, jdk17: Jdk) -> Path:
    """truststore.p12 (ks, password 'trust-pw') and keystore.p12 (keytool, 'key-pw')."""
    directory = tmp_path_factory.mktemp("check")
    ca = directory / "ca.pem"
    ca.write_bytes(issue("check ca").pem)
    made = ks("import", "-k", directory / "truststore.p12", "--file", ca, "--storepass", "trust-pw")
    assert made.returncode == 0, made.stderr
    subprocess.run(
        [jdk17.keytool, "-genkeypair", "-keystore", directory / "keystore.p12", "-storetype",
         "pkcs12", "-storepass", "key-pw", "-alias", "service", "-keyalg", "EC", "-dname",
         "CN=service", "-validity", "365"],
        check=True, capture_output=True,
    )  # fmt: skip
    return directory


def _check(
    stores: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return ks("check", *args, "--json", cwd=stores, env=env)


def test_repeated_password_options_pair_with_the_stores_by_position(stores: Path) -> None:
    proc = _check(
        stores, "-k", "truststore.p12", "--storepass-env", "PA", "-k", "keystore.p12",
        "--storepass-env", "PB", env={"PA": "trust-pw", "PB": "key-pw"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert [s["keystore"] for s in document["keystores"]] == ["truststore.p12", "keystore.p12"]
    both = _check(stores, "-k", "truststore.p12", "-k", "keystore.p12",
                  "--storepass", "trust-pw", "--storepass", "key-pw")  # fmt: skip
    assert both.returncode == 0, both.stderr


def test_a_wrong_password_names_the_store_it_is_about(stores: Path) -> None:
    proc = _check(stores, "-k", "truststore.p12", "-k", "keystore.p12",
                  "--storepass", "trust-pw", "--storepass", "wrong")  # fmt: skip
    assert proc.returncode == 3
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ks: error: keystore.p12: ")
    one_for_all = _check(stores, "-k", "truststore.p12", "-k", "keystore.p12",
                         "--storepass", "trust-pw")  # fmt: skip
    assert one_for_all.returncode == 3 and "keystore.p12:" in one_for_all.stderr
    assert "truststore.p12" not in one_for_all.stderr


@pytest.mark.parametrize(
    "passwords",
    [
        ["--storepass", "a", "--storepass", "b", "--storepass", "c"],
        ["--storepass", "trust-pw", "--storepass-env", "PB"],
    ],
    ids=["three-for-two", "mixed-kinds"],
)
def test_password_counts_that_do_not_pair_are_a_usage_error(
    stores: Path, passwords: list[str]
) -> None:
    proc = _check(stores, "-k", "truststore.p12", "-k", "keystore.p12", *passwords,
                  env={"PB": "key-pw"})  # fmt: skip
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "--keystore" in proc.stderr


def test_the_readme_two_store_example_works_as_written(stores: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    line = next(ln for ln in readme.splitlines() if re.match(r"ks check -k \S+ .*-k ", ln))
    command = shlex.split(line.split("#", 1)[0])
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # Whatever variables the example names get the stores' passwords, in its order.
    names = [command[i + 1] for i, arg in enumerate(command) if arg == "--storepass-env"]
    assert len(names) == 2
    env.update(dict(zip(names, ["trust-pw", "key-pw"], strict=True)))
    proc = subprocess.run(
        [sys.executable, "-m", "keystore_tool", *command[1:]],
        cwd=stores, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "checked in 2 stores" in proc.stdout
