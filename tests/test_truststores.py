"""``truststores`` in-process, on fake JDK trees: which truststore a JVM reads by default and
why, the JVM's fallbacks, the OS-managed store, reading and seeding from the default
truststore, and a truststore file's health as a JVM sees it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keystore_tool import truststores as where
from keystore_tool.cli.advice import command_line
from keystore_tool.errors import NotFoundError, PasswordError
from keystore_tool.jdks import HostRoots
from keystore_tool.model import Certificate
from keystore_tool.ops.importing import import_with_default_cas
from keystore_tool.ops.update import StoreTarget
from keystore_tool.password import Password
from keystore_tool.storage import load_store
from keystore_tool.truststores import (
    load_default_truststore,
    locate_truststore,
    survey_host,
    truststore_health,
)
from tests.certs import issue
from tests.fakejdk import CHANGEIT, jdk, truststore


def _env(**extra: str) -> dict[str, str]:
    return {"PATH": "/nonexistent", **extra}


def test_the_default_cacerts_is_the_truststore_of_a_plain_jdk(tmp_path: Path) -> None:
    home = jdk(tmp_path / "jdk")
    location = locate_truststore(None, _env(JAVA_HOME=str(home)))
    assert (location.source, location.path, location.exists) == (
        "cacerts",
        home / "lib/security/cacerts",
        True,
    )
    assert location.storetype == "pkcs12" and location.warnings == []
    assert location.effective_path == location.path and location.set_by is None
    assert location.jvm.version is not None and location.jvm.version.major == 17
    document = location.as_json()
    assert document["source"] == "cacerts" and document["java_home"] == str(home)
    assert document["resolved_path"] == os.path.realpath(location.path)


def test_a_jssecacerts_hides_cacerts(tmp_path: Path) -> None:
    home = jdk(tmp_path / "jdk")
    (home / "lib/security/jssecacerts").write_bytes(truststore(1, "jks", CHANGEIT))
    location = locate_truststore(home)
    assert (location.source, location.storetype) == ("jssecacerts", "jks")
    assert location.warnings == [
        f"{home}/lib/security/jssecacerts exists, so the JVM ignores {home}/lib/security/cacerts"
    ]


def test_a_missing_cacerts_leaves_the_jvm_without_truststore(tmp_path: Path) -> None:
    home = jdk(tmp_path / "jdk", cacerts=None)
    location = locate_truststore(home / "bin" / "java", _env())
    assert (location.exists, location.effective_path, location.storetype) == (False, None, None)
    assert location.warnings == [
        f"{home}/lib/security/cacerts is missing: the JVM has no default truststore"
    ]
    with pytest.raises(NotFoundError, match="has no default truststore to copy"):
        load_default_truststore(home, _env())


@pytest.mark.parametrize("variable", ["JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"])
def test_the_truststore_property_in_an_option_variable_wins(tmp_path: Path, variable: str) -> None:
    home = jdk(tmp_path / "jdk")
    mine = tmp_path / "mine.jks"
    mine.write_bytes(truststore(1, "jks", CHANGEIT))
    location = locate_truststore(home, {variable: f"-Xmx1g -Djavax.net.ssl.trustStore={mine}"})
    assert (location.source, location.path, location.set_by) == ("property", mine, variable)
    assert location.storetype == "jks" and location.effective_path == mine
    assert location.warnings == [f"javax.net.ssl.trustStore is set by {variable}"]


def test_java_8_ignores_jdk_java_options(tmp_path: Path) -> None:
    home = jdk(tmp_path / "jdk8", "1.8.0_392", java8=True)
    assert home.name == "jre"
    mine = tmp_path / "mine.p12"
    mine.write_bytes(truststore(1))
    location = locate_truststore(
        home.parent, {"JDK_JAVA_OPTIONS": f"-Djavax.net.ssl.trustStore={mine}"}
    )
    assert location.source == "cacerts" and location.path == home / "lib/security/cacerts"


def test_a_property_naming_a_missing_file_falls_back_to_cacerts(tmp_path: Path) -> None:
    home = jdk(tmp_path / "jdk")
    gone = tmp_path / "gone.p12"
    location = locate_truststore(home, {"JAVA_TOOL_OPTIONS": f"-Djavax.net.ssl.trustStore={gone}"})
    cacerts = home / "lib/security/cacerts"
    assert (location.source, location.exists, location.effective_path) == (
        "property",
        False,
        cacerts,
    )
    assert location.warnings == [
        f"javax.net.ssl.trustStore={gone} (from JAVA_TOOL_OPTIONS) does not exist; "
        f"the JVM falls back to {cacerts}"
    ]
    (home / "lib/security/cacerts").unlink()
    directory = tmp_path / "a-directory"
    directory.mkdir()
    location = locate_truststore(home, {"_JAVA_OPTIONS": f"-Djavax.net.ssl.trustStore={directory}"})
    assert location.effective_path is None
    assert (
        "is not a readable file; the JVM falls back to no truststore at all" in location.warnings[0]
    )


def test_none_means_no_truststore_file(tmp_path: Path) -> None:
    home = jdk(tmp_path / "jdk")
    location = locate_truststore(home, {"JAVA_TOOL_OPTIONS": "-Djavax.net.ssl.trustStore=NONE"})
    assert (location.exists, location.effective_path) == (False, None)
    assert "NONE: the JVM loads no truststore file" in location.warnings[0]


def test_an_empty_property_is_the_default(tmp_path: Path) -> None:
    home = jdk(tmp_path / "jdk")
    location = locate_truststore(home, {"JAVA_TOOL_OPTIONS": "-Djavax.net.ssl.trustStore="})
    assert location.source == "cacerts"


def test_the_debian_managed_store_is_named_with_its_remedy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = jdk(tmp_path / "jdk", cacerts=None)
    managed = tmp_path / "etc/ssl/certs/java/cacerts"
    managed.parent.mkdir(parents=True)
    managed.write_bytes(truststore(1, "jks", CHANGEIT))
    (home / "lib/security/cacerts").symlink_to(managed)
    monkeypatch.setattr(where, "DEBIAN_MANAGED", managed)
    location = locate_truststore(home, _env())
    assert location.warnings == [] and location.os_managed == home / "lib/security/cacerts"
    (warning,) = location.notes(command_line)
    assert warning.startswith(f"{home}/lib/security/cacerts is {managed}, managed by Debian")
    assert "update-ca-certificates" in warning
    assert warning.endswith("-Djavax.net.ssl.trustStore (e.g. ks import --with-default-cas)")
    assert where.os_store_remedy().render(command_line) == (
        "put your CA certificate in /usr/local/share/ca-certificates/NAME.crt (PEM) and run "
        "update-ca-certificates, or give the JVM a truststore of your own with "
        "-Djavax.net.ssl.trustStore (e.g. ks import --with-default-cas)"
    )
    assert location.as_json(command_line)["warnings"] == [warning]
    assert "--" not in str(where.os_store_remedy())


def test_the_default_truststore_is_read_without_a_password_or_with_changeit(tmp_path: Path) -> None:
    home = jdk(tmp_path / "jdk", cacerts=truststore(3))
    location, keystore = load_default_truststore(home, _env())
    assert len(keystore) == 3 and location.effective_path == home / "lib/security/cacerts"
    old = jdk(tmp_path / "old", cacerts=truststore(2, "pkcs12", CHANGEIT))
    assert len(load_default_truststore(old, _env())[1]) == 2
    other = jdk(tmp_path / "other", cacerts=truststore(1, "pkcs12", Password("secret")))
    with pytest.raises(PasswordError, match="tried none and 'changeit'"):
        load_default_truststore(other, _env())


def test_a_new_store_is_seeded_with_the_default_cas_and_an_existing_one_is_not(
    tmp_path: Path,
) -> None:
    home = jdk(tmp_path / "jdk", cacerts=truststore(2))
    corp = Certificate(issue("Corp CA", ca=True, key_kind="ec").der)
    target = StoreTarget(str(tmp_path / "app.p12"), CHANGEIT)
    report, seeded = import_with_default_cas(
        target, [corp], alias="corp", replace=False, java=home, env=_env()
    )
    assert seeded is not None and seeded.count == 2
    assert seeded.as_json() == {"path": str(home / "lib/security/cacerts"), "entries": 2}
    assert report.added == ["corp"] and report.outcome is not None and report.outcome.created
    store = load_store(tmp_path / "app.p12", CHANGEIT)
    assert sorted(entry.alias for entry in store) == ["ca-0", "ca-1", "corp"]
    other = Certificate(issue("Other CA", ca=True, key_kind="ec").der)
    report, seeded = import_with_default_cas(
        target, [other], alias="other", replace=False, java=home, env=_env()
    )
    assert seeded is None and report.added == ["other"]
    assert len(load_store(tmp_path / "app.p12", CHANGEIT)) == 4


def _health(path: Path, password: str | None = None) -> tuple[str, str | None, int | None]:
    health = truststore_health(path, password)
    return health.state, health.storetype, health.entries


def test_a_truststore_file_is_judged_by_its_content(tmp_path: Path) -> None:
    good = tmp_path / "good.p12"
    good.write_bytes(truststore(2))
    assert _health(good) == ("ok", "pkcs12", 2) and truststore_health(good).ok
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert _health(empty)[0] == "empty-file"
    assert _health(tmp_path / "missing")[0] == "missing"
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    assert _health(dangling)[0] == "dangling-link"
    assert "links to" in truststore_health(dangling).detail
    assert _health(tmp_path)[0] == "unreadable"
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"not a keystore at all" * 10)
    assert _health(garbage) == ("wrong-type", None, None)
    pem = tmp_path / "ca.pem"
    pem.write_bytes(issue("PEM CA", ca=True).pem)
    assert _health(pem) == ("wrong-type", "pem", None)
    none = tmp_path / "none.p12"
    none.write_bytes(truststore(0))
    assert _health(none) == ("no-certificates", "pkcs12", 0)


def test_encrypted_certificates_are_nothing_to_a_jvm_without_the_password(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    ca = issue("Encrypted CA", ca=True)
    encrypted = tmp_path / "enc.p12"
    encrypted.write_bytes(
        pkcs12.serialize_java_truststore(
            [pkcs12.PKCS12Certificate(ca.cert, b"ca")],
            serialization.BestAvailableEncryption(b"changeit"),
        )
    )
    assert _health(encrypted) == ("no-certificates", "pkcs12", 0)
    assert _health(encrypted, "changeit") == ("ok", "pkcs12", 1)
    assert _health(encrypted, "wrong") == ("ok", "pkcs12", None)
    secret = tmp_path / "secret.p12"
    secret.write_bytes(
        pkcs12.serialize_java_truststore(
            [pkcs12.PKCS12Certificate(ca.cert, b"ca")],
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    health = truststore_health(secret)
    assert (health.state, health.entries, health.detail) == (
        "ok",
        None,
        "cannot be read without its password",
    )
    # A JKS's certificates are not encrypted: the JVM reads them without the password.
    jks = tmp_path / "t.jks"
    jks.write_bytes(truststore(1, "jks", CHANGEIT))
    assert _health(jks) == ("ok", "jks", 1)


def test_a_file_that_cannot_be_read_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "t.p12"
    store.write_bytes(truststore(1))

    def refuse(path: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(where.os, "stat", refuse)
    health = truststore_health(store)
    assert health.state == "unreadable" and "Permission denied" in health.detail


def test_a_prefix_that_cannot_be_read_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keystore_tool import storetypes
    from keystore_tool.errors import StorageError

    store = tmp_path / "t.p12"
    store.write_bytes(truststore(1))

    def refuse(path: object) -> object:
        raise StorageError("cannot read it")

    monkeypatch.setattr(storetypes, "sniff_format", refuse)
    assert truststore_health(store).state == "unreadable"
    assert truststore_health(store).detail == "cannot read it"


def test_a_host_survey_groups_the_runtimes_sharing_a_truststore(tmp_path: Path) -> None:
    shared = tmp_path / "shared.p12"
    shared.write_bytes(truststore(2))
    first = jdk(tmp_path / "jvm" / "a", "17.0.9", cacerts=None)
    second = jdk(tmp_path / "jvm" / "b", "21.0.2", cacerts=None)
    for home in (first, second):
        (home / "lib/security/cacerts").symlink_to(shared)
    alone = jdk(tmp_path / "jvm" / "c", "11.0.2", cacerts=truststore(1, "pkcs12", CHANGEIT))
    survey = survey_host(
        _env(JAVA_TOOL_OPTIONS="-Djavax.net.ssl.trustStorePassword=changeit"),
        HostRoots(system=(tmp_path / "jvm",), home=tmp_path / "nohome"),
        os_store=shared,
        ask_java=False,
    )
    by_home = {item.runtime.home: item for item in survey.runtimes}
    assert set(by_home) == {Path(os.path.realpath(h)) for h in (first, second, alone)}
    assert by_home[first].os_store and by_home[first].shared_with == [second]
    assert not by_home[alone].os_store and by_home[alone].health.entries == 1
    files = survey.truststores()
    assert [len(users) for users in files.values()] == [2, 1]
    document = survey.as_json()
    assert document["truststores"][0]["used_by"] == [str(first), str(second)]
    runtime = document["runtimes"][0]["truststore"]
    assert runtime["symlink"] is True and runtime["resolved_path"] == str(shared)
    assert runtime["health"] == "ok" and runtime["entries"] == 2


def test_a_store_type_is_sniffed_from_content_and_unknown_is_none(tmp_path: Path) -> None:
    from keystore_tool.storetypes import sniff_storetype

    store = tmp_path / "named.jks"  # the name says JKS, the content PKCS12
    store.write_bytes(truststore(1))
    assert sniff_storetype(store) == "pkcs12"
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"no store" * 8)
    assert sniff_storetype(garbage) is None
    assert sniff_storetype(tmp_path / "missing") is None
