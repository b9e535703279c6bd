"""Installing ks the ways the README says, on this machine as on a clean one: pip into a fresh
venv from the checkout, the wheel and sdist of `make dist`, and the standalone build run with no
Python environment at all, listing the JDK's cacerts as keytool lists them.

Slow (fresh venvs, a PyInstaller build of 1-2 minutes): `make dist-test` runs just these.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import Jdk, _missing

ROOT = Path(__file__).resolve().parent.parent
CACERTS = Path("/etc/ssl/certs/java/cacerts")  # read only, never written

pytestmark = pytest.mark.slow


def _clean_env(**extra: str) -> dict[str, str]:
    """A process environment with no venv, no PYTHONPATH and nothing of ours on PATH."""
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "LC_ALL": "C.UTF-8"}
    env.update(extra)
    return env


def _venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    return where / "bin"


def _pip(bin_dir: Path, *args: str) -> None:
    # The machine's pip configuration (local indexes, wheel cache) applies; nothing else.
    env = {**os.environ}
    env.pop("PYTHONPATH", None)
    subprocess.run(
        [str(bin_dir / "pip"), "install", "--quiet", *args], check=True, env=env, timeout=600
    )


def _entries(listing: str) -> list[str]:
    """keytool's layout from 'Your keystore contains' on, blank lines and trailing blanks aside."""
    lines = listing.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Your keystore contains"))
    return [line.rstrip() for line in lines[start:] if line.strip()]


@pytest.fixture(scope="module")
def keytool_listing(jdk17: Jdk) -> list[str]:
    if not CACERTS.exists():
        _missing(str(CACERTS))
    # UTF-8 out, so that aliases such as 'főtanúsítvány' are not printed as '?'.
    proc = subprocess.run(
        [jdk17.keytool, "-J-Duser.language=en", "-J-Dsun.stdout.encoding=UTF-8", "-list",
         "-keystore", str(CACERTS), "-storepass", "changeit"],
        capture_output=True, text=True, encoding="utf-8", env=_clean_env(), check=True,
    )  # fmt: skip
    return _entries(proc.stdout)


def _ks_list(ks: Path) -> str:
    proc = subprocess.run(
        [str(ks), "list", "-k", str(CACERTS), "--storepass", "changeit"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_pip_install_from_the_checkout(tmp_path: Path, keytool_listing: list[str]) -> None:
    bin_dir = _venv(tmp_path / "venv")
    _pip(bin_dir, str(ROOT))
    assert _ks_list(bin_dir / "ks").count("trustedCertEntry") == len(keytool_listing) // 2
    version = subprocess.run(
        [str(bin_dir / "ks"), "--version"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        check=True,
    )
    assert version.stdout.startswith("ks ")


def test_make_dist_wheel_and_sdist_install(tmp_path: Path, keytool_listing: list[str]) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    for artifact in (wheels[0], sdists[0]):
        bin_dir = _venv(tmp_path / f"venv-{artifact.suffix}")
        _pip(bin_dir, str(artifact))
        assert _entries(_ks_list(bin_dir / "ks")) == keytool_listing


def test_standalone_build_runs_without_python_and_lists_as_keytool(
    tmp_path: Path, keytool_listing: list[str]
) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        if os.environ.get("CI"):
            pytest.fail("PyInstaller is missing: pip install '.[standalone]'")
        pytest.skip("PyInstaller not installed (pip install '.[standalone]')")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_standalone.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    (archive,) = tmp_path.glob("ks-*-linux-*.tar.gz")
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    ks = unpacked / "ks" / "ks"
    assert _entries(_ks_list(ks)) == keytool_listing
