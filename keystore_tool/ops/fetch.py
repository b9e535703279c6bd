"""``ks fetch`` and importing from a server: the chain a server presents, and the
certificate of it that a truststore should hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from keystore_tool.errors import KsError, UsageError
from keystore_tool.model import Certificate
from keystore_tool.net import DEFAULT_TIMEOUT, Endpoint, handshake, parse_endpoint


@dataclass(frozen=True)
class FetchReport:
    """The chain ``endpoint`` presented (leaf first, as sent) and the TLS version spoken."""

    endpoint: Endpoint
    chain: list[Certificate]
    protocol: str | None

    def as_json(self) -> dict[str, Any]:
        """The JSON document of ``ks fetch``."""
        from keystore_tool.x509util import describe_certificate

        return {
            "host": self.endpoint.host,
            "port": self.endpoint.port,
            "chain": [describe_certificate(c) for c in self.chain],
        }

    def pem(self) -> bytes:
        """The chain as concatenated PEM blocks, in the order presented."""
        from keystore_tool.x509util import certificates_pem

        return certificates_pem(self.chain).encode("ascii")


def fetch(
    address: str, *, servername: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> FetchReport:
    """The chain ``address`` (HOST:PORT) presents, leaf first as the server sent it."""
    endpoint = parse_endpoint(address)
    result = handshake(endpoint, servername=servername, timeout=timeout)
    if not result.chain:
        raise KsError(f"{endpoint} presented no certificate (an anonymous or PSK cipher suite?)")
    return FetchReport(endpoint, result.chain, result.protocol)


def root_most(chain: list[Certificate]) -> Certificate:
    """The certificate a truststore should hold for this chain: the last one of the chain
    ordered from the leaf (the root when the server sends it, else its top intermediate)."""
    from keystore_tool.x509util import order_chain

    ordered = order_chain(chain[0], chain[1:])
    return ordered.chain[-1]


def normalize_sha256(text: str) -> bytes:
    """The pin ``expect_sha256`` as :func:`keystore_tool.fingerprints.parse_sha256` reads it;
    anything else is a :class:`UsageError` about that parameter."""
    from keystore_tool.fingerprints import NOT_A_PIN, parse_sha256

    pin = parse_sha256(text)
    if pin is None:
        raise UsageError(f"'{text}' {NOT_A_PIN}", parameter="expect_sha256")
    return pin


def pinned(chain: list[Certificate], pin: str) -> Certificate | None:
    """The certificate of ``chain`` whose SHA-256 is ``pin`` (any spelling
    :func:`normalize_sha256` takes), or ``None``."""
    wanted = normalize_sha256(pin)
    return next((c for c in chain if c.sha256 == wanted), None)
