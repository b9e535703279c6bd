"""``ks doctor``: everything that makes Java reject or ignore a store, each with a remedy.

``java_sees_anchors`` counts what Java's trust manager would take from the store read the way
the JVM reads it (with the given password, or none): certificate entries plus the first
certificate of each key entry (``TrustStoreUtil``), distinct.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from keystore_tool.advice import Advice, Command, Option, Renderer, escaped, library_words
from keystore_tool.errors import FormatError, PasswordError, UsageError
from keystore_tool.javahome import JavaVersion
from keystore_tool.model import (
    Certificate,
    CertificateEntry,
    Entry,
    Keystore,
    PrivateKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.password import Password

if TYPE_CHECKING:
    from keystore_tool.compat import Problem, Target

SOON = timedelta(days=30)
_WEAK_SIGNATURES = ("md2", "md5", "sha1")
# The Java releases a version-only target (a "Java 17" without update) can name.
JAVA_RELEASES = (8, 11, 17, 21, 25)

# The warning code of a reader that made duplicate aliases unique (formats/pkcs12).
_ALIAS_COLLISION = "alias-collision"


@dataclass(frozen=True)
class Finding:
    """One thing that makes Java reject or ignore (``error``) or soon reject (``warning``)
    the store, and what fixes it."""

    severity: str  # "error": Java rejects or ignores something; "warning": it soon will
    code: str
    alias: str | None
    message: str
    remedy: Advice

    def as_json(self, say: Renderer = library_words) -> dict[str, Any]:
        """The finding as doctor's JSON document shows it, its remedy rendered by ``say``."""
        return {
            "severity": self.severity,
            "code": self.code,
            "alias": self.alias,
            "message": self.message,
            "remedy": self.remedy.render(say),
        }


# What fixes a target's problems: rewriting the store for it, converting it to PKCS12 for it,
# giving it an ASCII password, or nothing ks can write (the runtime must be upgraded).
Fix = Literal["rewrite", "convert-to-pkcs12", "ascii-password", "upgrade"]


@dataclass(frozen=True)
class TargetVerdict:
    """Whether ``target`` loads the store as ks read it, and if not, why and what fixes it."""

    target: Target
    problems: tuple[Problem, ...]
    fix: Fix | None = None

    @property
    def loads(self) -> bool:
        return not self.problems


@dataclass
class DoctorReport:
    """What ``ks doctor`` found in one store."""

    keystore: str
    storetype: str | None
    findings: list[Finding] = field(default_factory=list)
    java_sees_anchors: int = 0
    targets: list[TargetVerdict] | None = None  # None: no target was asked about

    def as_json(
        self,
        say: Renderer = library_words,
        fix: Callable[[TargetVerdict], str] | None = None,
    ) -> dict[str, Any]:
        """The JSON document: remedies rendered by ``say``; with ``fix``, each problem
        of a target that does not load the store ends with what fixes it."""
        document: dict[str, Any] = {
            "keystore": self.keystore,
            "storetype": self.storetype,
            "findings": [f.as_json(say) for f in self.findings],
            "java_sees_anchors": self.java_sees_anchors,
        }
        if self.targets is not None:
            document["targets"] = [_verdict_json(v, fix) for v in self.targets]
        return document


def _verdict_json(
    verdict: TargetVerdict, fix: Callable[[TargetVerdict], str] | None
) -> dict[str, Any]:
    remedy = f"; {fix(verdict)}" if fix is not None else ""
    return {
        "target": verdict.target.name,
        "loads": verdict.loads,
        "problems": [
            {"code": p.code, "message": p.message + remedy, "aliases": list(p.aliases)}
            for p in verdict.problems
        ],
    }


def target_version(
    java: str | os.PathLike[str] | None, target_java: int | None
) -> JavaVersion | None:
    """The version doctor judges the store for: the JVM at ``java``, else the Java release
    ``target_java`` (one of :data:`JAVA_RELEASES`), else None. Give at most one."""
    if java is not None and target_java is not None:
        raise UsageError("name a JVM or a Java release to judge for, not both")
    if java is not None:
        from keystore_tool.javahome import locate_jvm

        return locate_jvm(java, os.environ).version
    if target_java is not None:
        if target_java not in JAVA_RELEASES:
            raise UsageError(
                f"Java {target_java} is no release doctor judges for",
                parameter="target_java",
            )
        # "Java 8" in general includes every update before 8u301.
        return JavaVersion(target_java, 0, str(target_java))
    return None


def java_target(version: JavaVersion) -> Target | None:
    """The target a JVM's version names (``jdk8u292``, ``jdk17.0.2``); None for a release the
    compatibility model does not speak for."""
    from keystore_tool.compat import parse_target

    if version.major == 8:
        name = f"jdk8u{version.update}" if version.update else "jdk8"
    else:
        name = f"jdk{version.major}.0.{version.update}" if version.update else f"jdk{version.major}"
    try:
        return parse_target(name)
    except UsageError:
        return None


def diagnose(
    path: str | os.PathLike[str],
    password: Password | None,
    *,
    target: JavaVersion | None = None,
    targets: tuple[Target, ...] = (),
) -> DoctorReport:
    """What makes Java reject or ignore the store at ``path`` read with ``password`` (None: as
    a JVM given no truststore password reads it). ``target`` (a JVM's version, see
    :func:`target_version`) is judged as one more of ``targets``."""
    from keystore_tool.certfiles import quiet_legacy_warnings
    from keystore_tool.storage import load_store
    from keystore_tool.storetypes import sniff_storetype

    report = DoctorReport(keystore=os.fspath(path), storetype=sniff_storetype(path))
    try:
        keystore = load_store(path, password)
    except PasswordError:
        if password is not None:
            raise
        report.findings.append(
            Finding(
                "error",
                "password-required",
                None,
                "the store is password-protected and no password was given: a JVM reading it "
                "as a truststore without javax.net.ssl.trustStorePassword sees no trusted "
                "certificate ('the trustAnchors parameter must be non-empty')",
                Advice(
                    "set -Djavax.net.ssl.trustStorePassword, or rewrite it as a password-less "
                    "truststore ({0}), and rerun {1} with {2}* to check its content",
                    (Command("convert"), Command("doctor"), Option("store_password")),
                ),
            )
        )
        return report
    report.storetype = keystore.storetype
    judged = list(targets)
    if target is not None:
        as_target = java_target(target)
        if as_target is not None and as_target not in judged:
            judged.append(as_target)
    with quiet_legacy_warnings():
        _check(keystore, report)
        if judged:
            report.targets = [_judge(t, keystore, password) for t in judged]
            report.findings.extend(_target_findings(report.targets))
    return report


def _judge(target: Target, keystore: Keystore, password: Password | None) -> TargetVerdict:
    from keystore_tool.compat import choose_protection, predict
    from keystore_tool.errors import TargetError

    text = password.reveal() if password is not None else None
    problems = tuple(predict(target, keystore, text))
    if not problems:
        return TargetVerdict(target, problems)
    storetype = keystore.storetype or "pkcs12"
    attempts: list[tuple[Fix, str, str | None]] = [("rewrite", storetype, text)]
    if storetype != "pkcs12":
        attempts = [("convert-to-pkcs12", "pkcs12", text)]
    if text is not None and not text.isascii():
        attempts.append(("ascii-password", attempts[0][1], "ascii"))
    for fix, as_type, with_password in attempts:
        try:
            choose_protection([target], keystore, as_type, with_password)
        except TargetError:
            continue
        return TargetVerdict(target, problems, fix)
    return TargetVerdict(target, problems, "upgrade")


def _target_findings(verdicts: list[TargetVerdict]) -> list[Finding]:
    findings = []
    for verdict in verdicts:
        for problem in verdict.problems:
            findings.append(
                Finding(
                    "error",
                    problem.code,
                    problem.aliases[0] if len(problem.aliases) == 1 else None,
                    f"{verdict.target}: {problem.message}",
                    Advice(
                        escaped(_FIX_TEXT[verdict.fix or "upgrade"].format(target=verdict.target))
                    ),
                )
            )
    return findings


# Remedies in words; the CLI renders the command lines (see cli/doctor_cmd.py).
_FIX_TEXT: dict[Fix, str] = {
    "rewrite": "rewrite the store for {target}",
    "convert-to-pkcs12": "convert the store to PKCS12 for {target}",
    "ascii-password": "give the store an ASCII password, written for {target}",
    "upgrade": "no file {target} reads can hold this: use a later runtime or other entries",
}


def _check(keystore: Keystore, report: DoctorReport) -> None:
    from keystore_tool.javatrust import java_anchors

    findings = report.findings
    entries = keystore.sorted_entries()
    report.java_sees_anchors = len(java_anchors(keystore))
    invisible = [e for e in entries if isinstance(e, CertificateEntry)]
    for loose in invisible:
        findings.append(
            Finding(
                "error",
                "not-trusted-by-java",
                loose.alias,
                f"certificate '{loose.alias}' lacks Java's trusted-key-usage attribute, so Java "
                "does not see it (a PKCS12 written by openssl or another generic tool)",
                Advice(
                    "import the certificates into a store written by ks or keytool: {0}, then {1}",
                    (
                        Command(
                            "export",
                            (Option("alias", loose.alias, quoted=True), Option("out", "cert.pem")),
                        ),
                        Command("import", (Option("file", "cert.pem"),)),
                    ),
                ),
            )
        )
    if report.java_sees_anchors == 0 and not any(isinstance(e, PrivateKeyEntry) for e in entries):
        findings.append(
            Finding(
                "error",
                "empty-truststore",
                None,
                "Java sees no trusted certificate in this store: used as a truststore, every "
                "handshake fails with 'the trustAnchors parameter must be non-empty'",
                Advice(
                    "import the CA certificates ({0}, or {1}); to keep trusting public CAs, "
                    "create it with {2}",
                    (
                        Command("import", (Option("file"),)),
                        Option("from_server"),
                        Command("import", (Option("with_default_cas"),)),
                    ),
                ),
            )
        )
    _check_aliases(keystore, findings)
    now = datetime.now(UTC)
    seen: set[bytes] = set()
    for entry in entries:
        for cert in entry.certificates():
            if cert.sha256 in seen:
                continue
            seen.add(cert.sha256)
            _check_certificate(entry, cert, now, findings)
        if isinstance(entry, PrivateKeyEntry):
            _check_key_entry(entry, findings)


def _check_aliases(keystore: Keystore, findings: list[Finding]) -> None:
    for warning in keystore.warnings:
        # The text match is the fallback for a reader that gives its warnings no code yet.
        if getattr(warning, "code", None) == _ALIAS_COLLISION or "aliases used twice" in warning:
            findings.append(
                Finding(
                    "error",
                    "alias-collision",
                    None,
                    f"the file holds aliases that differ only in case or repeat; Java compares "
                    f"aliases case-insensitively and keeps one of them ({warning})",
                    Advice(
                        "rename the entries so that every alias is unique ignoring case ({0}), "
                        "or rebuild the store with ks",
                        (Command("rename"),),
                    ),
                )
            )


def _name(cert: Certificate) -> str:
    return _names(cert)[0] or cert.sha256_hex


def _names(cert: Certificate) -> tuple[str, str]:
    """(subject, issuer) as RFC 4514 text, from our own reader when cryptography refuses the
    certificate (keytool reads those)."""
    from keystore_tool.tbs import read_tbs

    try:
        parsed = cert.x509
        return parsed.subject.rfc4514_string(), parsed.issuer.rfc4514_string()
    except FormatError:
        fields = read_tbs(cert.der)
        return fields.subject, fields.issuer


def _renewal(entry: Entry, what: str, tail: str) -> Advice:
    """How to renew: a trusted certificate is re-imported; a key entry's certificate is
    re-issued for its key, or the entry re-bundled with a new key and certificate."""
    alias = Option("alias", entry.alias)
    if isinstance(entry, PrivateKeyEntry):
        return Advice(
            f"{what}: have a new certificate issued ({{0}}, then your CA or {{1}}) and bundle "
            f"it with its key again ({{2}}) {tail}".rstrip(),
            (Command("certreq", (alias,)), Command("gencert"), Command("bundle-p12")),
        )
    return Advice(
        f"{what} ({{0}}) {tail}".rstrip(), (Command("import", (Option("replace"), alias)),)
    )


def _check_certificate(
    entry: Entry, cert: Certificate, now: datetime, findings: list[Finding]
) -> None:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

    from keystore_tool.tbs import read_tbs
    from keystore_tool.x509util import is_self_signed

    alias = entry.alias
    try:
        parsed = cert.x509
    except FormatError:
        # Kept as keytool keeps it; only its dates can be checked.
        parsed = None
    not_after = parsed.not_valid_after_utc if parsed is not None else read_tbs(cert.der).not_after
    if not_after < now:
        findings.append(
            Finding(
                "error",
                "expired",
                alias,
                f"'{_name(cert)}' in '{alias}' expired on {not_after:%Y-%m-%d}",
                _renewal(entry, "replace it with a current certificate", "or delete it"),
            )
        )
    elif not_after < now + SOON:
        findings.append(
            Finding(
                "warning",
                "expires-soon",
                alias,
                f"'{_name(cert)}' in '{alias}' expires on {not_after:%Y-%m-%d}",
                _renewal(entry, "renew it before then", ""),
            )
        )
    if parsed is None:
        return
    try:
        key = parsed.public_key()
    except (ValueError, UnsupportedAlgorithm):  # sect193r1, GOST: Java decides, not us
        key = None
    weak_key = None
    refused = False  # jdk.certpath.disabledAlgorithms: RSA/DSA < 1024, EC < 224
    if isinstance(key, rsa.RSAPublicKey | dsa.DSAPublicKey) and key.key_size < 2048:
        kind = "RSA" if isinstance(key, rsa.RSAPublicKey) else "DSA"
        weak_key = f"a {key.key_size}-bit {kind} key"
        refused = key.key_size < 1024
    elif isinstance(key, ec.EllipticCurvePublicKey) and key.curve.key_size < 224:
        weak_key = f"a {key.curve.key_size}-bit EC key"
        refused = True
    if weak_key:
        findings.append(
            Finding(
                "error" if refused else "warning",
                "weak-key",
                alias,
                f"'{_name(cert)}' in '{alias}' has {weak_key}",
                Advice("reissue it with RSA 2048 bits or more, or an EC P-256 key"),
            )
        )
    hash_algorithm = parsed.signature_hash_algorithm
    anchor = isinstance(entry, TrustedCertificateEntry) and is_self_signed(cert)
    if hash_algorithm is not None and hash_algorithm.name in _WEAK_SIGNATURES and not anchor:
        findings.append(
            Finding(
                "error" if hash_algorithm.name != "sha1" else "warning",
                "weak-signature",
                alias,
                f"'{_name(cert)}' in '{alias}' is signed with {hash_algorithm.name.upper()}",
                Advice("reissue it signed with SHA-256 or stronger"),
            )
        )


_WITH_CHAIN = Command("bundle-p12", (Option("chain"),))


def _check_key_entry(entry: PrivateKeyEntry, findings: list[Finding]) -> None:
    from keystore_tool.x509util import key_matches_certificate, order_chain

    if not entry.chain:
        return
    leaf = entry.chain[0]
    try:
        mismatch = entry.private_key is not None and not key_matches_certificate(
            entry.private_key, leaf
        )
        ordered = order_chain(leaf, entry.chain[1:])
    except FormatError:
        # A key or certificate cryptography cannot read (ML-DSA, ML-KEM, sect193r1, a lax
        # certificate): keytool holds these; there is nothing here to check them with.
        return
    if mismatch:
        findings.append(
            Finding(
                "error",
                "key-mismatch",
                entry.alias,
                f"the private key of '{entry.alias}' does not belong to its certificate "
                f"'{_name(leaf)}'; TLS with it fails",
                Advice(
                    "bundle the key with its own certificate ({0})",
                    (Command("bundle-p12", (Option("cert"), Option("key"))),),
                ),
            )
        )
    if ordered.leftovers or [c.der for c in ordered.chain] != [c.der for c in entry.chain]:
        if ordered.leftovers or len(ordered.chain) != len(entry.chain):
            findings.append(
                Finding(
                    "error",
                    "chain-broken",
                    entry.alias,
                    f"the chain of '{entry.alias}' holds certificates that do not certify the "
                    "one before them; a server sending it fails at strict clients",
                    Advice("rebuild the entry with the right intermediates ({0})", (_WITH_CHAIN,)),
                )
            )
        else:
            findings.append(
                Finding(
                    "error",
                    "chain-misordered",
                    entry.alias,
                    f"the chain of '{entry.alias}' is not in order from the leaf to the root",
                    Advice(
                        "rebuild the entry: {0} orders the chain leaf first",
                        (Command("bundle-p12"),),
                    ),
                )
            )
    elif not ordered.complete and len(entry.chain) == 1:
        top = entry.chain[-1]
        findings.append(
            Finding(
                "warning",
                "chain-incomplete",
                entry.alias,
                f"the chain of '{entry.alias}' ends at '{_name(top)}' without its issuer "
                f"'{_names(top)[1]}': peers must already hold that CA",
                Advice("add the intermediate certificates ({0})", (_WITH_CHAIN,)),
            )
        )
