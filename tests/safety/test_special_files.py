"""Only regular files are read or replaced: a device node, FIFO, socket or directory named as
a store, an input or an ``--out`` is a clear error, decided without reading it, never hanging
and never replacing a device node (the old code replaced a /dev/null lookalike with a regular
file, hung forever on a FIFO while holding the lock, and read a /dev/zero lookalike until
memory ran out)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.safety.conftest import (
    PASS,
    WRITERS,
    Material,
    error_line,
    fifo,
    ks_as,
    mknod,
    out_name,
    writer_args,
)


def null_node(path: Path) -> Path:
    return mknod(path, 1, 3)


def zero_node(path: Path) -> Path:
    return mknod(path, 1, 5)


SPECIALS: dict[str, tuple[Callable[[Path], Path], Callable[[int], bool], str]] = {
    "null-device": (null_node, stat.S_ISCHR, "character device"),
    "zero-device": (zero_node, stat.S_ISCHR, "character device"),
    "fifo": (fifo, stat.S_ISFIFO, "FIFO"),
}


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("special", sorted(SPECIALS))
def test_an_out_that_is_a_device_or_fifo_is_refused_and_left_as_it_is(
    world: Path, material: Material, tls_port: int, command: str, special: str
) -> None:
    make, still, kind = SPECIALS[special]
    target = make(world / out_name(command))
    proc = ks_as(None, *writer_args(command, target, material, tls_port))
    line = error_line(proc, 1)
    assert kind in line and "regular file" in line
    assert still(os.lstat(target).st_mode), "the special file was replaced"
    assert sorted(p.name for p in world.iterdir()) == sorted(["shared", target.name])


@pytest.mark.parametrize("command", WRITERS)
def test_an_out_that_is_a_socket_is_refused(
    world: Path, material: Material, tls_port: int, command: str, unix_socket: Path
) -> None:
    target = world / out_name(command)
    unix_socket.rename(target)
    line = error_line(ks_as(None, *writer_args(command, target, material, tls_port)), 1)
    assert "socket" in line
    assert stat.S_ISSOCK(os.lstat(target).st_mode)


@pytest.mark.parametrize("command", WRITERS)
def test_an_out_that_is_a_directory_is_a_usage_error(
    world: Path, material: Material, tls_port: int, command: str
) -> None:
    target = world / out_name(command)
    target.mkdir()
    line = error_line(ks_as(None, *writer_args(command, target, material, tls_port)), 2)
    assert "is a directory" in line
    assert list(target.iterdir()) == []


@pytest.mark.parametrize("special", sorted(SPECIALS))
@pytest.mark.parametrize("command", ["list", "show", "import"])
def test_a_keystore_that_is_a_device_or_fifo_is_refused_without_reading_it(
    world: Path, material: Material, command: str, special: str
) -> None:
    make, still, kind = SPECIALS[special]
    store = make(world / "store.p12")
    args: list[str | Path] = [command, "-k", store, *PASS]
    if command == "show":
        args += ["--alias", "k"]
    if command == "import":
        args += ["--file", material.other_cert, "--alias", "o"]
    line = error_line(ks_as(None, *args), 1)
    assert kind in line
    assert still(os.lstat(store).st_mode)


@pytest.mark.parametrize("special", sorted(SPECIALS))
def test_an_input_certificate_that_is_a_device_or_fifo_is_refused(
    world: Path, special: str
) -> None:
    make, _, kind = SPECIALS[special]
    store = world / "trust.p12"
    source = make(world / "ca.crt")
    proc = ks_as(None, "import", "-k", store, "--file", source, "--alias", "ca", *PASS)
    assert kind in error_line(proc, 1)
    assert not store.exists()


def test_a_keystore_that_is_a_socket_or_directory_is_refused(
    world: Path, unix_socket: Path
) -> None:
    assert "socket" in error_line(ks_as(None, "list", "-k", unix_socket, *PASS), 1)
    directory = world / "dir.p12"
    directory.mkdir()
    assert "is a directory" in error_line(ks_as(None, "list", "-k", directory, *PASS), 2)


def test_bundle_inputs_that_are_fifos_are_refused(world: Path, material: Material) -> None:
    key = fifo(world / "k.key")
    proc = ks_as(
        None, "bundle-p12", "--cert", material.cert, "--key", key, "--out", world / "o.p12", *PASS
    )
    assert "FIFO" in error_line(proc, 1)
    assert not (world / "o.p12").exists()
