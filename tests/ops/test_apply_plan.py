"""The plan in-process: a model changed into what a spec wants, matched by fingerprint, and the
diff that says exactly what changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from keystore_tool.errors import ConflictError, UsageError
from keystore_tool.formats import get_format
from keystore_tool.model import (
    Certificate,
    Keystore,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.ops.apply import (
    StoreDiff,
    StoreSpec,
    WantedCertificate,
    WantedStore,
    gather,
    plan,
)
from keystore_tool.ops.apply.plan import diff_for
from keystore_tool.ops.apply.spec import KeySource
from keystore_tool.password import Password, PasswordSource
from tests.ops.apply_support import Material, material, no_default_cas, no_server

__all__ = ["material"]

PASSWORD = Password("pw")
WHEN = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def wanted(
    *certificates: WantedCertificate,
    keys: tuple[PrivateKeyEntry, ...] = (),
    prune: bool = False,
) -> WantedStore:
    spec = StoreSpec("store[1] (t.p12)", Path("t.p12"), PasswordSource("value", "pw"), prune=prune)
    return WantedStore(spec, PASSWORD, None, list(certificates), list(keys))


def trusted(material: Material, name: str, alias: str) -> TrustedCertificateEntry:
    return TrustedCertificateEntry(
        alias=alias, certificate=material.certificate(name), created=WHEN
    )


def client_key(material: Material, *, alias: str = "client", chain: bool = True) -> PrivateKeyEntry:
    m = material.directory
    source = KeySource(
        "store[1].keys[1]",
        alias,
        m / "client.crt",
        m / "client.key",
        (m / "client-ca.crt",) if chain else (),
    )
    spec = StoreSpec("store[1]", Path("k.p12"), PasswordSource("none"), keys=(source,))
    (entry,) = gather(spec, no_server, no_default_cas).keys
    return entry


def planned(keystore: Keystore, want: WantedStore) -> StoreDiff:
    diff = StoreDiff("t.p12", storetype="pkcs12")
    plan(keystore, want, diff)
    return diff


def test_an_empty_store_gets_every_certificate_under_its_alias_or_a_derived_one(
    material: Material,
) -> None:
    keystore = Keystore(storetype="pkcs12")
    diff = planned(
        keystore,
        wanted(
            WantedCertificate(material.certificate("a"), "first"),
            WantedCertificate(material.certificate("b"), None),
        ),
    )
    assert diff.added == [
        ("first", material.certificate("a").sha256_hex),
        ("root b", material.certificate("b").sha256_hex),
    ]
    assert sorted(e.alias for e in keystore) == ["first", "root b"]
    assert diff.content_changed and diff.changed
    assert (diff.replaced, diff.removed, diff.unchanged) == ([], [], [])


def test_a_certificate_held_under_another_alias_is_left_where_it_is(material: Material) -> None:
    keystore = Keystore([trusted(material, "a", "legacy-name")], storetype="pkcs12")
    diff = planned(keystore, wanted(WantedCertificate(material.certificate("a"), "a")))
    assert diff.unchanged == ["legacy-name"] and not diff.content_changed
    assert [e.alias for e in keystore] == ["legacy-name"]


def test_a_derived_alias_that_is_taken_gets_a_number(material: Material) -> None:
    keystore = Keystore([trusted(material, "a", "root b")], storetype="pkcs12")
    diff = planned(keystore, wanted(WantedCertificate(material.certificate("b"), None)))
    assert [alias for alias, _ in diff.added] == ["root b-2"]


def test_an_alias_holding_another_certificate_is_replaced(material: Material) -> None:
    keystore = Keystore([trusted(material, "a", "ca")], storetype="pkcs12")
    diff = planned(keystore, wanted(WantedCertificate(material.certificate("b"), "CA")))
    assert diff.replaced == [("CA", material.certificate("b").sha256_hex)] and not diff.added
    (entry,) = keystore
    assert isinstance(entry, TrustedCertificateEntry)
    assert entry.certificate.sha256 == material.certificate("b").sha256


def test_prune_removes_what_the_spec_does_not_name_and_a_reused_alias_counts_as_replaced(
    material: Material,
) -> None:
    secret = SecretKeyEntry(alias="old-secret", key=b"k" * 16, algorithm="AES")
    keystore = Keystore(
        [trusted(material, "a", "keep-me"), trusted(material, "b", "root c"), secret],
        storetype="pkcs12",
    )
    diff = planned(
        keystore,
        wanted(
            WantedCertificate(material.certificate("a"), None),
            WantedCertificate(material.certificate("c"), "Root C"),
            WantedCertificate(material.certificate("d"), None),
            prune=True,
        ),
    )
    assert diff.unchanged == ["keep-me"]
    assert diff.replaced == [("Root C", material.certificate("c").sha256_hex)]
    assert diff.removed == [("old-secret", "")]
    assert diff.added == [("root d", material.certificate("d").sha256_hex)]
    assert sorted(e.alias for e in keystore) == ["Root C", "keep-me", "root d"]


def test_a_derived_alias_avoids_the_aliases_pruned_in_the_same_plan(material: Material) -> None:
    keystore = Keystore([trusted(material, "a", "root b")], storetype="pkcs12")
    diff = planned(keystore, wanted(WantedCertificate(material.certificate("b"), None), prune=True))
    assert diff.removed == [("root b", material.certificate("a").sha256_hex)]
    assert diff.added == [("root b-2", material.certificate("b").sha256_hex)]


def test_without_prune_nothing_the_spec_does_not_name_goes(material: Material) -> None:
    keystore = Keystore([trusted(material, "b", "other")], storetype="pkcs12")
    diff = planned(keystore, wanted(WantedCertificate(material.certificate("a"), "a")))
    assert [alias for alias, _ in diff.added] == ["a"] and not diff.removed
    assert len(keystore) == 2


def test_two_items_wanting_one_alias_are_a_usage_error(material: Material) -> None:
    want = wanted(
        WantedCertificate(material.certificate("a"), "ca"),
        WantedCertificate(material.certificate("b"), "CA"),
    )
    with pytest.raises(UsageError, match="two certificates or keys of the spec want alias 'CA'"):
        planned(Keystore(storetype="pkcs12"), want)


def test_an_alias_holding_another_kind_of_entry_is_a_conflict(material: Material) -> None:
    keystore = Keystore([client_key(material, alias="ca")], storetype="pkcs12")
    with pytest.raises(ConflictError, match="holds a private-key entry and the spec puts a"):
        planned(keystore, wanted(WantedCertificate(material.certificate("a"), "ca")))


def test_a_key_with_the_same_chain_is_kept_and_one_with_another_chain_replaced(
    material: Material,
) -> None:
    full, short = client_key(material), client_key(material, chain=False)
    assert len(full.chain) == 2 and len(short.chain) == 1
    keystore = Keystore([full], storetype="pkcs12")
    kept = planned(keystore, wanted(keys=(client_key(material),)))
    assert kept.unchanged == ["client"] and not kept.content_changed
    replaced = planned(keystore, wanted(keys=(short,)))
    assert replaced.replaced == [("client", Certificate(material.client.der).sha256_hex)]
    (entry,) = keystore
    assert isinstance(entry, PrivateKeyEntry) and len(entry.chain) == 1


def test_diff_for_a_new_store_and_for_one_opened_with_its_old_password(material: Material) -> None:
    fmt = get_format("pkcs12")
    want = wanted(WantedCertificate(material.certificate("a"), "a"))
    want.warnings.append("a warning of the spec")
    created, model = diff_for(want, fmt, None, None)
    assert created.created and created.storetype == "pkcs12" and len(model) == 1
    assert not created.password_changed and created.warnings == ["a warning of the spec"]
    existing = Keystore([trusted(material, "a", "a")], storetype="pkcs12")
    same, _ = diff_for(want, fmt, existing, PASSWORD)
    assert not same.changed and not same.password_changed
    moved, _ = diff_for(want, fmt, existing, Password("old"))
    assert moved.password_changed and moved.content_changed and not moved.created


def test_a_diff_says_what_changed_as_json() -> None:
    diff = StoreDiff("t.p12", storetype="jks", added=[("a", "AB")], mode=(0o600, 0o644))
    diff.owner = ("0:0", "1:1")
    document = diff.as_json()
    assert document["added"] == [{"alias": "a", "sha256": "AB"}]
    assert document["mode"] == {"from": "0600", "to": "0644"}
    assert document["owner"] == {"from": "0:0", "to": "1:1"}
    assert document["changed"] is True and document["written"] is False
    quiet = StoreDiff("t.p12", mode=(0o600, 0o644))
    assert quiet.changed and not quiet.content_changed
    assert StoreDiff("t.p12").as_json()["mode"] is None
    assert not StoreDiff("t.p12").changed
