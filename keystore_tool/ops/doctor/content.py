"""What in a store's content makes Java reject or ignore it: invisible or no anchors, alias
collisions, expiry, weak keys and signatures, and key entries whose chain or key is wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from keystore_tool.advice import Advice, Command, Option
from keystore_tool.errors import FormatError
from keystore_tool.model import (
    Certificate,
    CertificateEntry,
    Entry,
    Keystore,
    PrivateKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.ops.doctor.report import DoctorReport, Finding

SOON = timedelta(days=30)
_WEAK_SIGNATURES = ("md2", "md5", "sha1")

# The warning code of a reader that made duplicate aliases unique (formats/pkcs12).
_ALIAS_COLLISION = "alias-collision"


def check_content(keystore: Keystore, report: DoctorReport) -> None:
    """Adds to ``report`` what in ``keystore``'s entries makes Java reject or ignore them,
    and how many trust anchors Java sees."""
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
    check_aliases(keystore, findings)
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


def check_aliases(keystore: Keystore, findings: list[Finding]) -> None:
    """Adds a finding for each warning of the reader that aliases collided."""
    for warning in keystore.warnings:
        if getattr(warning, "code", None) == _ALIAS_COLLISION:
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
