"""Option declarations shared by the commands, so every command spells them the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from keystore_tool.cli.passwords import resolve
from keystore_tool.password import Password

# Typer reads these annotations at run time, so Optional[...] stays (PEP 604 works too on
# 3.11, but one spelling keeps the declarations uniform).
Keystore = Annotated[Path, typer.Option("--keystore", "-k", help="The keystore file.")]
Storetype = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--storetype",
        help="pkcs12, jks, jceks or pem; for a new file (an existing one is detected).",
    ),
]
Alias = Annotated[str, typer.Option("--alias", "-a", help="The entry's alias.")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")]

Storepass = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--storepass", help="The store password (visible to other users: prefer -env/-file)."
    ),
]
StorepassEnv = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--storepass-env", metavar="VAR", help="Read the store password from $VAR."),
]
StorepassFile = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--storepass-file", metavar="PATH", help="Read the store password from PATH's first line."
    ),
]
EntryPass = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--entry-pass",
        help="Password of a JKS/JCEKS key entry that has its own (keytool -keypass).",
    ),
]
EntryPassEnv = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--entry-pass-env", metavar="VAR", help="Read the entry password from $VAR."),
]
EntryPassFile = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--entry-pass-file", metavar="PATH", help="Read the entry password from PATH."),
]


def store_password(
    value: str | None, env: str | None, file: Path | None, *, prompt: bool = True
) -> Password | None:
    return resolve("--storepass", value, env, file, prompt="Keystore password" if prompt else None)


def entry_password(value: str | None, env: str | None, file: Path | None) -> Password | None:
    return resolve("--entry-pass", value, env, file)
