"""What a real JVM sees in a store: every alias, entry type, chain fingerprints, and the
decrypted key bytes (PKCS#8 for private keys, raw for secret keys), via StoreDump.java."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import Jdk

_SOURCE = Path(__file__).parent / "java" / "StoreDump.java"


def java_dump(
    jdk: Jdk, path: Path, storetype: str, password: str | None, key_password: str | None = None
) -> dict[str, dict[str, Any]]:
    """Entries by lower-cased alias as the JVM's KeyStore reports them."""
    args = [
        jdk.java,
        str(_SOURCE),
        storetype.upper(),
        str(path),
        "-" if password is None else password,
    ]
    if key_password is not None:
        args.append(key_password)
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"StoreDump failed on {path} ({storetype}):\n{proc.stderr}")
    entries = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return {e["alias"].lower(): e for e in entries}
