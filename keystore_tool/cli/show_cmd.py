"""``ks show``: one entry with its whole chain."""

from __future__ import annotations

from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo_lines, emit_json, write_raw
from keystore_tool.cli.render import detail_lines
from keystore_tool.ops.inspect import show_entry


def command(
    keystore: opt.Keystore,
    alias: opt.Alias,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    storetype: opt.ExpectedStoretype = None,
    entry_pass: opt.EntryPass = None,
    entry_pass_env: opt.EntryPassEnv = None,
    entry_pass_file: opt.EntryPassFile = None,
    json: opt.Json = False,
    pem: Annotated[bool, typer.Option("--pem", help="Print the certificate(s) as PEM.")] = False,
) -> None:
    """Show one entry with its whole certificate chain."""
    view = opt.read_store(
        keystore,
        storepass,
        storepass_env,
        storepass_file,
        storetype=storetype,
        entry_pass=entry_pass,
        entry_pass_env=entry_pass_env,
        entry_pass_file=entry_pass_file,
    )
    shown = show_entry(view, alias)
    entry = shown.entry
    if json:
        emit_json(shown.as_json())
        return
    if pem:
        from keystore_tool.x509util import certificates_pem

        write_raw(certificates_pem(entry.certificates()))
        return
    echo_lines(detail_lines(entry))
