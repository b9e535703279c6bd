"""`ks apply --watch`: a store follows its inputs — a certificate replaced in place, a mounted
secret swapped Kubernetes-style through its `..data` symlink, a broken input refused without
touching the store — each change rewriting the store once and running the on-change command
once with the store in KS_CHANGED_STORES; SIGTERM ends it with exit 0."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.certs import Issued, issue, keytool_sha256
from tests.conftest import Jdk
from tests.ks import ROOT

PASSWORD = "watch-secret"
WATCH = ("--interval", "0.1", "--debounce", "0.3", "--on-change")
WAIT = 60.0  # seconds: the bound on every wait; a healthy run needs a second or two


def _wait_for(what: str, condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what} (exit {process.poll()})")


class KubernetesSecret:
    """A directory laid out as the kubelet mounts a secret: the files are symlinks through
    ``..data``, which names a time-stamped directory and is swapped by one rename."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir()
        self.generation = 0

    def publish(self, files: dict[str, bytes]) -> None:
        self.generation += 1
        version = self.root / f"..2026_12_01_00_00_{self.generation:02d}.000000001"
        version.mkdir()
        for name, data in files.items():
            (version / name).write_bytes(data)
        staged = self.root / "..data_tmp"
        staged.symlink_to(version.name)
        previous = (self.root / "..data").resolve() if (self.root / "..data").exists() else None
        os.replace(staged, self.root / "..data")
        for name in files:
            link = self.root / name
            if not link.is_symlink():
                link.symlink_to(f"..data/{name}")
        if previous is not None:
            shutil.rmtree(previous)


def _fingerprints(store: Path) -> set[str]:
    from keystore_tool import Password, load_store

    keystore = load_store(store, Password(PASSWORD))
    return {entry.certificates()[0].sha256_hex for entry in keystore.entries}


@pytest.mark.interop
def test_the_store_follows_its_inputs_and_sigterm_ends_the_watch(
    tmp_path: Path, jdk17: Jdk
) -> None:
    direct = tmp_path / "partner.pem"
    partner = issue("Partner CA", ca=True, key_kind="ec")
    direct.write_bytes(partner.pem)
    secret = KubernetesSecret(tmp_path / "secret")
    mounted = issue("Mounted CA", ca=True, key_kind="ec")
    secret.publish({"ca.crt": mounted.pem})
    store = tmp_path / "out" / "truststore.p12"
    store.parent.mkdir()
    spec = tmp_path / "stores.toml"
    spec.write_text(
        f"""
[[store]]
path = "{store}"
password = {{ env = "WATCH_PASS" }}

[[store.certificates]]
alias = "partner"
file = "{direct}"

[[store.certificates]]
alias = "mounted"
file = "{secret.root / "ca.crt"}"
"""
    )
    hook_log = tmp_path / "hook.log"
    hook = f'printf "%s|" "$KS_CHANGED_STORES" >> "{hook_log}"'
    out, err = tmp_path / "watch.out", tmp_path / "watch.err"
    env = dict(os.environ, WATCH_PASS=PASSWORD, PYTHONPATH=str(ROOT))
    env.pop("JAVA_TOOL_OPTIONS", None)
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "keystore_tool", "apply", str(spec), "--watch", *WATCH, hook],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=env,
            text=True,
        )
    try:

        def hook_runs() -> list[str]:
            text = hook_log.read_text() if hook_log.exists() else ""
            return text.split("|")[:-1]

        def lines(path: Path) -> list[str]:
            return path.read_text().splitlines()

        def expect_run(count: int) -> None:
            _wait_for(f"run {count}", lambda: len(hook_runs()) >= count, process)
            assert hook_runs() == [str(store)] * count
            assert len(lines(out)) == count, out.read_text()

        expect_run(1)
        assert "created" in lines(out)[0]
        assert _fingerprints(store) == {keytool_sha256(c.der) for c in (partner, mounted)}

        # A certificate replaced in place: one rewrite, one hook run, the line names the input.
        rotated = issue("Partner CA rotated", ca=True, key_kind="ec")
        inode = store.stat().st_ino
        direct.write_bytes(rotated.pem)
        expect_run(2)
        assert str(direct) in lines(out)[1] and "1 replaced" in lines(out)[1]
        assert store.stat().st_ino != inode
        assert keytool_sha256(rotated.der) in _fingerprints(store)

        # The kubelet's swap: ..data renamed over, the file path itself untouched.
        remounted = issue("Mounted CA rotated", ca=True, key_kind="ec")
        secret.publish({"ca.crt": remounted.pem})
        expect_run(3)
        assert "1 replaced" in lines(out)[2]
        assert _fingerprints(store) == {keytool_sha256(c.der) for c in (rotated, remounted)}

        # A broken input: one line on stderr, the store byte for byte as it was, no hook run.
        before = store.read_bytes()
        direct.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n")
        _wait_for("the failure line", lambda: len(lines(err)) >= 1, process)
        (failure,) = lines(err)
        assert "failed, stores left as they were" in failure and str(direct) in failure
        assert PASSWORD not in failure
        assert store.read_bytes() == before
        assert len(hook_runs()) == 3

        # Fixed again: applied, and the hook runs.
        fixed = issue("Partner CA fixed", ca=True, key_kind="ec")
        direct.write_bytes(fixed.pem)
        expect_run(4)
        assert len(lines(err)) == 1
        _assert_keytool_lists(jdk17, store, [fixed, remounted])
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    assert code == 0, err.read_text()
    assert len(hook_runs()) == 4, "a run after the last change"


def _assert_keytool_lists(jdk: Jdk, store: Path, certificates: list[Issued]) -> None:
    listing = jdk.run_keytool("-list", "-keystore", str(store), "-storepass", PASSWORD).stdout
    assert "Your keystore contains 2 entries" in listing, listing
    for certificate in certificates:
        assert keytool_sha256(certificate.der) in listing, listing


@pytest.mark.parametrize(
    ("options", "named"),
    [(["--on-change", "true"], "--on-change needs --watch"), (["--watch", "--check"], "--check")],
)
def test_watch_options_that_contradict_are_usage_errors(
    tmp_path: Path, options: list[str], named: str
) -> None:
    from tests.ks import assert_one_line_error, ks

    spec = tmp_path / "stores.toml"
    spec.write_text(f'[[store]]\npath = "{tmp_path / "t.p12"}"\npassword = {{ none = true }}\n')
    line = assert_one_line_error(ks("apply", spec, *options), 2)
    assert named in line
    assert not (tmp_path / "t.p12").exists()


def test_changes_during_the_debounce_are_one_run_and_a_spec_edit_adds_its_inputs(
    tmp_path: Path,
) -> None:
    """The loop itself, on a clock that only its sleeps advance: two files landing in a watched
    directory one poll apart are one run; an edited spec is re-read and its new input watched."""
    from keystore_tool import Password, load_store
    from keystore_tool.ops.watch import watch_spec

    partners = tmp_path / "partners"
    partners.mkdir()
    cas = {name: issue(f"CA {name}", ca=True, key_kind="ec") for name in "abcde"}
    (partners / "a.pem").write_bytes(cas["a"].pem)
    store = tmp_path / "trust.p12"
    spec = tmp_path / "stores.toml"
    head = f'[[store]]\npath = "{store}"\npassword = {{ value = "pw" }}\n'
    spec.write_text(
        f'allow_literal_password = true\n{head}[[store.certificates]]\ndir = "{partners}"\n'
    )

    def replace(path: Path, data: bytes) -> None:
        staged = path.with_suffix(".tmp")
        staged.write_bytes(data)
        os.replace(staged, path)

    actions: dict[int, Callable[[], None]] = {
        3: lambda: (partners / "b.pem").write_bytes(cas["b"].pem),
        4: lambda: (partners / "c.pem").write_bytes(cas["c"].pem),
        20: lambda: replace(
            spec,
            spec.read_bytes()
            + f'[[store.certificates]]\nalias = "d"\nfile = "{tmp_path / "d.pem"}"\n'.encode(),
        ),
        40: lambda: replace(tmp_path / "d.pem", cas["e"].pem),
    }
    (tmp_path / "d.pem").write_bytes(cas["d"].pem)
    now, calls = [0.0], [0]

    def sleep(seconds: float) -> None:
        calls[0] += 1
        now[0] += seconds
        if calls[0] in actions:
            actions[calls[0]]()

    runs = list(
        watch_spec(
            spec,
            should_stop=lambda: calls[0] >= 60,
            interval=0.1,
            debounce=0.3,
            sleep=sleep,
            clock=lambda: now[0],
        )
    )
    assert [run.error for run in runs] == [None] * 4
    assert [run.trigger for run in runs] == [
        (),
        (str(partners), str(partners / "b.pem"), str(partners / "c.pem")),
        (str(spec),),
        (str(tmp_path / "d.pem"),),
    ]
    assert [run.written_stores for run in runs] == [[str(store)]] * 4
    held = {e.certificates()[0].sha256_hex for e in load_store(store, Password("pw")).entries}
    assert held == {keytool_sha256(cas[name].der) for name in "abce"}
