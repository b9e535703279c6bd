"""``ks verify``: would a JVM with this truststore (and keystore) complete the handshake?

The judgement follows Java's own code (``sun.security.validator.PKIXValidator``,
``TrustStoreUtil``, ``sun.security.util.HostnameChecker``), not a browser's:

* anchors are the certificate entries of the truststore and the first certificate of each of
  its key entries; a presented certificate is trusted when it *is* an anchor (same DER, or same
  subject and public key), so an intermediate in the truststore anchors the chain, and a
  trusted leaf needs nothing more;
* otherwise the path is built from the leaf through the presented certificates to a
  certificate an anchor signed; every certificate on the path but the anchor must be within
  its validity dates, CA certificates must say they are CAs, MD2/MD5 signatures and RSA keys
  below 1024 bits are refused (``jdk.certpath.disabledAlgorithms``);
* the host name is checked after the path (HTTPS endpoint identification): an IP literal needs
  an IP address SAN; a DNS name is matched against the DNS SANs (``*`` in the left-most label
  only), and only when the certificate has no DNS SAN at all against the most specific CN —
  Java still does that CN fallback, and the verdict must be the JVM's;
* with a keystore, its key is presented and the server's reaction decides.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keystore_tool.errors import PasswordError, UsageError
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry, TrustedCertificateEntry
from keystore_tool.net import (
    CLIENT_CERT_ALERTS,
    DEFAULT_TIMEOUT,
    ClientIdentity,
    Endpoint,
    handshake,
    parse_endpoint,
)
from keystore_tool.password import Password

if TYPE_CHECKING:
    from cryptography import x509


@dataclass
class JavaVerdict:
    java: str
    trusted: bool
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"java": self.java, "trusted": self.trusted, "message": self.message}


@dataclass
class VerifyReport:
    endpoint: Endpoint
    trusted: bool
    reason: str | None
    chain: list[Certificate]
    anchor: Certificate | None
    client_certificate_sent: bool
    java: JavaVerdict | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        from keystore_tool.x509util import describe_certificate

        document: dict[str, Any] = {
            "host": self.endpoint.host,
            "port": self.endpoint.port,
            "trusted": self.trusted,
            "reason": self.reason,
            "chain": [describe_certificate(c) for c in self.chain],
            "anchor": describe_certificate(self.anchor) if self.anchor else None,
            "client_certificate_sent": self.client_certificate_sent,
        }
        if self.java is not None:
            document["java"] = self.java.as_json()
        return document


# --- trust anchors and path building -------------------------------------------------------


def java_anchors(keystore: Keystore) -> list[Certificate]:
    """The certificates Java's trust manager takes from a truststore (``TrustStoreUtil``)."""
    anchors: list[Certificate] = []
    seen: set[bytes] = set()
    for entry in keystore:
        cert: Certificate | None = None
        if isinstance(entry, TrustedCertificateEntry):
            cert = entry.certificate
        elif isinstance(entry, PrivateKeyEntry) and entry.chain:
            cert = entry.chain[0]
        if cert is not None and cert.sha256 not in seen:
            seen.add(cert.sha256)
            anchors.append(cert)
    return anchors


def _name(cert: Certificate) -> str:
    return cert.x509.subject.rfc4514_string() or f"SHA-256 {cert.sha256_hex}"


def _public_key_der(cert: Certificate) -> bytes | None:
    from keystore_tool.x509util import public_key_der

    return public_key_der(cert)


def _signed_by(cert: Certificate, issuer: Certificate) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        cert.x509.verify_directly_issued_by(issuer.x509)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


@dataclass(frozen=True)
class PathResult:
    path: list[Certificate]  # leaf first, anchor excluded
    anchor: Certificate | None
    reason: str | None


def build_path(chain: list[Certificate], anchors: list[Certificate]) -> PathResult:
    """The certification path Java would accept, or the reason there is none."""
    from keystore_tool.certfiles import quiet_legacy_warnings

    with quiet_legacy_warnings():
        return _build_path(chain, anchors)


def _build_path(chain: list[Certificate], anchors: list[Certificate]) -> PathResult:
    if not anchors:
        return PathResult(
            [],
            None,
            "the truststore holds no trusted certificate (Java fails with 'the trustAnchors "
            "parameter must be non-empty')",
        )
    by_der = {a.der: a for a in anchors}
    by_subject: dict[x509.Name, list[Certificate]] = {}
    for anchor in anchors:
        by_subject.setdefault(anchor.x509.subject, []).append(anchor)

    def anchor_for(cert: Certificate) -> Certificate | None:
        if cert.der in by_der:
            return by_der[cert.der]
        key = _public_key_der(cert)
        for candidate in by_subject.get(cert.x509.subject, []):
            if key is not None and _public_key_der(candidate) == key:
                return candidate
        return None

    # A presented certificate that is itself trusted ends the path there.
    for index, cert in enumerate(chain):
        trusted = anchor_for(cert)
        if trusted is not None:
            path = chain[:index]
            return PathResult(path, trusted, _check_links(path, trusted))

    leaf = chain[0]
    path = [leaf]
    unused = list(chain[1:])
    current = leaf
    for _ in range(len(chain) + 1):
        for anchor in by_subject.get(current.x509.issuer, []):
            if _signed_by(current, anchor):
                return PathResult(path, anchor, _check_links(path, anchor))
        step = next(
            (c for c in unused if c.x509.subject == current.x509.issuer and _signed_by(current, c)),
            None,
        )
        if step is None:
            break
        unused.remove(step)
        path.append(step)
        current = step
    top = path[-1]
    return PathResult(
        path,
        None,
        f"the truststore holds no certificate that anchors the server's chain: it ends at "
        f"'{_name(top)}', issued by '{top.x509.issuer.rfc4514_string()}', which the truststore "
        "lacks (import that CA, or the server's root-most certificate: ks import --from-server)",
    )


_DISABLED_SIGNATURES = ("md2", "md5")


def _check_links(path: list[Certificate], anchor: Certificate) -> str | None:
    """Validity, CA flags and algorithms along ``path`` (leaf first, ``anchor`` above it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = datetime.now(UTC)
    for index, cert in enumerate(path):
        parsed = cert.x509
        signer = path[index + 1] if index + 1 < len(path) else anchor
        if not _signed_by(cert, signer):
            return f"the signature of '{_name(cert)}' does not verify with its issuer's key"
        if parsed.not_valid_after_utc < now:
            return (
                f"the certificate '{_name(cert)}' expired on "
                f"{parsed.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC"
            )
        if parsed.not_valid_before_utc > now:
            return (
                f"the certificate '{_name(cert)}' is not valid before "
                f"{parsed.not_valid_before_utc:%Y-%m-%d %H:%M:%S} UTC"
            )
        algorithm = parsed.signature_hash_algorithm
        if algorithm is not None and algorithm.name in _DISABLED_SIGNATURES:
            return f"the certificate '{_name(cert)}' is signed with {algorithm.name.upper()}, which Java refuses"
        with contextlib.suppress(ValueError):
            key = parsed.public_key()
            if isinstance(key, rsa.RSAPublicKey) and key.key_size < 1024:
                return f"the certificate '{_name(cert)}' has a {key.key_size}-bit RSA key, which Java refuses"
        if index > 0:
            try:
                constraints = parsed.extensions.get_extension_for_class(x509.BasicConstraints)
                is_ca = constraints.value.ca
            except x509.ExtensionNotFound:
                is_ca = False
            if not is_ca:
                return f"'{_name(cert)}' signs another certificate but is not a CA certificate"
    return None


# --- host name -------------------------------------------------------------------------------


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _wildcard_matches(name: str, template: str) -> bool:
    """Java's ``HostnameChecker.isMatched`` for TLS: ``*`` in the left-most label only."""
    name, template = name.lower().rstrip("."), template.lower().rstrip(".")
    if template in ("*", "*.") or ("*" in template and "." not in template[template.rfind("*") :]):
        return False
    if "*" in template.partition(".")[2]:
        return False
    name_first, _, name_rest = name.partition(".")
    template_first, _, template_rest = template.partition(".")
    if name_rest != template_rest:
        return False
    if "*" not in template_first:
        return name_first == template_first
    import fnmatch

    pattern = template_first.replace("[", "[[]").replace("?", "[?]")
    return fnmatch.fnmatchcase(name_first, pattern)


def hostname_problem(host: str, leaf: Certificate) -> str | None:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    parsed = leaf.x509
    try:
        sans = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = sans.get_values_for_type(x509.DNSName)
        ips = [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        dns, ips = [], []
    named = ", ".join([*(f"DNS:{d}" for d in dns), *(f"IP:{i}" for i in ips)]) or "no names"
    if _is_ip(host):
        wanted = ipaddress.ip_address(host)
        if any(ipaddress.ip_address(ip) == wanted for ip in ips):
            return None
        return (
            f"the server certificate does not name the IP address {host} (it names {named}); "
            "connect by a name it carries, or reissue it with that IP address SAN"
        )
    if any(_wildcard_matches(host, d) for d in dns):
        return None
    if not dns:
        cns = parsed.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if cns:
            value = cns[-1].value
            cn = value if isinstance(value, str) else value.decode("utf-8", "replace")
            if _wildcard_matches(host, cn):
                return None
            named = f"only the common name {cn}"
    return (
        f"the server certificate does not name the host '{host}' (it names {named}); connect "
        "by a name it carries, or reissue it with a matching DNS SAN"
    )


# --- client identity ---------------------------------------------------------------------------


def _private_key_entry(keystore: Keystore, alias: str | None) -> PrivateKeyEntry:
    if alias is not None:
        entry = keystore[alias]
        if not isinstance(entry, PrivateKeyEntry):
            raise UsageError(f"entry '{entry.alias}' holds no private key to present")
        return entry
    for entry in keystore.sorted_entries():
        if isinstance(entry, PrivateKeyEntry):
            return entry
    raise UsageError("the keystore holds no private-key entry to present as a client certificate")


@contextlib.contextmanager
def client_identity(entry: PrivateKeyEntry) -> Iterator[ClientIdentity]:
    """The entry's key and chain as PEM files in a private temporary directory (0700, files
    0600), removed afterwards: the only way Python's ``ssl`` takes a client key."""
    import base64
    import shutil

    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    key_pem = entry.load_private_key().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    chain_pem = b"".join(
        b"-----BEGIN CERTIFICATE-----\n"
        + base64.encodebytes(c.der)
        + b"-----END CERTIFICATE-----\n"
        for c in entry.chain
    )
    directory = tempfile.mkdtemp(prefix="ks-client-")
    try:
        paths = []
        for name, data in (("chain.pem", chain_pem), ("key.pem", key_pem)):
            path = os.path.join(directory, name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            paths.append(Path(path))
        yield ClientIdentity(paths[0], paths[1])
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# --- the verdict --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreSpec:
    path: Path
    password: Password | None


def _load_truststore(spec: StoreSpec) -> tuple[Keystore | None, str | None]:
    """The truststore, or (None, reason) when Java would see nothing in it."""
    from keystore_tool.storage import load_store

    try:
        return load_store(spec.path, spec.password), None
    except PasswordError:
        if spec.password is not None:
            raise
        return None, (
            "the truststore is password-protected and no password was given: Java reads it "
            "without one and sees no trusted certificate; give --truststorepass"
        )


def verify(
    address: str,
    truststore: StoreSpec,
    *,
    keystore: StoreSpec | None = None,
    alias: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> VerifyReport:
    from keystore_tool.storage import load_store

    endpoint = parse_endpoint(address)
    trust, trust_problem = _load_truststore(truststore)
    identity_entry: PrivateKeyEntry | None = None
    if keystore is not None:
        identity_entry = _private_key_entry(load_store(keystore.path, keystore.password), alias)

    with contextlib.ExitStack() as stack:
        identity = stack.enter_context(client_identity(identity_entry)) if identity_entry else None
        result = handshake(endpoint, timeout=timeout, identity=identity, probe_request=True)

    report = VerifyReport(
        endpoint=endpoint,
        trusted=False,
        reason=None,
        chain=result.chain,
        anchor=None,
        client_certificate_sent=result.client_certificate_sent,
    )
    if trust_problem is not None or trust is None:
        report.reason = trust_problem
        return report
    found = build_path(result.chain, java_anchors(trust))
    report.anchor = found.anchor
    if found.reason is not None:
        report.reason = found.reason
        return report
    from keystore_tool.certfiles import quiet_legacy_warnings

    with quiet_legacy_warnings():
        host_problem = hostname_problem(endpoint.host, result.chain[0])
    if host_problem is not None:
        report.reason = host_problem
        return report
    if result.error is not None:
        report.reason = _client_side_reason(
            result.alert,
            result.error,
            identity_entry,
            closed=result.closed_after_handshake and result.certificate_requested,
        )
        return report
    report.trusted = True
    return report


def _client_side_reason(
    alert: str | None, error: str, entry: PrivateKeyEntry | None, *, closed: bool = False
) -> str:
    """Why the server ended the connection. ``closed``: it had asked for a certificate and
    hung up without an alert we could read (under TLS 1.3 the alert can lose a race)."""
    if alert is not None and alert.upper() in CLIENT_CERT_ALERTS:
        how = f"TLS alert '{alert.lower()}'"
    elif closed:
        how = "it closed the connection"
    else:
        return error
    if entry is None:
        return (
            f"the server requires a client certificate and none was given ({how}); give the "
            "keystore holding it with --keystore"
        )
    leaf = entry.leaf
    who = f"'{_name(leaf)}'" if leaf is not None else f"of entry '{entry.alias}'"
    return (
        f"the server rejected the client certificate {who} ({how}); the server does not "
        "trust its issuer"
    )


# --- the same question asked of a real JVM -------------------------------------------------

PROBE_SOURCE = r"""
import java.io.InputStream;
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;

public class KsProbe {
    static void set(String property, String variable) {
        String value = System.getenv(variable);
        if (value != null) System.setProperty(property, value);
    }
    public static void main(String[] args) throws Exception {
        set("javax.net.ssl.trustStore", "KS_PROBE_TRUSTSTORE");
        set("javax.net.ssl.trustStorePassword", "KS_PROBE_TRUSTSTORE_PASSWORD");
        set("javax.net.ssl.keyStore", "KS_PROBE_KEYSTORE");
        set("javax.net.ssl.keyStorePassword", "KS_PROBE_KEYSTORE_PASSWORD");
        set("javax.net.ssl.keyStoreType", "KS_PROBE_KEYSTORE_TYPE");
        try {
            HttpsURLConnection c = (HttpsURLConnection) new URL(args[0]).openConnection();
            c.setConnectTimeout(10000);
            c.setReadTimeout(10000);
            int status = c.getResponseCode();
            try (InputStream in = c.getInputStream()) { in.readAllBytes(); } catch (Exception e) { }
            System.out.println("ok: HTTP " + status);
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            System.out.println("failed: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                + (root != e ? " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")" : ""));
            System.exit(1);
        }
    }
}
"""


def java_verdict(
    java: str | os.PathLike[str],
    endpoint: Endpoint,
    truststore: StoreSpec,
    keystore: StoreSpec | None,
    keystore_type: str | None,
) -> JavaVerdict:
    """Runs a tiny HTTPS client on the JVM ``java`` with the same stores (source-file launch,
    JDK 11+). Passwords reach it through its environment, never its command line."""
    from keystore_tool.javahome import OPTION_VARIABLES, find_java

    binary = find_java(java, os.environ)
    env = {k: v for k, v in os.environ.items() if k not in OPTION_VARIABLES}
    env["KS_PROBE_TRUSTSTORE"] = str(Path(truststore.path).resolve())
    if truststore.password is not None:
        env["KS_PROBE_TRUSTSTORE_PASSWORD"] = truststore.password.reveal()
    if keystore is not None:
        env["KS_PROBE_KEYSTORE"] = str(Path(keystore.path).resolve())
        if keystore.password is not None:
            env["KS_PROBE_KEYSTORE_PASSWORD"] = keystore.password.reveal()
        if keystore_type:
            env["KS_PROBE_KEYSTORE_TYPE"] = keystore_type
    host = f"[{endpoint.host}]" if ":" in endpoint.host else endpoint.host
    with tempfile.TemporaryDirectory(prefix="ks-probe-") as directory:
        source = Path(directory) / "KsProbe.java"
        source.write_text(PROBE_SOURCE, encoding="utf-8")
        try:
            proc = subprocess.run(
                [str(binary), str(source), f"https://{host}:{endpoint.port}/"],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return JavaVerdict(str(binary), False, f"the JVM probe could not run ({exc})")
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("ok:", "failed:"))]
    message = lines[-1] if lines else (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return JavaVerdict(str(binary), proc.returncode == 0 and message.startswith("ok:"), message)
