"""ks import in process (ops.importing, entries.add_trusted): idempotent adds, numbered and
derived aliases, conflicts with their remedy and alias, CA replies onto key entries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from keystore_tool.errors import ConflictError, FormatError, KeyMismatchError, Remedy
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from keystore_tool.ops.importing import ImportReport, import_certificates, install_reply
from keystore_tool.ops.update import StoreTarget
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes, load_store
from tests.certs import Issued, issue

PASSWORD = Password("changeit")
EXTENSIONS = {"jks": "jks", "jceks": "jceks", "pkcs12": "p12", "pem": "pem"}


@pytest.fixture(scope="module")
def root() -> Issued:
    return issue("Import Root", ca=True)


@pytest.fixture(scope="module")
def intermediate(root: Issued) -> Issued:
    return issue("Import Intermediate", issuer=root, ca=True)


def cert(issued: Issued) -> Certificate:
    return Certificate(issued.der)


def target(path: Path) -> StoreTarget:
    return StoreTarget(str(path), PASSWORD)


@pytest.mark.parametrize("storetype", sorted(EXTENSIONS))
def test_importing_twice_adds_once_and_leaves_the_bytes(
    tmp_path: Path, root: Issued, storetype: str
) -> None:
    path = tmp_path / f"trust.{EXTENSIONS[storetype]}"
    first = import_certificates(target(path), [cert(root)], alias="root")
    assert first.added == ["root"] and first.outcome is not None and first.outcome.created
    before = path.read_bytes()

    again = import_certificates(target(path), [cert(root)], alias="root")

    assert again.unchanged == ["root"] and not again.changed
    assert again.outcome is not None and not again.outcome.written
    assert path.read_bytes() == before
    assert again.as_json() == {
        "keystore": str(path),
        "changed": False,
        "added": [],
        "replaced": [],
        "unchanged": ["root"],
    }


def test_the_certificates_of_one_file_get_numbered_aliases(
    tmp_path: Path, root: Issued, intermediate: Issued
) -> None:
    path = tmp_path / "trust.p12"
    report = import_certificates(
        target(path), [cert(intermediate), cert(root), cert(intermediate)], alias="ca"
    )
    assert report.added == ["ca", "ca-2"]
    stored = load_store(path, PASSWORD)
    assert stored["ca-2"].certificates() == [cert(root)]


def test_without_alias_names_come_from_the_subject_and_known_ones_are_kept(
    tmp_path: Path, root: Issued, intermediate: Issued
) -> None:
    path = tmp_path / "trust.jks"
    first = import_certificates(target(path), [cert(root)])
    assert len(first.added) == 1
    second = import_certificates(target(path), [cert(root), cert(intermediate)])
    assert second.unchanged == first.added and len(second.added) == 1
    assert len(load_store(path, PASSWORD)) == 2


def test_a_different_certificate_under_the_alias_is_a_conflict(
    tmp_path: Path, root: Issued, intermediate: Issued
) -> None:
    path = tmp_path / "trust.p12"
    import_certificates(target(path), [cert(root)], alias="ca")
    before = path.read_bytes()
    with pytest.raises(ConflictError) as raised:
        import_certificates(target(path), [cert(intermediate)], alias="CA")
    error = raised.value
    assert error.message == "alias 'ca' already holds a different certificate"
    assert (error.remedy, error.alias) == (Remedy.REPLACE_OR_OTHER_ALIAS, "ca")
    assert path.read_bytes() == before

    replaced = import_certificates(target(path), [cert(intermediate)], alias="ca", replace=True)
    assert replaced.replaced == ["ca"]
    assert load_store(path, PASSWORD)["ca"].certificates() == [cert(intermediate)]


def test_a_conflict_on_a_later_alias_changes_nothing(
    tmp_path: Path, root: Issued, intermediate: Issued
) -> None:
    path = tmp_path / "trust.p12"
    import_certificates(target(path), [cert(intermediate)], alias="ca-2")
    before = path.read_bytes()
    with pytest.raises(ConflictError):
        import_certificates(target(path), [cert(root), cert(issue("Other CA"))], alias="ca")
    assert path.read_bytes() == before
    assert "ca" not in load_store(path, PASSWORD)


def test_the_same_certificate_under_a_new_alias_is_reported_as_a_duplicate(
    tmp_path: Path, root: Issued
) -> None:
    path = tmp_path / "trust.p12"
    import_certificates(target(path), [cert(root)], alias="first")
    report = import_certificates(target(path), [cert(root)], alias="second")
    assert report.added == ["second"] and report.duplicates == {"second": "first"}


def test_a_lookalike_alias_is_warned_about(
    tmp_path: Path, root: Issued, intermediate: Issued
) -> None:
    path = tmp_path / "trust.p12"
    import_certificates(target(path), [cert(root)], alias="paypal")
    report = import_certificates(target(path), [cert(intermediate)], alias="p\u0430ypal")
    assert report.added == ["p\u0430ypal"]
    assert len(report.warnings) == 1 and "several scripts" in report.warnings[0]


def test_a_missing_pem_truststore_is_created_without_password(tmp_path: Path, root: Issued) -> None:
    path = tmp_path / "bundle.pem"
    report = import_certificates(StoreTarget(str(path), None), [cert(root)], alias="root")
    assert report.outcome is not None and report.outcome.storetype == "pem"
    assert path.read_bytes().count(b"BEGIN CERTIFICATE") == 1


# --------------------------------------------------------------------------- CA replies


def key_store(path: Path, leaf: Issued, *trusted: Issued) -> None:
    entries: list[PrivateKeyEntry | TrustedCertificateEntry] = [
        PrivateKeyEntry(
            alias="server",
            chain=[cert(leaf)],
            private_key=leaf.key_pkcs8_der(),
            created=datetime(2024, 1, 1, tzinfo=UTC),
        )
    ]
    entries += [
        TrustedCertificateEntry(alias=f"t{n}", certificate=cert(t), created=datetime.now(UTC))
        for n, t in enumerate(trusted)
    ]
    path.write_bytes(dump_bytes(Keystore(entries, storetype="pkcs12"), "pkcs12", PASSWORD))


def test_a_ca_reply_replaces_the_key_entrys_chain(
    tmp_path: Path, root: Issued, intermediate: Issued
) -> None:
    self_signed = issue("server.example")
    signed = _reissue(self_signed, intermediate)  # the CA certified the entry's key
    path = tmp_path / "server.p12"
    key_store(path, self_signed, root)

    report = import_certificates(target(path), [cert(signed), cert(intermediate)], alias="server")

    assert report.replaced == ["server"]
    entry = load_store(path, PASSWORD)["server"]
    assert isinstance(entry, PrivateKeyEntry)
    # Completed with the store's own trusted root, as keytool does.
    assert entry.chain == [cert(signed), cert(intermediate), cert(root)]

    again = import_certificates(target(path), [cert(signed), cert(intermediate)], alias="server")
    assert again.unchanged == ["server"] and not again.changed


def test_a_reply_for_another_key_is_refused(tmp_path: Path, intermediate: Issued) -> None:
    leaf = issue("server.example")
    other = issue("server.example", issuer=intermediate)
    path = tmp_path / "server.p12"
    key_store(path, leaf)
    with pytest.raises(KeyMismatchError):
        import_certificates(target(path), [cert(other)], alias="server")


def test_a_reply_whose_chain_ends_nowhere_is_refused(tmp_path: Path, intermediate: Issued) -> None:
    leaf = issue("server.example")
    signed = _reissue(leaf, intermediate)
    path = tmp_path / "server.p12"
    key_store(path, leaf)
    with pytest.raises(FormatError, match="neither the reply nor the store holds"):
        import_certificates(target(path), [cert(signed)], alias="server")


def test_an_empty_reply_is_refused(root: Issued) -> None:
    leaf = issue("server.example")
    entry = PrivateKeyEntry(alias="k", chain=[cert(leaf)], private_key=leaf.key_pkcs8_der())
    with pytest.raises(FormatError, match="holds no certificate"):
        install_reply(Keystore([entry]), entry, [], report=ImportReport(keystore="x"))


def _reissue(subject: Issued, issuer: Issued) -> Issued:
    """``subject``'s key, certified by ``issuer``."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = dt.datetime.now(dt.UTC)
    built = (
        x509.CertificateBuilder()
        .subject_name(subject.cert.subject)
        .issuer_name(issuer.cert.subject)
        .public_key(subject.key.public_key())  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(issuer.key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return Issued(built, subject.key)
