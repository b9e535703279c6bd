"""An apply spec: the TOML file (or the mapping it parses to) read into checked dataclasses.

Nothing here opens a store or an input file: paths are resolved against the spec's directory,
passwords are named (read later, by :meth:`~keystore_tool.password.PasswordSource.resolve`),
pins are checked for their spelling. Every error names the spec and where in it (``store[2]
.certificates[1]``) in the spec's own words: its keys, not any command line's options.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keystore_tool.errors import KsError, UsageError
from keystore_tool.password import PasswordSource
from keystore_tool.storage import read_file

if TYPE_CHECKING:
    from keystore_tool.compat import Target

_TOP_KEYS = {"allow_literal_password", "store"}
_STORE_KEYS = {
    "path",
    "type",
    "password",
    "current_password",
    "mode",
    "owner",
    "prune",
    "certificates",
    "keys",
    "target",
}
_CERT_KEYS = {"alias", "file", "dir", "server", "sha256", "default_cas", "java", "all_jdks"}
_KEY_KEYS = {"alias", "cert", "key", "chain", "key_password"}
_MODE_TEXT = "'mode' is an octal string such as \"0640\""


@dataclass(frozen=True)
class CertificateSource:
    """One ``[[store.certificates]]`` item: a file, a directory of PEM files, a server (with
    its pin) or the JVM's default truststore."""

    where: str  # for messages: "store[1].certificates[2]"
    alias: str | None = None
    file: Path | None = None
    directory: Path | None = None
    server: str | None = None
    sha256: str | None = None
    default_cas: bool = False
    java: str | None = None
    all_jdks: bool = False  # also into every JDK truststore of the host (ops/all_jdks.py)


@dataclass(frozen=True)
class KeySource:
    """One ``[[store.keys]]`` item: a private key with its certificate and chain files."""

    where: str
    alias: str
    cert: Path
    key: Path
    chain: tuple[Path, ...] = ()
    key_password: PasswordSource | None = None


@dataclass(frozen=True)
class StoreSpec:
    """One ``[[store]]`` table: the file, how it is protected, and what it must hold."""

    where: str
    path: Path
    password: PasswordSource
    storetype: str | None = None
    current_password: PasswordSource | None = None
    mode: int | None = None
    owner: str | None = None
    prune: bool = False
    certificates: tuple[CertificateSource, ...] = ()
    keys: tuple[KeySource, ...] = ()
    targets: tuple[Target, ...] = ()  # target = "jdk11.0.9,openssl3.0": who must load it


@dataclass(frozen=True)
class Spec:
    """A whole spec: the file it was read from and its stores, in order."""

    path: Path
    stores: tuple[StoreSpec, ...]


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """Reads and validates an apply spec file; relative paths in it are relative to the file."""
    location = Path(os.path.abspath(os.fspath(path)))
    data = read_file(location, "spec")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"spec {location} is not UTF-8 text") from exc
    return parse_spec(text, location)


def parse_spec(text: str, path: Path) -> Spec:
    """The spec's TOML as checked dataclasses; paths resolved against the spec's directory."""
    import tomllib

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"spec {path} is not valid TOML: {exc}") from exc
    except RecursionError as exc:
        # tomllib recurses once per nesting level: a deep enough nesting exhausts the stack.
        raise UsageError(f"spec {path} nests arrays or tables too deeply") from exc
    return spec_from_document(document, path)


def spec_from_document(document: dict[str, Any], path: Path) -> Spec:
    """A spec given as the mapping its TOML parses to (the Ansible collection builds one from
    a task's options); ``path`` names it in messages and its directory anchors relative
    paths."""
    _unknown(document, _TOP_KEYS, str(path))
    allow_literal = document.get("allow_literal_password", False)
    if not isinstance(allow_literal, bool):
        raise _fail("allow_literal_password", "must be true or false")
    raw_stores = document.get("store")
    if not isinstance(raw_stores, list) or not raw_stores:
        raise UsageError(f"spec {path} names no store; add a [[store]] table")
    reader = _StoreReader(path.parent, allow_literal)
    return Spec(path, tuple(reader.store(raw, i) for i, raw in enumerate(raw_stores, start=1)))


def store_spec_from_table(
    table: dict[str, Any], base: Path, *, where: str | None = None
) -> StoreSpec:
    """One ``[[store]]`` table (the mapping its TOML parses to; literal passwords allowed, as
    a caller that already holds the secret passes it as ``{"value": …}``) as a checked
    :class:`StoreSpec`. Relative paths are relative to ``base``; ``where`` names the store in
    messages (default: its path)."""
    document = {"allow_literal_password": True, "store": [table]}
    store = spec_from_document(document, base / "store").stores[0]
    return replace(store, where=where or str(store.path))


class _StoreReader:
    """Reads the ``[[store]]`` tables of one spec, refusing two that name one file."""

    def __init__(self, base: Path, allow_literal: bool) -> None:
        self.base = base
        self.allow_literal = allow_literal
        self.seen: dict[str, str] = {}  # the file's key -> the store that named it

    def store(self, raw: object, index: int) -> StoreSpec:
        where = f"store[{index}]"
        table = _table(raw, where)
        _unknown(table, _STORE_KEYS, where)
        location = _string(table, "path", where)
        if location is None:
            raise _fail(where, "'path' is required")
        store_path = _path(self.base, location)
        self._claim(store_path, where)
        if "password" not in table:
            raise _fail(
                where,
                '\'password\' is required ({ env = "VAR" }, { file = "PATH" } or { none = true })',
            )
        return StoreSpec(
            where=f"{where} ({location})",
            path=store_path,
            password=self.password(table["password"], f"{where}.password"),
            current_password=self.optional_password(table, "current_password", where),
            storetype=_storetype(table, where),
            mode=_mode(table, where),
            owner=_string(table, "owner", where),
            prune=_flag(table, "prune", where),
            certificates=tuple(
                _certificate_source(item, f"{where}.certificates[{i}]", self.base)
                for i, item in enumerate(_list(table, "certificates", where), start=1)
            ),
            keys=tuple(
                self.key(item, f"{where}.keys[{i}]")
                for i, item in enumerate(_list(table, "keys", where), start=1)
            ),
            targets=_targets(table, where),
        )

    def _claim(self, path: Path, where: str) -> None:
        real = _same_file_key(path)
        if real in self.seen:
            raise _fail(where, f"names the same file as {self.seen[real]}")
        self.seen[real] = where

    def key(self, raw: object, where: str) -> KeySource:
        table = _table(raw, where)
        _unknown(table, _KEY_KEYS, where)
        alias, cert, key = (_string(table, k, where) for k in ("alias", "cert", "key"))
        if alias is None or cert is None or key is None:
            raise _fail(where, "a key needs 'alias', 'cert' and 'key'")
        chain = table.get("chain", [])
        if isinstance(chain, str):
            chain = [chain]
        if not isinstance(chain, list) or not all(isinstance(c, str) and c for c in chain):
            raise _fail(where, "'chain' is a file or a list of files")
        return KeySource(
            where=where,
            alias=alias,
            cert=_path(self.base, cert),
            key=_path(self.base, key),
            chain=tuple(_path(self.base, c) for c in chain),
            key_password=self.optional_password(table, "key_password", where),
        )

    def optional_password(
        self, table: dict[str, Any], key: str, where: str
    ) -> PasswordSource | None:
        return self.password(table[key], f"{where}.{key}") if key in table else None

    def password(self, value: object, where: str) -> PasswordSource:
        if isinstance(value, str):
            raise _fail(
                where,
                'a password is written as { env = "VAR" } or { file = "PATH" }, not as text '
                '(a literal needs { value = "…" } and allow_literal_password = true)',
            )
        table = _table(value, where)
        if len(table) != 1:
            raise _fail(where, "give exactly one of env, file, value or none")
        ((kind, reference),) = table.items()
        if kind == "none":
            if reference is not True:
                raise _fail(where, "write a password-less store as { none = true }")
            return PasswordSource("none")
        if kind not in ("env", "file", "value") or not isinstance(reference, str):
            raise _fail(where, "give exactly one of env, file, value or none (a string)")
        if kind == "value" and not self.allow_literal:
            raise _fail(
                where,
                "a literal password in the spec needs allow_literal_password = true at the top; "
                'prefer { env = "VAR" } or { file = "PATH" }',
            )
        if kind == "file":
            reference = str(_path(self.base, reference))
        return PasswordSource(kind, reference)


def _same_file_key(path: Path) -> str:
    """What two spellings of one store share: the path storage resolves (realpath raced with
    a link being swapped); a path it refuses is refused again, with its reason, at the write."""
    from keystore_tool.storage import resolve_store_path

    try:
        return str(resolve_store_path(path))
    except KsError:
        return os.path.abspath(path)


def _storetype(table: dict[str, Any], where: str) -> str | None:
    storetype = _string(table, "type", where)
    if storetype is None:
        return None
    from keystore_tool.formats import get_format

    return get_format(storetype).name


def _mode(table: dict[str, Any], where: str) -> int | None:
    text = table.get("mode")
    if text is None:
        return None
    if not isinstance(text, str) or not text.isdigit():
        raise _fail(where, _MODE_TEXT)
    try:
        mode = int(text, 8)
    except ValueError as exc:
        raise _fail(where, _MODE_TEXT) from exc
    if mode > 0o7777:
        raise _fail(where, f"'mode' {text} is not a file mode")
    return mode


def _targets(table: dict[str, Any], where: str) -> tuple[Target, ...]:
    """``target = "jdk17,openssl3.0"`` (or a list of such strings)."""
    from keystore_tool.compat import parse_targets

    raw = table.get("target")
    if raw is None:
        return ()
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _fail(where, "'target' is a string such as \"jdk11.0.9,openssl3.0\"")
    try:
        return parse_targets(values)
    except UsageError as exc:
        raise _fail(where, exc.message) from exc


def _certificate_source(raw: object, where: str, base: Path) -> CertificateSource:
    table = _table(raw, where)
    _unknown(table, _CERT_KEYS, where)
    file = _string(table, "file", where)
    directory = _string(table, "dir", where)
    server = _string(table, "server", where)
    default_cas = _flag(table, "default_cas", where)
    given = [k for k, v in (("file", file), ("dir", directory), ("server", server)) if v]
    if default_cas:
        given.append("default_cas")
    if len(given) != 1:
        raise _fail(where, "give exactly one of file, dir, server or default_cas = true")
    sha256 = _string(table, "sha256", where)
    if server and not sha256:
        raise _fail(where, f"server '{server}' needs its pin: sha256 = \"AB:CD:…\"")
    if sha256:
        pin_bytes(sha256, where)
    alias = _string(table, "alias", where)
    if alias is not None and (directory or default_cas):
        raise _fail(where, "'alias' names one certificate source: a file or a server")
    return CertificateSource(
        where=where,
        alias=alias,
        file=_path(base, file) if file else None,
        directory=_path(base, directory) if directory else None,
        server=server,
        sha256=sha256,
        default_cas=default_cas,
        java=_string(table, "java", where),
        all_jdks=_flag(table, "all_jdks", where),
    )


def pin_bytes(text: str, where: str) -> bytes:
    """The 32 bytes of the pin ``text`` (any spelling :mod:`keystore_tool.fingerprints`
    takes), or the spec error for ``where``."""
    from keystore_tool.fingerprints import NOT_A_PIN, parse_sha256

    pin = parse_sha256(text)
    if pin is None:
        raise _fail(where, f"sha256 '{text}' {NOT_A_PIN}")
    return pin


def _fail(where: str, message: str) -> UsageError:
    return UsageError(f"spec {where}: {message}")


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, "must be a table")
    return value


def _unknown(table: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise _fail(where, f"unknown key '{extra[0]}'; allowed: {', '.join(sorted(allowed))}")


def _string(table: dict[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise _fail(where, f"'{key}' must be a non-empty string")
    if key == "alias" and value is not None:
        from keystore_tool.aliases import has_control_characters

        if has_control_characters(value):
            # No person means one, and every listing would have to show it escaped.
            raise _fail(where, f"'alias' {value!r} holds a control character")
    return value


def _flag(table: dict[str, Any], key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise _fail(where, f"'{key}' is true or false")
    return value


def _list(table: dict[str, Any], key: str, where: str) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise _fail(where, f"'{key}' is a list of tables ([[store.{key}]])")
    return value


def _path(base: Path, text: str) -> Path:
    path = Path(os.path.expanduser(text))
    return path if path.is_absolute() else base / path
