"""Nothing lost: parallel writers, a writer killed at every step, and foreign entries kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.certs import issue
from tests.conftest import Jdk
from tests.interop.javadump import java_dump
from tests.ks import ROOT, ks_json, ks_ok

PASS = ["--storepass", "changeit"]

# `make test` runs each scenario once (one kill at each pause point, one round of parallel
# writers); `make stress` (STRESS_FULL=1) repeats them, as it does tests/stress.
FULL = os.environ.get("STRESS_FULL") == "1"
TRIALS, KILLS_PER_POINT = (3, 20) if FULL else (1, 1)


def ks_process(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full_env = dict(os.environ, PYTHONPATH=str(ROOT))
    full_env.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "keystore_tool", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=full_env,
    )


@pytest.fixture(scope="module")
def sixteen_certificates(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("sixteen")
    paths = []
    for i in range(16):
        path = directory / f"c{i}.crt"
        path.write_bytes(issue(f"parallel-{i}", key_kind="ec").pem)
        paths.append(path)
    return paths


@pytest.mark.parametrize("name", ["store.p12", "store.jks"])
@pytest.mark.parametrize("trial", range(TRIALS))
def test_parallel_imports_lose_nothing(
    tmp_path: Path, sixteen_certificates: list[Path], name: str, trial: int
) -> None:
    store = tmp_path / name
    key = issue("existing-key", key_kind="ec")
    (tmp_path / "k.crt").write_bytes(key.pem)
    (tmp_path / "k.key").write_bytes(key.key_pem())
    # A store that already holds a key entry: it must survive 16 concurrent rewrites.
    bundle = tmp_path / "bundle.p12"
    ks_ok(
        "bundle-p12",
        "--cert",
        tmp_path / "k.crt",
        "--key",
        tmp_path / "k.key",
        "--out",
        bundle,
        "--alias",
        "key",
        *PASS,
    )
    ks_ok("convert", "-k", bundle, "--out", store, "--srcstorepass", "changeit", *PASS)
    procs = [
        ks_process("import", "-k", store, "--alias", f"cert-{i}", "--file", path, *PASS)
        for i, path in enumerate(sixteen_certificates)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    listed = ks_json("list", "-k", store, *PASS)
    aliases = {e["alias"].lower() for e in listed["entries"]}
    assert aliases == {"key"} | {f"cert-{i}" for i in range(16)}
    assert not [p for p in tmp_path.iterdir() if "ks-tmp" in p.name]


@pytest.mark.parametrize("point", ["locked", "temp-written", "temp-synced", "renamed"])
def test_writer_killed_at_each_step_leaves_old_or_new_store(tmp_path: Path, point: str) -> None:
    store = tmp_path / "store.p12"
    first = tmp_path / "first.crt"
    first.write_bytes(issue("first", key_kind="ec").pem)
    ks_ok("import", "-k", store, "--alias", "first", "--file", first, *PASS)
    old = store.read_bytes()
    seen = set()
    for i in range(KILLS_PER_POINT):
        cert = tmp_path / f"n{i}.crt"
        cert.write_bytes(issue(f"n{i}", key_kind="ec").pem)
        marker = tmp_path / "paused"
        marker.unlink(missing_ok=True)
        proc = ks_process(
            "import",
            "-k",
            store,
            "--alias",
            f"n{i}",
            "--file",
            cert,
            *PASS,
            env={"KS_PAUSE_AT": point, "KS_PAUSE_FILE": str(marker), "KS_PAUSE_SECONDS": "30"},
        )
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.005)
        assert marker.exists(), proc.communicate()[1]
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        now = store.read_bytes()
        listed = ks_json("list", "-k", store, *PASS)
        aliases = {e["alias"] for e in listed["entries"]}
        if now == old:
            seen.add("old")
        else:
            seen.add("new")
            assert f"n{i}" in aliases
            old = now
        for p in tmp_path.iterdir():
            if "ks-tmp" in p.name:
                p.unlink()  # a killed writer cannot clean up; the store itself is whole
    expected = {"new"} if point == "renamed" else {"old"}
    assert seen == expected


@pytest.mark.interop
def test_import_into_keytool_store_keeps_keys_and_secret_keys(tmp_path: Path, jdk17: Jdk) -> None:
    store = tmp_path / "keytool.p12"
    common = ["-keystore", str(store), "-storetype", "pkcs12", "-storepass", "changeit"]
    jdk17.run_keytool(
        "-genkeypair",
        *common,
        "-alias",
        "rsa-key",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=rsa",
    )
    jdk17.run_keytool(
        "-genkeypair", *common, "-alias", "ec-key", "-keyalg", "EC", "-dname", "CN=ec"
    )
    jdk17.run_keytool("-genseckey", *common, "-alias", "aes", "-keyalg", "AES", "-keysize", "256")
    before = java_dump(jdk17, store, "pkcs12", "changeit")
    cert = tmp_path / "new.crt"
    cert.write_bytes(issue("new-ca", ca=True).pem)
    ks_ok("import", "-k", store, "--alias", "new-ca", "--file", cert, *PASS)
    after = java_dump(jdk17, store, "pkcs12", "changeit")
    assert set(after) == set(before) | {"new-ca"}
    for alias, entry in before.items():
        assert after[alias] == entry  # same type, chain, and key bytes
