"""ks bundle-p12 in process (ops.bundle, entries.build_entry): a key and its chain as one
PKCS12 key entry; an existing file is replaced only when it holds this entry alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from keystore_tool.compat import parse_targets
from keystore_tool.entries import BundleInputs, build_entry
from keystore_tool.errors import ConflictError, KeyMismatchError, Remedy, UsageError
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from keystore_tool.ops.bundle import bundle_p12
from keystore_tool.ops.update import StoreTarget
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes, load_store
from tests.certs import Issued, issue

PASSWORD = Password("changeit")


@pytest.fixture(scope="module")
def chain() -> tuple[Issued, Issued, Issued]:
    root = issue("Bundle Root", ca=True)
    intermediate = issue("Bundle Intermediate", issuer=root, ca=True)
    client = issue("client", issuer=intermediate, key_kind="ec")
    return root, intermediate, client


def inputs(client: Issued, *chain: Issued) -> BundleInputs:
    return BundleInputs(
        certificates=[Certificate(client.der)],
        private_key=client.key_pkcs8_der(),
        chain=[Certificate(c.der) for c in chain],
    )


def test_a_bundle_holds_the_key_with_its_chain_leaf_first(
    tmp_path: Path, chain: tuple[Issued, Issued, Issued]
) -> None:
    root, intermediate, client = chain
    out = tmp_path / "client.p12"
    result = bundle_p12(inputs(client, root, intermediate), StoreTarget(str(out), PASSWORD))
    assert result.changed and result.warnings == []
    entry = load_store(out, PASSWORD)["client"]
    assert isinstance(entry, PrivateKeyEntry)
    assert entry.chain == [Certificate(c.der) for c in (client, intermediate, root)]
    assert out.stat().st_mode & 0o777 == 0o600
    document = result.as_json(PASSWORD, show_password=False)
    assert document["out"] == str(out) and document["changed"] is True
    assert document["jvm_options"][-1] == "-Djavax.net.ssl.keyStorePassword=<password>"


def test_the_same_bundle_again_leaves_the_file(
    tmp_path: Path, chain: tuple[Issued, Issued, Issued]
) -> None:
    root, intermediate, client = chain
    out = tmp_path / "client.p12"
    bundle_p12(inputs(client, intermediate, root), StoreTarget(str(out), PASSWORD))
    before = out.read_bytes()
    again = bundle_p12(inputs(client, intermediate, root), StoreTarget(str(out), PASSWORD))
    assert not again.changed and out.read_bytes() == before
    # Another profile is a change.
    legacy = bundle_p12(
        inputs(client, intermediate, root), StoreTarget(str(out), PASSWORD), profile="legacy"
    )
    assert legacy.changed
    info = load_store(out, PASSWORD).read_info
    assert info is not None and info.profile == "legacy"
    assert not bundle_p12(
        inputs(client, intermediate, root), StoreTarget(str(out), PASSWORD), profile="legacy"
    ).changed


def test_targets_decide_the_protection(
    tmp_path: Path, chain: tuple[Issued, Issued, Issued]
) -> None:
    root, intermediate, client = chain
    out = tmp_path / "client.p12"
    targets = parse_targets(["jdk8u202"])
    bundle_p12(
        inputs(client, intermediate, root), StoreTarget(str(out), PASSWORD, targets=tuple(targets))
    )
    info = load_store(out, PASSWORD).read_info
    assert info is not None and info.profile == "legacy"
    assert not bundle_p12(
        inputs(client, intermediate, root), StoreTarget(str(out), PASSWORD, targets=tuple(targets))
    ).changed


def test_a_file_with_other_entries_is_not_overwritten(
    tmp_path: Path, chain: tuple[Issued, Issued, Issued]
) -> None:
    root, intermediate, client = chain
    out = tmp_path / "client.p12"
    other = TrustedCertificateEntry(
        alias="ca", certificate=Certificate(root.der), created=dt.datetime.now(dt.UTC)
    )
    out.write_bytes(dump_bytes(Keystore([other], storetype="pkcs12"), "pkcs12", PASSWORD))
    before = out.read_bytes()
    with pytest.raises(ConflictError) as raised:
        bundle_p12(inputs(client, intermediate, root), StoreTarget(str(out), PASSWORD))
    assert "already holds other entries ('ca')" in raised.value.message
    assert raised.value.remedy is Remedy.REPLACE_OR_OTHER_OUTPUT
    assert out.read_bytes() == before

    assert bundle_p12(
        inputs(client, intermediate, root), StoreTarget(str(out), PASSWORD), replace=True
    ).changed
    assert [e.alias for e in load_store(out, PASSWORD)] == ["client"]


def test_a_file_the_password_does_not_open_is_not_overwritten(
    tmp_path: Path, chain: tuple[Issued, Issued, Issued]
) -> None:
    root, intermediate, client = chain
    out = tmp_path / "client.p12"
    out.write_bytes(b"something else entirely")
    with pytest.raises(ConflictError, match="does not open it as a keystore"):
        bundle_p12(inputs(client, intermediate, root), StoreTarget(str(out), PASSWORD))
    assert out.read_bytes() == b"something else entirely"


def test_a_rotated_certificate_replaces_the_old_bundle(
    tmp_path: Path, chain: tuple[Issued, Issued, Issued]
) -> None:
    root, intermediate, client = chain
    out = tmp_path / "client.p12"
    bundle_p12(inputs(client, intermediate, root), StoreTarget(str(out), PASSWORD))
    rotated = issue("client", issuer=intermediate)
    assert bundle_p12(inputs(rotated, intermediate, root), StoreTarget(str(out), PASSWORD)).changed
    entry = load_store(out, PASSWORD)["client"]
    assert entry.certificates()[0] == Certificate(rotated.der)


def test_build_entry_warns_about_an_incomplete_chain_and_strays(
    chain: tuple[Issued, Issued, Issued],
) -> None:
    _root, _intermediate, client = chain
    stray = issue("Stray CA", ca=True)
    entry, warnings = build_entry(inputs(client, stray), "c", chain_name="--chain")
    assert entry.chain == [Certificate(client.der)]
    assert warnings[0].startswith("the chain is incomplete: no certificate for the issuer")
    assert warnings[0].endswith("add it to --chain unless the server already knows it")
    assert warnings[1].startswith("ignored a certificate of --chain that belongs to another chain")


def test_build_entry_warns_about_dates(chain: tuple[Issued, Issued, Issued]) -> None:
    now = dt.datetime.now(dt.UTC)
    expired = issue(
        "old", not_before=now - dt.timedelta(days=10), not_after=now - dt.timedelta(days=1)
    )
    early = issue(
        "early", not_before=now + dt.timedelta(days=5), not_after=now + dt.timedelta(days=9)
    )
    _, old = build_entry(inputs(expired), "a")
    _, future = build_entry(inputs(early), "b")
    assert any("expired on" in w for w in old)
    assert any("is not valid before" in w for w in future)


def test_build_entry_refuses_a_key_of_another_certificate(
    chain: tuple[Issued, Issued, Issued],
) -> None:
    root, _intermediate, client = chain
    mismatched = BundleInputs([Certificate(root.der)], client.key_pkcs8_der())
    with pytest.raises(KeyMismatchError):
        build_entry(mismatched, "a")
    with pytest.raises(UsageError) as raised:
        build_entry(BundleInputs([], client.key_pkcs8_der()), "a")
    assert raised.value.parameter == "cert"
