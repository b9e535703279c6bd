"""``ks fetch``: the certificate chain a TLS server presents (nothing is verified)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo_lines, emit_json

Servername = Annotated[
    str | None,
    typer.Option("--servername", metavar="NAME", help="The TLS server name (SNI); default HOST."),
]
Timeout = Annotated[
    float, typer.Option("--timeout", metavar="SECONDS", help="Connect and handshake timeout.")
]


def command(
    address: Annotated[str, typer.Argument(metavar="HOST:PORT", help="The TLS server.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the chain as PEM to this file.")
    ] = None,
    servername: Servername = None,
    timeout: Timeout = 10.0,
    json: opt.Json = False,
) -> None:
    """Show the certificate chain a TLS server presents.

    Leaf first; nothing is verified. HOST:PORT may also be HOST (port 443) or a URL,
    https://HOST[:PORT]/.
    """
    from keystore_tool.ops.fetch import fetch

    report = fetch(address, servername=servername, timeout=timeout)
    if out is not None:
        from keystore_tool.storage import write_new_file

        write_new_file(out, report.pem(), holds_private_key=False)
    if json:
        emit_json(report.as_json())
        return
    from keystore_tool.cli.render import certificate_lines

    count = len(report.chain)
    lines = [
        f"{report.endpoint} presented {count} certificate{'s' if count != 1 else ''}"
        + (f" ({report.protocol})" if report.protocol else "")
    ]
    for index, cert in enumerate(report.chain):
        lines.append("")
        lines.append(f"Certificate[{index + 1}]:")
        lines.extend(certificate_lines(cert, indent="  "))
    if out is not None:
        lines.extend(["", f"Wrote the chain to {out}"])
    echo_lines(lines)
