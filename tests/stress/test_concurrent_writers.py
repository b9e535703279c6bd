"""Many ks processes importing into one store while others list it: nothing is lost, and no
reader ever sees a partial file or an error (the lock serialises writers; readers see the
old or the new file because it is renamed into place)."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import pytest

from tests.stress.common import (
    IMPORTS_EACH,
    PASSWORD,
    READERS,
    TRIALS,
    WRITERS,
    aliases,
    ks_command,
    ks_env,
    pem_files,
    run_ks,
)


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(TRIALS))
@pytest.mark.parametrize("storetype", ["pkcs12", "jks"])
def test_parallel_writers_lose_nothing_and_readers_see_whole_stores(
    tmp_path: Path, storetype: str, trial: int
) -> None:
    store = tmp_path / f"shared.{'p12' if storetype == 'pkcs12' else 'jks'}"
    seed = pem_files(tmp_path / "seed", "seed-", 1)[0]
    first = run_ks(
        "import", "-k", store, "--file", seed, "--alias", "seed", "--storepass", PASSWORD
    )
    assert first.returncode == 0, first.stderr
    files = {
        w: pem_files(tmp_path / f"w{w}", f"t{trial}w{w}-", IMPORTS_EACH) for w in range(WRITERS)
    }
    failures: list[str] = []
    reads: list[int] = []
    done = threading.Event()
    writers = [
        threading.Thread(target=_writer, args=(store, w, files[w], failures))
        for w in range(WRITERS)
    ]
    readers = [
        threading.Thread(target=_reader, args=(store, r, done, failures, reads))
        for r in range(READERS)
    ]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    for thread in readers:
        thread.join()
    assert not failures, failures[:5]
    expected = {"seed"} | {f"w{w}-{i}" for w in range(WRITERS) for i in range(IMPORTS_EACH)}
    assert aliases(store) == expected
    assert reads, "no reader completed a listing"
    assert not list(tmp_path.glob(".*ks-tmp*")), "a temporary file was left behind"


def _writer(store: Path, w: int, files: list[Path], failures: list[str]) -> None:
    """Imports each of ``files`` as ``w<w>-<i>``, one ks process after another."""
    for i, path in enumerate(files):
        proc = _ks("import", "-k", store, "--file", path, "--alias", f"w{w}-{i}")
        if proc.returncode != 0:
            failures.append(f"writer {w} import {i}: {proc.returncode} {proc.stderr.strip()}")


def _reader(
    store: Path, r: int, done: threading.Event, failures: list[str], reads: list[int]
) -> None:
    """Lists the store until ``done``: every listing succeeds and none shows fewer entries."""
    seen = 0
    while not done.is_set():
        proc = _ks("list", "-k", store, "--json")
        if proc.returncode != 0:
            failures.append(f"reader {r}: {proc.returncode} {proc.stderr.strip()}")
            return
        count = len(json.loads(proc.stdout)["entries"])
        if count < seen:
            failures.append(f"reader {r}: the store shrank from {seen} to {count} entries")
        seen = count
        reads.append(count)


def _ks(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ks_command(*args, "--storepass", PASSWORD),
        capture_output=True,
        text=True,
        env=ks_env(),
        timeout=600,
    )
