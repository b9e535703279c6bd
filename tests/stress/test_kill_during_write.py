"""SIGKILL at random moments of `ks import` into a big store: whatever the moment, the store
parses as either the old store or the new one (compared by parsing, not by bytes), and the
next import succeeds (the kernel released the dead writer's lock)."""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path

import pytest

from keystore_tool.storage import PAUSE_POINTS
from tests.stress.common import (
    KILL_STORE_SIZE,
    KILLS,
    PASSWORD,
    aliases,
    big_store,
    ks_command,
    ks_env,
    pem_files,
    run_ks,
)


@pytest.mark.slow
@pytest.mark.parametrize("storetype", ["pkcs12", "jks"])
def test_sigkill_during_writes_leaves_the_old_or_the_new_store(
    tmp_path: Path, storetype: str
) -> None:
    store = tmp_path / f"big.{'p12' if storetype == 'pkcs12' else 'jks'}"
    big_store(store, storetype, KILL_STORE_SIZE)
    certs = pem_files(tmp_path / "new", "kill-", KILLS + 1)
    env = ks_env()
    # How long one import takes here: kills are spread over that window.
    started = time.perf_counter()
    first = run_ks(
        "import", "-k", store, "--file", certs[0], "--alias", "kill-0", "--storepass", PASSWORD
    )
    assert first.returncode == 0, first.stderr
    window = time.perf_counter() - started
    current = aliases(store)
    rng = random.Random(6)
    outcomes = {"old": 0, "new": 0}
    for n in range(1, KILLS + 1):
        alias = f"kill-{n}"
        args = ks_command(
            "import", "-k", store, "--file", certs[n], "--alias", alias, "--storepass", PASSWORD
        )
        run_env = dict(env)
        marker = tmp_path / "paused"
        marker.unlink(missing_ok=True)
        if n <= len(PAUSE_POINTS):
            # The first kills land exactly at each step of the write (storage.PAUSE_POINTS).
            run_env.update(KS_PAUSE_AT=PAUSE_POINTS[n - 1], KS_PAUSE_FILE=str(marker))
        proc = subprocess.Popen(
            args, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if n <= len(PAUSE_POINTS):
            deadline = time.monotonic() + 120
            while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
        else:
            time.sleep(rng.uniform(0, window * 1.1))
        proc.kill()
        proc.wait()
        after = aliases(store)
        if after == current:
            outcomes["old"] += 1
        elif after == current | {alias}:
            outcomes["new"] += 1
            current = after
        else:
            pytest.fail(f"kill {n}: the store is neither the old nor the new one")
    # The lock died with its holder: the next writer gets it and the store grows.
    last = run_ks(
        "import", "-k", store, "--file", certs[0], "--alias", "after-kills", "--storepass", PASSWORD
    )
    assert last.returncode == 0, last.stderr
    assert aliases(store) == current | {"after-kills"}
    print(f"{storetype}: {KILLS} kills on {KILL_STORE_SIZE} entries -> {outcomes}")
