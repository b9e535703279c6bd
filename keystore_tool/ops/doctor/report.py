"""What ``ks doctor`` reports: findings with their advice, and each target's verdict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from keystore_tool.advice import Advice, Renderer, library_words

if TYPE_CHECKING:
    from keystore_tool.compat import Problem, Target


@dataclass(frozen=True)
class Finding:
    """One thing that makes Java reject or ignore (``error``) or soon reject (``warning``)
    the store, and what fixes it."""

    severity: str  # "error": Java rejects or ignores something; "warning": it soon will
    code: str
    alias: str | None
    message: str
    remedy: Advice

    def as_json(self, say: Renderer = library_words) -> dict[str, Any]:
        """The finding as doctor's JSON document shows it, its remedy rendered by ``say``."""
        return {
            "severity": self.severity,
            "code": self.code,
            "alias": self.alias,
            "message": self.message,
            "remedy": self.remedy.render(say),
        }


# What fixes a target's problems: rewriting the store for it, converting it to PKCS12 for it,
# giving it an ASCII password, or nothing ks can write (the runtime must be upgraded).
Fix = Literal["rewrite", "convert-to-pkcs12", "ascii-password", "upgrade"]


@dataclass(frozen=True)
class TargetVerdict:
    """Whether ``target`` loads the store as ks read it, and if not, why and what fixes it."""

    target: Target
    problems: tuple[Problem, ...]
    fix: Fix | None = None

    @property
    def loads(self) -> bool:
        return not self.problems


@dataclass
class DoctorReport:
    """What ``ks doctor`` found in one store."""

    keystore: str
    storetype: str | None
    findings: list[Finding] = field(default_factory=list)
    java_sees_anchors: int = 0
    targets: list[TargetVerdict] | None = None  # None: no target was asked about

    def as_json(
        self,
        say: Renderer = library_words,
        fix: Callable[[TargetVerdict], str] | None = None,
    ) -> dict[str, Any]:
        """The JSON document: remedies rendered by ``say``; with ``fix``, each problem
        of a target that does not load the store ends with what fixes it."""
        document: dict[str, Any] = {
            "keystore": self.keystore,
            "storetype": self.storetype,
            "findings": [f.as_json(say) for f in self.findings],
            "java_sees_anchors": self.java_sees_anchors,
        }
        if self.targets is not None:
            document["targets"] = [_verdict_json(v, fix) for v in self.targets]
        return document


def _verdict_json(
    verdict: TargetVerdict, fix: Callable[[TargetVerdict], str] | None
) -> dict[str, Any]:
    remedy = f"; {fix(verdict)}" if fix is not None else ""
    return {
        "target": verdict.target.name,
        "loads": verdict.loads,
        "problems": [
            {"code": p.code, "message": p.message + remedy, "aliases": list(p.aliases)}
            for p in verdict.problems
        ],
    }
