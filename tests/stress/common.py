"""Shared pieces of the stress tests: sizes (short in `make test`, full in `make stress`),
running ks as a process, distinct certificates and big stores made fast."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

from bench.certgen import certificates
from keystore_tool.certfiles import armour
from keystore_tool.formats import DumpOptions, get_format
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.password import Password
from keystore_tool.storage import PAUSE_POINTS

ROOT = Path(__file__).resolve().parent.parent.parent
FULL = os.environ.get("STRESS_FULL") == "1"
PASSWORD = "changeit"

WRITERS, IMPORTS_EACH, READERS, TRIALS = (32, 10, 8, 3) if FULL else (8, 3, 4, 1)
# `make test` kills a writer once at each pause point of storage (the steps of a write); the
# stress run adds random moments on top, 30 kills in all.
KILLS, KILL_STORE_SIZE = (30, 20_000) if FULL else (len(PAUSE_POINTS), 2_000)


def ks_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env.pop("JAVA_TOOL_OPTIONS", None)
    env.pop("KS_PAUSE_AT", None)
    return env


def ks_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "keystore_tool", *map(str, args)]


def run_ks(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ks_command(*args), capture_output=True, text=True, env=env or ks_env(), timeout=300
    )


def pem_files(directory: Path, prefix: str, count: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, der in enumerate(certificates(count, prefix)):
        path = directory / f"{prefix}{i}.pem"
        path.write_bytes(armour("CERTIFICATE", der))
        paths.append(path)
    return paths


def big_store(path: Path, storetype: str, size: int) -> None:
    created = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    keystore = Keystore(
        TrustedCertificateEntry(alias=f"big-{i}", certificate=Certificate(der), created=created)
        for i, der in enumerate(certificates(size, "big-"))
    )
    data = get_format(storetype).dump(keystore, Password(PASSWORD), DumpOptions(iterations=1000))
    path.write_bytes(data)


def aliases(path: Path) -> set[str]:
    """The aliases of the store, by parsing it (not by comparing bytes)."""
    from keystore_tool.storage import load_store

    return {e.alias.lower() for e in load_store(path, Password(PASSWORD))}
