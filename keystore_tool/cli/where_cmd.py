"""``ks where``: which truststore a JVM reads by default."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo_lines, emit_json, warn_all

JavaOption = Annotated[
    Path | None,
    typer.Option(
        "--java",
        metavar="PATH",
        help="The java binary or Java home (default: $JAVA_HOME, else java on PATH).",
    ),
]


def command(java: JavaOption = None, json: opt.Json = False) -> None:
    """Show the truststore a JVM uses by default, and why."""
    from keystore_tool.ops.where import locate_truststore

    location = locate_truststore(java)
    if json:
        emit_json(location.as_json())
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
    warn_all(location.warnings)
