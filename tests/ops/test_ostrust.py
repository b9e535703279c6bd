"""ks sync-os-trust in process (ops.ostrust): full builds from a directory of NAME.pem links
or a bundle, hook changes, sweeps of vanished files, entries added by hand, a password-less
new truststore, and identical bytes from identical inputs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from keystore_tool.errors import NotFoundError
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.ops.ostrust import (
    Change,
    bundle_certificates,
    managed_alias,
    parse_changes,
    sync_os_trust,
)
from keystore_tool.ops.update import StoreTarget
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes, load_store
from tests.certs import Issued, issue

CHANGEIT = Password("changeit")


@pytest.fixture(scope="module")
def cas() -> list[Issued]:
    return [issue(f"OS Root {n}", ca=True) for n in range(3)]


def os_store(root: Path, cas: list[Issued]) -> Path:
    """/usr/share/ca-certificates and /etc/ssl/certs in miniature: files and their links."""
    share, etc = root / "share", root / "certs"
    share.mkdir()
    etc.mkdir()
    for n, ca in enumerate(cas):
        (share / f"root{n}.crt").write_bytes(ca.pem)
        (etc / f"root{n}.pem").symlink_to(share / f"root{n}.crt")
    (etc / "snakeoil.pem").write_bytes(cas[0].pem)  # a plain file: no CA of the OS store
    return etc


def aliases(path: Path, password: Password | None = CHANGEIT) -> list[str]:
    return sorted(e.alias for e in load_store(path, password))


def test_a_full_build_takes_every_link_and_no_plain_file(tmp_path: Path, cas: list[Issued]) -> None:
    etc = os_store(tmp_path, cas)
    store = tmp_path / "cacerts.jks"
    report = sync_os_trust(StoreTarget(str(store), CHANGEIT), certs_dir=etc)
    assert report.mode == "full" and report.outcome is not None and report.outcome.created
    assert report.added == ["debian:root0.pem", "debian:root1.pem", "debian:root2.pem"]
    assert aliases(store) == report.added
    assert report.as_json()["storetype"] == "jks" and report.as_json()["changed"] is True


def test_the_same_inputs_give_the_same_bytes_and_a_second_run_writes_nothing(
    tmp_path: Path, cas: list[Issued]
) -> None:
    etc = os_store(tmp_path, cas)
    first, second = tmp_path / "a.jks", tmp_path / "b.jks"
    sync_os_trust(StoreTarget(str(first), CHANGEIT), certs_dir=etc)
    sync_os_trust(StoreTarget(str(second), CHANGEIT), certs_dir=etc)
    assert first.read_bytes() == second.read_bytes()

    again = sync_os_trust(StoreTarget(str(first), CHANGEIT), certs_dir=etc)
    assert not again.changed and again.unchanged == 3
    assert again.outcome is not None and not again.outcome.written


def test_a_new_store_without_password_is_a_passwordless_pkcs12(
    tmp_path: Path, cas: list[Issued]
) -> None:
    etc = os_store(tmp_path, cas)
    store = tmp_path / "cacerts.p12"
    sync_os_trust(StoreTarget(str(store), None), certs_dir=etc)
    read = load_store(store, None)
    assert read.read_info is not None and read.read_info.passwordless
    assert len(read) == 3

    # Still password-less after an update that removes a CA.
    (etc / "root1.pem").unlink()
    report = sync_os_trust(StoreTarget(str(store), None), certs_dir=etc)
    assert report.removed == ["debian:root1.pem"]
    again = load_store(store, None)
    assert again.read_info is not None and again.read_info.passwordless


def test_changes_add_and_remove_then_sweep_vanished_files(
    tmp_path: Path, cas: list[Issued]
) -> None:
    etc = os_store(tmp_path, cas[:2])
    store = tmp_path / "cacerts.jks"
    sync_os_trust(StoreTarget(str(store), CHANGEIT), certs_dir=etc)
    # The hook's input: root2 added, root0 removed; root1's file vanished without a line.
    (tmp_path / "share" / "root2.crt").write_bytes(cas[2].pem)
    (etc / "root2.pem").symlink_to(tmp_path / "share" / "root2.crt")
    (etc / "root0.pem").unlink()
    (etc / "root1.pem").unlink()
    changes, unknown = parse_changes(f"+{etc / 'root2.pem'}\n-{etc / 'root0.pem'}\n\njunk\n")
    assert unknown == ["junk"]

    report = sync_os_trust(StoreTarget(str(store), CHANGEIT), changes=changes)

    assert report.mode == "changes"
    assert report.added == ["debian:root2.pem"]
    assert sorted(report.removed) == ["debian:root0.pem", "debian:root1.pem"]
    assert aliases(store) == ["debian:root2.pem"]


def test_changes_for_a_missing_store_make_a_full_build(tmp_path: Path, cas: list[Issued]) -> None:
    etc = os_store(tmp_path, cas)
    store = tmp_path / "cacerts.jks"
    report = sync_os_trust(
        StoreTarget(str(store), CHANGEIT), changes=[Change(True, etc / "root0.pem")]
    )
    assert report.mode == "full" and len(report.added) == 3


def test_an_unreadable_changed_file_is_skipped(tmp_path: Path, cas: list[Issued]) -> None:
    etc = os_store(tmp_path, cas)
    store = tmp_path / "cacerts.jks"
    sync_os_trust(StoreTarget(str(store), CHANGEIT), certs_dir=etc)
    broken = etc / "broken.pem"
    broken.write_bytes(b"not a certificate")
    report = sync_os_trust(
        StoreTarget(str(store), CHANGEIT), changes=[Change(True, broken)], certs_dir=etc
    )
    assert report.skipped and report.skipped[0].startswith(str(broken))
    assert not report.changed


def test_a_changed_certificate_replaces_its_entry(tmp_path: Path, cas: list[Issued]) -> None:
    etc = os_store(tmp_path, cas[:1])
    store = tmp_path / "cacerts.jks"
    sync_os_trust(StoreTarget(str(store), CHANGEIT), certs_dir=etc)
    (tmp_path / "share" / "root0.crt").write_bytes(cas[1].pem)
    report = sync_os_trust(
        StoreTarget(str(store), CHANGEIT), changes=[Change(True, etc / "root0.pem")]
    )
    assert report.replaced == ["debian:root0.pem"]
    entry = load_store(store, CHANGEIT)["debian:root0.pem"]
    assert isinstance(entry, TrustedCertificateEntry)
    assert entry.certificate == Certificate(cas[1].der)


def test_entries_added_by_hand_are_kept_unless_pruned(tmp_path: Path, cas: list[Issued]) -> None:
    etc = os_store(tmp_path, cas[:1])
    store = tmp_path / "cacerts.jks"
    mine = TrustedCertificateEntry(
        alias="corp-root", certificate=Certificate(cas[2].der), created=datetime.now(UTC)
    )
    store.write_bytes(dump_bytes(Keystore([mine], storetype="jks"), "jks", CHANGEIT))

    kept = sync_os_trust(StoreTarget(str(store), CHANGEIT), certs_dir=etc)
    assert kept.kept_manual == ["corp-root"]
    assert aliases(store) == ["corp-root", "debian:root0.pem"]

    pruned = sync_os_trust(StoreTarget(str(store), CHANGEIT), certs_dir=etc, prune_manual=True)
    assert pruned.removed == ["corp-root"]
    assert aliases(store) == ["debian:root0.pem"]


def test_a_bundle_names_its_certificates_by_subject(tmp_path: Path, cas: list[Issued]) -> None:
    twin = issue("OS Root 0", ca=True)  # the same name, another certificate
    bundle = tmp_path / "ca-certificates.crt"
    bundle.write_bytes(cas[0].pem + cas[1].pem + twin.pem + cas[0].pem)
    wanted = bundle_certificates(bundle)
    assert sorted(wanted) == [
        "debian:os_root_0.pem",
        "debian:os_root_0_2.pem",
        "debian:os_root_1.pem",
    ]
    store = tmp_path / "cacerts.jks"
    report = sync_os_trust(StoreTarget(str(store), CHANGEIT), bundle=bundle)
    assert len(report.added) == 3 and aliases(store) == sorted(wanted)


def test_a_missing_certificates_directory_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        sync_os_trust(StoreTarget(str(tmp_path / "c.jks"), CHANGEIT), certs_dir=tmp_path / "no")
    assert not (tmp_path / "c.jks").exists()


def test_the_managed_alias() -> None:
    assert managed_alias("ISRG_Root_X1.pem") == "debian:ISRG_Root_X1.pem"
    assert Change(False, Path("/x/A.pem")).alias == "debian:A.pem"
