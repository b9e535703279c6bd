"""``ks export``: an entry's certificate (PEM or DER), its chain, and on request its key."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.ops.inspect import find_entry


def command(
    keystore: opt.Keystore,
    alias: opt.Alias,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write here instead of stdout."),
    ] = None,
    der: Annotated[
        bool, typer.Option("--der", help="DER instead of PEM (one certificate).")
    ] = False,
    chain: Annotated[bool, typer.Option("--chain", help="The whole chain, leaf first.")] = False,
    key: Annotated[
        bool,
        typer.Option("--key", help="Also write the private key (unencrypted PKCS#8 PEM) to --out."),
    ] = False,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    storetype: opt.ExpectedStoretype = None,
    entry_pass: opt.EntryPass = None,
    entry_pass_env: opt.EntryPassEnv = None,
    entry_pass_file: opt.EntryPassFile = None,
) -> None:
    """Export an entry's certificate, chain or private key."""
    from keystore_tool.errors import UsageError
    from keystore_tool.ops.export import export_entry
    from keystore_tool.storage import write_new_file

    if key and out is None:
        raise UsageError("--key writes a private key and needs --out FILE (never a terminal)")
    if key and der:
        raise UsageError("--key writes PEM; drop --der")
    if key and out is not None and _is_terminal(out):
        raise UsageError(f"--out {out} is a terminal; write the private key to a file")
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
    exported = export_entry(find_entry(view, alias), chain=chain, der=der, key=key)
    if out is None:
        sys.stdout.buffer.write(exported.data)
        sys.stdout.flush()
        return
    if exported.key_pem is not None:
        write_new_file(out, exported.key_pem + exported.data, holds_private_key=True)
    else:
        write_new_file(out, exported.data, holds_private_key=False)


def _is_terminal(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)
