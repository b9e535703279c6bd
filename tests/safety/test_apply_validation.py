"""``apply`` refuses a spec it cannot carry out before writing anything: an owner or group id
out of range (the old code wrote the store, then failed in chown), and a TOML nesting bomb
(the old code ended in an internal error)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.safety.conftest import Material, error_line, ks_as


def _spec(world: Path, material: Material, owner: str) -> tuple[Path, Path]:
    store = world / "new-trust.p12"
    spec = world / "spec.toml"
    spec.write_text(
        f'[[store]]\npath = "{store}"\npassword = {{ env = "SP" }}\nowner = "{owner}"\n'
        f'[[store.certificates]]\nalias = "o"\nfile = "{material.other_cert}"\n'
    )
    return spec, store


@pytest.mark.parametrize(
    "owner", ["root:4294967296", "root:99999999999999999999", "4294967295", "root:4294967295"]
)
def test_an_owner_or_group_out_of_range_fails_before_any_write(
    world: Path, material: Material, owner: str
) -> None:
    spec, store = _spec(world, material, owner)
    line = error_line(ks_as(None, "apply", spec, env={"SP": "changeit"}), 2)
    assert "out of range" in line and "no store was written" in line
    assert not store.exists()


@pytest.mark.parametrize("opener", ["[", "{a="])
def test_a_toml_nesting_bomb_is_a_clean_usage_error(world: Path, opener: str) -> None:
    spec = world / "bomb.toml"
    spec.write_text("x = " + opener * 100_000 + "\n")
    line = error_line(ks_as(None, "apply", spec), 2)
    assert "too deeply" in line
