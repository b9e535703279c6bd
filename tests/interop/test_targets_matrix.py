"""The target matrix: real runtimes judge ``ks doctor --target`` and every writer's ``--target``.

Variants made by keytool 17/25 and openssl 3.0 by the runtimes {jdk11.0.9, jdk11.0.13, jdk17,
jdk21, jdk25, openssl1.1, openssl3.0, openssl4.0}: doctor's prediction must be what the runtime
does, in every cell. Every writer's output for a target (and for several at once) must load
completely on that target's judge: opened, every key decrypted, every trusted certificate seen.
All the JVM work is batched: one JVM start per runtime for the whole module.

``KS_MATRIX_TABLE=PATH`` writes the measured table (variant by runtime) as Markdown to PATH.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import _missing
from tests.interop.targets_judges import RUNTIMES, Store, Verdict, judge_all, missing_judges
from tests.interop.targets_variants import NON_ASCII_PASSWORD, PASSWORD, make_variants
from tests.ks import assert_one_line_error, ks, ks_json, ks_ok

pytestmark = [pytest.mark.interop, pytest.mark.slow]

VARIANTS = (
    "keytool17-default",
    "keytool17-legacy",
    "keytool17-passwordless",
    "keytool17-jks",
    "keytool17-jceks-secret",
    "openssl3-default",
    "openssl3-legacy",
    "openssl3-macsha512",
    "openssl3-non-ascii",
    "keytool25-mldsa",
    "ks-pbmac1",
)
SEVERAL = (
    "jdk11.0.9,openssl3.0",
    "jdk11.0.9,openssl1.1,jdk25",
    "openssl1.1,openssl3.0,openssl4.0,jdk17",
    ",".join(RUNTIMES),
)
WRITERS = ("import", "bundle-p12", "genkeypair", "convert", "passwd")  # and apply, below
WRITER_CASES = (
    [(w, t) for w in WRITERS for t in RUNTIMES]
    + [(w, t) for w in ("import", "bundle-p12", "convert", "apply") for t in SEVERAL]
    + [("apply-retarget", "jdk11.0.9,openssl3.0")]
)


@dataclass(frozen=True)
class Output:
    """A file a writer made for ``targets``, with what a complete load must show."""

    store: Store
    targets: tuple[str, ...]
    keys: int
    trusted: int


@dataclass
class Matrix:
    variants: list[Store]
    predictions: dict[str, dict[str, bool]]  # variant -> target -> loads
    problems: dict[str, dict[str, list[str]]]
    outputs: dict[tuple[str, str], Output]
    verdicts: dict[str, dict[str, Verdict]]  # store name -> runtime -> verdict


def _write(writer: str, targets: str, tmp: Path, sources: dict[str, Store]) -> Output:
    name = f"{writer}-{targets.replace(',', '+')}"
    out = tmp / f"{name}.p12"
    pair_key, pair_cert = tmp / "pair.key", tmp / "pair.crt"
    pw = ("--storepass", PASSWORD)
    args: list[str | Path]
    if writer == "import":
        args = ["import", "-k", out, "--file", pair_cert, "--alias", "ca", *pw]
        keys, trusted = 0, 1
    elif writer == "bundle-p12":
        args = ["bundle-p12", "--cert", pair_cert, "--key", pair_key, "--out", out, *pw]
        keys, trusted = 1, 0
    elif writer == "genkeypair":
        args = ["genkeypair", "-k", out, "--alias", "gen", "--dname", "CN=gen", "--keyalg"]
        args += ["ec", *pw]
        keys, trusted = 1, 0
    elif writer == "convert":
        source = sources["keytool17-jks"].path
        args = ["convert", "-k", source, "--srcstorepass", PASSWORD, "--out", out, *pw]
        keys, trusted = 1, 1
    elif writer.startswith("apply"):
        spec = tmp / f"{name}.toml"
        env = {"KS_MATRIX_PW": PASSWORD}

        def spec_for(target_line: str) -> Path:
            spec.write_text(
                f'[[store]]\npath = "{out}"\npassword = {{ env = "KS_MATRIX_PW" }}\n'
                f'{target_line}[[store.certificates]]\nalias = "ca"\nfile = "{pair_cert}"\n'
                f'[[store.keys]]\nalias = "server"\ncert = "{pair_cert}"\nkey = "{pair_key}"\n',
                encoding="utf-8",
            )
            return spec

        if writer == "apply-retarget":
            # made without a target, then the spec names one: the entries are right but the
            # protection is not, so apply rewrites it once, and then leaves it alone
            ks_ok("apply", spec_for(""), env=env)
            wanted = spec_for(f'target = "{targets}"\n')
            assert ks("apply", wanted, "--check", env=env).returncode == 10
            first = ks_json("apply", wanted, env=env)
            assert first["stores"][0]["protection_changed"] is True
            again = ks_json("apply", wanted, env=env)
            assert again["changed"] is False
        else:
            ks_ok("apply", spec_for(f'target = "{targets}"\n'), env=env)
        stored = Store(name, out, "PKCS12", PASSWORD)
        return Output(stored, tuple(targets.split(",")), 1, 1)
    else:
        shutil.copyfile(sources["keytool17-default"].path, out)
        args = ["passwd", "-k", out, *pw, "--new-storepass", PASSWORD]
        keys, trusted = 1, 1
    ks_ok(*args, "--target", targets)
    return Output(Store(name, out, "PKCS12", PASSWORD), tuple(targets.split(",")), keys, trusted)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    missing = missing_judges()
    if missing:
        _missing(f"target-matrix judges {', '.join(missing)} (scripts/tools.d/40-*, 41-*)")
    tmp = tmp_path_factory.mktemp("targets")
    variants = make_variants(tmp)
    assert tuple(v.name for v in variants) == VARIANTS
    predictions: dict[str, dict[str, bool]] = {}
    problems: dict[str, dict[str, list[str]]] = {}
    for store in variants:
        password = ["--storepass", store.password] if store.password is not None else []
        proc = ks("doctor", "-k", store.path, *password, "--target", ",".join(RUNTIMES), "--json")
        document = json.loads(proc.stdout)
        predictions[store.name] = {t["target"]: t["loads"] for t in document["targets"]}
        problems[store.name] = {
            t["target"]: [p["code"] for p in t["problems"]] for t in document["targets"]
        }
    by_name = {s.name: s for s in variants}
    outputs = {case: _write(*case, tmp, by_name) for case in WRITER_CASES}
    stores = [*variants, *(o.store for o in outputs.values())]
    judged = judge_all(tmp, stores)
    verdicts = {
        store.name: {runtime: judged[runtime][i] for runtime in RUNTIMES}
        for i, store in enumerate(stores)
    }
    found = Matrix(variants, predictions, problems, outputs, verdicts)
    table = os.environ.get("KS_MATRIX_TABLE")
    if table:
        Path(table).write_text(_markdown(found), encoding="utf-8")
    return found


def _markdown(matrix: Matrix) -> str:
    lines = ["| variant | " + " | ".join(RUNTIMES) + " |", "|---" * (len(RUNTIMES) + 1) + "|"]
    for store in matrix.variants:
        cells = []
        for runtime in RUNTIMES:
            verdict = matrix.verdicts[store.name][runtime]
            cells.append("loads" if verdict.loads else _short(verdict.summary()))
        lines.append(f"| {store.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# The runtime's own words, cut to the phrase that says why (the table goes into the README).
_PHRASES = (
    "HmacPBESHA256 not available",
    "Password is not ASCII",
    "KeyFactory not available",
    "keystore password was incorrect",
    "Invalid password or PKCS12 data",
    "Could not deserialize key data",
    "not a PKCS12 file",
    "inner_evp_generic_fetch:unsupported",
    "OSSL_DECODER_from_bio:unsupported",
    "HmacPBE1.2.840.113549.1.5.14 not available",
    "Mac verify error",
)


def _short(summary: str) -> str:
    found = [p for p in _PHRASES if p in summary]
    return "no: " + " / ".join(f"'{p}'" for p in found) if found else summary[:60]


@pytest.mark.parametrize("variant", VARIANTS)
def test_doctor_predicts_what_each_runtime_does(matrix: Matrix, variant: str) -> None:
    wrong = []
    for runtime in RUNTIMES:
        verdict = matrix.verdicts[variant][runtime]
        predicted = matrix.predictions[variant][runtime]
        if predicted != verdict.loads:
            wrong.append(
                f"{runtime}: doctor says loads={predicted} "
                f"({matrix.problems[variant][runtime]}), the runtime: {verdict.summary()}"
            )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("writer", "targets"), WRITER_CASES)
def test_writer_output_for_targets_loads_completely_on_each(
    matrix: Matrix, writer: str, targets: str
) -> None:
    output = matrix.outputs[(writer, targets)]
    failures = []
    for target in output.targets:
        verdict = matrix.verdicts[output.store.name][target]
        if not verdict.loads:
            failures.append(f"{target}: {verdict.summary()}")
        elif len(verdict.keys) != output.keys or len(verdict.trusted) < output.trusted:
            failures.append(f"{target}: keys {verdict.keys}, trusted {verdict.trusted}")
        elif target.startswith("jdk") and len(verdict.trusted) != output.trusted:
            failures.append(f"{target}: Java sees trusted {verdict.trusted}")
    assert not failures, "\n".join(failures)


def test_writers_without_target_keep_the_current_jdk_defaults(matrix: Matrix) -> None:
    """The default output is what keytool 17 writes: JDK 11.0.9 refuses it, 11.0.13 reads it."""
    verdict = matrix.verdicts["keytool17-default"]
    assert not verdict["jdk11.0.9"].loads and verdict["jdk11.0.13"].loads


def test_a_truststore_with_a_non_ascii_password_is_written_for_jdk17_not_refused(
    tmp_path: Path,
) -> None:
    """JDK 17 cannot key a MAC with 'pässwörd€'; a truststore needs neither MAC nor encryption,
    so ks writes one JDK 17 loads with that very password."""
    from tests.interop.targets_judges import compile_probe, judge_java

    if missing_judges():
        _missing("target-matrix judges")
    store = tmp_path / "trust.p12"
    cert = tmp_path / "ca.pem"
    cert.write_bytes(_self_signed_pem())
    ks_ok(
        "import",
        "-k",
        store,
        "--file",
        cert,
        "--storepass",
        NON_ASCII_PASSWORD,
        "--target",
        "jdk17",
    )
    classes = compile_probe(tmp_path)
    (verdict,) = judge_java("jdk17", classes, [Store("t", store, "PKCS12", NON_ASCII_PASSWORD)])
    assert verdict.loads and len(verdict.trusted) == 1, verdict


@pytest.mark.parametrize(
    ("password", "targets", "named"),
    [
        (NON_ASCII_PASSWORD, "jdk21", "jdk21"),
        (NON_ASCII_PASSWORD, "jdk25,jdk17", "jdk17"),
    ],
)
def test_a_key_store_no_target_can_open_is_refused_before_writing(
    tmp_path: Path, password: str, targets: str, named: str
) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_bytes(_self_signed_pem(key))
    out = tmp_path / "out.p12"
    proc = ks(
        "bundle-p12",
        "--cert",
        cert,
        "--key",
        key,
        "--out",
        out,
        "--storepass",
        password,
        "--target",
        targets,
    )
    line = assert_one_line_error(proc, 1)
    assert named in line and "'client'" in line and "ASCII" in line
    assert not out.exists()


def test_an_unknown_target_is_a_usage_error_listing_the_forms(tmp_path: Path) -> None:
    proc = ks(
        "import",
        "-k",
        tmp_path / "t.p12",
        "--file",
        tmp_path / "x.pem",
        "--storepass",
        PASSWORD,
        "--target",
        "jdk11,java17",
    )
    line = assert_one_line_error(proc, 2)
    assert "java17" in line and "jdk8uU" in line and "opensslX.Y" in line


def test_doctor_json_lists_each_target_in_the_order_given(matrix: Matrix) -> None:
    store = next(s for s in matrix.variants if s.name == "keytool17-legacy")
    proc = ks(
        "doctor",
        "-k",
        store.path,
        "--storepass",
        PASSWORD,
        "--target",
        "openssl3.0,jdk11.0.9",
        "--json",
    )
    assert proc.returncode == 1, proc.stderr  # one target does not load it
    document = json.loads(proc.stdout)
    assert [t["target"] for t in document["targets"]] == ["openssl3.0", "jdk11.0.9"]
    failing, passing = document["targets"]
    assert not failing["loads"] and passing == {
        "target": "jdk11.0.9",
        "loads": True,
        "problems": [],
    }
    (problem,) = failing["problems"]
    assert problem["code"] == "encryption-unreadable"
    assert "--target openssl3.0" in problem["message"]


def test_check_reports_per_store_and_target_what_the_runtimes_do(matrix: Matrix) -> None:
    stores = [s for s in matrix.variants if s.password == PASSWORD]
    args: list[str | Path] = ["check", "--storepass", PASSWORD, "--target", ",".join(RUNTIMES)]
    for store in stores:
        args += ["-k", store.path]
    proc = ks(*args, "--json")
    assert proc.returncode == 12, proc.stderr  # some runtime will not load some store
    document = json.loads(proc.stdout)
    by_path = {str(s.path): s.name for s in stores}
    seen = {(by_path[t["keystore"]], t["target"]): t["loads"] for t in document["targets"]}
    assert seen == {(s.name, r): matrix.verdicts[s.name][r].loads for s in stores for r in RUNTIMES}
    gauges = ks(*args, "--format", "prometheus").stdout
    legacy = next(s for s in stores if s.name == "keytool17-legacy")
    assert f'ks_keystore_target_loads{{keystore="{legacy.path}",target="openssl3.0"}} 0' in gauges
    assert f'ks_keystore_target_loads{{keystore="{legacy.path}",target="jdk11.0.9"}} 1' in gauges


def _self_signed_pem(key_out: Path | None = None) -> bytes:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "matrix CA")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    if key_out is not None:
        key_out.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return cert.public_bytes(serialization.Encoding.PEM)
