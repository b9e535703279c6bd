"""`make bench`: ks against keytool (JDK 17), side by side in one run, with ratios.

Each measure runs the ks command (A) and its keytool equivalent (B) alternately — a warm-up of
each, then A B A B … — so that a change in machine load hits both sides alike. Per measure it
reports the median wall and CPU time (user + sys of the child and everything it waited for,
from ``os.wait4``), the median of the pairwise ratios A/B, the peak RSS of each side, and the
load average before and after. The table goes to stdout and to ``bench/out/results.md``.

keytool's ``-list`` is quadratic: at 50,000 entries one run takes 50-100 s and up to 2 GB, so
the full run takes about 25 minutes, most of it keytool listing the big stores (a warm-up and
five pairs, as everywhere). ``--big-list-pairs 1`` makes that one pair without a warm-up for a
shorter run; the table says how many pairs each measure had.

``--only os-trust`` runs the one measure that needs no generated stores: the Java cacerts
built from /etc/ssl/certs by ks sync-os-trust and by ca-certificates-java's own class.

``--quick`` uses smaller stores and fewer pairs, for development; its numbers are not the
targets' sizes and the 50k rows are then measured at the quick size.
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import datetime
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACERTS = Path("/etc/ssl/certs/java/cacerts")
STOREPASS = "changeit"
MiB = 1024 * 1024


@dataclasses.dataclass
class Run:
    wall: float
    cpu: float
    maxrss: int  # bytes
    returncode: int
    stdout: Path


@dataclasses.dataclass
class Measure:
    key: str
    title: str
    a_label: str
    b_label: str
    a: list[Run]
    b: list[Run]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    @property
    def pairs(self) -> int:
        return min(len(self.a), len(self.b))

    def median(self, side: str, attr: str) -> float:
        runs = self.a if side == "a" else self.b
        return statistics.median(getattr(r, attr) for r in runs) if runs else float("nan")

    def ratio(self, attr: str) -> float:
        """The median of the pairwise ratios A/B (only the runs that had a partner)."""
        pairs = list(zip(self.a, self.b, strict=False))
        if not pairs:
            return float("nan")
        return statistics.median(getattr(a, attr) / getattr(b, attr) for a, b in pairs)

    def peak(self, side: str) -> int:
        runs = self.a if side == "a" else self.b
        return max((r.maxrss for r in runs), default=0)


@dataclasses.dataclass
class Target:
    label: str
    value: Callable[[dict[str, Measure]], float]
    limit: float
    unit: str  # "x" for a ratio, "MiB" for memory


def spawn(argv: Sequence[str], stdout: Path, env: dict[str, str] | None = None) -> Run:
    """Runs one command to completion; wall time, CPU and peak RSS of it and its children."""
    with open(stdout, "wb") as out, open(stdout.with_suffix(".err"), "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        message = stdout.with_suffix(".err").read_text(errors="replace").strip()[-400:]
        raise SystemExit(f"bench: {' '.join(argv)} failed ({proc.returncode}): {message}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, 0, stdout)


class Bench:
    def __init__(self, out: Path, quick: bool) -> None:
        self.out = out
        self.quick = quick
        self.work = out / "work"
        self.ks = self._ks_command()
        self.keytool = shutil.which("keytool") or "/usr/bin/keytool"
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = str(ROOT)
        self.env.pop("JAVA_TOOL_OPTIONS", None)  # its banner on stderr would cost and confuse
        self.measures: dict[str, Measure] = {}
        # ks as pip installs it, byte-compiled. Without this an editable install under
        # PYTHONDONTWRITEBYTECODE (set on some machines) compiles every module at every start.
        compileall.compile_dir(ROOT / "keystore_tool", quiet=1)

    @staticmethod
    def _ks_command() -> list[str]:
        script = Path(sys.executable).parent / "ks"
        if script.exists():
            return [str(script)]
        # The console script does exactly this.
        return [sys.executable, "-c", "from keystore_tool.cli.main import run; run()"]

    # --- stores ------------------------------------------------------------------------------

    def prepare(self, sizes: Sequence[int]) -> None:
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        log(f"preparing stores in {self.work}")
        shutil.copyfile(CACERTS, self.work / "cacerts.jks")
        self.run_keytool_once(
            "-importkeystore",
            "-noprompt",
            "-srckeystore",
            str(CACERTS),
            "-srcstorepass",
            STOREPASS,
            "-destkeystore",
            str(self.work / "cacerts.p12"),
            "-deststoretype",
            "pkcs12",
            "-deststorepass",
            STOREPASS,
        )
        made = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "stores.py"), str(self.work), *map(str, sizes)],
            check=True,
            stdout=subprocess.PIPE,
            env=self.env,
        )
        self.bundle_count = int(made.stdout)
        # keytool must accept what ks wrote: list the smallest generated stores with it.
        for fmt in ("jks", "pkcs12"):
            size = min(sizes)
            run = self.run_keytool_once(
                "-list", "-keystore", str(self.work / f"{size}.{fmt}"), "-storepass", STOREPASS
            )
            count = listed_count(run.stdout)
            if count != size:
                raise SystemExit(
                    f"bench: keytool lists {count} entries in {size}.{fmt}, not {size}"
                )
        log("keytool lists the generated stores")

    def run_keytool_once(self, *args: str) -> Run:
        return spawn([self.keytool, *args], self.work / "keytool-once.out", self.env)

    # --- measuring ---------------------------------------------------------------------------

    def measure(
        self,
        key: str,
        title: str,
        a: tuple[str, list[str]],
        b: tuple[str, list[str]],
        pairs: int,
        *,
        warmup: bool = True,
        b_pairs: int | None = None,
        before_each: Callable[[], None] | None = None,
        expect_entries: int | None = None,
    ) -> Measure:
        """A B A B …: ``pairs`` runs of A, ``b_pairs`` (default ``pairs``) of B, alternating
        while both have runs left."""
        b_pairs = pairs if b_pairs is None else b_pairs
        log(f"{title}: {pairs} x ks, {b_pairs} x {b[0]}")
        load_before = os.getloadavg()

        def once(side: str, argv: list[str]) -> Run:
            if before_each:
                before_each()
            return spawn(argv, self.work / f"{key}-{side}.out", self.env)

        if warmup:
            once("a", a[1])
            if b_pairs >= pairs:
                once("b", b[1])
        a_runs: list[Run] = []
        b_runs: list[Run] = []
        for i in range(max(pairs, b_pairs)):
            if i < pairs:
                a_runs.append(once("a", a[1]))
            if i < b_pairs:
                b_runs.append(once("b", b[1]))
        if expect_entries is not None and b[0] != "python":
            check_listed(("ks", a_runs), (b[0], b_runs), expected=expect_entries)
        m = Measure(key, title, a[0], b[0], a_runs, b_runs, load_before, os.getloadavg())
        self.measures[key] = m
        log(
            f"  wall ks {m.median('a', 'wall'):.3f} s, {b[0]} {m.median('b', 'wall'):.3f} s, "
            f"ratio {m.ratio('wall'):.3f}; CPU ratio {m.ratio('cpu'):.3f}; "
            f"RSS {m.peak('a') / MiB:.0f} / {m.peak('b') / MiB:.0f} MiB; "
            f"load {m.load_before[0]:.2f}→{m.load_after[0]:.2f}"
        )
        return m

    def ks_only(
        self,
        key: str,
        title: str,
        argv: list[str],
        runs: int,
        before_each: Callable[[], None] | None = None,
    ) -> Measure:
        log(f"{title}: {runs} x ks")
        load_before = os.getloadavg()
        result = []
        for _ in range(runs + 1):  # the first is the warm-up
            if before_each:
                before_each()
            result.append(spawn(argv, self.work / f"{key}-a.out", self.env))
        m = Measure(key, title, "ks", "-", result[1:], [], load_before, os.getloadavg())
        self.measures[key] = m
        log(f"  wall ks {m.median('a', 'wall'):.3f} s; RSS {m.peak('a') / MiB:.0f} MiB")
        return m

    def ks_args(self, *args: str) -> list[str]:
        return [*self.ks, *args]

    def keytool_args(self, *args: str) -> list[str]:
        return [self.keytool, *args]

    def copier(self, source: str, target: str) -> Callable[[], None]:
        def copy() -> None:
            shutil.copyfile(self.work / source, self.work / target)

        return copy

    def remover(self, *names: str) -> Callable[[], None]:
        def remove() -> None:
            for name in names:
                (self.work / name).unlink(missing_ok=True)

        return remove


def listed_count(stdout: Path) -> int:
    found = re.search(rb"Your keystore contains ([\d,]+) entr", stdout.read_bytes())
    return int(found.group(1).replace(b",", b"")) if found else -1


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


CA_CERTIFICATES_JAVA_JAR = Path("/usr/share/ca-certificates-java/ca-certificates-java.jar")
OS_CERTS_DIR = Path("/etc/ssl/certs")
# ca-certificates-java's own code on a private store: its UpdateCertificates class takes the
# store's path in its constructor (only its main() names /etc/ssl/certs/java/cacerts).
CA_JAVA_BUILD = """
public class CaJavaBuild {
    static class Build extends org.debian.security.UpdateCertificates {
        Build(String store) throws Exception { super(store, "changeit"); }
        void run(java.io.Reader changes) throws Exception { processChanges(changes); finish(); }
    }
    public static void main(String[] args) throws Exception {
        new Build(args[0]).run(new java.io.InputStreamReader(System.in, "UTF8"));
    }
}
"""


def measure_os_trust(bench: Bench, pairs: int) -> None:
    """The full build of the Java cacerts from /etc/ssl/certs (read, never written): ks
    sync-os-trust against ca-certificates-java's UpdateCertificates fed the same "+file"
    lines its postinst gives it on a fresh build."""
    w = bench.work
    if not CA_CERTIFICATES_JAVA_JAR.exists():
        log(f"skipping the OS trust build: {CA_CERTIFICATES_JAVA_JAR} is not installed")
        return
    links = sorted(p for p in OS_CERTS_DIR.iterdir() if p.name.endswith(".pem") and p.is_symlink())
    (w / "os-trust.changes").write_text("".join(f"+{p}\n" for p in links))
    classes = w / "cajava"
    classes.mkdir(exist_ok=True)
    (classes / "CaJavaBuild.java").write_text(CA_JAVA_BUILD)
    javac = Path(os.path.realpath(bench.keytool)).with_name("javac")
    java = Path(os.path.realpath(bench.keytool)).with_name("java")
    subprocess.run(
        [str(javac), "-cp", str(CA_CERTIFICATES_JAVA_JAR), "-d", str(classes),
         str(classes / "CaJavaBuild.java")],
        check=True,
    )  # fmt: skip
    classpath = f"{CA_CERTIFICATES_JAVA_JAR}:{classes}"
    build = f"{java} -Xmx64m -cp {classpath} CaJavaBuild {w}/cajava-cacerts < {w}/os-trust.changes"
    bench.measure(
        "os-trust-build",
        f"build the Java cacerts from the {len(links)} certificates of {OS_CERTS_DIR} "
        "(ks sync-os-trust vs ca-certificates-java's UpdateCertificates)",
        (
            "ks",
            bench.ks_args(
                "sync-os-trust", "-k", str(w / "ks-cacerts"), "--certs-dir", str(OS_CERTS_DIR)
            ),
        ),
        ("ca-certificates-java", ["bash", "-c", f"{build} >/dev/null"]),
        pairs,
        before_each=bench.remover("ks-cacerts", "cajava-cacerts"),
    )
    # Both must have made the same store: the same aliases, each on the same certificate
    # (each run removed both outputs first, so ks builds its store once more here).
    spawn(
        bench.ks_args(
            "sync-os-trust", "-k", str(w / "ks-cacerts"), "--certs-dir", str(OS_CERTS_DIR)
        ),
        w / "os-trust-check.out",
        bench.env,
    )
    ours = bench.run_keytool_once(
        "-list", "-keystore", str(w / "ks-cacerts"), *("-storepass", STOREPASS)
    )
    theirs = bench.run_keytool_once(
        "-list", "-keystore", str(w / "cajava-cacerts"), *("-storepass", STOREPASS)
    )
    if sorted(entry_lines(ours.stdout)) != sorted(entry_lines(theirs.stdout)):
        raise SystemExit("bench: ks sync-os-trust and ca-certificates-java built different stores")


def check_listed(*sides: tuple[str, list[Run]], expected: int) -> None:
    """Stops the bench when a side's last run did not list every entry: a ratio against a
    run that failed early would flatter it."""
    for side, runs in sides:
        if runs:
            count = listed_count(runs[-1].stdout)
            if count != expected:
                raise SystemExit(f"bench: {side} listed {count}, expected {expected}")


def entry_lines(stdout: Path) -> list[str]:
    """keytool -list's alias and fingerprint of each entry, without the dates."""
    lines = stdout.read_text().splitlines()
    return [
        f"{a.split(',')[0]} {f}" for a, f in itertools.pairwise(lines) if "trustedCertEntry" in a
    ]


def measure_scaling(bench: Bench, sizes: Sequence[int], big: int, runs: int) -> None:
    """ks alone at each size below the big one (keytool's curve is known to be quadratic)."""
    w = bench.work
    for size in sizes:
        if size == big:
            continue
        for fmt in ("jks", "pkcs12"):
            bench.ks_only(
                f"list-{size}-{fmt}",
                f"list {size:,} ({fmt.upper()})",
                bench.ks_args("list", "-k", str(w / f"{size}.{fmt}"), "--storepass", STOREPASS),
                runs,
            )
            bench.ks_only(
                f"add-{size}-{fmt}",
                f"add one to {size:,} ({fmt.upper()})",
                bench.ks_args(
                    "import",
                    "-k",
                    str(w / f"add-{size}.{fmt}"),
                    "--file",
                    str(w / "extra.pem"),
                    "--alias",
                    "extra",
                    "--storepass",
                    STOREPASS,
                ),
                runs,
                before_each=bench.copier(f"{size}.{fmt}", f"add-{size}.{fmt}"),
            )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small stores, few pairs")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--pairs", type=int, default=None, help="pairs for the small measures")
    parser.add_argument(
        "--big-list-pairs",
        type=int,
        default=None,
        help="keytool -list runs at the big size (default 5 with a warm-up; ~80 s each)",
    )
    parser.add_argument(
        "--only",
        choices=["os-trust"],
        help="run one measure alone (os-trust: the Java cacerts from the OS store)",
    )
    return parser.parse_args()


def main() -> int:
    args = arguments()
    quick = args.quick
    small, big = (1_000, 5_000) if quick else (10_000, 50_000)
    sizes = (1_000, 5_000) if quick else (1_000, 10_000, 50_000)
    pairs = args.pairs or (3 if quick else 7)
    ks_big_runs = 3 if quick else 5
    big_pairs = args.big_list_pairs or ks_big_runs  # keytool -list at 50k: 50-100 s each

    bench = Bench(args.out, quick)
    if args.only == "os-trust":
        bench.work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        measure_os_trust(bench, pairs)
        report = render(bench, [os_trust_target()], 0.0, time.perf_counter() - started, quick)
        print(report)
        return 0
    bench.prepare(sizes)
    w = bench.work
    sp = ("--storepass", STOREPASS)
    ksp = ("-storepass", STOREPASS)
    total_start = time.perf_counter()

    bench.measure(
        "version",
        "ks --version vs python -c pass",
        ("ks", bench.ks_args("--version")),
        ("python", [sys.executable, "-c", "pass"]),
        pairs * 2,
    )
    bench.measure(
        "list-cacerts-jks",
        f"list cacerts (JKS, {bench.bundle_count} entries)",
        ("ks", bench.ks_args("list", "-k", str(w / "cacerts.jks"), *sp)),
        ("keytool", bench.keytool_args("-list", "-cacerts", *ksp)),
        pairs,
        expect_entries=bench.bundle_count,
    )
    bench.measure(
        "list-cacerts-p12",
        "list cacerts as keytool-made PKCS12",
        ("ks", bench.ks_args("list", "-k", str(w / "cacerts.p12"), *sp)),
        ("keytool", bench.keytool_args("-list", "-keystore", str(w / "cacerts.p12"), *ksp)),
        pairs,
        expect_entries=bench.bundle_count,
    )
    for fmt, ext in (("jks", "jks"), ("pkcs12", "p12")):
        loop = " ; ".join(
            f"{bench.keytool} -importcert -noprompt -storetype {fmt} -keystore {w}/kt-bundle.{ext} "
            f"-storepass {STOREPASS} -alias c{i:02d} -file {w}/one-{i:02d}.pem >/dev/null || exit 1"
            for i in range(20)
        )
        bench.measure(
            f"import-bundle-{fmt}",
            f"import the {bench.bundle_count}-certificate PEM bundle into a new {fmt.upper()} "
            "(ks: one run; keytool: 20 -importcert)",
            (
                "ks",
                bench.ks_args(
                    "import",
                    "-k",
                    str(w / f"ks-bundle.{ext}"),
                    "--file",
                    str(w / "bundle.pem"),
                    *sp,
                ),
            ),
            ("keytoolx20", ["bash", "-c", loop]),
            max(3, pairs - 2),
            before_each=bench.remover(f"ks-bundle.{ext}", f"kt-bundle.{ext}"),
        )
    for fmt in ("jks", "pkcs12"):
        bench.measure(
            f"list-big-{fmt}",
            f"list {big:,} entries ({fmt.upper()})",
            ("ks", bench.ks_args("list", "-k", str(w / f"{big}.{fmt}"), *sp)),
            ("keytool", bench.keytool_args("-list", "-keystore", str(w / f"{big}.{fmt}"), *ksp)),
            ks_big_runs,
            b_pairs=big_pairs,
            expect_entries=big,
        )
        bench.measure(
            f"add-big-{fmt}",
            f"add one certificate to {big:,} entries ({fmt.upper()})",
            (
                "ks",
                bench.ks_args(
                    "import",
                    "-k",
                    str(w / f"add.{fmt}"),
                    "--file",
                    str(w / "extra.pem"),
                    "--alias",
                    "extra",
                    *sp,
                ),
            ),
            (
                "keytool",
                bench.keytool_args(
                    "-importcert",
                    "-noprompt",
                    "-keystore",
                    str(w / f"add.{fmt}"),
                    *ksp,
                    "-alias",
                    "extra",
                    "-file",
                    str(w / "extra.pem"),
                ),
            ),
            # keytool adds in 2-5 s even at 50k: full pairs, as for the small measures.
            ks_big_runs,
            before_each=bench.copier(f"{big}.{fmt}", f"add.{fmt}"),
        )
    measure_scaling(bench, sizes, big, ks_big_runs)
    measure_os_trust(bench, pairs)
    elapsed = time.perf_counter() - total_start

    m = bench.measures
    floor = m["version"].median("a", "wall")

    def scaling(op: str, fmt: str) -> Callable[[dict[str, Measure]], float]:
        def value(ms: dict[str, Measure]) -> float:
            t_small = ms[f"{op}-{small}-{fmt}"].median("a", "wall") - floor
            t_big = ms[f"{op}-big-{fmt}"].median("a", "wall") - floor
            return t_big / t_small

        return value

    def ratio(key: str, attr: str = "wall") -> Callable[[dict[str, Measure]], float]:
        return lambda ms: ms[key].ratio(attr)

    def peak(*keys: str) -> Callable[[dict[str, Measure]], float]:
        return lambda ms: max(ms[k].peak("a") for k in keys) / MiB

    growth = big / small
    targets = [
        Target("`ks list` cacerts (JKS), wall", ratio("list-cacerts-jks"), 0.35, "x"),
        Target("`ks list` cacerts (JKS), CPU", ratio("list-cacerts-jks", "cpu"), 0.25, "x"),
        Target(
            "`ks list` cacerts as keytool-made PKCS12, wall", ratio("list-cacerts-p12"), 0.30, "x"
        ),
        Target("`ks --version` vs `python -c pass`, wall", ratio("version"), 3.0, "x"),
        Target(
            "import the PEM bundle vs 20 x keytool -importcert (JKS), wall",
            ratio("import-bundle-jks"),
            0.08,
            "x",
        ),
        Target(
            "import the PEM bundle vs 20 x keytool -importcert (PKCS12), wall",
            ratio("import-bundle-pkcs12"),
            0.035,
            "x",
        ),
        Target(f"`ks list` {big // 1000}k JKS, wall", ratio("list-big-jks"), 0.012, "x"),
        Target(f"`ks list` {big // 1000}k PKCS12, wall", ratio("list-big-pkcs12"), 0.035, "x"),
        Target(f"add one certificate to {big // 1000}k JKS, wall", ratio("add-big-jks"), 0.15, "x"),
        Target(
            f"add one certificate to {big // 1000}k PKCS12, wall",
            ratio("add-big-pkcs12"),
            0.40,
            "x",
        ),
        Target(
            f"scaling of list {small // 1000}k→{big // 1000}k (JKS), above start-up",
            scaling("list", "jks"),
            1.2 * growth,
            "x",
        ),
        Target(
            f"scaling of list {small // 1000}k→{big // 1000}k (PKCS12), above start-up",
            scaling("list", "pkcs12"),
            1.2 * growth,
            "x",
        ),
        Target(
            f"scaling of add {small // 1000}k→{big // 1000}k (JKS), above start-up",
            scaling("add", "jks"),
            1.2 * growth,
            "x",
        ),
        Target(
            f"scaling of add {small // 1000}k→{big // 1000}k (PKCS12), above start-up",
            scaling("add", "pkcs12"),
            1.2 * growth,
            "x",
        ),
        Target(
            f"peak memory of ks at {big // 1000}k JKS (list, add)",
            peak("list-big-jks", "add-big-jks"),
            200,
            "MiB",
        ),
        Target(
            f"peak memory of ks at {big // 1000}k PKCS12 (list, add)",
            peak("list-big-pkcs12", "add-big-pkcs12"),
            500,
            "MiB",
        ),
    ]
    if "os-trust-build" in m:
        targets.append(os_trust_target())
    report = render(bench, targets, floor, elapsed, quick)
    print(report)
    (args.out / "results.md").write_text(report)
    log(f"written to {args.out / 'results.md'}")
    return 0


def os_trust_target() -> Target:
    return Target(
        "build the OS store's Java cacerts vs ca-certificates-java, wall",
        lambda ms: ms["os-trust-build"].ratio("wall"),
        0.5,
        "x",
    )


def render(bench: Bench, targets: list[Target], floor: float, elapsed: float, quick: bool) -> str:
    lines = [
        f"# ks vs keytool{' (--quick: small sizes, not the targets)' if quick else ''}",
        "",
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, keytool {bench.keytool}; "
        f"measuring took {elapsed:.0f} s; start-up floor (`ks --version`) {floor * 1000:.0f} ms.",
        "",
        "## Targets",
        "",
        "| measure | value | target | result |",
        "|---|---:|---:|---|",
    ]
    for target in targets:
        value = target.value(bench.measures)
        ok = value <= target.limit
        shown = f"{value:.3f}x" if target.unit == "x" else f"{value:.0f} MiB"
        limit = f"≤ {target.limit:g}x" if target.unit == "x" else f"≤ {target.limit:g} MiB"
        lines.append(f"| {target.label} | {shown} | {limit} | {'PASS' if ok else 'FAIL'} |")
    lines += [
        "",
        "## Measures",
        "",
        "A = ks, B = the other side; ratios are medians of the pairwise ratios A/B.",
        "",
        "| measure | pairs (A/B) | A wall | B wall | ratio wall | A CPU | B CPU | ratio CPU | A peak RSS | B peak RSS | load 1-min before→after |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in bench.measures.values():
        has_b = bool(m.b)
        peak_b = f"{m.peak('b') / MiB:.0f} MiB" if has_b else "-"
        lines.append(
            f"| {m.title} | {len(m.a)}/{len(m.b)} {m.b_label if has_b else ''} "
            f"| {m.median('a', 'wall'):.3f} s | {fmt_s(m.median('b', 'wall'), has_b)} "
            f"| {fmt_x(m.ratio('wall'), has_b)} | {m.median('a', 'cpu'):.3f} s "
            f"| {fmt_s(m.median('b', 'cpu'), has_b)} | {fmt_x(m.ratio('cpu'), has_b)} "
            f"| {m.peak('a') / MiB:.0f} MiB | {peak_b} "
            f"| {m.load_before[0]:.2f}→{m.load_after[0]:.2f} |"
        )
    return "\n".join(lines) + "\n"


def fmt_s(value: float, present: bool) -> str:
    return f"{value:.3f} s" if present else "-"


def fmt_x(value: float, present: bool) -> str:
    return f"{value:.3f}x" if present else "-"


if __name__ == "__main__":
    sys.exit(main())
