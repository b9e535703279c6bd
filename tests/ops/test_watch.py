"""The watch loop in-process, with a fake clock and a sleep that edits the inputs: what it
watches, what counts as a change, when a change is applied, and that a broken change writes
nothing and the loop goes on."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from keystore_tool.errors import NotFoundError, StorageError
from keystore_tool.ops.apply import load_spec
from keystore_tool.ops.watch import (
    CHANGED_STORES_VARIABLE,
    WatchRun,
    changed_inputs,
    run_on_change,
    snapshot,
    watch_spec,
    watched_inputs,
)
from tests.ops.apply_support import (
    Material,
    aliases,
    key_store,
    material,
    passwords,
    state,
    trust_store,
)

__all__ = ["material", "passwords"]

pytestmark = pytest.mark.usefixtures("passwords")


class Script:
    """A clock that moves only when the loop sleeps, and edits made at given sleeps."""

    def __init__(self, edits: dict[int, Callable[[], object]], *, stop_after: int) -> None:
        self.now = 0.0
        self.sleeps = 0
        self.edits = edits
        self.stop_after = stop_after

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += seconds
        edit = self.edits.get(self.sleeps)
        if edit is not None:
            edit()

    def clock(self) -> float:
        return self.now

    def should_stop(self) -> bool:
        return self.sleeps >= self.stop_after


def watching(spec: Path, script: Script, **options: float) -> Iterator[WatchRun]:
    return watch_spec(
        spec,
        should_stop=script.should_stop,
        sleep=script.sleep,
        clock=script.clock,
        interval=options.get("interval", 0.5),
        debounce=options.get("debounce", 1.0),
    )


def test_every_input_the_spec_names_is_watched_once_the_spec_first(
    tmp_path: Path, material: Material
) -> None:
    m = material.directory
    text = (
        trust_store(tmp_path / "t.p12", ("a", m / "a.pem"), ("again", m / "a.pem")).replace(
            'password = { env = "TRUST_PASS" }',
            'password = { file = "pw" }\ncurrent_password = { file = "old-pw" }',
        )
        + f'[[store.certificates]]\ndir = "{m / "extra"}"\n'
        + key_store(tmp_path / "k.p12", material)
        + 'key_password = { file = "key-pw" }\n'
    )
    (tmp_path / "spec.toml").write_text(text)
    inputs = watched_inputs(load_spec(tmp_path / "spec.toml"))
    assert inputs == [
        (tmp_path / "spec.toml", False),
        (tmp_path / "pw", False),
        (tmp_path / "old-pw", False),
        (m / "a.pem", False),
        (m / "extra", True),
        (m / "client.crt", False),
        (m / "client.key", False),
        (m / "client-ca.crt", False),
        (tmp_path / "key-pw", False),
    ]


def test_a_snapshot_sees_in_place_writes_renames_links_and_a_directory_s_certificates(
    tmp_path: Path,
) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "a.pem").write_text("one")
    (tmp_path / "certs" / "README").write_text("not watched")
    (tmp_path / "file").write_text("one")
    (tmp_path / "link").symlink_to("file")
    inputs = [
        (tmp_path / "file", False),
        (tmp_path / "link", False),
        (tmp_path / "gone", False),
        (tmp_path / "certs", True),
        (tmp_path / "not-a-dir", True),
    ]
    before = snapshot(inputs)
    assert set(before) == {str(p) for p, _ in inputs} | {str(tmp_path / "certs" / "a.pem")}
    assert before[str(tmp_path / "gone")] == ("missing",)
    assert snapshot(inputs) == before  # nothing changed, nothing seen

    (tmp_path / "other").write_text("one")
    os.replace(tmp_path / "other", tmp_path / "file")  # same size, new inode
    renamed = snapshot(inputs)
    assert changed_inputs(before, renamed) == (str(tmp_path / "file"), str(tmp_path / "link"))

    (tmp_path / "target2").write_text("two")
    (tmp_path / "link").unlink()
    (tmp_path / "link").symlink_to("target2")
    (tmp_path / "certs" / "b.crt").write_text("new")
    later = snapshot(inputs)
    assert changed_inputs(renamed, later) == (
        str(tmp_path / "certs"),
        str(tmp_path / "certs" / "b.crt"),
        str(tmp_path / "link"),
    )

    (tmp_path / "link").unlink()
    (tmp_path / "link").symlink_to("nowhere")
    assert snapshot(inputs)[str(tmp_path / "link")][0] == "dangling"


def test_a_path_that_cannot_be_examined_is_its_own_state(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    through_a_file = tmp_path / "file" / "below"  # ENOTDIR, not a missing file
    state = snapshot([(through_a_file, False)])[str(through_a_file)]
    assert state[0] == "unreadable"


def test_the_first_run_applies_and_a_settled_change_applies_again(
    tmp_path: Path, material: Material
) -> None:
    cert = tmp_path / "partner.pem"
    cert.write_bytes(material.roots["a"].pem)
    store = tmp_path / "t.p12"
    spec = tmp_path / "spec.toml"
    spec.write_text(trust_store(store, ("partner", cert)))
    script = Script(
        {
            2: lambda: cert.write_bytes(material.roots["b"].pem),
            3: lambda: cert.write_bytes(material.roots["c"].pem),  # a second write while settling
        },
        stop_after=12,
    )
    runs = list(watching(spec, script))
    assert runs[0].trigger == () and runs[0].written_stores == [str(store)]
    (second,) = runs[1:]
    assert second.trigger == (str(cert),) and second.error is None
    assert second.written_stores == [str(store)]
    assert aliases(store) == {"partner": material.certificate("c").sha256_hex}


def test_a_change_that_breaks_the_spec_or_an_input_writes_nothing_and_the_loop_goes_on(
    tmp_path: Path, material: Material
) -> None:
    cert = tmp_path / "partner.pem"
    cert.write_bytes(material.roots["a"].pem)
    store = tmp_path / "t.p12"
    spec = tmp_path / "spec.toml"
    good = trust_store(store, ("partner", cert))
    spec.write_text(good)
    script = Script(
        {
            2: lambda: spec.write_text("this is [not toml"),
            8: lambda: (spec.write_text(good), cert.write_text("not a certificate")),
            14: lambda: cert.write_bytes(material.roots["b"].pem),
        },
        stop_after=20,
    )
    runs = iter(watching(spec, script))
    assert next(runs).report is not None
    written = state(store)
    broken_spec = next(runs)
    assert broken_spec.trigger == (str(spec),) and broken_spec.written_stores == []
    assert broken_spec.error is not None and "is not valid TOML" in broken_spec.error.message
    broken_input = next(runs)
    assert broken_input.error is not None and broken_input.trigger == (str(cert), str(spec))
    assert state(store) == written
    healed = next(runs)
    assert healed.error is None and healed.written_stores == [str(store)]
    assert list(runs) == []


def test_inputs_that_never_settle_are_applied_after_ten_debounce_periods(
    tmp_path: Path, material: Material
) -> None:
    cert = tmp_path / "partner.pem"
    cert.write_bytes(material.roots["a"].pem)
    spec = tmp_path / "spec.toml"
    spec.write_text(trust_store(tmp_path / "t.p12", ("partner", cert)))
    flip = [material.roots["b"].pem, material.roots["c"].pem]
    edits: dict[int, Callable[[], object]] = {
        n: functools.partial(cert.write_bytes, flip[n % 2]) for n in range(2, 200)
    }
    script = Script(edits, stop_after=200)
    runs = iter(watching(spec, script, interval=0.5, debounce=1.0))
    next(runs)
    settled = next(runs)
    assert settled.error is None and settled.trigger == (str(cert),)
    # The change at sleep 2 and at most 10 s (20 sleeps of 0.5 s) of changes after it.
    assert 20 <= script.sleeps <= 24


def test_a_stop_while_settling_ends_the_loop_without_applying(
    tmp_path: Path, material: Material
) -> None:
    cert = tmp_path / "partner.pem"
    cert.write_bytes(material.roots["a"].pem)
    spec = tmp_path / "spec.toml"
    spec.write_text(trust_store(tmp_path / "t.p12", ("partner", cert)))
    script = Script({1: lambda: cert.write_bytes(material.roots["b"].pem)}, stop_after=2)
    runs = list(watching(spec, script))
    assert len(runs) == 1 and aliases(tmp_path / "t.p12") == {
        "partner": material.certificate("a").sha256_hex
    }


def test_a_spec_that_cannot_be_applied_at_start_is_raised(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(trust_store(tmp_path / "t.p12", ("a", tmp_path / "missing.pem")))
    with pytest.raises(NotFoundError):
        next(watching(spec, Script({}, stop_after=1)))


def test_the_on_change_command_gets_the_rewritten_stores(tmp_path: Path) -> None:
    out = tmp_path / "seen"
    status = run_on_change(
        f'printf %s "${CHANGED_STORES_VARIABLE}" > {out}; exit 3', ["/a/one.p12", "/b/two.jks"]
    )
    assert status == 3
    assert out.read_text() == "/a/one.p12\n/b/two.jks"


def test_an_on_change_command_that_cannot_start_is_a_storage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("subprocess.run", refuse)
    with pytest.raises(StorageError, match="cannot run the on-change command: Permission denied"):
        run_on_change("true", [])


def test_a_run_without_a_report_rewrote_nothing() -> None:
    assert WatchRun(("x",), error=StorageError("no")).written_stores == []
