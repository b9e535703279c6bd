"""``ks check``: expired and soon-expiring certificates in stores, for cron, CI and a
node-exporter textfile collector.

Every certificate of every entry counts (a key entry's whole chain: an expired intermediate
breaks the handshake as surely as an expired leaf). Exit codes, beyond CLI.md's 0-5, are
chosen so that a script can tell "the tool failed" (1) from "the stores need attention":

* 0 — every certificate is valid for longer than the window;
* 10 — at least one expires within the window (none has expired);
* 11 — at least one has already expired;
* 12 — (with targets) a named runtime will not load one of the stores, and none has expired.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from keystore_tool.errors import UsageError
from keystore_tool.model import Keystore

if TYPE_CHECKING:
    from keystore_tool.compat import Problem, Target

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "": 86400}


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``2w``, ``90m``, ``45s``; a bare number is days."""
    match = _DURATION.match(text)
    if match is None:
        raise UsageError(
            f"'{text}' is not a duration; write it like 30d, 12h, 2w or 90m",
            parameter="expires_within",
        )
    amount, unit = int(match.group(1)), match.group(2).lower()
    if amount > 100 * 366 * 86400:
        raise UsageError(f"'{text}' is too long", parameter="expires_within")
    return timedelta(seconds=amount * _UNIT_SECONDS[unit])


@dataclass(frozen=True)
class CertificateStatus:
    store: str
    alias: str
    position: int  # 0 for the entry's first certificate (the leaf of a key entry's chain)
    entry_type: str
    subject: str
    sha256: str
    not_after: datetime
    seconds_left: int
    status: str  # "ok", "expiring" or "expired"

    def as_json(self) -> dict[str, object]:
        return {
            "keystore": self.store,
            "alias": self.alias,
            "position": self.position,
            "type": self.entry_type,
            "subject": self.subject,
            "sha256": self.sha256,
            "not_after": self.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "seconds_left": self.seconds_left,
            "status": self.status,
        }


@dataclass(frozen=True)
class TargetStatus:
    """Whether ``target`` loads the store at ``store`` as ks read it (``compat.predict``)."""

    store: str
    target: Target
    problems: tuple[Problem, ...]

    @property
    def loads(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, object]:
        return {
            "keystore": self.store,
            "target": self.target.name,
            "loads": self.loads,
            "problems": [
                {"code": p.code, "message": p.message, "aliases": list(p.aliases)}
                for p in self.problems
            ],
        }


@dataclass
class CheckReport:
    window: timedelta
    now: datetime
    certificates: list[CertificateStatus] = field(default_factory=list)
    stores: list[tuple[str, str]] = field(default_factory=list)  # (path, storetype)
    targets: list[TargetStatus] | None = None  # None: no target was named

    @property
    def expired(self) -> list[CertificateStatus]:
        return [c for c in self.certificates if c.status == "expired"]

    @property
    def expiring(self) -> list[CertificateStatus]:
        return [c for c in self.certificates if c.status == "expiring"]

    @property
    def unloadable(self) -> list[TargetStatus]:
        return [t for t in self.targets or [] if not t.loads]

    @property
    def ok(self) -> bool:
        """Nothing expired or expiring within the window, and every named target loads."""
        return not (self.expired or self.unloadable or self.expiring)

    def as_json(self) -> dict[str, object]:
        document: dict[str, object] = {
            "now": self.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expires_within_seconds": int(self.window.total_seconds()),
            "ok": self.ok,
            "expired": len(self.expired),
            "expiring": len(self.expiring),
            "keystores": [{"keystore": p, "storetype": t} for p, t in self.stores],
            "certificates": [c.as_json() for c in self.certificates],
        }
        if self.targets is not None:
            document["targets"] = [t.as_json() for t in self.targets]
        return document


def check_store(
    report: CheckReport, path: str, keystore: Keystore, *, include_ok: bool = True
) -> None:
    """Adds the status of every certificate of ``keystore`` to ``report``."""
    from keystore_tool.certfiles import quiet_legacy_warnings
    from keystore_tool.x509util import certificate_fields

    report.stores.append((path, keystore.storetype or "unknown"))
    limit = report.now + report.window
    with quiet_legacy_warnings():
        for entry in keystore.sorted_entries():
            for position, cert in enumerate(entry.certificates()):
                # Also the certificates keytool reads and cryptography refuses (JDK 17's DSA).
                fields = certificate_fields(cert)
                not_after = fields.not_after
                if not_after <= report.now:
                    status = "expired"
                elif not_after <= limit:
                    status = "expiring"
                else:
                    status = "ok"
                if status == "ok" and not include_ok:
                    continue
                report.certificates.append(
                    CertificateStatus(
                        store=path,
                        alias=entry.alias,
                        position=position,
                        entry_type=entry.kind,
                        subject=fields.subject,
                        sha256=cert.sha256_hex,
                        not_after=not_after,
                        seconds_left=int((not_after - report.now).total_seconds()),
                        status=status,
                    )
                )


def check_targets(
    report: CheckReport,
    path: str,
    keystore: Keystore,
    password: str | None,
    targets: Iterable[Target],
) -> None:
    """Adds, per target, whether it loads ``keystore`` read with ``password``."""
    from keystore_tool.compat import predict

    if report.targets is None:
        report.targets = []
    for target in targets:
        problems = tuple(predict(target, keystore, password))
        report.targets.append(TargetStatus(path, target, problems))


def check_stores(
    stores: Iterable[tuple[str, Keystore]], window: timedelta, now: datetime | None = None
) -> CheckReport:
    """Checks every store's certificates against the expiry window; one report for all of them."""
    report = CheckReport(window=window, now=now or datetime.now(UTC).replace(microsecond=0))
    for path, keystore in stores:
        check_store(report, path, keystore)
    return report


def _label(value: str) -> str:
    # The text exposition format's escapes for label values.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def prometheus_text(report: CheckReport) -> str:
    """The report in Prometheus' text exposition format (a node-exporter textfile)."""
    lines = [
        "# HELP ks_certificate_expiry_seconds Seconds until the certificate expires "
        "(negative once expired).",
        "# TYPE ks_certificate_expiry_seconds gauge",
    ]
    not_after_lines = [
        "# HELP ks_certificate_not_after_timestamp_seconds When the certificate expires "
        "(Unix time).",
        "# TYPE ks_certificate_not_after_timestamp_seconds gauge",
    ]
    for cert in report.certificates:
        labels = (
            f'keystore="{_label(cert.store)}",alias="{_label(cert.alias)}",'
            f'position="{cert.position}",type="{cert.entry_type}",'
            f'subject="{_label(cert.subject)}",sha256="{cert.sha256}"'
        )
        lines.append(f"ks_certificate_expiry_seconds{{{labels}}} {cert.seconds_left}")
        not_after_lines.append(
            f"ks_certificate_not_after_timestamp_seconds{{{labels}}} "
            f"{int(cert.not_after.timestamp())}"
        )
    store_lines = [
        "# HELP ks_keystore_min_expiry_seconds Seconds until the store's first certificate "
        "expires.",
        "# TYPE ks_keystore_min_expiry_seconds gauge",
    ]
    soonest: dict[str, int] = {}
    for cert in report.certificates:
        current = soonest.get(cert.store)
        if current is None or cert.seconds_left < current:
            soonest[cert.store] = cert.seconds_left
    for path, _ in report.stores:
        if path in soonest:
            store_lines.append(
                f'ks_keystore_min_expiry_seconds{{keystore="{_label(path)}"}} {soonest[path]}'
            )
    store_lines += [
        "# HELP ks_keystore_certificates Certificates in the store.",
        "# TYPE ks_keystore_certificates gauge",
    ]
    counts: dict[str, int] = {}
    for cert in report.certificates:
        counts[cert.store] = counts.get(cert.store, 0) + 1
    for path, _ in report.stores:
        store_lines.append(
            f'ks_keystore_certificates{{keystore="{_label(path)}"}} {counts.get(path, 0)}'
        )
    if report.targets is not None:
        store_lines += [
            "# HELP ks_keystore_target_loads Whether the named runtime loads the store "
            "(1) or not (0).",
            "# TYPE ks_keystore_target_loads gauge",
        ]
        for status in report.targets:
            store_lines.append(
                f'ks_keystore_target_loads{{keystore="{_label(status.store)}",'
                f'target="{_label(status.target.name)}"}} {int(status.loads)}'
            )
    return "\n".join([*lines, *not_after_lines, *store_lines]) + "\n"
