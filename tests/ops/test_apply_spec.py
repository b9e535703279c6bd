"""An apply spec read in-process: what a valid spec becomes, and every way a spec is refused,
each with the place in the spec and the spec's own words (never a command-line option)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keystore_tool.errors import NotFoundError, UsageError
from keystore_tool.ops.apply import (
    PasswordSource,
    Spec,
    load_spec,
    parse_spec,
    spec_from_document,
    store_spec_from_table,
)

PIN = bytes(range(32)).hex(":")
HEAD = '[[store]]\npath = "t.p12"\npassword = { none = true }\n'


def parsed(text: str, directory: Path) -> Spec:
    return parse_spec(text, directory / "spec.toml")


def refused(text: str, directory: Path) -> str:
    with pytest.raises(UsageError) as caught:
        parsed(text, directory)
    message = caught.value.message
    assert " --" not in message, message  # the spec's words, not a command line's
    return message


def test_a_full_spec_becomes_checked_dataclasses_with_paths_from_the_spec_directory(
    tmp_path: Path,
) -> None:
    spec = parsed(
        f"""
allow_literal_password = true

[[store]]
path = "stores/trust.p12"
type = "PKCS12"
password = {{ file = "secrets/pw" }}
current_password = {{ env = "OLD_PASS" }}
mode = "0640"
owner = "root:0"
prune = true
target = "jdk17,openssl3.0"

[[store.certificates]]
alias = "ca"
file = "ca.pem"

[[store.certificates]]
dir = "~/cas"

[[store.certificates]]
server = "example.test:443"
sha256 = "{PIN}"
all_jdks = true

[[store.certificates]]
default_cas = true
java = "/opt/jdk"

[[store.keys]]
alias = "client"
cert = "/abs/client.crt"
key = "client.key"
chain = "chain.pem"
key_password = {{ value = "literal" }}
""",
        tmp_path,
    )
    (store,) = spec.stores
    assert spec.path == tmp_path / "spec.toml"
    assert store.where == "store[1] (stores/trust.p12)"
    assert store.path == tmp_path / "stores/trust.p12"
    assert store.storetype == "pkcs12"
    assert store.password == PasswordSource("file", str(tmp_path / "secrets/pw"))
    assert store.current_password == PasswordSource("env", "OLD_PASS")
    assert (store.mode, store.owner, store.prune) == (0o640, "root:0", True)
    assert [t.name for t in store.targets] == ["jdk17", "openssl3.0"]
    file, directory, server, default = store.certificates
    assert (file.alias, file.file, file.where) == (
        "ca",
        tmp_path / "ca.pem",
        "store[1].certificates[1]",
    )
    assert directory.directory == Path(os.path.expanduser("~/cas"))
    assert (server.server, server.sha256, server.all_jdks) == ("example.test:443", PIN, True)
    assert (default.default_cas, default.java) == (True, "/opt/jdk")
    (key,) = store.keys
    assert (key.cert, key.key, key.chain) == (
        Path("/abs/client.crt"),
        tmp_path / "client.key",
        (tmp_path / "chain.pem",),
    )
    assert key.key_password == PasswordSource("value", "literal")


def test_defaults_of_a_minimal_store(tmp_path: Path) -> None:
    (store,) = parsed(HEAD, tmp_path).stores
    assert store.password == PasswordSource("none")
    assert (store.storetype, store.current_password, store.mode, store.owner) == (None,) * 4
    assert (store.prune, store.certificates, store.keys, store.targets) == (False, (), (), ())


def test_a_target_list_is_read_like_a_comma_list(tmp_path: Path) -> None:
    (store,) = parsed(HEAD + 'target = ["jdk17", "jdk17,openssl3.0"]\n', tmp_path).stores
    assert [t.name for t in store.targets] == ["jdk17", "openssl3.0"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("store = [", "is not valid TOML"),
        ("a = " + "[" * 3000, "nests arrays or tables too deeply"),
        ("colour = 1\n" + HEAD, "unknown key 'colour'; allowed: allow_literal_password, store"),
        (
            'allow_literal_password = "yes"\n' + HEAD,
            "allow_literal_password: must be true or false",
        ),
        ("", "names no store; add a [[store]] table"),
        ("store = []", "names no store"),
        ("store = [1]", "spec store[1]: must be a table"),
        (HEAD + "colour = 1\n", "spec store[1]: unknown key 'colour'"),
        ("[[store]]\npassword = { none = true }\n", "store[1]: 'path' is required"),
        ('[[store]]\npath = ""\n', "store[1]: 'path' must be a non-empty string"),
        ("[[store]]\npath = 3\n", "store[1]: 'path' must be a non-empty string"),
        ('[[store]]\npath = "t.p12"\n', "store[1]: 'password' is required"),
        ('[[store]]\npath = "t.p12"\npassword = "secret"\n', "not as text"),
        ('[[store]]\npath = "t.p12"\npassword = 3\n', "store[1].password: must be a table"),
        (
            '[[store]]\npath = "t.p12"\npassword = { env = "A", file = "B" }\n',
            "store[1].password: give exactly one of env, file, value or none",
        ),
        ('[[store]]\npath = "t.p12"\npassword = { none = false }\n', "as { none = true }"),
        ('[[store]]\npath = "t.p12"\npassword = { vault = "x" }\n', "none (a string)"),
        ('[[store]]\npath = "t.p12"\npassword = { env = 3 }\n', "none (a string)"),
        (
            '[[store]]\npath = "t.p12"\npassword = { value = "x" }\n',
            "needs allow_literal_password = true",
        ),
        (HEAD + "current_password = { value = 'x' }\n", "store[1].current_password: a literal"),
        (HEAD + 'type = "zip"\n', "zip"),
        (HEAD + "mode = 640\n", "'mode' is an octal string"),
        (HEAD + 'mode = "rw-r"\n', "'mode' is an octal string"),
        (HEAD + 'mode = "0999"\n', "'mode' is an octal string"),
        (HEAD + 'mode = "17777"\n', "'mode' 17777 is not a file mode"),
        (HEAD + 'owner = ""\n', "'owner' must be a non-empty string"),
        (HEAD + 'prune = "yes"\n', "store[1]: 'prune' is true or false"),
        (
            HEAD + "certificates = 3\n",
            "'certificates' is a list of tables ([[store.certificates]])",
        ),
        (HEAD + "keys = {}\n", "'keys' is a list of tables ([[store.keys]])"),
        (HEAD + "target = 17\n", "'target' is a string such as"),
        (HEAD + "target = [17]\n", "'target' is a string such as"),
        (HEAD + 'target = "jdk1"\n', "spec store[1]: "),
    ],
)
def test_each_store_level_mistake_is_refused_where_it_is(
    text: str, expected: str, tmp_path: Path
) -> None:
    assert expected in refused(text, tmp_path)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("3", "store[1].certificates[1]: must be a table"),
        ('{ file = "a.pem", colour = 1 }', "unknown key 'colour'"),
        ("{}", "give exactly one of file, dir, server or default_cas = true"),
        ('{ file = "a.pem", dir = "d" }', "give exactly one of"),
        ('{ file = "a.pem", default_cas = true }', "give exactly one of"),
        ('{ default_cas = "yes" }', "'default_cas' is true or false"),
        ('{ server = "h:443" }', "server 'h:443' needs its pin: sha256"),
        ('{ file = "a.pem", sha256 = "AB:CD" }', "sha256 'AB:CD' is not a SHA-256 fingerprint"),
        ('{ dir = "d", alias = "x" }', "'alias' names one certificate source"),
        ('{ default_cas = true, alias = "x" }', "'alias' names one certificate source"),
        ('{ file = "a.pem", alias = "a\\u0007b" }', "holds a control character"),
        ('{ file = "a.pem", java = 8 }', "'java' must be a non-empty string"),
        ('{ file = "a.pem", all_jdks = 1 }', "'all_jdks' is true or false"),
    ],
)
def test_each_certificate_item_mistake_is_refused_where_it_is(
    item: str, expected: str, tmp_path: Path
) -> None:
    text = HEAD + f"certificates = [{item}]\n"
    message = refused(text, tmp_path)
    assert expected in message
    assert message.startswith("spec store[1].certificates[1]: ")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ('{ alias = "k", cert = "c.pem" }', "a key needs 'alias', 'cert' and 'key'"),
        ('{ alias = "k", cert = "c.pem", key = "k.pem", colour = 1 }', "unknown key 'colour'"),
        (
            '{ alias = "k", cert = "c.pem", key = "k.pem", chain = 3 }',
            "'chain' is a file or a list",
        ),
        ('{ alias = "k", cert = "c.pem", key = "k.pem", chain = [""] }', "'chain' is a file"),
        (
            '{ alias = "k", cert = "c.pem", key = "k.pem", key_password = "pw" }',
            "store[1].keys[1].key_password: a password is written as",
        ),
    ],
)
def test_each_key_item_mistake_is_refused_where_it_is(
    item: str, expected: str, tmp_path: Path
) -> None:
    assert expected in refused(HEAD + f"keys = [{item}]\n", tmp_path)


def test_two_stores_naming_one_file_are_refused_however_it_is_spelled(tmp_path: Path) -> None:
    (tmp_path / "real.p12").write_bytes(b"")
    (tmp_path / "link.p12").symlink_to("real.p12")
    text = (
        '[[store]]\npath = "real.p12"\npassword = { none = true }\n'
        f'[[store]]\npath = "{tmp_path}/./link.p12"\npassword = {{ none = true }}\n'
    )
    assert "store[2]: names the same file as store[1]" in refused(text, tmp_path)


def test_a_store_path_storage_refuses_is_still_told_apart_from_others(tmp_path: Path) -> None:
    # A path through a file (not a directory) cannot be resolved; the spec is still read and
    # the write is what refuses it.
    (tmp_path / "plain").write_text("")
    text = (
        '[[store]]\npath = "plain/a.p12"\npassword = { none = true }\n'
        '[[store]]\npath = "plain/b.p12"\npassword = { none = true }\n'
    )
    first, second = parsed(text, tmp_path).stores
    assert first.path != second.path


def test_load_spec_reads_the_file_and_refuses_what_is_not_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(HEAD)
    monkeypatch.chdir(tmp_path)
    spec = load_spec("spec.toml")
    assert spec.path == spec_file and spec.stores[0].path == tmp_path / "t.p12"
    spec_file.write_bytes(b'[[store]]\npath = "\xff"\n')
    with pytest.raises(UsageError, match="is not UTF-8 text"):
        load_spec(spec_file)
    with pytest.raises(NotFoundError):
        load_spec(tmp_path / "missing.toml")


def test_spec_from_document_takes_the_mapping_a_caller_built(tmp_path: Path) -> None:
    spec = spec_from_document(
        {"store": [{"path": "a.jks", "password": {"env": "P"}}]}, tmp_path / "task"
    )
    assert spec.stores[0].path == tmp_path / "a.jks"


def test_one_store_table_allows_literal_passwords_and_is_named_by_its_path(
    tmp_path: Path,
) -> None:
    store = store_spec_from_table({"path": "a.p12", "password": {"value": "pw"}}, tmp_path)
    assert store.where == str(tmp_path / "a.p12")
    assert store.password == PasswordSource("value", "pw")
    named = store_spec_from_table(
        {"path": "a.p12", "password": {"none": True}}, tmp_path, where="the fleet's store"
    )
    assert named.where == "the fleet's store"
    with pytest.raises(UsageError, match=r"spec store\[1\]: 'path' is required"):
        store_spec_from_table({"password": {"none": True}}, tmp_path)
