"""A running ks cannot be dumped: no core file limit, not dumpable (so no crash collector and
no same-user debugger reads the password out of its memory). The old code left both as the
shell had them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.safety.conftest import PASS, ROOT, Material, Users


def test_a_running_ks_has_no_core_limit_and_is_not_dumpable(
    world: Path, material: Material, users: Users
) -> None:
    home = world / "atk"
    home.mkdir()
    store = home / "store.p12"
    shutil.copyfile(material.store, store)
    for path in (home, store):
        os.chown(path, users.attacker.uid, users.attacker.gid)
    marker = home / "paused"
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        KS_PAUSE_AT="locked",
        KS_PAUSE_FILE=str(marker),
        KS_PAUSE_SECONDS="60",
    )
    # Started as an ordinary user with a generous core limit, as a shell may have it.
    command = [
        "prlimit",
        "--core=unlimited",
        *users.attacker.setpriv(),
        sys.executable,
        "-m",
        "keystore_tool",
        "import",
        "-k",
        str(store),
        "--file",
        str(material.other_cert),
        "--alias",
        "o",
        *PASS,
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "ks never reached its lock"
            time.sleep(0.05)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        assert f"Uid:\t{users.attacker.uid}" in status  # the ks process itself
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        core = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
        assert core.split()[4:6] == ["0", "0"], core
        # A non-dumpable process's /proc files belong to root, not to the user running it.
        assert os.stat(f"/proc/{proc.pid}/environ").st_uid == 0
    finally:
        proc.kill()
        proc.communicate()
