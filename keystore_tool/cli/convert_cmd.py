"""``ks convert``: copy every entry into a new store of another type."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo, emit_json, note, warn, warn_all
from keystore_tool.cli.passwords import resolve
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT

if TYPE_CHECKING:
    from keystore_tool.password import Password


def command(
    keystore: opt.Keystore,
    out: Annotated[Path, typer.Option("--out", "-o", help="The new store.")],
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="pkcs12, jks, jceks or pem (default: from --out's extension, else pkcs12)."
        ),
    ] = None,
    srcstorepass: Annotated[
        str | None, typer.Option("--srcstorepass", help="The source store's password.")
    ] = None,
    srcstorepass_env: Annotated[
        str | None,
        typer.Option(
            "--srcstorepass-env", metavar="VAR", help="Read the source password from $VAR."
        ),
    ] = None,
    srcstorepass_file: Annotated[
        Path | None,
        typer.Option(
            "--srcstorepass-file", metavar="PATH", help="Read the source password from PATH."
        ),
    ] = None,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    entry_pass: opt.EntryPass = None,
    entry_pass_env: opt.EntryPassEnv = None,
    entry_pass_file: opt.EntryPassFile = None,
    entry_pass_for: Annotated[
        list[str] | None,
        typer.Option(
            "--entry-pass-for",
            metavar="ALIAS=VAR",
            help="The key password of entry ALIAS, read from $VAR (repeatable), for keys that "
            "neither the source password nor --entry-pass* opens.",
        ),
    ] = None,
    skip_unsupported: Annotated[
        bool,
        typer.Option("--skip-unsupported", help="Leave out entries the target type cannot hold."),
    ] = False,
    legacy: Annotated[
        bool, typer.Option("--legacy", help="The same as --target jdk8 (Java 8 before 8u301).")
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite --out when it exists.")
    ] = False,
    lock_timeout: opt.LockTimeout = DEFAULT_LOCK_TIMEOUT,
    runtime_targets: opt.Target = None,
    json: opt.Json = False,
) -> None:
    """Copy every entry into a new store of another type.

    keytool's -importkeystore. Without --storepass*, the new store gets the source's password.
    Keys are opened as keytool opens them: with the source password first, then with
    --entry-pass*, then each --entry-pass-for ALIAS=VAR for its own alias.
    """
    from keystore_tool.formats import format_for_new_file
    from keystore_tool.ops.convert import convert_store, unlock_keys
    from keystore_tool.ops.inspect import open_store

    targets = opt.runtime_targets(runtime_targets, legacy=legacy)
    source_password = resolve(
        "--srcstorepass",
        srcstorepass,
        srcstorepass_env,
        srcstorepass_file,
        prompt="Source keystore password",
    )
    entry_password = opt.entry_password(entry_pass, entry_pass_env, entry_pass_file)
    per_alias = _per_alias_passwords(entry_pass_for or [])
    view = open_store(keystore, source_password)
    unlock_keys(
        str(keystore),
        view.keystore,
        source_password,
        [entry_password] if entry_password is not None else [],
        per_alias,
    )
    warn_all(view.keystore.warnings)
    target = format_for_new_file(str(out), to)
    # keytool -importkeystore keeps the source password for the target unless told otherwise.
    password = resolve("--storepass", storepass, storepass_env, storepass_file)
    if password is None and source_password is not None:
        # Said, not silent: the new file's password is a choice the user may not know was made.
        note("ks: note: the new store takes the source's password (give --storepass* for another)")
        password = source_password
    result = convert_store(
        view.keystore,
        str(keystore),
        out,
        target,
        password,
        skip_unsupported=skip_unsupported,
        replace=replace,
        targets=targets,
        lock_timeout=lock_timeout,
    )
    for alias in result.skipped:
        warn(f"left out '{alias}': {target.name} cannot hold it")
    if json:
        emit_json(result.as_json())
        return
    count = len(result.copied)
    echo(
        f"Copied {count} {'entry' if count == 1 else 'entries'} from {keystore} to {out} ({result.storetype})"
    )


def _per_alias_passwords(given: list[str]) -> dict[str, Password]:
    """``ALIAS=VAR`` pairs: each alias's key password, from the environment (never argv)."""
    import os

    from keystore_tool.errors import UsageError
    from keystore_tool.password import Password

    passwords: dict[str, Password] = {}
    for item in given:
        alias, sep, var = item.partition("=")
        if not sep or not alias or not var:
            raise UsageError(f"--entry-pass-for takes ALIAS=VAR (got '{item[:60]}')")
        value = os.environ.get(var)
        if value is None:
            raise UsageError(f"--entry-pass-for {alias}: environment variable {var} is not set")
        passwords[alias] = Password(value)
    return passwords
