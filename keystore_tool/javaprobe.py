"""The same question asked of a real JVM: a tiny HTTPS client (``resources/HttpsProbe.java``,
shared with the demo and the interop tests) run on a ``java`` binary with given stores.

The probe is launched from its source file (JDK 11+), so nothing is compiled or written.
Passwords reach it through its environment, never its command line.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keystore_tool.net import Endpoint
from keystore_tool.password import Password

PROBE_CLASS = "HttpsProbe"
PROBE_TIMEOUT = 120.0


@dataclass
class JavaVerdict:
    """What the JVM ``java`` said: whether its handshake (and request) succeeded, and its line."""

    java: str
    trusted: bool
    message: str

    def as_json(self) -> dict[str, Any]:
        """The ``java`` member of the JSON document of ``ks verify``."""
        return {"java": self.java, "trusted": self.trusted, "message": self.message}


@dataclass(frozen=True)
class ProbeStores:
    """The stores the JVM is given, as ``javax.net.ssl.*`` would name them."""

    truststore: Path
    truststore_password: Password | None = None
    keystore: Path | None = None
    keystore_password: Password | None = None
    keystore_type: str | None = None

    def environment(self) -> dict[str, str]:
        """The probe's ``KS_PROBE_*`` variables."""
        env = {"KS_PROBE_TRUSTSTORE": str(self.truststore.resolve())}
        if self.truststore_password is not None:
            env["KS_PROBE_TRUSTSTORE_PASSWORD"] = self.truststore_password.reveal()
        if self.keystore is not None:
            env["KS_PROBE_KEYSTORE"] = str(self.keystore.resolve())
            if self.keystore_password is not None:
                env["KS_PROBE_KEYSTORE_PASSWORD"] = self.keystore_password.reveal()
            if self.keystore_type:
                env["KS_PROBE_KEYSTORE_TYPE"] = self.keystore_type
        return env


@contextlib.contextmanager
def probe_source() -> Iterator[Path]:
    """The probe's Java source as a file (``javac`` it, or run it with ``java FILE``)."""
    from importlib.resources import as_file, files

    with as_file(files("keystore_tool") / "resources" / f"{PROBE_CLASS}.java") as path:
        yield path


def probe_url(endpoint: Endpoint) -> str:
    """The URL the probe requests: an IPv6 literal in brackets."""
    host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
    return f"https://{host}:{endpoint.port}/"


def verdict_of(binary: str, returncode: int, stdout: str, stderr: str) -> JavaVerdict:
    """The probe's last ``ok:``/``failed:`` line (else the JVM's last error line) as a verdict."""
    lines = [line for line in stdout.splitlines() if line.startswith(("ok:", "failed:"))]
    message = lines[-1] if lines else (stderr.strip().splitlines() or ["no output"])[-1]
    return JavaVerdict(binary, returncode == 0 and message.startswith("ok:"), message)


def ask_jvm(
    java: str | os.PathLike[str],
    endpoint: Endpoint,
    stores: ProbeStores,
    *,
    environ: Mapping[str, str] | None = None,
    timeout: float = PROBE_TIMEOUT,
) -> JavaVerdict:
    """Runs the probe on the JVM ``java`` (a binary or a Java home, as ``find_java`` takes it)
    against ``endpoint`` with ``stores``; a JVM that cannot run is an untrusted verdict."""
    from keystore_tool.javahome import OPTION_VARIABLES, find_java

    base = os.environ if environ is None else environ
    binary = find_java(java, base)
    # JAVA_TOOL_OPTIONS and friends could point the JVM at other stores than the ones asked.
    env = {k: v for k, v in base.items() if k not in OPTION_VARIABLES}
    env.update(stores.environment())
    with probe_source() as source:
        try:
            proc = subprocess.run(
                [str(binary), str(source), probe_url(endpoint)],
                capture_output=True,
                text=True,
                env=env,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return JavaVerdict(str(binary), False, f"the JVM probe could not run ({exc})")
    return verdict_of(str(binary), proc.returncode, proc.stdout, proc.stderr)
