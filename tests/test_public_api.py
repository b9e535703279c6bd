"""The public API is one list: ``__all__``, the lazy import table and the names type checkers
see (the ``TYPE_CHECKING`` imports) agree, and everything in it is documented."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import keystore_tool

SOURCE = Path(keystore_tool.__file__).read_text(encoding="utf-8")


def _type_checking_imports() -> dict[str, str]:
    tree = ast.parse(SOURCE)
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name)
        if node.test.id == "TYPE_CHECKING"
    )
    names: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module is not None
        for alias in node.names:
            names[alias.asname or alias.name] = node.module
    return names


def test_all_is_sorted_and_matches_the_lazy_table() -> None:
    assert keystore_tool.__all__ == sorted(keystore_tool.__all__)
    assert set(keystore_tool.__all__) == {*keystore_tool._HOMES, "__version__"}


def test_type_checkers_see_the_same_names_from_the_same_modules() -> None:
    assert _type_checking_imports() == keystore_tool._HOMES


def test_every_public_name_resolves_and_is_documented() -> None:
    undocumented = []
    for name in keystore_tool.__all__:
        value = getattr(keystore_tool, name)
        if (inspect.isclass(value) or inspect.isfunction(value)) and not inspect.getdoc(value):
            undocumented.append(name)
    assert undocumented == []


def test_dir_lists_the_public_names() -> None:
    assert dir(keystore_tool) == sorted(keystore_tool.__all__)
