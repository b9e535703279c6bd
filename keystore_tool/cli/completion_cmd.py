"""``ks completion bash|zsh|fish``: a static completion script, made from the app's own options.

Static rather than Click's dynamic completion: a <TAB> costs no Python start, and the script is
what the help says, option for option (docgen.py reads the same Click objects).
"""

from __future__ import annotations

from typing import Annotated

import typer

from keystore_tool.cli.output import write_raw

SHELLS = ("bash", "zsh", "fish")
STORETYPES = ("pkcs12", "jks", "jceks", "pem")


def command(
    shell: Annotated[str, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    """Print a shell completion script (bash, zsh or fish)."""
    from keystore_tool.errors import UsageError

    if shell not in SHELLS:
        raise UsageError(f"no completion for '{shell}'; choose bash, zsh or fish")
    write_raw(script(shell).rstrip("\n") + "\n")


class _Option:
    def __init__(self, names: list[str], help: str, takes_value: bool, kind: str) -> None:
        self.names = names
        self.help = help
        self.takes_value = takes_value
        self.kind = kind  # "file", "storetype", "env", "" (free text) or "flag"


def _model() -> list[tuple[str, str, list[_Option]]]:
    """(command, summary, options) for every command, from the Click objects Typer builds."""
    import click

    from keystore_tool.cli.docgen import click_group

    group = click_group()
    commands = []
    for name, cmd in sorted(group.commands.items()):
        options = []
        for param in cmd.params:
            if not isinstance(param, click.Option):
                continue
            names = [*param.opts, *param.secondary_opts]
            if param.is_flag:
                kind = "flag"
            elif any(n.endswith("-env") for n in names):
                kind = "env"
            elif any(n in ("--storetype", "--to") for n in names):
                kind = "storetype"
            elif isinstance(param.type, click.Path):
                kind = "file"
            else:
                kind = ""
            options.append(_Option(names, param.help or "", not param.is_flag, kind))
        options.append(_Option(["--help", "-h"], "Show the help and exit.", False, "flag"))
        commands.append((name, cmd.get_short_help_str(limit=70), options))
    return commands


def script(shell: str) -> str:
    """The static completion script for ``shell`` (bash, zsh or fish)."""
    model = _model()
    if shell == "bash":
        return _bash(model)
    if shell == "zsh":
        return _zsh(model)
    return _fish(model)


def _bash(model: list[tuple[str, str, list[_Option]]]) -> str:
    names = " ".join(name for name, _, _ in model)
    files = sorted({n for _, _, opts in model for o in opts if o.kind == "file" for n in o.names})
    envs = sorted({n for _, _, opts in model for o in opts if o.kind == "env" for n in o.names})
    types = sorted(
        {n for _, _, opts in model for o in opts if o.kind == "storetype" for n in o.names}
    )
    valued = sorted({n for _, _, opts in model for o in opts if o.takes_value for n in o.names})
    lines = [
        "# bash completion for ks (ks completion bash)",
        "_ks_complete() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" opts',
        "    if [[ $COMP_CWORD -eq 1 ]]; then",
        f'        COMPREPLY=($(compgen -W "{names} --help --version" -- "$cur"))',
        "        return",
        "    fi",
        '    case "$prev" in',
        f'        {"|".join(files)}) COMPREPLY=($(compgen -f -- "$cur")); return ;;',
        f'        {"|".join(envs)}) COMPREPLY=($(compgen -e -- "$cur")); return ;;',
        f'        {"|".join(types)}) COMPREPLY=($(compgen -W "{" ".join(STORETYPES)}" -- "$cur")); return ;;',
        f"        {'|'.join(valued)}) COMPREPLY=(); return ;;",
        "    esac",
        '    case "${COMP_WORDS[1]}" in',
    ]
    for name, _, options in model:
        words = " ".join(n for o in options for n in o.names if n.startswith("--"))
        lines.append(f'        {name}) opts="{words}" ;;')
    lines += [
        '        completion) opts="bash zsh fish" ;;',
        '        *) opts="" ;;',
        "    esac",
        '    if [[ "$cur" == -* || ${COMP_WORDS[1]} == completion ]]; then',
        '        COMPREPLY=($(compgen -W "$opts" -- "$cur"))',
        "    else",
        '        COMPREPLY=($(compgen -f -- "$cur"))',
        "    fi",
        "}",
        "complete -o filenames -F _ks_complete ks",
    ]
    return "\n".join(lines) + "\n"


def _zsh_quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "'\\''").replace("[", "\\[").replace("]", "\\]")


def _zsh(model: list[tuple[str, str, list[_Option]]]) -> str:
    lines = [
        "#compdef ks",
        "# zsh completion for ks (ks completion zsh)",
        "_ks() {",
        "    local -a commands",
        "    commands=(",
    ]
    lines += [
        f"        '{name}:{_zsh_quote(summary).replace(':', chr(92) + ':')}'"
        for name, summary, _ in model
    ]
    lines += [
        "    )",
        "    if (( CURRENT == 2 )); then",
        "        _describe 'ks command' commands",
        "        return",
        "    fi",
        "    case ${words[2]} in",
    ]
    for name, _, options in model:
        specs = []
        for option in options:
            action = {
                "file": ":file:_files",
                "env": ":variable:_parameters",
                "storetype": f":type:({' '.join(STORETYPES)})",
                "": ":value: ",
                "flag": "",
            }[option.kind]
            for opt_name in option.names:
                specs.append(f"'{opt_name}[{_zsh_quote(option.help)}]{action}'")
        if name == "completion":
            specs.append("'1:shell:(bash zsh fish)'")
        else:
            specs.append("'*:file:_files'")
        lines.append(f"        {name}) _arguments -s \\")
        lines += [f"            {spec} \\" for spec in specs[:-1]]
        lines.append(f"            {specs[-1]} ;;")
    lines += [
        "    esac",
        "}",
        'if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then',
        '    _ks "$@"',
        "else",
        "    compdef _ks ks",
        "fi",
    ]
    return "\n".join(lines) + "\n"


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish(model: list[tuple[str, str, list[_Option]]]) -> str:
    names = " ".join(name for name, _, _ in model)
    lines = ["# fish completion for ks (ks completion fish)", "complete -c ks -f"]
    for name, summary, _ in model:
        lines.append(
            f"complete -c ks -n 'not __fish_seen_subcommand_from {names}' -a {name} "
            f"-d {_fish_quote(summary)}"
        )
    for name, _, options in model:
        condition = f"-n '__fish_seen_subcommand_from {name}'"
        if name == "completion":
            lines.append(f"complete -c ks {condition} -a 'bash zsh fish'")
        for option in options:
            parts = [f"complete -c ks {condition}"]
            for opt_name in option.names:
                parts.append(
                    f"-l {opt_name[2:]}" if opt_name.startswith("--") else f"-s {opt_name[1:]}"
                )
            if option.kind == "file":
                parts.append("-r -F")
            elif option.kind == "storetype":
                parts.append(f"-x -a '{' '.join(STORETYPES)}'")
            elif option.kind == "env":
                parts.append("-x -a '(set -n)'")
            elif option.takes_value:
                parts.append("-x")
            parts.append(f"-d {_fish_quote(option.help)}")
            lines.append(" ".join(parts))
    return "\n".join(lines) + "\n"
