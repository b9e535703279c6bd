"""Runs one fuzz case in-process and judges its outcome.

A case may load or fail with a :class:`KsError` whose message is one line; any other
exception, more than ``CASE_SECONDS`` of CPU time, or a peak RSS more than ``CASE_MIB`` above
its peak before the case fails the test. The budget is CPU time, the work a case costs: wall
time on a shared machine measures the neighbours too (a case at 1.4 s of CPU took 2.7 s of wall
time while other suites ran), and a case judged by the clock fails once and passes on replay.
A hang is cut by SIGALRM (a generous wall-clock bound) so that it is reported rather than
stalling the suite. The memory check compares
the process's peak RSS after a case with its peak before it: it catches a case that needs
200 MB more than anything before it did, at no cost per case.
"""

from __future__ import annotations

import os
import resource
import signal
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import ClassVar

from hypothesis import HealthCheck, settings

from keystore_tool.errors import KsError

CASE_SECONDS = 2.0
HANG_SECONDS = 30.0
CASE_MIB = 200

# `make test` runs a bounded, deterministic number of cases; `make fuzz` sets FUZZ_EXAMPLES
# to 10,000 and FUZZ_RANDOM=1 to explore beyond the fixed sequence.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    database=None,  # nothing written into the repository
    deadline=None,  # the harness times each case itself, without hypothesis' retry logic
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)

# Where a failing input is saved, so that it can become a regression fixture.
FAILURES = Path(os.environ.get("FUZZ_FAILURES", "/tmp/ks-fuzz-failures"))


class CaseTimeout(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise CaseTimeout("case ran past its time budget")


class Stats:
    """Counts outcomes per target, printed at the end of the session (tests/fuzz/conftest)."""

    counts: ClassVar[dict[str, dict[str, int]]] = {}

    @classmethod
    def record(cls, target: str, outcome: str) -> None:
        per = cls.counts.setdefault(target, {})
        per[outcome] = per.get(outcome, 0) + 1


def judge(target: str, data: bytes, action: Callable[[bytes], object]) -> None:
    """Runs ``action(data)``; fails the test on anything but a load or a one-line KsError."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    outcome = "loaded"
    try:
        action(data)
    except KsError as exc:
        outcome = type(exc).__name__
        message = str(exc)
        if not message or "\n" in message:
            _save(target, data)
            raise AssertionError(f"{target}: KsError message is not one line: {message!r}") from exc
    except CaseTimeout:
        _save(target, data)
        raise AssertionError(f"{target}: a case hung (> {HANG_SECONDS:g} s)") from None
    except Exception as exc:
        _save(target, data)
        raise AssertionError(f"{target}: {type(exc).__name__} escaped: {exc}") from exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.process_time() - started
    if elapsed > CASE_SECONDS:
        _save(target, data)
        raise AssertionError(f"{target}: a case took {elapsed:.2f} s of CPU (> {CASE_SECONDS:g} s)")
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    if grown > CASE_MIB:
        _save(target, data)
        raise AssertionError(f"{target}: peak RSS grew by {grown:.0f} MiB (> {CASE_MIB} MiB)")
    Stats.record(target, outcome)


def _save(target: str, data: bytes) -> None:
    import hashlib

    FAILURES.mkdir(parents=True, exist_ok=True)
    name = f"{target}-{hashlib.sha256(data).hexdigest()[:12]}.bin"
    (FAILURES / name).write_bytes(data)
