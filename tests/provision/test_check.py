"""`ks check`: expired and soon-expiring certificates, exit codes at the window's edges, JSON,
and Prometheus text that a real parser reads."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.certs import NOW, issue
from tests.ks import assert_one_line_error, ks, ks_ok
from tests.provision.conftest import expiring

PASS = "check-secret"


def store_with(path: Path, tmp: Path, certificates: dict[str, bytes]) -> Path:
    for alias, pem in certificates.items():
        source = tmp / f"{alias}.pem"
        source.write_bytes(pem)
        ks_ok("import", "-k", path, "--alias", alias, "--file", source, "--storepass", PASS)
    return path


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("check")
    one_day = expiring("One Day", 1)
    forty = expiring("Forty Days", 40)
    expired = expiring("Expired", -3)
    return {
        "one-day": store_with(tmp / "one-day.p12", tmp, {"one-day": one_day.pem}),
        "forty": store_with(tmp / "forty.p12", tmp, {"forty": forty.pem}),
        "mixed": store_with(
            tmp / "mixed.p12",
            tmp,
            {"one-day": one_day.pem, "forty": forty.pem, "expired": expired.pem},
        ),
        "healthy": store_with(tmp / "healthy.p12", tmp, {"long": issue("Long").pem}),
    }


def check(*args: str | Path) -> int:
    return ks("check", *args, "--storepass", PASS).returncode


@pytest.mark.parametrize(
    ("store", "window", "code"),
    [
        ("healthy", "30d", 0),
        ("one-day", "1d", 10),  # expires in a little under 24 h
        ("one-day", "23h", 0),
        ("one-day", "1440m", 10),
        ("forty", "40d", 10),
        ("forty", "39d", 0),
        ("forty", "6w", 10),
        ("forty", "5w", 0),
        ("mixed", "1h", 11),  # expired wins over expiring
        ("mixed", "30d", 11),
    ],
)
def test_exit_codes_at_the_window_edges(
    stores: dict[str, Path], store: str, window: str, code: int
) -> None:
    assert check("-k", stores[store], "--expires-within", window) == code


def test_several_stores_and_json(stores: dict[str, Path]) -> None:
    proc = ks(
        "check", "-k", stores["healthy"], "-k", stores["one-day"], "--storepass", PASS, "--json"
    )
    assert proc.returncode == 10
    report = json.loads(proc.stdout)
    statuses = {(Path(c["keystore"]).name, c["alias"]): c["status"] for c in report["certificates"]}
    assert statuses == {("healthy.p12", "long"): "ok", ("one-day.p12", "one-day"): "expiring"}
    assert report["expiring"] == 1 and report["expired"] == 0 and report["ok"] is False
    assert report["expires_within_seconds"] == 30 * 86400


def test_text_names_the_problem_certificates(stores: dict[str, Path]) -> None:
    proc = ks("check", "-k", stores["mixed"], "--storepass", PASS)
    assert proc.returncode == 11
    assert "EXPIRED:" in proc.stdout and "'expired'" in proc.stdout
    assert "EXPIRING:" in proc.stdout and "'one-day'" in proc.stdout
    assert "'forty'" not in proc.stdout
    assert "3 certificates checked in 1 store: 1 expired, 1 expiring" in proc.stdout


def test_every_certificate_of_a_chain_counts(tmp_path: Path) -> None:
    ca = expiring("Dying CA", 2)
    leaf = issue("leaf", issuer=ca)
    (tmp_path / "leaf.crt").write_bytes(leaf.pem)
    (tmp_path / "leaf.key").write_bytes(leaf.key_pem())
    (tmp_path / "ca.crt").write_bytes(ca.pem)
    store = tmp_path / "client.p12"
    ks_ok(
        "bundle-p12",
        "--cert", tmp_path / "leaf.crt",
        "--key", tmp_path / "leaf.key",
        "--chain", tmp_path / "ca.crt",
        "--out", store,
        "--storepass", PASS,
    )  # fmt: skip
    proc = ks("check", "-k", store, "--storepass", PASS, "--json", "--expires-within", "7d")
    assert proc.returncode == 10
    rows = json.loads(proc.stdout)["certificates"]
    assert [(r["position"], r["status"]) for r in rows] == [(0, "ok"), (1, "expiring")]


def test_prometheus_text_parses_with_seconds_until_expiry(stores: dict[str, Path]) -> None:
    proc = ks(
        "check", "-k", stores["mixed"], "-k", stores["healthy"], "--storepass", PASS,
        "--format", "prometheus",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr  # a textfile collector wants the file, not a code
    families = {f.name: f for f in text_string_to_metric_families(proc.stdout)}
    expiry = families["ks_certificate_expiry_seconds"]
    assert expiry.type == "gauge"
    values = {(Path(s.labels["keystore"]).name, s.labels["alias"]): s.value for s in expiry.samples}
    day = 86400
    assert set(values) == {
        ("mixed.p12", "one-day"),
        ("mixed.p12", "forty"),
        ("mixed.p12", "expired"),
        ("healthy.p12", "long"),
    }
    # The certificates were minted when the session began (tests.certs.NOW), maybe long ago.
    slack = time.time() - NOW.timestamp() + 60
    assert abs(values[("mixed.p12", "one-day")] - day) < slack
    assert abs(values[("mixed.p12", "forty")] - 40 * day) < slack
    assert abs(values[("mixed.p12", "expired")] + 3 * day) < slack
    assert values[("healthy.p12", "long")] > 300 * day
    sample = next(s for s in expiry.samples if s.labels["alias"] == "forty")
    assert sample.labels["position"] == "0" and sample.labels["subject"] == "CN=Forty Days"
    assert len(sample.labels["sha256"]) == 95
    not_after = families["ks_certificate_not_after_timestamp_seconds"]
    stamp = next(s.value for s in not_after.samples if s.labels["alias"] == "forty")
    assert abs(stamp - (NOW.timestamp() + 40 * day)) < 5
    minimum = {
        Path(s.labels["keystore"]).name: s.value
        for s in families["ks_keystore_min_expiry_seconds"].samples
    }
    assert minimum["mixed.p12"] == values[("mixed.p12", "expired")]


def test_prometheus_label_values_are_escaped(tmp_path: Path) -> None:
    odd = issue('Quote " and \\ backslash')
    store = store_with(tmp_path / 'we"ird.p12', tmp_path, {"odd": odd.pem})
    proc = ks("check", "-k", store, "--storepass", PASS, "--format", "prometheus")
    (family,) = [
        f
        for f in text_string_to_metric_families(proc.stdout)
        if f.name == "ks_certificate_expiry_seconds"
    ]
    (sample,) = family.samples
    assert sample.labels["keystore"] == str(store)
    assert sample.labels["subject"] == 'CN=Quote \\" and \\\\ backslash'


def test_bad_durations_and_formats_are_usage_errors(stores: dict[str, Path]) -> None:
    for window in ("soon", "30x", "-1d", ""):
        proc = ks("check", "-k", stores["healthy"], "--storepass", PASS, "--expires-within", window)
        assert_one_line_error(proc, 2)
    proc = ks("check", "-k", stores["healthy"], "--storepass", PASS, "--format", "xml")
    assert_one_line_error(proc, 2)
    assert_one_line_error(ks("check", "-k", stores["healthy"].with_name("none.p12")), 4)
