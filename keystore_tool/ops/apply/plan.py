"""The plan: how a store as it is differs from what its spec wants, made by changing the model
into the wanted state and recording each step in a :class:`StoreDiff`.

Matching is by SHA-256 fingerprint, never by alias alone: a certificate the store already
holds under any alias is left where it is, and a key entry is kept when it holds the same
chain. With ``prune`` every other entry goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from keystore_tool.errors import ConflictError, UsageError
from keystore_tool.formats import StoreFormat
from keystore_tool.model import (
    Certificate,
    Entry,
    Keystore,
    PrivateKeyEntry,
    TrustedCertificateEntry,
    alias_key,
)
from keystore_tool.ops.apply.gather import WantedStore
from keystore_tool.password import Password


@dataclass
class StoreDiff:
    """What applying a spec does (or, checking, would do) to one store."""

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
        """Whether the file's bytes change (mode and owner aside)."""
        return bool(self.created or self.added or self.replaced or self.removed) or (
            self.password_changed or self.protection_changed
        )

    @property
    def changed(self) -> bool:
        """Whether anything about the file changes."""
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


def diff_for(
    wanted: WantedStore, fmt: StoreFormat, keystore: Keystore | None, opened: Password | None
) -> tuple[StoreDiff, Keystore]:
    """The plan for a store as it is now (``keystore``, opened with ``opened``; None: a new
    file of ``fmt``), and the model changed into the wanted state."""
    diff = StoreDiff(str(wanted.spec.path), storetype=fmt.name, created=keystore is None)
    model = keystore if keystore is not None else Keystore(storetype=fmt.name)
    plan(model, wanted, diff)
    if keystore is not None and opened != wanted.password:
        diff.password_changed = True
    diff.protection_changed = protection_changes(keystore, wanted)
    diff.warnings.extend(wanted.warnings)
    return diff, model


def protection_changes(keystore: Keystore | None, wanted: WantedStore) -> bool:
    """An existing store whose protection is not what the spec's targets call for is
    rewritten even when its entries are right."""
    from keystore_tool.compat import protection_satisfies

    if keystore is None or not wanted.spec.targets:
        return False
    return not protection_satisfies(keystore, wanted.spec.targets, wanted.password)


def plan(keystore: Keystore, wanted: WantedStore, diff: StoreDiff) -> None:
    """Changes ``keystore`` into the wanted state and records what changed in ``diff``."""
    from datetime import UTC, datetime

    from keystore_tool.x509util import AliasAllocator, derived_alias

    placer = _Placer(keystore, diff)
    pending_keys = [k for k in wanted.keys if not placer.keep(_key_holder(keystore, k))]
    pending_certs = [
        item
        for item in wanted.certificates
        if not placer.keep(_trusted_holder(keystore, item.certificate))
    ]
    if wanted.spec.prune:
        placer.prune()
    for key in pending_keys:
        placer.put(key)
    now = datetime.now(UTC)
    aliases = AliasAllocator(lambda a: a in keystore or alias_key(a) in placer.removed)
    for item in pending_certs:
        alias = item.alias or aliases.take(derived_alias(item.certificate))
        placer.put(TrustedCertificateEntry(alias=alias, certificate=item.certificate, created=now))
    diff.removed.extend(placer.removed.values())


def _key_holder(keystore: Keystore, key: PrivateKeyEntry) -> Entry | None:
    """The key entry of ``keystore`` that holds the chain of ``key``, if any."""
    chain = [c.der for c in key.chain]
    for alias in keystore.aliases_holding(key.chain[0]):
        entry = keystore[alias]
        if isinstance(entry, PrivateKeyEntry) and [c.der for c in entry.certificates()] == chain:
            return entry
    return None


def _trusted_holder(keystore: Keystore, certificate: Certificate) -> Entry | None:
    """The trusted-certificate entry of ``keystore`` holding ``certificate``, if any."""
    for alias in keystore.aliases_holding(certificate):
        entry = keystore[alias]
        if isinstance(entry, TrustedCertificateEntry):
            return entry
    return None


class _Placer:
    """Puts the spec's entries into one model, keeping count of what it kept and removed."""

    def __init__(self, keystore: Keystore, diff: StoreDiff) -> None:
        self.keystore = keystore
        self.diff = diff
        self.kept: set[str] = set()  # folded aliases the spec wants as they are
        self.removed: dict[str, tuple[str, str]] = {}  # folded alias -> (alias, SHA-256)

    def keep(self, holder: Entry | None) -> bool:
        """Keeps ``holder`` (an entry already holding what the spec wants); False for none."""
        if holder is None:
            return False
        self.kept.add(holder.folded_alias)
        self.diff.unchanged.append(holder.alias)
        return True

    def prune(self) -> None:
        """Removes every entry the spec does not keep."""
        for entry in self.keystore.entries:
            if entry.folded_alias not in self.kept:
                self.keystore.remove(entry.alias)
                self.removed[entry.folded_alias] = (entry.alias, _first_sha256(entry))

    def put(self, entry: PrivateKeyEntry | TrustedCertificateEntry) -> None:
        """Adds ``entry``, replacing what its alias holds (of the same kind)."""
        folded = entry.folded_alias
        existing = self.keystore.get(entry.alias)
        if folded in self.kept:
            raise UsageError(
                f"two certificates or keys of the spec want alias '{entry.alias}'; "
                "give them different aliases"
            )
        if existing is not None and existing.kind != entry.kind:
            raise ConflictError(
                f"alias '{existing.alias}' holds a {existing.kind} entry and the spec puts a "
                f"{entry.kind} there; choose another alias, or prune = true to drop it"
            )
        self.keystore.add(entry, replace=True)
        self.kept.add(folded)
        change = (entry.alias, _first_sha256(entry))
        if existing is not None or self.removed.pop(folded, None) is not None:
            self.diff.replaced.append(change)
        else:
            self.diff.added.append(change)


def _first_sha256(entry: Entry) -> str:
    certificates = entry.certificates()
    return certificates[0].sha256_hex if certificates else ""
