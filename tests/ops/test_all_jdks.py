"""ks import --all-jdks in process (ops.all_jdks) on a fake host: the password each store is
opened with, password-less stores kept so, broken ones reported."""

from __future__ import annotations

from pathlib import Path

from keystore_tool.cacerts import CACERTS_PASSWORD, password_for
from keystore_tool.jdks import HostRoots
from keystore_tool.model import Certificate
from keystore_tool.ops.all_jdks import import_into_all_jdks
from keystore_tool.password import Password
from keystore_tool.storage import load_store
from keystore_tool.truststores import survey_host
from tests.certs import issue
from tests.host import fakehost


def survey(host: fakehost.FakeHost):  # type: ignore[no-untyped-def]
    return survey_host(
        host.env(),
        HostRoots(system=host.system, home=host.home, extra=(host.venv,)),
        os_store=host.os_store,
    )


def test_the_password_a_jdk_truststore_is_opened_with(tmp_path: Path) -> None:
    jks, p12, encrypted = tmp_path / "a.jks", tmp_path / "b.p12", tmp_path / "c.p12"
    jks.write_bytes(fakehost.truststore_bytes("jks"))
    p12.write_bytes(fakehost.truststore_bytes("pkcs12"))
    encrypted.write_bytes(fakehost.truststore_bytes("pkcs12", encrypted=True))
    given = Password("mine")
    assert password_for(jks, given) == given
    assert password_for(jks, None) == CACERTS_PASSWORD
    assert password_for(p12, None) is None  # password-less: it must stay so
    assert password_for(encrypted, None) == CACERTS_PASSWORD


def test_a_ca_goes_into_every_writable_truststore_once(tmp_path: Path) -> None:
    host = fakehost.build(tmp_path)
    ca = Certificate(issue("All JDKs CA", ca=True).der)

    report = import_into_all_jdks([ca], alias="corp-ca", survey=survey(host))

    written = [s for s in report.stores if s.error is None]
    assert written and report.changed and report.failed
    for store in written:
        assert store.report is not None and store.report.added == ["corp-ca"]
        password = password_for(store.keystore, None)
        assert load_store(store.keystore, password).aliases_holding(ca) == ["corp-ca"]
        assert store.as_json()["added"] == ["corp-ca"]
    # JDK 18+ style password-less PKCS12 stores stay password-less.
    gradle = next(s for s in written if ".gradle" in str(s.keystore))
    info = load_store(gradle.keystore, None).read_info
    assert info is not None and info.passwordless
    os_store = next(s for s in written if s.keystore == host.os_store)
    assert any("update-ca-certificates" in w for w in os_store.warnings)
    for broken in report.failed:
        assert broken.report is None and broken.as_json()["changed"] is False

    again = import_into_all_jdks([ca], alias="corp-ca", survey=survey(host))
    assert not again.changed


def test_a_store_the_password_does_not_open_is_reported(tmp_path: Path) -> None:
    host = fakehost.build(tmp_path)
    ca = Certificate(issue("All JDKs CA", ca=True).der)
    report = import_into_all_jdks(
        [ca], alias="corp-ca", password=Password("wrong"), survey=survey(host)
    )
    assert report.failed and all(
        s.error is not None for s in report.stores if s.keystore == host.os_store
    )


def test_a_conflict_in_one_store_is_reported_with_its_remedy(tmp_path: Path) -> None:
    from keystore_tool.cli.errors import message
    from keystore_tool.errors import ConflictError, Remedy

    host = fakehost.build(tmp_path)
    first = Certificate(issue("First CA", ca=True).der)
    import_into_all_jdks([first], alias="corp-ca", survey=survey(host))
    other = Certificate(issue("Other CA", ca=True).der)

    report = import_into_all_jdks([other], alias="corp-ca", survey=survey(host))

    conflicts = [s for s in report.stores if isinstance(s.failure, ConflictError)]
    assert conflicts and not report.changed
    store = conflicts[0]
    assert store.failure is not None and store.failure.remedy is Remedy.REPLACE_OR_OTHER_ALIAS
    assert store.describe_error() == (
        "alias 'corp-ca' already holds a different certificate; "
        "ask to replace it, or choose another alias"
    )
    assert store.as_json(message)["error"] == (
        "alias 'corp-ca' already holds a different certificate; "
        "use --replace to overwrite it, or choose another --alias"
    )
