"""Finding a JVM and what it reads: its ``java.home``, version, and the truststore options its
environment gives it. Pure file-system reasoning; nothing here starts a JVM.

A JVM's ``java.home`` is the directory above the ``lib/`` that holds the ``libjvm.so`` it
loaded, with symlinks resolved (HotSpot resolves the library's path). So ``/usr/bin/java`` →
``/etc/alternatives/java`` → ``/usr/lib/jvm/X/bin/java`` gives ``/usr/lib/jvm/X``, and a
Java 8 JDK's ``bin/java`` gives ``<jdk>/jre``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from keystore_tool.errors import NotFoundError, Remedy

TRUSTSTORE_PROPERTY = "javax.net.ssl.trustStore"

# In the order the JVM applies them: later settings win (HotSpot reads JAVA_TOOL_OPTIONS
# before the command line, the launcher puts JDK_JAVA_OPTIONS in front of the command line,
# and _JAVA_OPTIONS is applied after it).
OPTION_VARIABLES = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")

_LIBJVM_PLACES = (
    ("lib", "server", "libjvm.so"),
    ("lib", "client", "libjvm.so"),
    ("lib", "amd64", "server", "libjvm.so"),  # Java 8 JRE layout
    ("lib", "aarch64", "server", "libjvm.so"),
    ("lib", "i386", "client", "libjvm.so"),
    ("lib", "server", "libjvm.dylib"),
)


@dataclass(frozen=True)
class JavaVersion:
    major: int
    update: int
    text: str

    def reads_pbes2_pkcs12(self) -> bool:
        """Java 8 reads PKCS12 with PBES2/AES and an HMAC-SHA256 MAC from 8u301 on."""
        return self.major > 8 or (self.major == 8 and self.update >= 301)


@dataclass(frozen=True)
class Jvm:
    java: Path  # the java binary as found (before resolving symlinks)
    home: Path  # java.home as the JVM computes it
    version: JavaVersion | None

    @property
    def security_dir(self) -> Path:
        return self.home / "lib" / "security"


def find_java(java: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    """The java binary: ``java`` (a binary or a Java home directory), else ``$JAVA_HOME``,
    else ``java`` on ``PATH``."""
    if java is not None:
        given = Path(java)
        if given.is_dir():
            given = given / "bin" / "java"
        if not given.exists():
            raise NotFoundError(f"no java at {java}; give the java binary or a Java home")
        return given
    java_home = env.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.exists():
            return candidate
        raise NotFoundError(f"JAVA_HOME is {java_home} but it has no bin/java; fix JAVA_HOME")
    found = shutil.which("java", path=env.get("PATH", os.defpath))
    if found is None:
        raise NotFoundError("no java found", remedy=Remedy.GIVE_JAVA)
    return Path(found)


def java_home_of(java: Path) -> Path:
    """``java.home`` of the JVM that ``java`` starts."""
    install = Path(os.path.realpath(java)).parent.parent
    for base in (install, install / "jre"):
        for place in _LIBJVM_PLACES:
            libjvm = base.joinpath(*place)
            if libjvm.exists():
                real = Path(os.path.realpath(libjvm))
                return real.parents[len(place) - 1]
    if (install / "jre" / "lib" / "security").is_dir() and not (
        install / "lib" / "security"
    ).is_dir():
        return install / "jre"
    return install


_VERSION_LINE = re.compile(r'^JAVA_VERSION="([^"]+)"', re.MULTILINE)


def parse_version(text: str) -> JavaVersion | None:
    """``1.8.0_292`` → 8 update 292; ``17.0.15`` → 17 update 15; ``25`` → 25."""
    legacy = re.match(r"1\.(\d+)\.\d+(?:_(\d+))?", text)
    if legacy:
        return JavaVersion(int(legacy.group(1)), int(legacy.group(2) or 0), text)
    modern = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
    if modern:
        return JavaVersion(int(modern.group(1)), int(modern.group(3) or 0), text)
    return None


def java_version(home: Path) -> JavaVersion | None:
    """From the ``release`` file of the JDK or JRE (a Java 8 JRE inside a JDK: the JDK's)."""
    for candidate in (home / "release", home.parent / "release"):
        try:
            text = candidate.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        match = _VERSION_LINE.search(text)
        if match:
            return parse_version(match.group(1))
    return None


def locate_jvm(java: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Jvm:
    binary = find_java(java, env)
    home = java_home_of(binary)
    return Jvm(binary, home, java_version(home))


@dataclass(frozen=True)
class PropertySetting:
    name: str
    value: str
    variable: str  # the environment variable that set it


def split_options(text: str) -> list[str]:
    """Splits an options variable as the JVM does: on white space, quotes grouping."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def system_properties(
    env: Mapping[str, str], version: JavaVersion | None
) -> dict[str, PropertySetting]:
    """``-Dname=value`` settings from the option variables, the last one winning.
    ``JDK_JAVA_OPTIONS`` counts only for the ``java`` launcher of JDK 9 and later."""
    settings: dict[str, PropertySetting] = {}
    for variable in OPTION_VARIABLES:
        if variable == "JDK_JAVA_OPTIONS" and version is not None and version.major < 9:
            continue
        text = env.get(variable)
        if not text:
            continue
        for option in split_options(text):
            if option.startswith("-D") and "=" in option:
                name, value = option[2:].split("=", 1)
                settings[name] = PropertySetting(name, value, variable)
            elif option.startswith("-D") and len(option) > 2:
                settings[option[2:]] = PropertySetting(option[2:], "", variable)
    return settings
