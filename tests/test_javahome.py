"""``javahome`` in-process, on fake JDK trees: which java a run means, the ``java.home`` HotSpot
computes from it, its version from ``release``, and the system properties its environment's
option variables set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keystore_tool.errors import NotFoundError, Remedy
from keystore_tool.javahome import (
    JavaVersion,
    find_java,
    java_home_of,
    java_version,
    locate_jvm,
    parse_version,
    split_options,
    system_properties,
)
from tests.fakejdk import jdk


def test_a_given_java_home_or_binary_is_the_java(tmp_path: Path) -> None:
    home = jdk(tmp_path / "jdk")
    assert find_java(home, {}) == home / "bin" / "java"
    assert find_java(home / "bin" / "java", {"JAVA_HOME": "/elsewhere"}) == home / "bin" / "java"
    with pytest.raises(NotFoundError, match="no java at"):
        find_java(tmp_path / "nothing", {})


def test_java_home_comes_before_path(tmp_path: Path) -> None:
    first, second = jdk(tmp_path / "first"), jdk(tmp_path / "second")
    env = {"JAVA_HOME": str(first), "PATH": str(second / "bin")}
    assert find_java(None, env) == first / "bin" / "java"
    assert find_java(None, {"PATH": f"/nonexistent{os.pathsep}{second / 'bin'}"}) == (
        second / "bin" / "java"
    )
    with pytest.raises(NotFoundError, match="has no bin/java; fix JAVA_HOME"):
        find_java(None, {"JAVA_HOME": str(tmp_path), "PATH": str(second / "bin")})


def test_no_java_anywhere_says_what_to_do_without_naming_an_option() -> None:
    with pytest.raises(NotFoundError) as missing:
        find_java(None, {"PATH": "/nonexistent"})
    assert missing.value.remedy is Remedy.GIVE_JAVA
    assert str(missing.value) == (
        "no java found; name a java executable, set JAVA_HOME, or put java on PATH"
    )


def test_java_home_follows_symlinks_to_the_runtime_holding_libjvm(tmp_path: Path) -> None:
    home = jdk(tmp_path / "usr/lib/jvm/java-17")
    alternatives = tmp_path / "etc/alternatives"
    alternatives.mkdir(parents=True)
    (alternatives / "java").symlink_to(home / "bin" / "java")
    usr_bin = tmp_path / "usr/bin"
    usr_bin.mkdir(parents=True)
    (usr_bin / "java").symlink_to(alternatives / "java")
    jvm = locate_jvm(None, {"PATH": str(usr_bin)})
    assert jvm.java == usr_bin / "java"
    assert jvm.home == home and jvm.security_dir == home / "lib" / "security"
    assert jvm.version == JavaVersion(17, 9, "17.0.9")


def test_a_java_8_jdk_runs_its_jre(tmp_path: Path) -> None:
    home = jdk(tmp_path / "jdk8", "1.8.0_292", java8=True)
    assert home == tmp_path / "jdk8" / "jre"
    assert java_home_of(tmp_path / "jdk8" / "bin" / "java") == home
    # The JRE has no release file; the JDK's above it names the version.
    assert java_version(home) == JavaVersion(8, 292, "1.8.0_292")
    assert not JavaVersion(8, 292, "1.8.0_292").reads_pbes2_pkcs12()


def test_without_libjvm_a_jre_directory_or_the_install_is_java_home(tmp_path: Path) -> None:
    bare = jdk(tmp_path / "bare", libjvm=False)
    assert java_home_of(bare / "bin" / "java") == bare
    jre8 = jdk(tmp_path / "jdk8", "1.8.0_392", java8=True, libjvm=False)
    assert java_home_of(tmp_path / "jdk8" / "bin" / "java") == jre8


def test_a_libjvm_reached_through_a_symlink_gives_the_real_home(tmp_path: Path) -> None:
    real = jdk(tmp_path / "real")
    link = tmp_path / "linked"
    (link / "bin").mkdir(parents=True)
    (link / "bin" / "java").write_text("#!/bin/sh\n")
    (link / "lib").mkdir()
    (link / "lib" / "server").symlink_to(real / "lib" / "server")
    assert java_home_of(link / "bin" / "java") == real


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("1.8.0_292", (8, 292)),
        ("1.8.0", (8, 0)),
        ("17.0.15", (17, 15)),
        ("21", (21, 0)),
        ("11.0", (11, 0)),
        ("25-ea", (25, 0)),
    ],
)
def test_versions_parse_the_legacy_and_the_modern_scheme(
    text: str, version: tuple[int, int]
) -> None:
    parsed = parse_version(text)
    assert parsed is not None and (parsed.major, parsed.update, parsed.text) == (*version, text)


def test_what_is_no_version_parses_as_none(tmp_path: Path) -> None:
    assert parse_version("openjdk") is None
    (tmp_path / "release").write_text('IMPLEMENTOR="Fake"\n')
    assert java_version(tmp_path) is None
    assert java_version(tmp_path / "nowhere") is None


def test_java_8_from_8u301_reads_pbes2_pkcs12() -> None:
    assert JavaVersion(8, 301, "1.8.0_301").reads_pbes2_pkcs12()
    assert JavaVersion(11, 0, "11").reads_pbes2_pkcs12()
    assert not JavaVersion(8, 0, "8").reads_pbes2_pkcs12()


def test_system_properties_come_from_the_option_variables_the_last_winning() -> None:
    env = {
        "JAVA_TOOL_OPTIONS": "-Djavax.net.ssl.trustStore=/a -Dflag -D -Xmx1g",
        "JDK_JAVA_OPTIONS": '-Djavax.net.ssl.trustStore="/b c"',
        "_JAVA_OPTIONS": "-Dother=1",
    }
    settings = system_properties(env, JavaVersion(17, 0, "17"))
    store = settings["javax.net.ssl.trustStore"]
    assert (store.value, store.variable) == ("/b c", "JDK_JAVA_OPTIONS")
    assert settings["flag"].value == "" and settings["other"].variable == "_JAVA_OPTIONS"
    assert sorted(settings) == ["flag", "javax.net.ssl.trustStore", "other"]
    java8 = system_properties(env, JavaVersion(8, 392, "1.8.0_392"))
    assert java8["javax.net.ssl.trustStore"].value == "/a"
    assert system_properties({}, None) == {}


def test_options_split_on_white_space_with_quotes_grouping() -> None:
    assert split_options("-Da='x y' -Db") == ["-Da=x y", "-Db"]
    # An unbalanced quote is split on white space alone, as the JVM would still start.
    assert split_options("-Da='x -Db") == ["-Da='x", "-Db"]
