"""Advice that names a ``ks`` command, as data.

A use case that tells its caller what to run next (``doctor``'s remedies, ``where``'s advice
for an OS-managed truststore) says it as an :class:`Advice`: words with ``{0}``, ``{1}``…
standing for the commands and options it names, each by its library parameter names. Whoever
shows it decides how those read: ``cli/`` as the command line a user types, a Python caller
as :func:`library_words` (the default ``str()``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One option the advice names: the library ``parameter`` it sets and, when the advice
    gives one, its ``value`` (shown in single quotes when ``quoted``)."""

    parameter: str
    value: str | None = None
    quoted: bool = False


@dataclass(frozen=True)
class Command:
    """A ``ks`` command (``import``, ``bundle-p12``…) with the options the advice gives it."""

    name: str
    options: tuple[Option, ...] = ()


Part = Command | Option
Renderer = Callable[[Part], str]


def library_words(part: Part) -> str:
    """``part`` for a Python caller: the command and its parameters, no option syntax."""
    if isinstance(part, Option):
        return part.parameter if part.value is None else f"{part.parameter}={_value(part)}"
    if not part.options:
        return f"ks {part.name}"
    return f"ks {part.name} ({', '.join(library_words(o) for o in part.options)})"


def _value(option: Option) -> str:
    return f"'{option.value}'" if option.quoted else f"{option.value}"


def escaped(text: str) -> str:
    """``text`` as literal words of an advice (its braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True)
class Advice:
    """What to do: ``words`` where ``{0}``, ``{1}``… are ``parts`` rendered by the reader."""

    words: str
    parts: tuple[Part, ...] = ()

    def render(self, say: Renderer = library_words) -> str:
        """The advice with each part as ``say`` renders it."""
        return self.words.format(*(say(part) for part in self.parts))

    def after(self, text: str) -> Advice:
        """This advice preceded by the literal ``text``."""
        return Advice(escaped(text) + self.words, self.parts)

    def __str__(self) -> str:
        return self.render()
