"""``ops.inspect`` in-process: a store opened to be listed or shown, and the JSON documents of
``ks list`` and ``ks show``."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore_tool.errors import NotFoundError, PasswordError, UsageError
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from keystore_tool.ops.inspect import StoreView, find_entry, open_store, show_entry
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes
from keystore_tool.x509util import describe_entry
from tests.certs import issue

PASSWORD = Password("changeit")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    leaf = issue("svc")
    keystore = Keystore(
        [
            TrustedCertificateEntry(
                alias="b-ca", certificate=Certificate(issue("CA", ca=True).der)
            ),
            PrivateKeyEntry(
                alias="a-key", chain=[Certificate(leaf.der)], private_key=leaf.key_pkcs8_der()
            ),
        ],
        storetype="jks",
    )
    path = tmp_path_factory.mktemp("inspect") / "k.jks"
    path.write_bytes(dump_bytes(keystore, "jks", PASSWORD))
    return path


def test_a_listing_holds_every_entry_sorted_by_alias(store: Path) -> None:
    view = open_store(store, PASSWORD)
    assert view.path == str(store) and view.storetype == "jks"
    document = view.as_json()
    assert document["keystore"] == str(store) and document["storetype"] == "jks"
    assert [e["alias"] for e in document["entries"]] == ["a-key", "b-ca"]
    assert document["entries"] == [describe_entry(e) for e in view.keystore.sorted_entries()]


def test_showing_an_entry_gives_its_whole_description(store: Path) -> None:
    view = open_store(store, PASSWORD, storetype="jks")
    shown = show_entry(view, "A-KEY")  # aliases compare case-insensitively, as in Java
    assert shown.entry is find_entry(view, "a-key")
    assert shown.as_json() == {
        "keystore": str(store),
        "storetype": "jks",
        "entry": describe_entry(shown.entry),
    }
    with pytest.raises(NotFoundError):
        show_entry(view, "missing")


def test_a_store_is_read_as_its_content_says_unless_told_otherwise(store: Path) -> None:
    with pytest.raises(PasswordError):
        open_store(store, Password("wrong"))
    with pytest.raises(UsageError, match="which is jks"):
        open_store(store, PASSWORD, storetype="pkcs12")


def test_a_store_of_unknown_type_says_so() -> None:
    assert StoreView("x", Keystore()).storetype == "unknown"
