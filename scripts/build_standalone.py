"""Builds the standalone ks (make standalone): a PyInstaller one-folder build, needing no Python
on the target, packed as dist/ks-VERSION-linux-ARCH.tar.gz (unpack it, run ks/ks).

    python scripts/build_standalone.py [--out DIR]

PyInstaller must be installed (pip install '.[standalone]'). The build takes 1-2 minutes.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCLUDED = ("setuptools", "pkg_resources", "distutils", "tkinter", "unittest", "pydoc", "pytest")


def build(out: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from keystore_tool import __version__

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ks-standalone-") as work:
        subprocess.run(
            [
                sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir", "--name", "ks",
                "--log-level", "WARN", "--paths", str(ROOT),
                # main.py imports the command modules by name: PyInstaller cannot see them.
                "--collect-submodules", "keystore_tool",
                "--collect-data", "keystore_tool",  # resources/HttpsProbe.java (verify --java)
                # Found through optional imports, never used, and each costs every start:
                # setuptools brings pkg_resources and its runtime hook (~0.3 s per start).
                *(f"--exclude-module={m}" for m in EXCLUDED),
                "--distpath", f"{work}/dist", "--workpath", f"{work}/build", "--specpath", work,
                str(ROOT / "scripts" / "ks_standalone.py"),
            ],
            check=True,
        )  # fmt: skip
        archive = out / f"ks-{__version__}-linux-{platform.machine()}.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(f"{work}/dist/ks", arcname="ks")
        shutil.rmtree(f"{work}/dist", ignore_errors=True)
    return archive


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    archive = build(parser.parse_args().out)
    print(f"wrote {archive}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
