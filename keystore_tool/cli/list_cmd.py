"""``ks list``: every entry of a store, sorted by alias as keytool lists them."""

from __future__ import annotations

from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import aligned, echo, echo_lines, emit_json, on_terminal
from keystore_tool.cli.render import TABLE_HEADER, detail_lines, summary_lines, table_row


def command(
    keystore: opt.Keystore,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    storetype: opt.ExpectedStoretype = None,
    entry_pass: opt.EntryPass = None,
    entry_pass_env: opt.EntryPassEnv = None,
    entry_pass_file: opt.EntryPassFile = None,
    json: opt.Json = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every certificate.")
    ] = False,
) -> None:
    """List every entry of a keystore, sorted by alias."""
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
    if json:
        emit_json(view.as_json())
        return
    entries = view.keystore.sorted_entries()
    count = len(entries)
    if not verbose and on_terminal():
        # A person reading: one aligned row per entry. A pipe or a log gets keytool's layout.
        echo(f"{view.storetype.upper()} keystore, {count} {'entry' if count == 1 else 'entries'}")
        echo_lines(aligned([table_row(e) for e in entries], header=TABLE_HEADER))
        return
    lines = [
        f"Keystore type: {view.storetype.upper()}",
        "",
        f"Your keystore contains {count} {'entry' if count == 1 else 'entries'}",
    ]
    for entry in entries:
        lines.append("")
        lines.extend(detail_lines(entry) if verbose else summary_lines(entry))
    echo_lines(lines)
