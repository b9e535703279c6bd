"""Running ``ks`` as a user does: a separate process, its stdout, stderr and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def ks(
    *args: str | Path,
    env: dict[str, str] | None = None,
    input: str | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT)
    full_env.pop("JAVA_TOOL_OPTIONS", None)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "keystore_tool", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        input=input if input is not None else "",
        cwd=cwd,
        timeout=timeout,
    )


def ks_ok(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    proc = ks(*args, **kwargs)
    assert proc.returncode == 0, (
        f"ks {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr}"
    )
    return proc


def ks_json(*args: str | Path, **kwargs: Any) -> Any:
    proc = ks_ok(*args, "--json", **kwargs)
    return json.loads(proc.stdout)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    """The contract's failure shape: the exit code, one 'ks: error:' line, no traceback."""
    assert proc.returncode == code, f"exit {proc.returncode} != {code}: {proc.stderr}"
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ks: error: ")]
    assert len(errors) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return errors[0]
