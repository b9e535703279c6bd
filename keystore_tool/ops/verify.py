"""``ks verify``: would a JVM with this truststore (and keystore) complete the handshake?

The use case: load the stores, handshake with the server (presenting the keystore's key when
there is one), and judge what it presented by Java's rules (:mod:`keystore_tool.javatrust`):
the path to an anchor first, then the host name, then the server's reaction to the client
certificate. :func:`java_verdict` asks a real JVM the same question
(:mod:`keystore_tool.javaprobe`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keystore_tool.errors import PasswordError, Remedy, UsageError
from keystore_tool.javaprobe import JavaVerdict, ProbeStores, ask_jvm
from keystore_tool.javatrust import (
    Refusal,
    build_path,
    display_name,
    hostname_problem,
    java_anchors,
)
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry
from keystore_tool.net import (
    CLIENT_CERT_ALERTS,
    DEFAULT_TIMEOUT,
    Endpoint,
    HandshakeResult,
    client_identity,
    handshake,
    parse_endpoint,
)
from keystore_tool.password import Password

# Importable from here as before: doctor and scripts named them through ops.verify.
__all__ = [
    "JavaVerdict",
    "StoreSpec",
    "VerifyReport",
    "java_anchors",
    "java_verdict",
    "verify",
]


@dataclass
class VerifyReport:
    """The verdict on one server: ``refusal`` says why a JVM would fail (``None`` when
    ``trusted``); ``anchor`` is the truststore's certificate the path ended at."""

    endpoint: Endpoint
    trusted: bool
    refusal: Refusal | None
    chain: list[Certificate]
    anchor: Certificate | None
    client_certificate_sent: bool
    java: JavaVerdict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str | None:
        """The refusal in the library's words."""
        return None if self.refusal is None else self.refusal.text()

    def as_json(self, advice: Callable[[Remedy], str] | None = None) -> dict[str, Any]:
        """The JSON document of ``ks verify``; ``advice`` words a refusal's remedy (the CLI
        passes its own words, a Python caller gets the library's)."""
        from keystore_tool.x509util import describe_certificate

        document: dict[str, Any] = {
            "host": self.endpoint.host,
            "port": self.endpoint.port,
            "trusted": self.trusted,
            "reason": None if self.refusal is None else self.refusal.text(advice),
            "chain": [describe_certificate(c) for c in self.chain],
            "anchor": describe_certificate(self.anchor) if self.anchor else None,
            "client_certificate_sent": self.client_certificate_sent,
        }
        if self.java is not None:
            document["java"] = self.java.as_json()
        return document


@dataclass(frozen=True)
class StoreSpec:
    """A store file and its password (``None``: read without one, as the JVM does)."""

    path: Path
    password: Password | None


def _private_key_entry(keystore: Keystore, alias: str | None) -> PrivateKeyEntry:
    if alias is not None:
        entry = keystore[alias]
        if not isinstance(entry, PrivateKeyEntry):
            raise UsageError(
                f"entry '{entry.alias}' holds no private key to present", alias=entry.alias
            )
        return entry
    for entry in keystore.sorted_entries():
        if isinstance(entry, PrivateKeyEntry):
            return entry
    raise UsageError("the keystore holds no private-key entry to present as a client certificate")


def _load_truststore(spec: StoreSpec) -> tuple[Keystore | None, Refusal | None]:
    """The truststore, or (None, why) when Java would see nothing in it."""
    from keystore_tool.storage import load_store

    try:
        return load_store(spec.path, spec.password), None
    except PasswordError:
        if spec.password is not None:
            raise
        return None, Refusal(
            "the truststore is password-protected and no password was given: Java reads it "
            "without one and sees no trusted certificate",
            Remedy.TRUSTSTORE_PASSWORD,
        )


def _handshake(
    endpoint: Endpoint, entry: PrivateKeyEntry | None, timeout: float
) -> HandshakeResult:
    with contextlib.ExitStack() as stack:
        identity = stack.enter_context(client_identity(entry)) if entry is not None else None
        return handshake(endpoint, timeout=timeout, identity=identity, probe_request=True)


def verify(
    address: str,
    truststore: StoreSpec,
    *,
    keystore: StoreSpec | None = None,
    alias: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> VerifyReport:
    """Whether a JVM with ``truststore`` (and the key of ``keystore``'s entry ``alias``, or
    its first key entry) would complete the handshake with ``address`` (HOST:PORT)."""
    from keystore_tool.storage import load_store

    endpoint = parse_endpoint(address)
    trust, refusal = _load_truststore(truststore)
    entry: PrivateKeyEntry | None = None
    if keystore is not None:
        entry = _private_key_entry(load_store(keystore.path, keystore.password), alias)
    result = _handshake(endpoint, entry, timeout)
    report = VerifyReport(
        endpoint=endpoint,
        trusted=False,
        refusal=refusal,
        chain=result.chain,
        anchor=None,
        client_certificate_sent=result.client_certificate_sent,
    )
    if trust is not None:
        _judge(report, trust, result, entry)
    return report


def _judge(
    report: VerifyReport, trust: Keystore, result: HandshakeResult, entry: PrivateKeyEntry | None
) -> None:
    """Java's order: the path, the host name, then what the server made of the client."""
    found = build_path(result.chain, java_anchors(trust))
    report.anchor = found.anchor
    report.refusal = (
        found.refusal
        or hostname_problem(report.endpoint.host, result.chain[0])
        or _client_side_refusal(result, entry)
    )
    report.trusted = report.refusal is None


def _client_side_refusal(result: HandshakeResult, entry: PrivateKeyEntry | None) -> Refusal | None:
    """Why the server ended the connection, if it did. A server that had asked for a
    certificate and hung up without an alert we could read refused it too (under TLS 1.3 the
    alert can lose a race)."""
    if result.error is None:
        return None
    closed = result.closed_after_handshake and result.certificate_requested
    alert = result.alert
    if alert is not None and alert.upper() in CLIENT_CERT_ALERTS:
        how = f"TLS alert '{alert.lower()}'"
    elif closed:
        how = "it closed the connection"
    else:
        return Refusal(result.error)
    if entry is None:
        return Refusal(
            f"the server requires a client certificate and none was given ({how})",
            Remedy.GIVE_KEYSTORE,
        )
    leaf = entry.leaf
    who = f"'{display_name(leaf)}'" if leaf is not None else f"of entry '{entry.alias}'"
    return Refusal(
        f"the server rejected the client certificate {who} ({how}); the server does not "
        "trust its issuer"
    )


def java_verdict(
    java: str | os.PathLike[str],
    endpoint: Endpoint,
    truststore: StoreSpec,
    keystore: StoreSpec | None,
    keystore_type: str | None,
) -> JavaVerdict:
    """Asks the JVM ``java`` the same question with the same stores (a tiny HTTPS probe)."""
    stores = ProbeStores(
        truststore=Path(truststore.path),
        truststore_password=truststore.password,
        keystore=Path(keystore.path) if keystore is not None else None,
        keystore_password=keystore.password if keystore is not None else None,
        keystore_type=keystore_type,
    )
    return ask_jvm(java, endpoint, stores)
