"""Option declarations shared by the commands, so every command spells them the same way."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keystore_tool.cli.passwords import resolve
from keystore_tool.password import Password

if TYPE_CHECKING:
    from keystore_tool.compat import Target as CompatTarget
    from keystore_tool.ops.inspect import StoreView
    from keystore_tool.ops.update import StoreTarget

Keystore = Annotated[Path, typer.Option("--keystore", "-k", help="The keystore file.")]
Storetype = Annotated[
    str | None,
    typer.Option(
        "--storetype",
        help="A new store's type: pkcs12, jks, jceks or pem (an existing one is detected).",
    ),
]
# For a command that only reads or edits an existing store: the type is detected, so the option
# is a check (an error when the file is another type), never a choice.
ExpectedStoretype = Annotated[
    str | None,
    typer.Option(
        "--storetype",
        help="Fail unless the store is this type (pkcs12, jks, jceks, pem, or the read-only "
        "bks, uber, bcfks); detected anyway.",
    ),
]


def checked_alias(value: str | None) -> str | None:
    """An alias given on the command line: control characters are refused (exit 2), as no
    person means one and a terminal would obey it."""
    from keystore_tool.aliases import has_control_characters

    if value is not None and has_control_characters(value):
        from keystore_tool.cli.output import printable

        raise typer.BadParameter(
            f"the alias '{printable(value)}' holds a control character; give a printable alias"
        )
    return value


Alias = Annotated[
    str, typer.Option("--alias", "-a", help="The entry's alias.", callback=checked_alias)
]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]

Storepass = Annotated[
    str | None,
    typer.Option(
        "--storepass", help="The store password (visible to other users: prefer -env/-file)."
    ),
]
StorepassEnv = Annotated[
    str | None,
    typer.Option("--storepass-env", metavar="VAR", help="Read the store password from $VAR."),
]
StorepassFile = Annotated[
    Path | None,
    typer.Option(
        "--storepass-file", metavar="PATH", help="Read the store password from PATH's first line."
    ),
]
EntryPass = Annotated[
    str | None,
    typer.Option(
        "--entry-pass",
        help="Password of a JKS/JCEKS key entry that has its own (keytool -keypass).",
    ),
]
EntryPassEnv = Annotated[
    str | None,
    typer.Option("--entry-pass-env", metavar="VAR", help="Read the entry password from $VAR."),
]
EntryPassFile = Annotated[
    Path | None,
    typer.Option("--entry-pass-file", metavar="PATH", help="Read the entry password from PATH."),
]


def store_password(
    value: str | None, env: str | None, file: Path | None, *, prompt: bool = True
) -> Password | None:
    """The store password from ``--storepass``, its -env or -file variant, or a prompt."""
    return resolve("--storepass", value, env, file, prompt="Keystore password" if prompt else None)


def entry_password(value: str | None, env: str | None, file: Path | None) -> Password | None:
    """The entry password from ``--entry-pass`` or its -env or -file variant."""
    return resolve("--entry-pass", value, env, file)


LockTimeout = Annotated[
    float,
    typer.Option(
        "--lock-timeout",
        metavar="SECONDS",
        help="How long to wait for another ks writing the store.",
    ),
]
Replace = Annotated[
    bool, typer.Option("--replace", help="Overwrite an alias that holds something else.")
]
KeyPass = Annotated[
    str | None,
    typer.Option("--key-pass", help="Password of an encrypted --key file."),
]
KeyPassEnv = Annotated[
    str | None,
    typer.Option("--key-pass-env", metavar="VAR", help="Read the key file's password from $VAR."),
]
KeyPassFile = Annotated[
    Path | None,
    typer.Option("--key-pass-file", metavar="PATH", help="Read the key file's password from PATH."),
]


def write_store_password(
    value: str | None, env: str | None, file: Path | None, *, new: bool = False
) -> Password | None:
    """The password of a store a command will write; a terminal user is asked for it (twice,
    and at least 6 characters, for a ``new`` store)."""
    return resolve("--storepass", value, env, file, prompt="Keystore password", new=new)


def read_store(
    keystore: Path,
    storepass: str | None,
    storepass_env: str | None,
    storepass_file: Path | None,
    *,
    storetype: str | None = None,
    entry_pass: str | None = None,
    entry_pass_env: str | None = None,
    entry_pass_file: Path | None = None,
) -> StoreView:
    """Opens a store from the shared options and passes its warnings on to stderr."""
    from keystore_tool.cli.output import start_progress, warn_all
    from keystore_tool.ops.inspect import open_store

    password = store_password(storepass, storepass_env, storepass_file)
    entry = entry_password(entry_pass, entry_pass_env, entry_pass_file)
    start_progress(f"reading {keystore}")
    view = open_store(keystore, password, storetype=storetype, entry_password=entry)
    warn_all(view.keystore.warnings)
    return view


def store_target(
    keystore: Path,
    storepass: str | None,
    storepass_env: str | None,
    storepass_file: Path | None,
    *,
    storetype: str | None,
    lock_timeout: float,
    entry_pass: str | None = None,
    entry_pass_env: str | None = None,
    entry_pass_file: Path | None = None,
    targets: tuple[CompatTarget, ...] = (),
) -> StoreTarget:
    """The store a command will change, from the shared options (``targets``: ``--target``)."""
    from keystore_tool.cli.output import start_progress
    from keystore_tool.ops.update import StoreTarget

    target = StoreTarget(
        str(keystore),
        write_store_password(storepass, storepass_env, storepass_file, new=not keystore.exists()),
        storetype=storetype,
        entry_password=entry_password(entry_pass, entry_pass_env, entry_pass_file),
        lock_timeout=lock_timeout,
        targets=targets,
    )
    start_progress(f"updating {keystore}")
    return target


Target = Annotated[
    list[str] | None,
    typer.Option(
        "--target",
        metavar="T[,T…]",
        help=(
            "The runtimes that must load the file: jdkN, jdkN.0.U, jdk8uU, opensslX.Y "
            "(e.g. jdk11.0.9,openssl3.0); repeatable."
        ),
    ),
]


def runtime_targets(values: list[str] | None, *, legacy: bool = False) -> tuple[CompatTarget, ...]:
    """The parsed ``--target`` lists; ``--legacy`` is ``--target jdk8``."""
    from keystore_tool.compat import parse_targets

    given = list(values or [])
    if legacy:
        given.append("jdk8")
    return parse_targets(given) if given else ()
