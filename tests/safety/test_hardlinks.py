"""A hard-linked store is never split silently: ks refuses to write it and says why.

The old code renamed the new file over one name, so each name went its own way (32 imports
through two names left 17 and 17 entries, link count 1 each). Renaming cannot update every
name of an inode, and writing in place would give up the all-or-nothing replace, so ks
refuses (README, "Files in shared places").
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.safety.conftest import PASS, WRITERS, Material, error_line, ks_as, out_name, writer_args


@pytest.mark.parametrize("command", WRITERS)
def test_writing_a_file_with_two_names_is_refused_and_both_stay_one_file(
    world: Path, material: Material, tls_port: int, command: str
) -> None:
    first = world / out_name(command)
    source = material.store if command == "import" else material.cert
    shutil.copyfile(source, first)
    second = world / "second-name"
    os.link(first, second)
    before = first.read_bytes()
    line = error_line(ks_as(None, *writer_args(command, first, material, tls_port)), 1)
    assert "2 hard links" in line and "refuses" in line
    assert os.path.samefile(first, second) and first.stat().st_nlink == 2
    assert first.read_bytes() == before


def test_a_store_linked_twice_is_still_read(world: Path, material: Material) -> None:
    first = world / "a.p12"
    shutil.copyfile(material.store, first)
    os.link(first, world / "b.p12")
    proc = ks_as(None, "list", "-k", world / "b.p12", *PASS)
    assert proc.returncode == 0, proc.stderr
