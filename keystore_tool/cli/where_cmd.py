"""``ks where``: which truststore a JVM reads by default."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo, echo_lines, emit_json, warn_all

if TYPE_CHECKING:
    from keystore_tool.jdks import HostRoots

JavaOption = Annotated[
    Path | None,
    typer.Option(
        "--java",
        metavar="PATH",
        help="The java binary or Java home (default: $JAVA_HOME, else java on PATH).",
    ),
]


AllOption = Annotated[
    bool,
    typer.Option(
        "--all",
        help="Every Java runtime on the host (JAVA_HOME, PATH, /usr/lib/jvm, /opt, SDKMAN, "
        "asdf, ~/.gradle/jdks) and the truststore each uses.",
    ),
]
SearchOption = Annotated[
    list[Path] | None,
    typer.Option("--search", metavar="DIR", help="With --all: also look below DIR (repeatable)."),
]
SearchOnlyOption = Annotated[
    bool,
    typer.Option("--search-only", help="Look only below the --search directories."),
]


def command(
    java: JavaOption = None,
    all_runtimes: AllOption = False,
    search: SearchOption = None,
    search_only: SearchOnlyOption = False,
    json: opt.Json = False,
) -> None:
    """Show the truststore a JVM uses by default, and why."""
    from keystore_tool.errors import UsageError
    from keystore_tool.truststores import locate_truststore

    if (search or search_only) and not all_runtimes:
        raise UsageError("--search adds places to look for --all; give --all too")
    if all_runtimes:
        if java is not None:
            raise UsageError("give either --java or --all, not both")
        _all(roots(search, search_only), json)
        return

    from keystore_tool.cli.advice import command_line

    location = locate_truststore(java)
    if json:
        emit_json(location.as_json(command_line))
        return
    version = location.jvm.version.text if location.jvm.version else "unknown version"
    reasons = {
        "property": f"javax.net.ssl.trustStore (set by {location.set_by})",
        "jssecacerts": "jssecacerts exists in java.home",
        "cacerts": "the default cacerts",
    }
    lines = [
        f"Java:        {location.jvm.java} ({version})",
        f"java.home:   {location.jvm.home}",
        f"Truststore:  {location.path}",
    ]
    if str(location.resolved_path) != str(location.path):
        lines.append(f"Resolved:    {location.resolved_path}")
    lines.append(f"Because:     {reasons[location.source]}")
    lines.append(f"Exists:      {'yes' if location.exists else 'no'}")
    if location.storetype:
        lines.append(f"Type:        {location.storetype}")
    echo_lines(lines)
    warn_all(location.notes(command_line))


def roots(search: list[Path] | None, search_only: bool) -> HostRoots:
    from keystore_tool.errors import UsageError
    from keystore_tool.jdks import HostRoots

    if search_only and not search:
        raise UsageError("--search-only needs at least one --search DIR")
    return HostRoots(extra=tuple(search or ()), only_extra=search_only)


def _all(host_roots: HostRoots, json: bool) -> None:
    from keystore_tool.cli.advice import advice_text, command_line
    from keystore_tool.cli.output import warn
    from keystore_tool.truststores import DEBIAN_MANAGED, os_store_remedy, survey_host

    survey = survey_host(roots=host_roots)
    if json:
        emit_json(survey.as_json(command_line))
        return
    if not survey.runtimes:
        echo("No Java runtime found.")
        return
    for item in survey.runtimes:
        version = item.runtime.version.text if item.runtime.version else "unknown version"
        flags = []
        if item.os_store:
            flags.append("OS store")
        if item.shared_with:
            flags.append(f"shared with {len(item.shared_with)} other")
        health = item.health.state + (
            f" ({item.health.entries} entries)" if item.health.entries is not None else ""
        )
        lines = [
            f"{item.runtime.home} ({version}, found by {', '.join(item.runtime.found_by)})",
            f"  Truststore:  {item.file}"
            + (f" -> {item.real_file}" if item.real_file != item.file else ""),
            f"  Health:      {health}" + (f"; {', '.join(flags)}" if flags else ""),
        ]
        if item.health.detail and not item.health.ok:
            lines.append(f"  Problem:     {item.health.detail}")
        echo_lines(lines)
        # The OS store's advice is said once below, not once per runtime reading it.
        warn_all(
            f"{item.runtime.home}: {w}"
            for w in item.location.notes(command_line)
            if not (item.os_store and str(DEBIAN_MANAGED) in w)
        )
    readers = [i for i in survey.runtimes if i.os_store]
    if readers:
        warn(
            f"{len(readers)} runtime(s) read {DEBIAN_MANAGED}, which update-ca-certificates "
            f"rebuilds (dropping manual changes); {advice_text(os_store_remedy())}"
        )
