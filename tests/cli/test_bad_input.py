"""Bad input through the CLI: one `ks: error:` line, the contract's exit code, no traceback,
and the file untouched — for every format, at every kind of damage."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore_tool import DumpOptions, Keystore, Password, TrustedCertificateEntry
from keystore_tool.formats import get_format
from keystore_tool.model import Certificate
from tests.certs import issue
from tests.ks import assert_one_line_error, ks, ks_json

PASS = "bad-input-pass"


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    cert = Certificate(issue("bad input", key_kind="ec").der)
    store = Keystore([TrustedCertificateEntry(alias="one", certificate=cert)])
    return {
        name: get_format(name).dump(store, Password(PASS), DumpOptions(iterations=1000))
        for name in ("pkcs12", "jks", "jceks", "pem")
    }


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "store"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["pkcs12", "jks", "jceks", "pem"])
def test_intact_store_lists(tmp_path: Path, stores: dict[str, bytes], name: str) -> None:
    listed = ks_json("list", "-k", write(tmp_path, stores[name]), "--storepass", PASS)
    assert [e["alias"] for e in listed["entries"]] == ["one"]


@pytest.mark.parametrize("name", ["pkcs12", "jks", "jceks"])
def test_wrong_password_is_exit_3(tmp_path: Path, stores: dict[str, bytes], name: str) -> None:
    path = write(tmp_path, stores[name])
    assert "password" in assert_one_line_error(ks("list", "-k", path, "--storepass", "nope"), 3)
    assert path.read_bytes() == stores[name]


@pytest.mark.parametrize("name", ["pkcs12", "jks", "jceks", "pem"])
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_store_is_one_clean_error(
    tmp_path: Path, stores: dict[str, bytes], name: str, fraction: float
) -> None:
    data = stores[name][: int(len(stores[name]) * fraction)]
    proc = ks("list", "-k", write(tmp_path, data), "--storepass", PASS)
    assert_one_line_error(proc, 3 if proc.returncode == 3 else 1)


@pytest.mark.parametrize("name", ["pkcs12", "jks", "jceks"])
@pytest.mark.parametrize("where", ["header", "middle", "end"])
def test_flipped_bit_is_one_clean_error(
    tmp_path: Path, stores: dict[str, bytes], name: str, where: str
) -> None:
    data = bytearray(stores[name])
    index = {"header": 8, "middle": len(data) // 2, "end": len(data) - 3}[where]
    data[index] ^= 0x10
    proc = ks("list", "-k", write(tmp_path, bytes(data)), "--storepass", PASS)
    # The MAC or the JKS digest covers every byte: damage anywhere is refused, never read.
    assert proc.returncode in (1, 3), proc.stderr
    assert_one_line_error(proc, proc.returncode)


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"PK\x03\x04 not a keystore", "not a keystore"), (b"\xfe\xed\xfe", "")],
)
def test_unknown_or_empty_file_is_exit_1(tmp_path: Path, content: bytes, words: str) -> None:
    proc = ks("list", "-k", write(tmp_path, content), "--storepass", PASS)
    assert words in assert_one_line_error(proc, 1)


def test_directory_and_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(ks("list", "-k", tmp_path, "--storepass", PASS), 2)
    assert_one_line_error(ks("list", "-k", tmp_path / "nope", "--storepass", PASS), 4)


def test_huge_iteration_count_is_refused_before_any_work(
    tmp_path: Path, stores: dict[str, bytes]
) -> None:
    from keystore_tool.formats import _der

    # Rebuild the PFX with the MAC's iteration count (its last element) set to 2**31 - 1.
    data = stores["pkcs12"]
    pfx = _der.read(data, 0, len(data))
    version, auth_safe, mac_data = _der.children(data, pfx.start, pfx.end)
    digest, salt, _iterations = _der.children(data, mac_data.start, mac_data.end)
    crafted = _der.seq(
        _der.raw(data, version),
        _der.raw(data, auth_safe),
        _der.seq(_der.raw(data, digest), _der.raw(data, salt), _der.encode_integer(2**31 - 1)),
    )
    proc = ks("list", "-k", write(tmp_path, crafted), "--storepass", PASS)
    assert "iterations" in assert_one_line_error(proc, 1)
