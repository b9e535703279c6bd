"""BER input (indefinite lengths, constructed OCTET STRINGs) read as the DER it stands for,
within bounds. The producers themselves (NSS) judge real files in tests/interop."""

from __future__ import annotations

import pytest

from keystore_tool.errors import FormatError
from keystore_tool.formats import _der, detect


def test_indefinite_lengths_and_constructed_octet_strings_become_definite_der() -> None:
    ber = bytes.fromhex(
        "3080"  # SEQUENCE, indefinite
        "020103"  # INTEGER 3
        "2480" "04026162" "0401 63" "0000"  # constructed OCTET STRING "ab" + "c"
        "a0800500" "0000"  # [0] indefinite holding NULL
        "0000"
    )  # fmt: skip
    assert _der.to_der(ber) == bytes.fromhex("300c0201030403616263a0020500")


def test_non_minimal_definite_lengths_are_made_minimal() -> None:
    assert _der.to_der(bytes.fromhex("30 81 03 02 01 05")) == bytes.fromhex("30 03 02 01 05")


def test_der_input_is_returned_as_is() -> None:
    der = bytes.fromhex("3003020105")
    assert _der.as_der(der) is der


@pytest.mark.parametrize(
    ("ber", "message"),
    [
        ("3080020103", "end marker"),  # no end-of-contents
        ("3080" + "0280" + "0000", "primitive"),  # a primitive element cannot be indefinite
        ("3080248002010100000000", "malformed"),  # a piece that is no OCTET STRING
        ("3080020103000000", "after"),
    ],
)
def test_broken_ber_is_a_format_error(ber: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        _der.to_der(bytes.fromhex(ber))


def test_nesting_past_the_bound_is_refused_without_exhausting_the_stack() -> None:
    hostile = b"\x30\x80" * 100_000 + b"\x00\x00" * 100_000
    with pytest.raises(FormatError, match="nests deeper"):
        _der.to_der(hostile)


def test_ber_pfx_is_detected_as_pkcs12() -> None:
    assert detect(bytes.fromhex("3080020103308006092a864886f70d010701")).name == "pkcs12"


def test_the_der_reader_names_indefinite_lengths_it_does_not_normalise() -> None:
    with pytest.raises(_der.IndefiniteLength):
        _der.read(bytes.fromhex("30800000"), 0, 4)
