"""A registration's capabilities are data that the adapters live up to: what writing needs,
what a file may lack, what is read-only, and which registration recognises a file."""

from __future__ import annotations

import pytest

from keystore_tool.errors import KsError, UnsupportedError
from keystore_tool.formats import REGISTRY, SNIFF_BYTES, StoreFormat, detect
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.password import Password
from tests.certs import issue

PW = Password("changeit")


@pytest.fixture(scope="module")
def truststore() -> Keystore:
    root = issue("Capability Root", ca=True, key_kind="ec")
    return Keystore([TrustedCertificateEntry(alias="root", certificate=Certificate(root.der))])


@pytest.mark.parametrize("fmt", [f for f in REGISTRY if f.writable], ids=lambda f: f.name)
def test_writing_without_a_password_fails_exactly_where_the_registration_says(
    fmt: StoreFormat, truststore: Keystore
) -> None:
    if fmt.needs_password:
        with pytest.raises(KsError) as refused:
            fmt.dump(truststore, None)
        assert refused.value.password == "store"
        assert not fmt.may_be_passwordless
        return
    data = fmt.dump(truststore, None)
    back = fmt.load(data, None)
    assert [e.alias for e in back] == ["root"]
    assert fmt.may_be_passwordless


@pytest.mark.parametrize("fmt", [f for f in REGISTRY if not f.writable], ids=lambda f: f.name)
def test_a_read_only_format_refuses_to_write_and_holds_nothing(
    fmt: StoreFormat, truststore: Keystore
) -> None:
    assert fmt.holds == frozenset()
    assert not fmt.can_hold(truststore["root"])
    with pytest.raises(UnsupportedError, match=f"reads {fmt.name.upper()} stores"):
        fmt.dump(truststore, PW)


@pytest.mark.parametrize("fmt", [f for f in REGISTRY if f.writable], ids=lambda f: f.name)
def test_what_a_format_writes_is_accepted_by_its_registration_and_detected_as_it(
    fmt: StoreFormat, truststore: Keystore
) -> None:
    data = fmt.dump(truststore, PW)
    assert fmt.accepts(data[:SNIFF_BYTES])
    assert detect(data) is fmt
