"""The ``ks`` entry point: the one place that turns errors into exit codes (CLI.md)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import Annotated

from keystore_tool import __version__
from keystore_tool.cli.output import error_line
from keystore_tool.errors import KsError, UsageError

# Commands by name → "module:function" under keystore_tool.cli.
COMMANDS: dict[str, str] = {
    "list": "list_cmd:command",
    "show": "show_cmd:command",
    "import": "import_cmd:command",
    "bundle-p12": "bundle_cmd:command",
    "export": "export_cmd:command",
    "delete": "edit_cmds:delete",
    "rename": "edit_cmds:rename",
    "convert": "convert_cmd:command",
    # Network and JVM awareness (issue 4).
    "fetch": "fetch_cmd:command",
    "verify": "verify_cmd:command",
    "where": "where_cmd:command",
    "doctor": "doctor_cmd:command",
    # Provisioning beyond keytool (issue 5).
    "apply": "apply_cmd:command",
    "check": "check_cmd:command",
    "genkeypair": "keygen_cmds:genkeypair",
    "certreq": "keygen_cmds:certreq",
    "gencert": "keygen_cmds:gencert",
    "passwd": "passwd_cmd:command",
    # The whole host's Java trust (issue 15).
    "sync-os-trust": "ostrust_cmd:command",
    # Help for people (issue 16).
    "completion": "completion_cmd:command",
}


def build_app(only: str | None = None, *, teach: bool = True) -> object:
    """The Typer app; with ``only``, just that command (and a group callback, so Typer still
    expects the command's name): importing every command module costs every command. Without
    ``teach`` the help has no examples: a run that shows no help skips building them."""
    import importlib

    import typer

    epilog: Callable[[str], str | None] = lambda name: None  # noqa: E731
    main_epilog = None
    if teach:
        from keystore_tool.cli import helptext

        epilog, main_epilog = helptext.epilog, helptext.main_epilog()

    # Rich tracebacks and locals are off: locals hold passwords (DESIGN.md, fact 8).
    app = typer.Typer(
        name="ks",
        help="Keystores and truststores for JVM services: JKS, JCEKS, PKCS12 and PEM.",
        epilog=main_epilog,
        # Completion is `ks completion SHELL`: a static script, no Python start per <TAB>.
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_group)
    for name, target in COMMANDS.items():
        if only is not None and name != only:
            continue
        module, function = target.split(":")
        app.command(name, epilog=epilog(name))(
            getattr(importlib.import_module(f"keystore_tool.cli.{module}"), function)
        )
    return app


def _group(
    version: Annotated[bool, _global_option("--version", "Print the version and exit.")] = False,
    debug: Annotated[
        bool, _global_option("--debug", "Show a traceback instead of the one-line error.")
    ] = False,
    no_color: Annotated[
        bool, _global_option("--no-color", "No colour, even on a terminal (as NO_COLOR does).")
    ] = False,
) -> None:
    """Keystores and truststores for JVM services: JKS, JCEKS, PKCS12 and PEM."""
    # main() takes --debug and --no-color out of the line wherever they stand; they are
    # declared here so that `ks --help` lists them. --version reaches here only with company.
    if version:
        sys.stdout.write(f"ks {__version__}\n")
        raise SystemExit(0)


def _global_option(name: str, help: str) -> object:
    import typer

    return typer.Option(name, help=help)


def _usage_message(exc: BaseException) -> str | None:
    """The one-line message of a command-line parsing error (Click's, whichever copy Typer
    uses: Typer ≥ 0.26 vendors Click, so its classes are not ``click``'s)."""
    format_message = getattr(exc, "format_message", None)
    if callable(format_message) and hasattr(exc, "exit_code"):
        return _once_each(str(format_message()).replace("\n", " "))
    return None


def _kdf_budget(args: list[str]) -> list[str]:
    """Takes the global ``--max-kdf-work N`` (or ``KS_MAX_KDF_WORK``) out of ``args`` and makes
    it the key-derivation budget of every store and key file this run reads."""
    import os

    from keystore_tool.formats._limits import set_default_kdf_work

    value = os.environ.get("KS_MAX_KDF_WORK")
    source = "KS_MAX_KDF_WORK"
    rest: list[str] = []
    items = iter(args)
    for arg in items:
        if arg == "--max-kdf-work":
            value, source = next(items, ""), "--max-kdf-work"
        elif arg.startswith("--max-kdf-work="):
            value, source = arg.partition("=")[2], "--max-kdf-work"
        else:
            rest.append(arg)
    if value is not None:
        rounds = int(value) if value.strip().isdigit() else 0
        if rounds < 1:
            raise UsageError(f"{source} takes a positive number of key-derivation rounds")
        set_default_kdf_work(rounds)
    return rest


def _message(exc: KsError) -> str:
    from keystore_tool.cli.errors import message

    return message(exc)


def _once_each(message: str) -> str:
    """The message with a repeated sentence said once: Typer and Click both append
    "Did you mean 'list'?" to an unknown command."""
    import re

    sentences: list[str] = []
    for sentence in re.split(r"(?<=[.?!]) ", message):
        if sentence not in sentences:
            sentences.append(sentence)
    return " ".join(sentences)


def main(argv: list[str] | None = None) -> int:
    """Runs ``ks`` with ``argv`` (else the process's arguments); the exit code (CLI.md)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if "--no-color" in args:
        os.environ["NO_COLOR"] = "1"  # read by cli/output.py; children inherit the choice
    args = [a for a in args if a not in ("--debug", "--no-color")]
    try:
        args = _kdf_budget(args)
        args = _from_keytool(args)
    except KsError as exc:
        sys.stderr.write(error_line(_message(exc)))
        return exc.exit_code
    if args == ["--version"]:
        # Answered before Typer is imported: `ks --version` costs no more than Python's start.
        sys.stdout.write(f"ks {__version__}\n")
        return 0
    from keystore_tool.hardening import forbid_core_dumps

    forbid_core_dumps()  # before any password or key is read
    _print_library_warnings()
    # A run of ks lives for one command and builds its objects without cycles; the cyclic
    # collector would only rescan them again and again while a 50,000-entry store loads (it
    # doubled the load time of such a PKCS12). Reference counting still frees everything.
    gc.disable()
    try:
        # The command named first, when there is one and no option precedes it.
        only = args[0] if args and args[0] in COMMANDS else None
        app = build_app(only, teach=only is None or "--help" in args or "-h" in args)
        result = app(args=args, prog_name="ks", standalone_mode=False)  # type: ignore[operator]
        _clear_progress()
        return int(result) if isinstance(result, int) else 0
    except KsError as exc:
        if debug:
            raise
        _clear_progress()
        sys.stderr.write(error_line(_message(exc)))
        return exc.exit_code
    except KeyboardInterrupt:
        _clear_progress()
        sys.stderr.write("ks: error: interrupted\n")
        return 130
    except Exception as exc:
        code = _known_failure(exc, args)
        if code is not None:
            return code
        if debug:
            raise
        sys.stderr.write(
            f"ks: error: internal error ({type(exc).__name__}); rerun with --debug and report it\n"
        )
        return 1


def _known_failure(exc: Exception, args: list[str]) -> int | None:
    """The exit code of a failure Typer or Click raised (a usage error, an abort, help shown
    for no arguments), its line written; None for anything else (a bug)."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        sys.stderr.write(f"{exc.format_message()}\n")  # type: ignore[attr-defined]
        return 2
    message = _usage_message(exc)
    if message is not None:
        code = int(getattr(exc, "exit_code", 2))
        if code == 1 and type(exc).__name__ == "Abort":
            sys.stderr.write("ks: error: aborted\n")
            return 1
        hint = " ".join(a for a in args[:1] if a in COMMANDS)
        sys.stderr.write(
            error_line(f"{message.rstrip('.')}; see 'ks {hint + ' ' if hint else ''}--help'")
        )
        return code
    if type(exc).__name__ == "Abort":
        sys.stderr.write("ks: error: aborted\n")
        return 1
    return None


def _print_library_warnings() -> None:
    """The library's KsWarnings become ``ks: warning:`` lines; other warnings keep Python's
    handling."""
    import warnings

    from keystore_tool.errors import KsWarning

    shown = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: object = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, KsWarning):
            from keystore_tool.cli.output import warn

            warn(str(message))
            return
        shown(message, category, filename, lineno, file, line)  # type: ignore[arg-type]

    warnings.simplefilter("always", KsWarning)
    warnings.showwarning = show


def _clear_progress() -> None:
    """Wipes the progress line (cli/output.py) before an error line, if one was started."""
    output = sys.modules.get("keystore_tool.cli.output")
    if output is not None:
        output.clear_progress()


def _from_keytool(args: list[str]) -> list[str]:
    """keytool's spelling turned into ks' (cli/keytool.py), with a note saying how ks spells it;
    a line without a single-dash word costs nothing more than this scan."""
    if (
        args[:1]
        and args[0] in COMMANDS
        and not any(len(a) > 2 and a[0] == "-" and a[1] != "-" for a in args)
    ):
        return args
    from keystore_tool.cli.keytool import translate

    translation = translate(args, COMMANDS)
    if translation.note:
        from keystore_tool.cli.output import printable

        sys.stderr.write(f"ks: note: {printable(translation.note)}\n")
    return translation.args


def run() -> None:
    """The console script's entry point: :func:`main` as the process's exit status."""
    sys.exit(main())


if __name__ == "__main__":
    run()
