"""``ks delete`` and ``ks rename``."""

from __future__ import annotations

from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo, emit_json, warn_all
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT


def delete(
    keystore: opt.Keystore,
    alias: opt.Alias,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    storetype: opt.ExpectedStoretype = None,
    lock_timeout: opt.LockTimeout = DEFAULT_LOCK_TIMEOUT,
    json: opt.Json = False,
) -> None:
    """Delete one entry."""
    from keystore_tool.ops.edit import delete_entry

    target = opt.store_target(
        keystore,
        storepass,
        storepass_env,
        storepass_file,
        storetype=storetype,
        lock_timeout=lock_timeout,
    )
    result = delete_entry(target, alias)
    if json:
        emit_json(result.as_json())
        return
    echo(f"Deleted '{result.alias}' from {keystore}")


def rename(
    keystore: opt.Keystore,
    alias: opt.Alias,
    to: Annotated[str, typer.Option("--to", help="The new alias.", callback=opt.checked_alias)],
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    storetype: opt.ExpectedStoretype = None,
    entry_pass: opt.EntryPass = None,
    entry_pass_env: opt.EntryPassEnv = None,
    entry_pass_file: opt.EntryPassFile = None,
    lock_timeout: opt.LockTimeout = DEFAULT_LOCK_TIMEOUT,
    json: opt.Json = False,
) -> None:
    """Rename one entry."""
    from keystore_tool.ops.edit import rename_entry

    target = opt.store_target(
        keystore,
        storepass,
        storepass_env,
        storepass_file,
        storetype=storetype,
        lock_timeout=lock_timeout,
        entry_pass=entry_pass,
        entry_pass_env=entry_pass_env,
        entry_pass_file=entry_pass_file,
    )
    result = rename_entry(target, alias, to)
    warn_all(result.warnings)
    if json:
        emit_json(result.as_json())
        return
    echo(
        f"Renamed '{result.alias}' to '{to}' in {keystore}"
        if result.changed
        else "Nothing to change"
    )
