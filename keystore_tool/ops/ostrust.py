"""``ks sync-os-trust``: the Java ``cacerts`` built from the OS trust store, without a JVM —
what Debian's ``ca-certificates-java`` does from an ``update-ca-certificates`` hook.

The layout is ``ca-certificates-java``'s (its ``UpdateCertificates`` class, as installed here):
a JKS store, password ``changeit``, one trusted entry per ``/etc/ssl/certs/NAME.pem`` named
``debian:NAME.pem`` (JKS stores aliases in lower case), holding the first certificate of that
file. ``update-ca-certificates`` tells its hooks what changed on standard input, one line
each: ``+/etc/ssl/certs/NAME.pem`` (added or changed) and ``-/etc/ssl/certs/NAME.pem``
(removed). The full build takes every ``*.pem`` symlink of the certificates directory (the
links ``update-ca-certificates`` makes; a plain file there, such as ``ssl-cert-snakeoil.pem``,
is no CA of the OS store), or every certificate of a bundle such as ``ca-certificates.crt``.

Two runs over the same certificates write the same bytes (JKS, and PKCS12 without a
password): entries are written in alias order and a new entry's date is its certificate's
``notBefore`` — not the time of the run — so applying changes to a store gives exactly what a
fresh full build gives. An entry whose alias does not start with ``debian:`` was added by
someone else and is kept, unless ``prune_manual`` asks otherwise.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from keystore_tool.errors import KsError
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.ops.update import Outcome, StoreChange, StoreTarget, update_store
from keystore_tool.storage import read_file, resolve_store_path

MANAGED_PREFIX = "debian:"
CERTS_DIR = Path("/etc/ssl/certs")
JAVA_CACERTS = Path("/etc/ssl/certs/java/cacerts")
OS_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


@dataclass(frozen=True)
class Change:
    """One line of a hook's standard input."""

    added: bool  # "+" (added or changed) or "-" (removed)
    path: Path

    @property
    def alias(self) -> str:
        return managed_alias(self.path.name)


def managed_alias(file_name: str) -> str:
    return f"{MANAGED_PREFIX}{file_name}"


def parse_changes(text: str) -> tuple[list[Change], list[str]]:
    """The ``+path``/``-path`` lines; the second list names the lines that are neither
    (``ca-certificates-java`` reports those and goes on, and so does ks)."""
    changes: list[Change] = []
    unknown: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in "+-" and len(line) > 1:
            changes.append(Change(line[0] == "+", Path(line[1:])))
        else:
            unknown.append(line)
    return changes, unknown


@dataclass
class SyncReport:
    keystore: str
    mode: str  # "changes" or "full"
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_manual: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why an input was not used
    outcome: Outcome | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)

    def as_json(self) -> dict[str, object]:
        return {
            "keystore": self.keystore,
            "mode": self.mode,
            "storetype": self.outcome.storetype if self.outcome else None,
            "created": bool(self.outcome and self.outcome.created),
            "changed": self.changed,
            "added": self.added,
            "replaced": self.replaced,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "kept_manual": self.kept_manual,
            "skipped": self.skipped,
        }


def _first_certificate(path: Path) -> Certificate:
    from keystore_tool.certfiles import read_certificates
    from keystore_tool.errors import FormatError

    certificates = read_certificates(read_file(path, "certificate"), str(path))
    if not certificates:
        raise FormatError(f"{path} holds no certificate")
    return certificates[0]


def directory_certificates(certs_dir: Path, skipped: list[str]) -> dict[str, Certificate]:
    """``debian:NAME.pem`` → certificate for each ``NAME.pem`` symlink of ``certs_dir``."""
    wanted: dict[str, Certificate] = {}
    try:
        names = sorted(e.name for e in os.scandir(certs_dir) if e.name.endswith(".pem"))
    except OSError as exc:
        from keystore_tool.errors import NotFoundError, StorageError

        if isinstance(exc, FileNotFoundError):
            raise NotFoundError(f"certificates directory not found: {certs_dir}") from exc
        raise StorageError(f"cannot list {certs_dir}: {exc.strerror or exc}") from exc
    for name in names:
        path = certs_dir / name
        if not path.is_symlink():
            continue
        try:
            wanted[managed_alias(name)] = _first_certificate(path)
        except KsError as exc:
            skipped.append(f"{path}: {exc.message}")
    return wanted


_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]+")


def bundle_certificates(bundle: Path) -> dict[str, Certificate]:
    """``debian:NAME.pem`` → certificate for each certificate of a PEM bundle, NAME made from
    its subject's common name as ``update-ca-certificates`` names the Mozilla files
    (``ISRG_Root_X1``); a repeated name gets ``_2``, ``_3``…"""
    from keystore_tool.certfiles import read_certificates
    from keystore_tool.entries import distinct
    from keystore_tool.x509util import derived_alias

    wanted: dict[str, Certificate] = {}
    for cert in distinct(read_certificates(read_file(bundle, "certificate"), str(bundle))):
        base = _UNSAFE.sub("_", derived_alias(cert)).strip("_") or cert.sha256_hex[:16]
        name, n = base, 1
        while managed_alias(f"{name}.pem").lower() in wanted:
            n += 1
            name = f"{base}_{n}"
        wanted[managed_alias(f"{name}.pem").lower()] = cert
    return wanted


# For a certificate cryptography cannot parse (DESIGN.md fact 12): still a fixed date.
_NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)


def _entry(alias: str, cert: Certificate) -> TrustedCertificateEntry:
    # The certificate's own date, not the run's: the same inputs give the same bytes.
    try:
        created = cert.x509.not_valid_before_utc
    except KsError:
        created = _NO_DATE
    return TrustedCertificateEntry(alias=alias, certificate=cert, created=created)


def _put(keystore: Keystore, alias: str, cert: Certificate, report: SyncReport) -> None:
    existing = keystore.get(alias)
    if isinstance(existing, TrustedCertificateEntry) and existing.certificate == cert:
        report.unchanged += 1
        return
    keystore.add(_entry(alias, cert), replace=True)
    (report.replaced if existing is not None else report.added).append(alias.lower())


def _present_names(directory: Path) -> set[str] | None:
    """The lower-cased names of the existing ``*.pem`` files of ``directory`` (as JKS stores
    aliases); None when it cannot be listed, which removes nothing."""
    try:
        return {
            e.name.lower()
            for e in os.scandir(directory)
            if e.name.endswith(".pem") and os.path.exists(e.path)
        }
    except OSError:
        return None


def _in_alias_order(keystore: Keystore) -> None:
    """Puts the entries in alias order, the order both a full build and an update write."""
    entries = keystore.sorted_entries()
    if all(a is b for a, b in zip(entries, keystore.entries, strict=True)):
        return
    for entry in entries:
        keystore.remove(entry.alias)
    for entry in entries:
        keystore.add(entry)


def sync_os_trust(
    target: StoreTarget,
    *,
    changes: list[Change] | None = None,
    certs_dir: Path | None = None,
    bundle: Path | None = None,
    prune_manual: bool = False,
) -> SyncReport:
    """With ``changes``: applies them, then removes each ``debian:NAME.pem`` entry whose file
    is gone from the certificates directory (``update-ca-certificates --fresh`` reports a
    removed local CA by no line at all). That directory is ``certs_dir``, else the one the
    changed files are in. A store that does not exist yet gets a full build of it instead,
    so a first hook run never makes a store of one CA.

    Without ``changes``: the full build from ``bundle`` when given, else from ``certs_dir``
    (default ``/etc/ssl/certs``); ``debian:`` entries the OS store no longer has are removed.

    Entries of other names are kept unless ``prune_manual``. One locked read-modify-write;
    nothing is written when nothing changed."""
    exists = resolve_store_path(target.path).exists()
    incremental = changes is not None and exists
    report = SyncReport(keystore=target.path, mode="changes" if incremental else "full")
    directory = certs_dir if certs_dir is not None else _common_parent(changes or [])
    sync = _Sync(report, prune_manual)
    if incremental:
        assert changes is not None
        sync.updates = _read_changes(changes, report)
        sync.sweep = directory
    elif bundle is not None:
        sync.wanted = bundle_certificates(bundle)
    else:
        sync.wanted = directory_certificates(directory or CERTS_DIR, report.skipped)
    if target.password is None and not exists:
        # A new truststore without a password, as a JDK 18+ ships its cacerts.
        target = dataclasses.replace(target, passwordless=True)
    _, report.outcome = update_store(target, sync.change_store, create=True)
    return report


def _common_parent(changes: list[Change]) -> Path | None:
    parents = {c.path.parent for c in changes}
    return parents.pop() if len(parents) == 1 else None


def _read_changes(
    changes: list[Change], report: SyncReport
) -> list[tuple[Change, Certificate | None]]:
    """Each change with the certificate it adds (None: a removal); an unreadable file is
    reported as skipped."""
    updates: list[tuple[Change, Certificate | None]] = []
    for change in changes:
        if not change.added:
            updates.append((change, None))
            continue
        try:
            updates.append((change, _first_certificate(change.path)))
        except KsError as exc:
            report.skipped.append(f"{change.path}: {exc.message}")
    return updates


@dataclass
class _Sync:
    """What one run does to the store: a full build (``wanted``), or changes (``updates``)
    followed by a sweep of ``sweep``'s vanished files; then the entries added by hand."""

    report: SyncReport
    prune_manual: bool
    wanted: dict[str, Certificate] | None = None
    updates: list[tuple[Change, Certificate | None]] = field(default_factory=list)
    sweep: Path | None = None

    def change_store(self, store: StoreChange) -> tuple[None, bool]:
        keystore, report = store.keystore, self.report
        if self.wanted is not None:
            self._build(keystore, self.wanted)
        for item, new in self.updates:
            if new is not None:
                _put(keystore, item.alias, new, report)
            elif item.alias in keystore:
                keystore.remove(item.alias)
                report.removed.append(item.alias.lower())
        present = _present_names(self.sweep) if self.sweep is not None else None
        if present is not None:
            self._remove_vanished(keystore, present)
        self._manual(keystore)
        if report.changed:
            _in_alias_order(keystore)
        return None, report.changed

    def _build(self, keystore: Keystore, wanted: dict[str, Certificate]) -> None:
        managed = {e.folded_alias for e in keystore if e.folded_alias.startswith(MANAGED_PREFIX)}
        for alias in sorted(managed - {a.lower() for a in wanted}):
            keystore.remove(alias)
            self.report.removed.append(alias)
        for alias, cert in wanted.items():
            _put(keystore, alias, cert, self.report)

    def _remove_vanished(self, keystore: Keystore, present: set[str]) -> None:
        for entry in keystore.entries:
            name = entry.folded_alias[len(MANAGED_PREFIX) :]
            if entry.folded_alias.startswith(MANAGED_PREFIX) and name not in present:
                keystore.remove(entry.alias)
                self.report.removed.append(entry.folded_alias)

    def _manual(self, keystore: Keystore) -> None:
        for entry in keystore.entries:
            if entry.folded_alias.startswith(MANAGED_PREFIX):
                continue
            if self.prune_manual:
                keystore.remove(entry.alias)
                self.report.removed.append(entry.alias)
            else:
                self.report.kept_manual.append(entry.alias)
