"""Watching a spec: apply it, then again whenever one of its inputs changes (``ks apply``
in watch mode).

Inputs are every file and directory the spec names (certificate and key files, chain files,
certificate directories and their files, password files) and the spec itself. They are polled:
each poll records, per input, the path's own ``lstat``, the file it finally resolves to
(``realpath``) and that file's device, inode, size, mtime and ctime. An in-place write changes
size or mtime, an atomic rename changes the inode, and Kubernetes' update of a mounted secret
(a new ``..2026_…`` directory, then the ``..data`` symlink renamed over) changes where the path
resolves to, even when the new file has the old size and mtime. Polling needs no inotify
(which misses changes behind symlinks and on many network and overlay file systems) and costs
a few ``stat`` calls per interval.

A change is applied once the inputs have been quiet for the debounce time (a writer replacing
several files is seen as one change), through :func:`~keystore_tool.ops.apply.apply_spec`: every
store validated before any is written, each written atomically. A failed run (a broken input, a
spec that no longer parses) writes nothing; the loop reports it and goes on watching.

The loop yields one :class:`WatchRun` per apply and never prints; the command renders them.
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from keystore_tool.errors import KsError, StorageError
from keystore_tool.ops.apply import CERT_SUFFIXES, ApplyReport, Spec, apply_spec, load_spec
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT

DEFAULT_INTERVAL = 0.5
DEFAULT_DEBOUNCE = 1.0
# Inputs that never stop changing are applied anyway after this many debounce periods.
_SETTLE_LIMIT = 10
# The variable that tells the on-change command which stores were rewritten.
CHANGED_STORES_VARIABLE = "KS_CHANGED_STORES"

Signature = tuple[object, ...]
Snapshot = dict[str, Signature]


@dataclass(frozen=True)
class WatchRun:
    """One apply: the first (``trigger`` empty) or one caused by the inputs in ``trigger``.
    Exactly one of ``report`` and ``error`` is set."""

    trigger: tuple[str, ...]
    report: ApplyReport | None = None
    error: KsError | None = None

    @property
    def written_stores(self) -> list[str]:
        """The stores this run really rewrote (content, mode or owner)."""
        if self.report is None:
            return []
        return [store.keystore for store in self.report.stores if store.written]


def watched_inputs(spec: Spec) -> list[tuple[Path, bool]]:
    """Every input the spec names, as (path, is a directory), the spec file first."""
    found: dict[Path, bool] = {spec.path: False}
    for store in spec.stores:
        for source in (store.password, store.current_password):
            if source is not None and source.kind == "file":
                found.setdefault(Path(source.reference), False)
        for certificate in store.certificates:
            if certificate.file is not None:
                found.setdefault(certificate.file, False)
            if certificate.directory is not None:
                found.setdefault(certificate.directory, True)
        for key in store.keys:
            for path in (key.cert, key.key, *key.chain):
                found.setdefault(path, False)
            if key.key_password is not None and key.key_password.kind == "file":
                found.setdefault(Path(key.key_password.reference), False)
    return list(found.items())


def _signature(path: Path) -> Signature:
    try:
        own = os.lstat(path)
    except FileNotFoundError:
        return ("missing",)
    except OSError as exc:
        return ("unreadable", exc.errno)
    link = os.readlink(path) if stat.S_ISLNK(own.st_mode) else None
    lstat_part = (own.st_mode, own.st_ino, own.st_mtime_ns, link)
    try:
        final = os.stat(path)
    except OSError as exc:
        return ("dangling", lstat_part, exc.errno)
    return (
        lstat_part,
        os.path.realpath(path),
        final.st_dev,
        final.st_ino,
        final.st_size,
        final.st_mtime_ns,
        final.st_ctime_ns,
    )


def snapshot(inputs: Sequence[tuple[Path, bool]]) -> Snapshot:
    """The state of every input; a directory adds each certificate file in it."""
    state: Snapshot = {}
    for path, is_directory in inputs:
        state[str(path)] = _signature(path)
        if not is_directory:
            continue
        try:
            names = sorted(os.listdir(path))
        except OSError:
            continue
        for name in names:
            if name.lower().endswith(CERT_SUFFIXES):
                state[str(path / name)] = _signature(path / name)
    return state


def changed_inputs(before: Snapshot, after: Snapshot) -> tuple[str, ...]:
    return tuple(sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k)))


def watch_spec(
    spec_path: str | os.PathLike[str],
    *,
    should_stop: Callable[[], bool],
    interval: float = DEFAULT_INTERVAL,
    debounce: float = DEFAULT_DEBOUNCE,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[WatchRun]:
    """Applies the spec, yields that run, then yields one run per settled change of its inputs
    until ``should_stop()`` is true (checked at least every ``interval`` seconds). The first
    run's errors are raised (a spec that cannot be applied at start is a broken set-up); later
    ones are yielded as :attr:`WatchRun.error`, with every store left as it was."""
    spec = load_spec(spec_path)
    inputs = watched_inputs(spec)
    baseline = snapshot(inputs)
    yield WatchRun((), report=apply_spec(spec, lock_timeout=lock_timeout))
    while not should_stop():
        sleep(interval)
        current = snapshot(inputs)
        if current == baseline:
            continue
        current = _settle(inputs, current, should_stop, interval, debounce, sleep, clock)
        if should_stop():
            return
        trigger = changed_inputs(baseline, current)
        try:
            spec = load_spec(spec_path)
            inputs = watched_inputs(spec)
        except KsError as exc:
            baseline = current
            yield WatchRun(trigger, error=exc)
            continue
        # Taken before the apply: a change while it runs is seen by the next poll.
        baseline = snapshot(inputs)
        try:
            report = apply_spec(spec, lock_timeout=lock_timeout)
        except KsError as exc:
            yield WatchRun(trigger, error=exc)
            continue
        yield WatchRun(trigger, report=report)


def _settle(
    inputs: Sequence[tuple[Path, bool]],
    current: Snapshot,
    should_stop: Callable[[], bool],
    interval: float,
    debounce: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> Snapshot:
    """Polls until the inputs have not changed for ``debounce`` seconds (or have kept changing
    for ``_SETTLE_LIMIT`` debounce periods) and returns their state then."""
    first = last_change = clock()
    while not should_stop():
        now = clock()
        if now - last_change >= debounce or now - first >= _SETTLE_LIMIT * debounce:
            break
        sleep(min(interval, debounce))
        latest = snapshot(inputs)
        if latest != current:
            current, last_change = latest, clock()
    return current


def run_on_change(command: str, stores: Sequence[str]) -> int:
    """Runs ``command`` with ``sh -c``, the rewritten stores' paths in
    :data:`CHANGED_STORES_VARIABLE` (one per line), and returns its exit status."""
    environment = dict(os.environ)
    environment[CHANGED_STORES_VARIABLE] = "\n".join(stores)
    try:
        return subprocess.run(["/bin/sh", "-c", command], env=environment, check=False).returncode
    except OSError as exc:
        raise StorageError(f"cannot run the on-change command: {exc.strerror or exc}") from exc
