"""An :class:`~keystore_tool.advice.Advice` as the command line a ``ks`` user types."""

from __future__ import annotations

from keystore_tool.advice import Advice, Option, Part
from keystore_tool.cli.errors import flag


def command_line(part: Part) -> str:
    """``part`` as typed: ``ks import --file cert.pem``, ``--from-server``."""
    if isinstance(part, Option):
        if part.value is None:
            return flag(part.parameter)
        value = f"'{part.value}'" if part.quoted else part.value
        return f"{flag(part.parameter)} {value}"
    return " ".join(["ks", part.name, *(command_line(option) for option in part.options)])


def advice_text(advice: Advice) -> str:
    """``advice`` in command-line words."""
    return advice.render(command_line)
