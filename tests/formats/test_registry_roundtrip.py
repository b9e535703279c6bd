"""Property: for every writable format in the registry, load(dump(store)) holds the same
entries — every kind the format can hold, keys and secret keys to the byte."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from keystore_tool import (
    Certificate,
    CertificateEntry,
    DumpOptions,
    Entry,
    Keystore,
    Password,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.formats import REGISTRY, StoreFormat
from tests.certs import Issued, issue

WRITABLE = [fmt for fmt in REGISTRY if fmt.writable]


@pytest.fixture(scope="module")
def material() -> dict[str, Issued]:
    root = issue("Property Root", ca=True, key_kind="ec")
    return {
        "root": root,
        "rsa": issue("rsa leaf", issuer=root),
        "ec": issue("ec leaf", issuer=root, key_kind="ec"),
        "other": issue("other", key_kind="ec"),
        # A loose certificate identical to a chain certificate is read back as part of the
        # chain (as Java reads it), so the loose one gets a certificate of its own.
        "loose": issue("loose", key_kind="ec"),
    }


def make_entry(kind: str, alias: str, material: dict[str, Issued]) -> Entry:
    root = Certificate(material["root"].der)
    if kind == "trusted-cert":
        return TrustedCertificateEntry(alias=alias, certificate=Certificate(material["other"].der))
    if kind == "certificate":
        return CertificateEntry(alias=alias, certificate=Certificate(material["loose"].der))
    if kind.startswith("private-key"):
        leaf = material[kind.split(":")[1]]
        return PrivateKeyEntry(
            alias=alias, chain=[Certificate(leaf.der), root], private_key=leaf.key_pkcs8_der()
        )
    return SecretKeyEntry(alias=alias, algorithm="AES", key=bytes(range(16)))


def summary(store: Keystore) -> list[tuple[str, str, tuple[bytes, ...], Any]]:
    rows = []
    for entry in store.sorted_entries():
        secret = (entry.algorithm, entry.key) if isinstance(entry, SecretKeyEntry) else None
        key = entry.private_key if isinstance(entry, PrivateKeyEntry) else secret
        rows.append(
            (entry.folded_alias, entry.kind, tuple(c.der for c in entry.certificates()), key)
        )
    return rows


KINDS = ["trusted-cert", "certificate", "private-key:rsa", "private-key:ec", "secret-key"]


@pytest.mark.parametrize("fmt", WRITABLE, ids=lambda f: f.name)
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    picks=st.lists(
        st.tuples(st.sampled_from(KINDS), st.from_regex(r"[a-z][a-z0-9._-]{0,11}", fullmatch=True)),
        min_size=1,
        max_size=5,
        unique_by=lambda pick: pick[1],
    ),
    use_password=st.booleans(),
)
def test_load_of_dump_keeps_every_entry_it_can_hold(
    fmt: StoreFormat, material: dict[str, Issued], picks: list[tuple[str, str]], use_password: bool
) -> None:
    store = Keystore(storetype=fmt.name)
    for kind, alias in picks:
        entry = make_entry(kind, alias, material)
        if fmt.can_hold(entry):
            store.add(entry)
    # A PEM store is its blocks: an empty one is an empty file, which is no store at all.
    assume(fmt.name != "pem" or len(store) > 0)
    needs_password = fmt.name in ("jks", "jceks") or any(
        isinstance(e, PrivateKeyEntry | SecretKeyEntry) for e in store
    )
    password = (
        Password("prop-pass") if use_password or (needs_password and fmt.name != "pem") else None
    )
    # One KDF iteration keeps the property fast; the real counts are proven by the interop tests.
    data = fmt.dump(store, password, DumpOptions(iterations=1))
    again = fmt.load(data, password)
    assert summary(again) == summary(store)
