"""A write on a full file system fails with one clean line, leaves the store as it was and
leaves no temporary file behind. Needs a small tmpfs; skipped where mounting is not allowed."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stress.common import PASSWORD, aliases, pem_files, run_ks


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mountpoint = tmp_path / "full"
    mountpoint.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or proc.returncode})")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def _fill(directory: Path) -> None:
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        chunk = b"\0" * 4096
        while True:
            try:
                os.write(fd, chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    finally:
        os.close(fd)


@pytest.mark.parametrize("storetype", ["pkcs12", "jks"])
def test_disk_full_is_a_clean_error_and_the_store_is_intact(
    small_tmpfs: Path, tmp_path: Path, storetype: str
) -> None:
    store = small_tmpfs / f"trust.{'p12' if storetype == 'pkcs12' else 'jks'}"
    certs = pem_files(tmp_path / "certs", "full-", 3)
    for i in range(2):
        made = run_ks(
            "import", "-k", store, "--file", certs[i], "--alias", f"c{i}", "--storepass", PASSWORD
        )
        assert made.returncode == 0, made.stderr
    before = store.read_bytes()
    _fill(small_tmpfs)
    proc = run_ks(
        "import", "-k", store, "--file", certs[2], "--alias", "c2", "--storepass", PASSWORD
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("ks: error: no space left") and proc.stderr.count("\n") == 1, (
        proc.stderr
    )
    assert "Traceback" not in proc.stderr
    assert store.read_bytes() == before
    assert aliases(store) == {"c0", "c1"}
    leftovers = [p.name for p in small_tmpfs.iterdir() if "ks-tmp" in p.name]
    assert not leftovers
