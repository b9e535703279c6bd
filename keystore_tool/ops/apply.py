"""``ks apply SPEC``: make stores hold what a TOML file says, idempotently.

Two phases. First every store of the spec is validated: passwords resolved, every input file
read, every pin checked, the current store opened, the change planned and the new bytes
produced. Only when all stores pass are the changed ones written, each under its lock with
the atomic replace of :mod:`keystore_tool.storage` (the plan is computed again under the lock,
so a concurrent writer is never overwritten). Matching is by SHA-256 fingerprint, never by
alias alone: a certificate the store already holds under any alias is left where it is.

``--check`` stops after the first phase; it exits the contract's "would change" code (10) when a store
would change (CLI.md reserves 0-5 for failures; 10 says "ran fine, not in the wanted state").
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keystore_tool.errors import ConflictError, KsError, UsageError
from keystore_tool.formats import StoreFormat, detect, format_for_new_file
from keystore_tool.model import (
    Certificate,
    Keystore,
    PrivateKeyEntry,
    TrustedCertificateEntry,
    alias_key,
)
from keystore_tool.password import Password
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT, check_storetype, read_file

if TYPE_CHECKING:
    from keystore_tool.compat import Target
    from keystore_tool.jdks import HostRoots


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
_CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


# --------------------------------------------------------------------------- the spec


@dataclass(frozen=True)
class PasswordSource:
    """Where a password comes from: ``env`` (a variable), ``file`` (its first line), ``value``
    (a literal, only with ``allow_literal_password``) or ``none`` (a password-less store)."""

    kind: str
    reference: str = ""

    def resolve(self) -> Password | None:
        from keystore_tool.errors import NotFoundError, StorageError

        if self.kind == "none":
            return None
        if self.kind == "value":
            return Password(self.reference)
        if self.kind == "env":
            secret = os.environ.get(self.reference)
            if secret is None:
                raise UsageError(f"environment variable {self.reference} is not set")
            return Password(secret)
        try:
            with open(self.reference, encoding="utf-8") as handle:
                return Password(handle.readline().rstrip("\r\n"))
        except FileNotFoundError as exc:
            raise NotFoundError(f"password file not found: {self.reference}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise StorageError(f"cannot read the password file {self.reference}") from exc


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
    path: Path
    stores: tuple[StoreSpec, ...]


def _same_file_key(path: Path) -> str:
    """What two spellings of one store share: the path storage resolves (realpath raced with
    a link being swapped); a path it refuses is refused again, with its reason, at the write."""
    from keystore_tool.storage import resolve_store_path

    try:
        return str(resolve_store_path(path))
    except KsError:
        return os.path.abspath(path)


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


def _path(base: Path, text: str) -> Path:
    path = Path(os.path.expanduser(text))
    return path if path.is_absolute() else base / path


def _password_source(value: object, where: str, allow_literal: bool, base: Path) -> PasswordSource:
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
    if kind == "value" and not allow_literal:
        raise _fail(
            where,
            "a literal password in the spec needs allow_literal_password = true at the top; "
            'prefer { env = "VAR" } or { file = "PATH" }',
        )
    if kind == "file":
        reference = str(_path(base, reference))
    return PasswordSource(kind, reference)


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
    _unknown(document, {"allow_literal_password", "store"}, str(path))
    allow_literal = document.get("allow_literal_password", False)
    if not isinstance(allow_literal, bool):
        raise _fail("allow_literal_password", "must be true or false")
    base = path.parent
    raw_stores = document.get("store")
    if not isinstance(raw_stores, list) or not raw_stores:
        raise UsageError(f"spec {path} names no store; add a [[store]] table")
    stores: list[StoreSpec] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(raw_stores, start=1):
        where = f"store[{index}]"
        table = _table(raw, where)
        _unknown(table, _STORE_KEYS, where)
        location = _string(table, "path", where)
        if location is None:
            raise _fail(where, "'path' is required")
        store_path = _path(base, location)
        real = _same_file_key(store_path)
        if real in seen:
            raise _fail(where, f"names the same file as {seen[real]}")
        seen[real] = where
        if "password" not in table:
            raise _fail(
                where,
                '\'password\' is required ({ env = "VAR" }, { file = "PATH" } or { none = true })',
            )
        password = _password_source(table["password"], f"{where}.password", allow_literal, base)
        current = (
            _password_source(
                table["current_password"], f"{where}.current_password", allow_literal, base
            )
            if "current_password" in table
            else None
        )
        storetype = _string(table, "type", where)
        if storetype is not None:
            from keystore_tool.formats import get_format

            storetype = get_format(storetype).name
        mode_text = table.get("mode")
        mode: int | None = None
        if mode_text is not None:
            if not isinstance(mode_text, str) or not mode_text.isdigit():
                raise _fail(where, "'mode' is an octal string such as \"0640\"")
            try:
                mode = int(mode_text, 8)
            except ValueError as exc:
                raise _fail(where, "'mode' is an octal string such as \"0640\"") from exc
            if mode > 0o7777:
                raise _fail(where, f"'mode' {mode_text} is not a file mode")
        owner = _string(table, "owner", where)
        prune = table.get("prune", False)
        if not isinstance(prune, bool):
            raise _fail(where, "'prune' is true or false")
        certificates = tuple(
            _certificate_source(item, f"{where}.certificates[{i}]", base)
            for i, item in enumerate(_list(table, "certificates", where), start=1)
        )
        keys = tuple(
            _key_source(item, f"{where}.keys[{i}]", base, allow_literal)
            for i, item in enumerate(_list(table, "keys", where), start=1)
        )
        targets = _targets(table, where)
        stores.append(
            StoreSpec(
                where=f"{where} ({location})",
                path=store_path,
                password=password,
                storetype=storetype,
                current_password=current,
                mode=mode,
                owner=owner,
                prune=prune,
                certificates=certificates,
                keys=keys,
                targets=targets,
            )
        )
    return Spec(path, tuple(stores))


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


def _list(table: dict[str, Any], key: str, where: str) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise _fail(where, f"'{key}' is a list of tables ([[store.{key}]])")
    return value


def _certificate_source(raw: object, where: str, base: Path) -> CertificateSource:
    table = _table(raw, where)
    _unknown(table, _CERT_KEYS, where)
    file = _string(table, "file", where)
    directory = _string(table, "dir", where)
    server = _string(table, "server", where)
    default_cas = table.get("default_cas", False)
    if not isinstance(default_cas, bool):
        raise _fail(where, "'default_cas' is true or false")
    given = [k for k, v in (("file", file), ("dir", directory), ("server", server)) if v]
    if default_cas:
        given.append("default_cas")
    if len(given) != 1:
        raise _fail(where, "give exactly one of file, dir, server or default_cas = true")
    sha256 = _string(table, "sha256", where)
    if server and not sha256:
        raise _fail(where, f"server '{server}' needs its pin: sha256 = \"AB:CD:…\"")
    if sha256:
        _pin_bytes(sha256, where)
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


def _flag(table: dict[str, Any], key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise _fail(where, f"'{key}' is true or false")
    return value


def _key_source(raw: object, where: str, base: Path, allow_literal: bool) -> KeySource:
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
    key_password = (
        _password_source(table["key_password"], f"{where}.key_password", allow_literal, base)
        if "key_password" in table
        else None
    )
    return KeySource(
        where=where,
        alias=alias,
        cert=_path(base, cert),
        key=_path(base, key),
        chain=tuple(_path(base, c) for c in chain),
        key_password=key_password,
    )


def _pin_bytes(text: str, where: str) -> bytes:
    from keystore_tool.fingerprints import NOT_A_PIN, parse_sha256

    pin = parse_sha256(text)
    if pin is None:
        raise _fail(where, f"sha256 '{text}' {NOT_A_PIN}")
    return pin


# --------------------------------------------------------------------------- the wanted state


@dataclass(frozen=True)
class WantedCertificate:
    certificate: Certificate
    alias: str | None  # None: derived from the subject, as `ks import` does


@dataclass
class WantedStore:
    spec: StoreSpec
    password: Password | None
    current_password: Password | None
    certificates: list[WantedCertificate]
    keys: list[PrivateKeyEntry]
    warnings: list[str] = field(default_factory=list)


# The network seam: how a server's chain and the JVM's default CAs are obtained.
ServerChain = Callable[[str], list[Certificate]]
DefaultCas = Callable[[str | None], list[tuple[str, Certificate]]]


def fetch_server_chain(address: str) -> list[Certificate]:
    import importlib

    # Imported by name: the network commands come from another branch of the project.
    try:
        fetching = importlib.import_module("keystore_tool.ops.fetch")
    except ImportError as exc:  # the network commands are not in this build yet
        raise UsageError(
            f'server = "{address}" is not available yet in this build of ks; '
            "export the certificate to a file and name it with file = …"
        ) from exc
    chain: list[Certificate] = fetching.fetch(address).chain
    return chain


def default_truststore(java: str | None) -> list[tuple[str, Certificate]]:
    import importlib

    try:
        where = importlib.import_module("keystore_tool.ops.where")
    except ImportError as exc:
        raise UsageError(
            "default_cas = true is not available yet in this build of ks; "
            "name the JVM's cacerts certificates with file = … instead"
        ) from exc
    keystore: Keystore = where.load_default_truststore(java)[1]
    return [
        (entry.alias, entry.certificate)
        for entry in keystore.sorted_entries()
        if isinstance(entry, TrustedCertificateEntry)
    ]


def _certificates_in(path: Path) -> list[Certificate]:
    from keystore_tool.certfiles import read_certificates

    return read_certificates(read_file(path, "certificate"), str(path))


def _wanted_certificates(
    source: CertificateSource, server_chain: ServerChain, default_cas: DefaultCas
) -> list[WantedCertificate]:
    from keystore_tool.ops.importing import distinct, numbered_aliases

    if source.default_cas:
        return [WantedCertificate(cert, alias) for alias, cert in default_cas(source.java)]
    if source.directory is not None:
        if not source.directory.is_dir():
            from keystore_tool.errors import NotFoundError

            raise NotFoundError(f"certificate directory not found: {source.directory}")
        files = sorted(p for p in source.directory.iterdir() if p.suffix.lower() in _CERT_SUFFIXES)
        found = distinct([c for p in files for c in _certificates_in(p)])
        return [WantedCertificate(c, None) for c in found]
    if source.file is not None:
        found = distinct(_certificates_in(source.file))
        origin = str(source.file)
    else:
        assert source.server is not None
        found = server_chain(source.server)
        origin = f"the server {source.server}"
    if source.sha256 is not None:
        pin = _pin_bytes(source.sha256, source.where)
        pinned = [c for c in found if c.sha256 == pin]
        if not pinned:
            from keystore_tool.model import colon_hex

            raise KsError(
                f"{origin} holds no certificate with the pinned SHA-256 {colon_hex(pin)}; "
                "nothing was written (check the pin and the source)"
            )
        found = pinned[:1]
    if source.alias is None:
        return [WantedCertificate(c, None) for c in found]
    aliases = numbered_aliases(source.alias, len(found))
    return [WantedCertificate(c, a) for c, a in zip(found, aliases, strict=True)]


def _wanted_key(source: KeySource) -> tuple[PrivateKeyEntry, list[str]]:
    from keystore_tool.certfiles import read_certificates, read_private_key
    from keystore_tool.ops.bundle import BundleInputs, build_entry

    key_password = source.key_password.resolve() if source.key_password else None
    inputs = BundleInputs(
        certificates=_certificates_in(source.cert),
        private_key=read_private_key(read_file(source.key, "key"), str(source.key), key_password),
        chain=[
            c
            for path in source.chain
            for c in read_certificates(read_file(path, "certificate"), str(path))
        ],
    )
    return build_entry(inputs, source.alias, chain_name=f"the `chain` of {source.where}")


def gather(spec: StoreSpec, server_chain: ServerChain, default_cas: DefaultCas) -> WantedStore:
    """Everything the store must hold, read from its sources (no store is touched)."""
    wanted = WantedStore(
        spec=spec,
        password=spec.password.resolve(),
        current_password=spec.current_password.resolve() if spec.current_password else None,
        certificates=[],
        keys=[],
    )
    seen: set[bytes] = set()
    for source in spec.certificates:
        for item in _wanted_certificates(source, server_chain, default_cas):
            if item.certificate.sha256 not in seen:
                seen.add(item.certificate.sha256)
                wanted.certificates.append(item)
    aliases: dict[str, str] = {}
    for key_source in spec.keys:
        entry, warnings = _wanted_key(key_source)
        if alias_key(entry.alias) in aliases:
            raise UsageError(
                f"{key_source.where} and {aliases[alias_key(entry.alias)]} both want alias "
                f"'{entry.alias}'"
            )
        aliases[alias_key(entry.alias)] = key_source.where
        wanted.keys.append(entry)
        wanted.warnings.extend(warnings)
    return wanted


# --------------------------------------------------------------------------- the plan


@dataclass
class StoreDiff:
    keystore: str
    storetype: str = "unknown"
    created: bool = False
    added: list[tuple[str, str]] = field(default_factory=list)  # (alias, SHA-256)
    replaced: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    password_changed: bool = False
    protection_changed: bool = False  # the store's protection is not what its targets read
    mode: tuple[int, int] | None = None  # (now, wanted)
    owner: tuple[str, str] | None = None
    written: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def content_changed(self) -> bool:
        return bool(self.created or self.added or self.replaced or self.removed) or (
            self.password_changed or self.protection_changed
        )

    @property
    def changed(self) -> bool:
        return self.content_changed or self.mode is not None or self.owner is not None

    def as_json(self) -> dict[str, object]:
        def items(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
            return [{"alias": a, "sha256": s} for a, s in pairs]

        return {
            "keystore": self.keystore,
            "storetype": self.storetype,
            "changed": self.changed,
            "created": self.created,
            "added": items(self.added),
            "replaced": items(self.replaced),
            "removed": items(self.removed),
            "unchanged": self.unchanged,
            "password_changed": self.password_changed,
            "protection_changed": self.protection_changed,
            "mode": None
            if self.mode is None
            else {"from": f"{self.mode[0]:04o}", "to": f"{self.mode[1]:04o}"},
            "owner": None if self.owner is None else {"from": self.owner[0], "to": self.owner[1]},
            "written": self.written,
        }


def _first_sha256(entry: object) -> str:
    certs = entry.certificates() if hasattr(entry, "certificates") else []
    return certs[0].sha256_hex if certs else ""


def plan(keystore: Keystore, wanted: WantedStore, diff: StoreDiff) -> None:
    """Changes ``keystore`` into the wanted state and records what changed in ``diff``."""
    from datetime import UTC, datetime

    from keystore_tool.x509util import AliasAllocator, derived_alias

    keep: set[str] = set()
    pending_keys: list[PrivateKeyEntry] = []
    for key in wanted.keys:
        chain = [c.der for c in key.chain]
        holder = next(
            (
                keystore[a]
                for a in keystore.aliases_holding(key.chain[0])
                if isinstance(keystore[a], PrivateKeyEntry)
                and [c.der for c in keystore[a].certificates()] == chain
            ),
            None,
        )
        if holder is not None:
            keep.add(holder.folded_alias)
            diff.unchanged.append(holder.alias)
        else:
            pending_keys.append(key)
    pending_certs: list[WantedCertificate] = []
    for item in wanted.certificates:
        holder = next(
            (
                keystore[a]
                for a in keystore.aliases_holding(item.certificate)
                if isinstance(keystore[a], TrustedCertificateEntry)
            ),
            None,
        )
        if holder is not None:
            keep.add(holder.folded_alias)
            diff.unchanged.append(holder.alias)
        else:
            pending_certs.append(item)

    removed: dict[str, tuple[str, str]] = {}
    if wanted.spec.prune:
        for entry in keystore.entries:
            if entry.folded_alias not in keep:
                keystore.remove(entry.alias)
                removed[entry.folded_alias] = (entry.alias, _first_sha256(entry))

    def put(entry: PrivateKeyEntry | TrustedCertificateEntry) -> None:
        folded = entry.folded_alias
        existing = keystore.get(entry.alias)
        if folded in keep:
            raise UsageError(
                f"two certificates or keys of the spec want alias '{entry.alias}'; "
                "give them different aliases"
            )
        if existing is not None and existing.kind != entry.kind:
            raise ConflictError(
                f"alias '{existing.alias}' holds a {existing.kind} entry and the spec puts a "
                f"{entry.kind} there; choose another alias, or prune = true to drop it"
            )
        keystore.add(entry, replace=True)
        keep.add(folded)
        if existing is not None:
            diff.replaced.append((entry.alias, _first_sha256(entry)))
        elif folded in removed:
            del removed[folded]
            diff.replaced.append((entry.alias, _first_sha256(entry)))
        else:
            diff.added.append((entry.alias, _first_sha256(entry)))

    for key in pending_keys:
        put(key)
    now = datetime.now(UTC)
    aliases = AliasAllocator(lambda a: a in keystore or alias_key(a) in removed)
    for item in pending_certs:
        alias = item.alias or aliases.take(derived_alias(item.certificate))
        put(TrustedCertificateEntry(alias=alias, certificate=item.certificate, created=now))
    diff.removed.extend(removed.values())


# --------------------------------------------------------------------------- running


@dataclass
class ApplyReport:
    spec: str
    check: bool
    stores: list[StoreDiff] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(s.changed for s in self.stores)

    def as_json(self) -> dict[str, object]:
        return {
            "spec": self.spec,
            "check": self.check,
            "changed": self.changed,
            "stores": [s.as_json() for s in self.stores],
        }


def _owner_ids(owner: str) -> tuple[int, int]:
    import grp
    import pwd

    user, _, group = owner.partition(":")
    try:
        record = pwd.getpwuid(_id_in_range(user, "owner")) if user.isdigit() else pwd.getpwnam(user)
    except KeyError as exc:
        raise UsageError(f"owner '{user}' is not a user on this machine") from exc
    gid = record.pw_gid
    if group:
        try:
            gid = _id_in_range(group, "group") if group.isdigit() else grp.getgrnam(group).gr_gid
        except KeyError as exc:
            raise UsageError(f"group '{group}' is not a group on this machine") from exc
    return record.pw_uid, gid


# uid_t and gid_t are 32 bits and (uid_t) -1 means "leave unchanged" to chown.
_MAX_ID = 2**32 - 2


def _id_in_range(text: str, what: str) -> int:
    """A numeric uid or gid, checked before anything is written (chown would refuse it only
    after the store's content had been replaced)."""
    value = int(text)
    if value > _MAX_ID:
        raise UsageError(f"{what} {text} is out of range (at most {_MAX_ID})")
    return value


def _metadata_changes(spec: StoreSpec, diff: StoreDiff, holds_keys: bool) -> None:
    """Mode and owner the file has (or a new file will get) against what the spec wants."""
    try:
        st: os.stat_result | None = os.stat(spec.path)
    except FileNotFoundError:
        st = None
    if spec.mode is not None:
        if st is None:
            current = 0o600 if holds_keys else 0o666 & ~_umask()
        else:
            current = stat.S_IMODE(st.st_mode)
        if current != spec.mode:
            diff.mode = (current, spec.mode)
    if spec.owner is not None:
        uid, gid = _owner_ids(spec.owner)
        have = (os.getuid(), os.getgid()) if st is None else (st.st_uid, st.st_gid)
        if have != (uid, gid):
            diff.owner = (f"{have[0]}:{have[1]}", f"{uid}:{gid}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _open_current(
    wanted: WantedStore,
) -> tuple[StoreFormat, Keystore | None, Password | None]:
    """The store as it is now (read without the lock: the plan is made again under it)."""
    from keystore_tool.ops.passwd import load_with_any

    spec = wanted.spec
    if not spec.path.exists():
        fmt = format_for_new_file(str(spec.path), spec.storetype)
        return fmt, None, None
    data = read_file(spec.path)
    fmt = detect(data)
    check_storetype(fmt, spec.storetype)
    keystore, opened_with = load_with_any(fmt, data, _read_passwords(wanted), None)
    return fmt, keystore, opened_with


def _read_passwords(wanted: WantedStore) -> list[Password | None]:
    passwords = [wanted.password]
    if wanted.spec.current_password is not None and wanted.current_password != wanted.password:
        passwords.append(wanted.current_password)
    return passwords


def _diff_for(
    wanted: WantedStore, fmt: StoreFormat, keystore: Keystore | None, opened: Password | None
) -> tuple[StoreDiff, Keystore]:
    diff = StoreDiff(str(wanted.spec.path), storetype=fmt.name, created=keystore is None)
    model = keystore if keystore is not None else Keystore(storetype=fmt.name)
    plan(model, wanted, diff)
    if keystore is not None and opened != wanted.password:
        diff.password_changed = True
    diff.protection_changed = _protection_changes(keystore, wanted)
    diff.warnings.extend(wanted.warnings)
    return diff, model


def _protection_changes(keystore: Keystore | None, wanted: WantedStore) -> bool:
    """An existing store whose protection is not what the spec's targets call for is
    rewritten even when its entries are right."""
    from keystore_tool.compat import protection_satisfies

    if keystore is None or not wanted.spec.targets:
        return False
    return not protection_satisfies(keystore, wanted.spec.targets, wanted.password)


def _check_writable(fmt: StoreFormat, wanted: WantedStore, model: Keystore) -> None:
    """Produces the new bytes once, so that a store that cannot be written (a JKS without a
    password, a key in a password-less PKCS12) fails in the first phase."""
    from keystore_tool.formats import DumpOptions

    if fmt.name in ("jks", "jceks") and wanted.password is None:
        raise UsageError(
            f"a {fmt.name.upper()} store needs a password; give password = {{ env = … }}"
        )
    from keystore_tool.compat import target_options

    options = target_options(
        wanted.spec.targets, model, fmt.name, wanted.password, DumpOptions(iterations=1)
    )
    fmt.dump(model, wanted.password, options)


def apply_spec(
    spec: Spec,
    *,
    check: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    server_chain: ServerChain = fetch_server_chain,
    default_cas: DefaultCas = default_truststore,
    jdk_roots: HostRoots | None = None,
) -> ApplyReport:
    """Validates every store of ``spec``, then (unless ``check``) writes those that differ.
    A failure in the first phase raises before any file is written. Certificates of items
    with ``all_jdks = true`` also go into each JDK truststore found below ``jdk_roots``."""
    from keystore_tool.ops.all_jdks import jdk_store_specs

    report = ApplyReport(str(spec.path), check)
    prepared: list[tuple[WantedStore, StoreDiff]] = []
    jdk_stores, not_writable = jdk_store_specs(spec, jdk_roots)
    for store in (*spec.stores, *jdk_stores):
        try:
            wanted = gather(store, server_chain, default_cas)
            fmt, current, opened = _open_current(wanted)
            diff, model = _diff_for(wanted, fmt, current, opened)
            if diff.created and not store.path.parent.is_dir():
                # Found while validating, so --check says what the run would hit (and the run
                # stops before writing any store, not after writing the ones before it).
                from keystore_tool.errors import NotFoundError

                raise NotFoundError(f"directory not found: {store.path.parent}")
            if diff.content_changed:
                _check_writable(fmt, wanted, model)
            _metadata_changes(store, diff, model.holds_keys())
        except KsError as exc:
            raise type(exc)(f"{store.where}: {exc.message}; no store was written") from exc
        prepared.append((wanted, diff))
        report.stores.append(diff)
    report.stores.extend(not_writable)
    if check:
        return report
    for wanted, diff in prepared:
        if not diff.changed:
            continue
        try:
            _write(wanted, diff, lock_timeout)
        except KsError as exc:
            done = [s.keystore for s in report.stores if s.written]
            already = f"; already written: {', '.join(done)}" if done else ""
            raise type(exc)(f"{wanted.spec.where}: {exc.message}{already}") from exc
    return report


def _write(wanted: WantedStore, diff: StoreDiff, lock_timeout: float) -> None:
    from keystore_tool.ops.passwd import rewrite_store

    spec = wanted.spec
    # Mode and owner travel with the write: set on the new file's descriptor before its
    # rename, or (nothing else changing) on a descriptor of the file under its lock.
    owner = _owner_ids(spec.owner) if spec.owner is not None else None
    if diff.content_changed:

        def change(keystore: Keystore, opened: Password | None) -> tuple[StoreDiff, bool]:
            fresh = StoreDiff(diff.keystore, storetype=keystore.storetype or diff.storetype)
            plan(keystore, wanted, fresh)
            fresh.password_changed = opened != wanted.password
            fresh.protection_changed = _protection_changes(keystore, wanted)
            return fresh, fresh.content_changed

        fmt = format_for_new_file(str(spec.path), spec.storetype)
        fresh, outcome = rewrite_store(
            str(spec.path),
            _read_passwords(wanted),
            wanted.password,
            change,
            create_as=fmt,
            storetype=spec.storetype,
            lock_timeout=lock_timeout,
            mode=spec.mode,
            owner=owner,
            targets=spec.targets,
        )
        # What happened under the lock is the truth (another writer may have been first).
        diff.added, diff.replaced, diff.removed = fresh.added, fresh.replaced, fresh.removed
        diff.unchanged, diff.password_changed = fresh.unchanged, fresh.password_changed
        diff.protection_changed = fresh.protection_changed
        diff.created = outcome.created
        diff.written = outcome.written
    elif spec.mode is not None or spec.owner is not None:
        from keystore_tool.storage import set_mode_and_owner

        if set_mode_and_owner(spec.path, spec.mode, owner, lock_timeout=lock_timeout):
            diff.written = True


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """Reads and validates an apply spec file; relative paths in it are relative to the file."""
    location = Path(os.path.abspath(os.fspath(path)))
    data = read_file(location, "spec")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"spec {location} is not UTF-8 text") from exc
    return parse_spec(text, location)


# --------------------------------------------------------------------------- one store


def store_spec_from_table(
    table: dict[str, Any], base: Path, *, where: str | None = None
) -> StoreSpec:
    """One ``[[store]]`` table (the mapping its TOML parses to; literal passwords allowed, as
    a caller that already holds the secret passes it as ``{"value": …}``) as a checked
    :class:`StoreSpec`. Relative paths are relative to ``base``; ``where`` names the store in
    messages (default: its path)."""
    import dataclasses

    document = {"allow_literal_password": True, "store": [table]}
    store = spec_from_document(document, base / "store").stores[0]
    return dataclasses.replace(store, where=where or str(store.path))


def apply_store(
    store: StoreSpec,
    *,
    check: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    server_chain: ServerChain = fetch_server_chain,
    default_cas: DefaultCas = default_truststore,
) -> StoreDiff:
    """Makes one store hold what ``store`` says: :func:`apply_spec` of a spec with this store
    alone, so it is validated before anything is written and written atomically under its
    lock, matched by fingerprint. With ``check`` nothing is written."""
    report = apply_spec(
        Spec(store.path, (store,)),
        check=check,
        lock_timeout=lock_timeout,
        server_chain=server_chain,
        default_cas=default_cas,
    )
    return report.stores[0]
