"""apply_spec in-process on temporary directories: stores created, updated and left alone (bytes
and mtime untouched), check mode, passwords from the environment and files, server chains
through an injected stub, default CAs from a private cacerts, and the two phases: nothing is
written when any store fails validation."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from keystore_tool.errors import (
    ConflictError,
    KsError,
    NotFoundError,
    PasswordError,
    StorageError,
    UsageError,
)
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.ops.apply import (
    ApplyReport,
    StoreDiff,
    apply_spec,
    apply_store,
    default_truststore,
    load_spec,
    store_spec_from_table,
)
from keystore_tool.password import Password
from keystore_tool.storage import StoreUpdate, load_store, save_store
from tests.certs import issue
from tests.ops.apply_support import (
    KEY_PASSWORD,
    STORE_PASSWORD,
    Material,
    aliases,
    key_store,
    material,
    no_default_cas,
    no_server,
    passwords,
    state,
    trust_store,
    write_spec,
)

__all__ = ["material", "passwords"]

pytestmark = pytest.mark.usefixtures("passwords")


def run(spec_path: Path, text: str, *, check: bool = False, **seams: object) -> ApplyReport:
    spec = write_spec(spec_path, text)
    seams.setdefault("server_chain", no_server)
    seams.setdefault("default_cas", no_default_cas)
    return apply_spec(spec, check=check, **seams)  # type: ignore[arg-type]


def by_name(report: ApplyReport) -> dict[str, StoreDiff]:
    return {Path(s.keystore).name: s for s in report.stores}


def three_stores(material: Material, out: Path) -> str:
    m = material.directory
    return (
        trust_store(
            out / "trust.p12", ("a", m / "a.pem"), ("b", m / "b.pem"), extra='mode = "0644"\n'
        )
        + f'[[store]]\npath = "{out / "trust.jks"}"\npassword = {{ env = "TRUST_PASS" }}\n'
        f'[[store.certificates]]\ndir = "{m / "extra"}"\n' + key_store(out / "client.p12", material)
    )


def test_check_writes_nothing_then_apply_creates_every_store_and_again_changes_nothing(
    tmp_path: Path, material: Material
) -> None:
    out = tmp_path / "stores"
    out.mkdir()
    spec = tmp_path / "spec.toml"
    checked = run(spec, three_stores(material, out), check=True)
    assert checked.check and checked.changed
    assert all(s.created and not s.written for s in checked.stores)
    assert not list(out.iterdir()), "checking wrote something"

    first = run(spec, three_stores(material, out))
    stores = by_name(first)
    assert all(s.created and s.written for s in first.stores)
    assert aliases(out / "trust.p12") == {
        "a": material.certificate("a").sha256_hex,
        "b": material.certificate("b").sha256_hex,
    }
    assert set(aliases(out / "trust.jks")) == {"root d", "root e"}  # notes.txt is not read
    client = load_store(out / "client.p12", Password(KEY_PASSWORD))
    (entry,) = client
    assert entry.alias == "client" and len(entry.certificates()) == 2
    assert stat.S_IMODE((out / "trust.p12").stat().st_mode) == 0o644
    assert stat.S_IMODE((out / "client.p12").stat().st_mode) == 0o600
    assert stores["client.p12"].storetype == "pkcs12"
    assert stores["trust.jks"].storetype == "jks"

    before = {p.name: state(p) for p in out.iterdir()}
    again = run(spec, three_stores(material, out))
    assert not again.changed
    assert all(not s.written and s.unchanged for s in again.stores)
    assert {p.name: state(p) for p in out.iterdir()} == before
    assert not run(spec, three_stores(material, out), check=True).changed
    assert {p.name: state(p) for p in out.iterdir()} == before
    assert again.as_json()["changed"] is False
    assert [s.as_json()["keystore"] for s in again.stores] == [
        str(out / "trust.p12"),
        str(out / "trust.jks"),
        str(out / "client.p12"),
    ]


def test_a_spec_edit_adds_replaces_and_prunes_exactly_that(
    tmp_path: Path, material: Material
) -> None:
    m = material.directory
    store = tmp_path / "trust.p12"
    prune = "prune = true\n"
    run(tmp_path / "s.toml", trust_store(store, ("a", m / "a.pem"), ("b", m / "b.pem")))
    report = run(
        tmp_path / "s.toml",
        trust_store(store, ("a", m / "c.pem"), ("d", m / "d.pem"), extra=prune),
    )
    (diff,) = report.stores
    assert diff.replaced == [("a", material.certificate("c").sha256_hex)]
    assert diff.added == [("d", material.certificate("d").sha256_hex)]
    assert diff.removed == [("b", material.certificate("b").sha256_hex)]
    assert diff.written and not diff.created
    assert set(aliases(store)) == {"a", "d"}


def test_the_password_changes_from_current_password_to_a_password_file(
    tmp_path: Path, material: Material
) -> None:
    m = material.directory
    store = tmp_path / "trust.p12"
    run(tmp_path / "s.toml", trust_store(store, ("a", m / "a.pem")))
    (tmp_path / "new-pass").write_text("new-secret\n")
    text = trust_store(store, ("a", m / "a.pem")).replace(
        'password = { env = "TRUST_PASS" }',
        'password = { file = "new-pass" }\ncurrent_password = { env = "TRUST_PASS" }',
    )
    (diff,) = run(tmp_path / "s.toml", text).stores
    assert diff.password_changed and diff.written and diff.unchanged == ["a"]
    assert set(aliases(store, "new-secret")) == {"a"}
    with pytest.raises(PasswordError):
        load_store(store, Password(STORE_PASSWORD))
    before = state(store)
    (again,) = run(tmp_path / "s.toml", text).stores
    assert not again.changed and state(store) == before


def test_a_wrong_password_stops_before_anything_is_written(
    tmp_path: Path, material: Material, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = material.directory
    store = tmp_path / "trust.p12"
    run(tmp_path / "s.toml", trust_store(store, ("a", m / "a.pem")))
    before = state(store)
    monkeypatch.setenv("TRUST_PASS", "not-it")
    with pytest.raises(PasswordError, match=r"^store\[1\] .*; no store was written$"):
        run(tmp_path / "s.toml", trust_store(store, ("b", m / "b.pem")))
    assert state(store) == before


def test_a_server_chain_comes_through_the_seam_and_only_the_pinned_certificate_is_kept(
    tmp_path: Path, material: Material
) -> None:
    ca = issue("Partner CA", ca=True, key_kind="ec")
    leaf = issue("partner.test", issuer=ca, key_kind="ec")
    asked: list[str] = []

    def server_chain(address: str) -> list[Certificate]:
        asked.append(address)
        return [Certificate(leaf.der), Certificate(ca.der)]

    pin = Certificate(ca.der).sha256_hex
    text = (
        f'[[store]]\npath = "{tmp_path / "t.p12"}"\npassword = {{ env = "TRUST_PASS" }}\n'
        f'[[store.certificates]]\nserver = "partner.test:8443"\nsha256 = "{pin}"\n'
        'alias = "partner"\n'
    )
    (diff,) = run(tmp_path / "s.toml", text, server_chain=server_chain).stores
    assert asked == ["partner.test:8443"]
    assert diff.added == [("partner", pin)]
    wrong = text.replace(pin, Certificate(material.roots["a"].der).sha256_hex)
    with pytest.raises(
        KsError, match=re.escape("the server partner.test:8443 holds no certificate with")
    ):
        run(tmp_path / "s.toml", wrong, server_chain=server_chain)


def test_a_file_of_several_certificates_under_one_alias_is_numbered_and_a_pin_picks_one(
    tmp_path: Path, material: Material
) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(material.roots["a"].pem + material.roots["b"].pem + material.roots["a"].pem)
    store = tmp_path / "t.p12"
    (diff,) = run(tmp_path / "s.toml", trust_store(store, ("pair", bundle))).stores
    assert [alias for alias, _ in diff.added] == ["pair", "pair-2"]
    pinned = trust_store(tmp_path / "u.p12", ("one", bundle)) + (
        f'sha256 = "{material.certificate("b").sha256_hex.replace(":", "").lower()}"\n'
    )
    (diff,) = run(tmp_path / "s.toml", pinned).stores
    assert diff.added == [("one", material.certificate("b").sha256_hex)]
    nowhere = trust_store(tmp_path / "v.p12", ("one", bundle)) + f'sha256 = "{"00" * 32}"\n'
    with pytest.raises(KsError, match=f"{bundle} holds no certificate with the pinned"):
        run(tmp_path / "s.toml", nowhere)
    assert not (tmp_path / "v.p12").exists()


def fake_jdk(root: Path, cacerts: Keystore) -> Path:
    """A JDK tree as ``ks where`` reads it (no JVM runs): bin/java, release, its cacerts."""
    home = root / "jdk-17"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("#!/bin/sh\nexit 1\n")
    (home / "bin" / "java").chmod(0o755)
    (home / "release").write_text('JAVA_VERSION="17.0.9"\n')
    (home / "lib" / "security").mkdir(parents=True)
    save_store(home / "lib" / "security" / "cacerts", cacerts, Password("changeit"))
    return home


def test_default_cas_come_from_the_jvm_truststore_copied_with_their_aliases(
    tmp_path: Path, material: Material, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTIONS"):
        monkeypatch.delenv(variable, raising=False)
    cacerts = Keystore(
        [
            TrustedCertificateEntry(alias="vendor-a", certificate=material.certificate("a")),
            TrustedCertificateEntry(alias="vendor-b", certificate=material.certificate("b")),
        ],
        storetype="jks",
    )
    home = fake_jdk(tmp_path, cacerts)
    assert [alias for alias, _ in default_truststore(str(home))] == ["vendor-a", "vendor-b"]
    text = (
        f'[[store]]\npath = "{tmp_path / "t.p12"}"\npassword = {{ env = "TRUST_PASS" }}\n'
        f'[[store.certificates]]\ndefault_cas = true\njava = "{home}"\n'
        f'[[store.certificates]]\nalias = "own"\nfile = "{material.path("c.pem")}"\n'
    )
    (diff,) = run(tmp_path / "s.toml", text, default_cas=default_truststore).stores
    assert [alias for alias, _ in diff.added] == ["vendor-a", "vendor-b", "own"]


def test_a_missing_input_fails_the_whole_spec_before_any_store_is_written(
    tmp_path: Path, material: Material
) -> None:
    m = material.directory
    text = trust_store(tmp_path / "one.p12", ("a", m / "a.pem")) + trust_store(
        tmp_path / "two.p12", ("x", m / "missing.pem")
    )
    with pytest.raises(NotFoundError) as caught:
        run(tmp_path / "s.toml", text)
    assert caught.value.message.startswith(f"store[2] ({tmp_path / 'two.p12'}): ")
    assert caught.value.message.endswith("; no store was written")
    assert not (tmp_path / "one.p12").exists()


@pytest.mark.parametrize(
    ("store", "error", "expected"),
    [
        ("nowhere/t.p12", NotFoundError, "directory not found"),
        ("t.jks", UsageError, "a JKS store needs a password"),
    ],
)
def test_a_store_that_cannot_be_written_fails_in_validation(
    tmp_path: Path, material: Material, store: str, error: type[KsError], expected: str
) -> None:
    text = (
        f'[[store]]\npath = "{tmp_path / store}"\npassword = {{ none = true }}\n'
        f'[[store.certificates]]\nfile = "{material.path("a.pem")}"\n'
    )
    with pytest.raises(error, match=expected):
        run(tmp_path / "s.toml", text)
    assert not (tmp_path / store).exists()


def test_a_certificate_directory_that_is_missing_is_not_found(
    tmp_path: Path, material: Material
) -> None:
    text = (
        f'[[store]]\npath = "{tmp_path / "t.p12"}"\npassword = {{ none = true }}\n'
        f'[[store.certificates]]\ndir = "{tmp_path / "no-such-dir"}"\n'
    )
    with pytest.raises(NotFoundError, match="certificate directory not found"):
        run(tmp_path / "s.toml", text)


def test_a_store_of_another_type_than_the_spec_says_is_refused_in_the_spec_s_words(
    tmp_path: Path, material: Material
) -> None:
    from keystore_tool.cli.errors import message

    store = tmp_path / "trust.p12"
    run(tmp_path / "s.toml", trust_store(store, ("a", material.path("a.pem"))))
    text = trust_store(store, ("a", material.path("a.pem")), extra='type = "jks"\n')
    with pytest.raises(UsageError) as caught:
        run(tmp_path / "s.toml", text)
    # A command's --storetype advice would be wrong here: the spec's key is `type`.
    expected = (
        f"store[1] ({store}): jks contradicts the file, which is pkcs12; no store was written"
    )
    assert str(caught.value) == message(caught.value) == expected


def test_two_keys_wanting_one_alias_and_a_key_over_a_certificate_are_refused(
    tmp_path: Path, material: Material
) -> None:
    store = tmp_path / "k.p12"
    twice = key_store(store, material) + key_store(store, material).split("\n", 3)[3]
    with pytest.raises(UsageError, match=r"store\[1\]\.keys\[2\] and store\[1\]\.keys\[1\] both"):
        run(tmp_path / "s.toml", twice)
    run(
        tmp_path / "s.toml",
        trust_store(store, ("client", material.path("a.pem"))).replace("TRUST_PASS", "KEY_PASS"),
    )
    with pytest.raises(ConflictError, match="alias 'client' holds a trusted-cert entry"):
        run(tmp_path / "s.toml", key_store(store, material))


def test_a_failed_write_names_the_stores_already_written(
    tmp_path: Path, material: Material
) -> None:
    m = material.directory
    first, second = tmp_path / "one.p12", tmp_path / "two.p12"
    text = trust_store(first, ("a", m / "a.pem")) + trust_store(second, ("a", m / "a.pem"))
    run(tmp_path / "s.toml", text)
    grown = text.replace(f'file = "{m / "a.pem"}"\n', f'file = "{m / "a.pem"}"\n'
                         f'[[store.certificates]]\nfile = "{m / "b.pem"}"\n')  # fmt: skip
    before = state(second)
    with StoreUpdate(second, 1.0), pytest.raises(StorageError) as caught:
        run(tmp_path / "s.toml", grown, lock_timeout=0.05)
    assert caught.value.message.startswith(f"store[2] ({second}): another process has held")
    assert caught.value.message.endswith(f"; already written: {first}")
    assert set(aliases(first)) == {"a", "root b"} and state(second) == before


def test_what_another_writer_did_first_is_what_the_report_says(
    tmp_path: Path, material: Material
) -> None:
    m = material.directory
    first = tmp_path / "one.p12"

    def default_cas(java: str | None) -> list[tuple[str, Certificate]]:
        # Runs while the second store is validated: the first one's plan is already made.
        store = load_store(first, Password(STORE_PASSWORD))
        store.add(TrustedCertificateEntry(alias="b", certificate=material.certificate("b")))
        save_store(first, store, Password(STORE_PASSWORD))
        return []

    run(tmp_path / "s.toml", trust_store(first, ("a", m / "a.pem")))
    text = trust_store(first, ("a", m / "a.pem"), ("b", m / "b.pem")) + (
        f'[[store]]\npath = "{tmp_path / "two.p12"}"\npassword = {{ env = "TRUST_PASS" }}\n'
        "[[store.certificates]]\ndefault_cas = true\n"
    )
    report = run(tmp_path / "s.toml", text, default_cas=default_cas)
    mine = report.stores[0]
    assert mine.added == [] and sorted(mine.unchanged) == ["a", "b"] and not mine.written


def test_mode_and_owner_alone_are_set_without_rewriting_the_content(
    tmp_path: Path, material: Material
) -> None:
    store = tmp_path / "trust.p12"
    plain = trust_store(store, ("a", material.path("a.pem")), extra='mode = "0644"\n')
    run(tmp_path / "s.toml", plain)
    content = store.read_bytes()
    (diff,) = run(tmp_path / "s.toml", plain.replace("0644", "0640")).stores
    assert diff.mode == (0o644, 0o640) and diff.written and not diff.content_changed
    assert stat.S_IMODE(store.stat().st_mode) == 0o640 and store.read_bytes() == content
    if os.geteuid() != 0:
        pytest.skip("changing a file's owner needs root")
    owned = plain.replace('mode = "0644"', 'owner = "1:1"')
    (diff,) = run(tmp_path / "s.toml", owned).stores
    assert diff.owner == (f"{os.getuid()}:{os.getgid()}", "1:1") and diff.written
    assert (store.stat().st_uid, store.stat().st_gid) == (1, 1)
    assert store.read_bytes() == content
    (again,) = run(tmp_path / "s.toml", owned).stores
    assert again.owner is None and not again.written


def test_a_new_store_mode_is_compared_with_what_a_new_file_would_get(
    tmp_path: Path, material: Material
) -> None:
    previous = os.umask(0o022)
    try:
        text = trust_store(
            tmp_path / "t.p12", ("a", material.path("a.pem")), extra='mode = "0600"\n'
        )
        (diff,) = run(tmp_path / "s.toml", text, check=True).stores
        assert diff.mode == (0o644, 0o600)
        keys = key_store(tmp_path / "k.p12", material).replace(
            "[[store.keys]]", 'mode = "0600"\n[[store.keys]]'
        )
        (diff,) = run(tmp_path / "s.toml", keys, check=True).stores
        assert diff.mode is None  # a new file holding a key is 0600 already
    finally:
        os.umask(previous)


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("no-such-user-of-ks", "owner 'no-such-user-of-ks' is not a user on this machine"),
        ("0:no-such-group-of-ks", "group 'no-such-group-of-ks' is not a group on this machine"),
        ("4294967295", "owner 4294967295 is out of range (at most 4294967294)"),
        ("0:4294967295", "group 4294967295 is out of range"),
    ],
)
def test_an_owner_that_cannot_be_given_fails_before_any_write(
    tmp_path: Path, material: Material, owner: str, expected: str
) -> None:
    text = trust_store(
        tmp_path / "t.p12", ("a", material.path("a.pem")), extra=f'owner = "{owner}"\n'
    )
    with pytest.raises(UsageError, match=re.escape(expected)):
        run(tmp_path / "s.toml", text)
    assert not (tmp_path / "t.p12").exists()


def test_an_owner_by_name_resolves_to_its_ids(tmp_path: Path, material: Material) -> None:
    import pwd

    root = pwd.getpwuid(0)
    text = trust_store(
        tmp_path / "t.p12", ("a", material.path("a.pem")), extra=f'owner = "{root.pw_name}:0"\n'
    )
    (diff,) = run(tmp_path / "s.toml", text, check=True).stores
    if (os.getuid(), os.getgid()) == (0, 0):
        assert diff.owner is None
    else:
        assert diff.owner is not None and diff.owner[1] == "0:0"


def test_a_store_its_targets_cannot_read_is_rewritten_once_for_them(
    tmp_path: Path, material: Material
) -> None:
    store = tmp_path / "trust.p12"
    run(tmp_path / "s.toml", trust_store(store, ("a", material.path("a.pem"))))
    text = trust_store(store, ("a", material.path("a.pem")), extra='target = "jdk11.0.9"\n')
    (checked,) = run(tmp_path / "s.toml", text, check=True).stores
    assert checked.protection_changed and not checked.added
    (diff,) = run(tmp_path / "s.toml", text).stores
    assert diff.protection_changed and diff.written
    before = state(store)
    (again,) = run(tmp_path / "s.toml", text).stores
    assert not again.changed and state(store) == before


def test_one_store_applied_alone_from_its_table(tmp_path: Path, material: Material) -> None:
    table = {
        "path": "t.p12",
        "password": {"value": "literal-secret"},
        "certificates": [{"file": str(material.path("a.pem")), "alias": "a"}],
    }
    store = store_spec_from_table(table, tmp_path)
    checked = apply_store(store, check=True, server_chain=no_server, default_cas=no_default_cas)
    assert checked.created and not (tmp_path / "t.p12").exists()
    diff = apply_store(store)
    assert diff.written and set(aliases(tmp_path / "t.p12", "literal-secret")) == {"a"}


def test_load_spec_then_apply_spec_with_the_defaults_reads_only_files(
    tmp_path: Path, material: Material
) -> None:
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(trust_store(tmp_path / "t.jks", ("a", material.path("a.pem"))))
    report = apply_spec(load_spec(spec_file))
    assert report.spec == str(spec_file) and report.changed
    assert set(aliases(tmp_path / "t.jks")) == {"a"}


def test_an_all_jdks_item_goes_into_each_jdk_truststore_the_spec_does_not_name(
    tmp_path: Path, material: Material
) -> None:
    from keystore_tool.jdks import HostRoots
    from tests.host import fakehost

    host = fakehost.build(tmp_path / "host")
    roots = HostRoots(extra=(host.root / "usr/lib/jvm", host.root / "opt"), only_extra=True)
    own = host.os_store  # the Debian JDKs' cacerts, named by the spec itself
    text = (
        "allow_literal_password = true\n"
        f'[[store]]\npath = "{own}"\npassword = {{ value = "changeit" }}\n'
        f'[[store.certificates]]\nalias = "corp"\nfile = "{material.path("a.pem")}"\n'
        "all_jdks = true\n"
    )
    spec = write_spec(tmp_path / "s.toml", text)
    checked = apply_spec(spec, check=True, jdk_roots=roots, server_chain=no_server)
    diffs = {s.keystore: s for s in checked.stores}
    assert [s.keystore for s in checked.stores].count(str(own)) == 1
    java8 = host.root / "opt/jdk8u392/jre/lib/security/cacerts"
    jsse = host.root / "opt/java/openjdk/lib/security/jssecacerts"
    assert diffs[str(java8)].added == [("corp", material.certificate("a").sha256_hex)]
    empty = host.root / "usr/lib/jvm/empty-jdk/lib/security/cacerts"
    assert any("not written" in w for w in diffs[str(empty)].warnings)
    assert not diffs[str(empty)].changed
    done = apply_spec(spec, jdk_roots=roots, server_chain=no_server)
    written = {s.keystore for s in done.stores if s.written}
    assert {str(own), str(java8), str(jsse)} <= written and str(empty) not in written
    assert "corp" in aliases(jsse, None)  # a password-less PKCS12 stays password-less
    assert "corp" in aliases(java8, "changeit")
    assert not apply_spec(spec, check=True, jdk_roots=roots).changed
