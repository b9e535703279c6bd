"""``ks import`` options that reach beyond a file: ``--from-server`` with its pinning, and
``--with-default-cas``. Kept apart so that ``import_cmd`` only wires them in."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keystore_tool.cli.output import note, printable
from keystore_tool.errors import KsError, UnpinnedError

if TYPE_CHECKING:
    from keystore_tool.model import Certificate

FromServer = Annotated[
    str | None,
    typer.Option(
        "--from-server",
        metavar="HOST:PORT",
        help="Import the root-most certificate this TLS server presents.",
    ),
]
ExpectSha256 = Annotated[
    str | None,
    typer.Option(
        "--expect-sha256",
        metavar="FP",
        help="With --from-server: the SHA-256 the certificate must have (colons optional).",
    ),
]
TrustOnFirstUse = Annotated[
    bool,
    typer.Option(
        "--trust-on-first-use",
        help="With --from-server and no --expect-sha256: import whatever the server presents.",
    ),
]
WithDefaultCas = Annotated[
    bool,
    typer.Option(
        "--with-default-cas",
        help="Create the store holding the JVM's default CAs first (see 'ks where').",
    ),
]
JavaForCas = Annotated[
    Path | None,
    typer.Option("--java", metavar="PATH", help="With --with-default-cas: the JVM whose CAs."),
]


def _pinned(
    endpoint: object, chain: list[Certificate], root_most: Certificate, pin: str
) -> Certificate:
    """The presented certificate with SHA-256 ``pin`` (the root-most one, or any other the user
    pinned); none is a refusal that says why, above all when the pin is of a CA the server
    does not send (servers rarely send their root)."""
    from keystore_tool.errors import PinMismatchError
    from keystore_tool.ops.fetch import normalize_sha256, pinned
    from keystore_tool.x509util import describe_certificate, is_self_signed

    found = pinned(chain, pin)
    if found is not None:
        return found
    info = describe_certificate(root_most)
    wanted_hex = normalize_sha256(pin).hex(":").upper()
    if not is_self_signed(root_most):
        raise PinMismatchError(
            f"{endpoint} presents no certificate with SHA-256 {wanted_hex}; nothing was imported. "
            f"Its root-most certificate ({info['subject']}) is issued by {info['issuer']}, which "
            "the server does not send: if the pin is that CA's, import the CA's certificate from "
            "a file with --file"
        )
    raise PinMismatchError(
        f"{endpoint} presents no certificate with SHA-256 {wanted_hex} (its root-most is "
        f"{info['subject']}, SHA-256 {root_most.sha256_hex}); nothing was imported: check the "
        "pin, and that this address reaches the server you mean"
    )


def certificate_from_server(
    address: str, expect_sha256: str | None, trust_on_first_use: bool
) -> list[Certificate]:
    """The root-most certificate ``address`` presents, once pinned, confirmed or trusted."""
    from keystore_tool.ops.fetch import fetch, root_most

    report = fetch(address)
    certificate = root_most(report.chain)
    if expect_sha256 is not None:
        return [_pinned(report.endpoint, report.chain, certificate, expect_sha256)]
    from keystore_tool.x509util import describe_certificate

    info = describe_certificate(certificate)
    # The names are the server's to choose: escaped, none can forge or overwrite a line.
    summary = (
        f"{printable(report.endpoint)} presents (root-most of {len(report.chain)}): "
        f"{printable(info['subject'])}\n"
        f"  issuer {printable(info['issuer'])}, valid until {info['not_after']}\n"
        f"  SHA-256 {certificate.sha256_hex}"
    )
    if trust_on_first_use:
        note(summary)
        return [certificate]
    if sys.stdin.isatty() and sys.stderr.isatty():
        note(summary)
        if typer.confirm("Trust this certificate?", default=False, err=True):
            return [certificate]
        raise KsError("not imported: the certificate was not confirmed")
    raise UnpinnedError(
        f"{report.endpoint} presents a certificate with SHA-256 {certificate.sha256_hex} "
        f"({info['subject']}); check it and rerun with --expect-sha256 {certificate.sha256_hex}, "
        "or with --trust-on-first-use"
    )
