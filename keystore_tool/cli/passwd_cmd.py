"""``ks passwd``: a store under a new password, or explicitly under none."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo, emit_json, warn_all
from keystore_tool.cli.passwords import resolve
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT


def command(
    keystore: opt.Keystore,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    new_storepass: Annotated[
        str | None, typer.Option("--new-storepass", help="The new store password.")
    ] = None,
    new_storepass_env: Annotated[
        str | None,
        typer.Option("--new-storepass-env", metavar="VAR", help="Read the new password from $VAR."),
    ] = None,
    new_storepass_file: Annotated[
        Path | None,
        typer.Option(
            "--new-storepass-file", metavar="PATH", help="Read the new password from PATH."
        ),
    ] = None,
    no_new_storepass: Annotated[
        bool,
        typer.Option(
            "--no-new-storepass",
            help="Make the store password-less (PKCS12 truststores, PEM stores).",
        ),
    ] = False,
    entry_pass: opt.EntryPass = None,
    entry_pass_env: opt.EntryPassEnv = None,
    entry_pass_file: opt.EntryPassFile = None,
    new_entry_pass: Annotated[
        str | None,
        typer.Option("--new-entry-pass", help="New JKS/JCEKS key password (default: the store's)."),
    ] = None,
    new_entry_pass_env: Annotated[
        str | None,
        typer.Option(
            "--new-entry-pass-env", metavar="VAR", help="Read the new key password from $VAR."
        ),
    ] = None,
    new_entry_pass_file: Annotated[
        Path | None,
        typer.Option(
            "--new-entry-pass-file", metavar="PATH", help="Read the new key password from PATH."
        ),
    ] = None,
    lock_timeout: opt.LockTimeout = DEFAULT_LOCK_TIMEOUT,
    runtime_targets: opt.Target = None,
    json: opt.Json = False,
) -> None:
    """Change a store's password, or remove it.

    JKS/JCEKS key entries under the store password follow it (--new-entry-pass to differ).
    """
    from keystore_tool.errors import UsageError
    from keystore_tool.ops.passwd import change_password
    from keystore_tool.ops.update import StoreTarget

    targets = opt.runtime_targets(runtime_targets)
    new = resolve(
        "--new-storepass",
        new_storepass,
        new_storepass_env,
        new_storepass_file,
        prompt="New keystore password",
    )
    if no_new_storepass and new is not None:
        raise UsageError("--no-new-storepass and --new-storepass conflict; give one")
    if new is None and not no_new_storepass:
        raise UsageError(
            "give the new password with --new-storepass, --new-storepass-env or "
            "--new-storepass-file, or --no-new-storepass to remove it"
        )
    store = StoreTarget(
        str(keystore),
        opt.store_password(storepass, storepass_env, storepass_file),
        entry_password=opt.entry_password(entry_pass, entry_pass_env, entry_pass_file),
        lock_timeout=lock_timeout,
        targets=tuple(targets),
    )
    result = change_password(
        store,
        new,
        new_entry=resolve(
            "--new-entry-pass", new_entry_pass, new_entry_pass_env, new_entry_pass_file
        ),
    )
    warn_all(result.warnings)
    if json:
        emit_json(result.as_json())
        return
    if not result.changed:
        echo(f"{keystore}: already under that password; nothing changed")
        return
    state = "no password" if new is None else "the new password"
    echo(f"{keystore}: now under {state}")
