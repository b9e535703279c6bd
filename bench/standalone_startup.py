"""Start-up of the standalone build against the pip-installed ks: `ks list` of the JDK's
cacerts, run alternately (A B A B ...), medians of wall time and of the pairwise ratios.

    python bench/standalone_startup.py --standalone PATH/ks/ks --installed VENV/bin/ks [--pairs 15]

The target (issue 16): the standalone within 1.5x of the pip-installed ks.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path

CACERTS = "/etc/ssl/certs/java/cacerts"


def one_run(ks: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(ks), "list", "-k", CACERTS, "--storepass", "changeit"],
        check=True,
        stdout=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin"},  # no venv, no PYTHONPATH
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--standalone", type=Path, required=True)
    parser.add_argument("--installed", type=Path, required=True)
    parser.add_argument("--pairs", type=int, default=15)
    args = parser.parse_args()
    for ks in (args.standalone, args.installed):  # warm-up: page cache, byte-code
        one_run(ks)
    standalone, installed = [], []
    for _ in range(args.pairs):
        standalone.append(one_run(args.standalone))
        installed.append(one_run(args.installed))
    ratios = [a / b for a, b in zip(standalone, installed, strict=True)]
    print(f"standalone  median {statistics.median(standalone) * 1000:.0f} ms")
    print(f"pip-installed median {statistics.median(installed) * 1000:.0f} ms")
    ratio = statistics.median(ratios)
    print(
        f"ratio (median of pairs) {ratio:.2f}x (target <= 1.5x): {'pass' if ratio <= 1.5 else 'FAIL'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
