"""``ops.check`` in-process: durations, each certificate's status at the window's edges (a key
entry's whole chain), targets, the JSON document and the Prometheus text."""

from __future__ import annotations

import datetime as dt
import functools

import pytest

from keystore_tool.cli.errors import message
from keystore_tool.compat import parse_target
from keystore_tool.errors import UsageError
from keystore_tool.model import (
    Certificate,
    Keystore,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.ops.check import (
    check_store,
    check_stores,
    check_targets,
    parse_duration,
    prometheus_text,
)
from tests.certs import NOW, issue

DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30d", 30 * 86400),
        ("12h", 43200),
        ("2w", 14 * 86400),
        ("90m", 5400),
        ("45s", 45),
        ("7", 7 * 86400),
        (" 3 D ", 3 * 86400),
    ],
)
def test_durations_have_a_unit_and_default_to_days(text: str, seconds: int) -> None:
    assert parse_duration(text) == dt.timedelta(seconds=seconds)


def test_what_is_no_duration_is_refused_naming_the_parameter() -> None:
    with pytest.raises(UsageError) as refused:
        parse_duration("3x")
    assert refused.value.parameter == "expires_within"
    assert "--" not in str(refused.value)
    assert message(refused.value) == (
        "--expires-within '3x' is not a duration; write it like 30d, 12h, 2w or 90m"
    )
    with pytest.raises(UsageError) as too_long:
        parse_duration("99999999999")
    assert message(too_long.value) == "--expires-within '99999999999' is too long"


@functools.cache
def _store() -> Keystore:
    root = issue("Root", ca=True, not_after=NOW + 400 * DAY)
    inter = issue("Inter", issuer=root, ca=True, not_before=NOW - 30 * DAY, not_after=NOW - 3 * DAY)
    leaf = issue("leaf", issuer=inter, not_after=NOW + 5 * DAY)
    far = issue("Far", ca=True, not_after=NOW + 100 * DAY)
    chain = [Certificate(c.der) for c in (leaf, inter, root)]
    return Keystore(
        [
            PrivateKeyEntry(alias="server", chain=chain, private_key=leaf.key_pkcs8_der()),
            TrustedCertificateEntry(alias="far", certificate=Certificate(far.der)),
        ],
        storetype="pkcs12",
    )


def test_every_certificate_of_every_chain_gets_its_status() -> None:
    report = check_stores([("a.p12", _store())], 30 * DAY, now=NOW)
    statuses = [(c.alias, c.position, c.status) for c in report.certificates]
    assert statuses == [
        ("far", 0, "ok"),
        ("server", 0, "expiring"),
        ("server", 1, "expired"),
        ("server", 2, "ok"),
    ]
    assert [c.entry_type for c in report.certificates] == ["trusted-cert"] + ["private-key"] * 3
    assert report.certificates[1].seconds_left == 5 * 86400
    assert report.certificates[1].subject == "CN=leaf"
    assert len(report.expired) == 1 and len(report.expiring) == 1 and not report.ok
    assert report.stores == [("a.p12", "pkcs12")] and report.targets is None


def test_the_window_edge_counts_as_within_it() -> None:
    soon = issue("Edge", ca=True, not_after=NOW + 10 * DAY)
    store = Keystore([TrustedCertificateEntry(alias="e", certificate=Certificate(soon.der))])
    assert check_stores([("s", store)], 10 * DAY, now=NOW).certificates[0].status == "expiring"
    later = check_stores([("s", store)], 10 * DAY - dt.timedelta(seconds=1), now=NOW)
    assert later.ok and later.certificates[0].status == "ok"
    assert check_stores([("s", store)], DAY, now=NOW + 10 * DAY).expired
    assert store.storetype is None
    assert check_stores([("s", store)], DAY, now=NOW).stores == [("s", "unknown")]


def test_ok_certificates_can_be_left_out() -> None:
    report = check_stores([], 30 * DAY, now=NOW)
    check_store(report, "a.p12", _store(), include_ok=False)
    assert [c.status for c in report.certificates] == ["expiring", "expired"]


def test_targets_say_whether_they_load_each_store() -> None:
    report = check_stores([("a.p12", _store())], DAY, now=NOW)
    check_targets(
        report, "a.p12", _store(), "changeit", [parse_target("jdk17"), parse_target("jdk8u292")]
    )
    assert report.targets is not None
    assert [(t.target.name, t.loads) for t in report.targets] == [
        ("jdk17", True),
        ("jdk8u292", True),
    ]
    secret = Keystore([SecretKeyEntry(alias="aes", algorithm="AES", key=bytes(16))])
    check_targets(report, "s.p12", secret, "changeit", [parse_target("openssl3.0")])
    assert [(t.store, t.target.name) for t in report.unloadable] == [("s.p12", "openssl3.0")]
    problems = report.targets[-1].as_json()["problems"]
    assert problems and problems[0]["aliases"] == ["aes"] and not report.ok


def test_the_json_document_counts_and_lists_everything() -> None:
    report = check_stores([("a.p12", _store())], 30 * DAY, now=NOW)
    document = report.as_json()
    assert document["ok"] is False and (document["expired"], document["expiring"]) == (1, 1)
    assert document["expires_within_seconds"] == 30 * 86400
    assert document["now"] == NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert document["keystores"] == [{"keystore": "a.p12", "storetype": "pkcs12"}]
    assert document["certificates"][1]["not_after"] == (NOW + 5 * DAY).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert "targets" not in document
    check_targets(report, "a.p12", _store(), None, [parse_target("jdk17")])
    assert report.as_json()["targets"] == [
        {
            "keystore": "a.p12",
            "target": "jdk17",
            "loads": report.targets[0].loads,
            "problems": report.targets[0].as_json()["problems"],
        }  # type: ignore[index]
    ]


def test_prometheus_text_has_every_series_with_escaped_labels() -> None:
    store = _store()
    report = check_stores(
        [('we"ird\\path\n.p12', store), ("empty.p12", Keystore())], 30 * DAY, now=NOW
    )
    check_targets(
        report, "empty.p12", Keystore(storetype="pkcs12"), "changeit", [parse_target("jdk17")]
    )
    text = prometheus_text(report)
    label = 'keystore="we\\"ird\\\\path\\n.p12"'
    assert (
        f'ks_certificate_expiry_seconds{{{label},alias="server",position="0",type="private-key"'
        in text
    )
    assert f"ks_keystore_min_expiry_seconds{{{label}}} {-3 * 86400}" in text
    assert f"ks_keystore_certificates{{{label}}} 4" in text
    assert 'ks_keystore_certificates{keystore="empty.p12"} 0' in text
    assert 'ks_keystore_min_expiry_seconds{keystore="empty.p12"}' not in text
    assert 'ks_keystore_target_loads{keystore="empty.p12",target="jdk17"} 1' in text
    not_after = int((NOW + 5 * DAY).timestamp())
    assert (
        'position="0",type="private-key",subject="CN=leaf",' in text and f" {not_after}\n" in text
    )
    assert text.endswith("\n") and "ks_keystore_target_loads" in text
    assert "ks_keystore_target_loads" not in prometheus_text(check_stores([], DAY, now=NOW))
