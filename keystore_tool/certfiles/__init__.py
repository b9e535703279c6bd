"""Reading certificate and private-key *inputs*: PEM, DER and PKCS#7 certificates; PKCS#1,
SEC1 and PKCS#8 keys, encrypted or not.

- :mod:`.armour`: PEM armour, written once (:func:`armour`) and split into blocks.
- :mod:`.certificates`: the certificates of a file, whatever its encoding.
- :mod:`.keys`: the one private key of a file as unencrypted PKCS#8.
"""

from __future__ import annotations

from keystore_tool.certfiles.armour import (
    CERTIFICATE_LABELS,
    CSR_LABELS,
    KEY_LABELS,
    PKCS7_LABELS,
    PemBlock,
    armour,
    has_pem_armour,
    iter_pem_blocks,
    pem_blocks,
)
from keystore_tool.certfiles.certificates import (
    block_certificates,
    quiet_legacy_warnings,
    read_certificates,
)
from keystore_tool.certfiles.keys import (
    PasswordRole,
    der_key_pkcs8,
    key_block_pkcs8,
    key_block_pkcs8_and_public,
    pkcs8_der,
    read_private_key,
)

__all__ = [
    "CERTIFICATE_LABELS",
    "CSR_LABELS",
    "KEY_LABELS",
    "PKCS7_LABELS",
    "PasswordRole",
    "PemBlock",
    "armour",
    "block_certificates",
    "der_key_pkcs8",
    "has_pem_armour",
    "iter_pem_blocks",
    "key_block_pkcs8",
    "key_block_pkcs8_and_public",
    "pem_blocks",
    "pkcs8_der",
    "quiet_legacy_warnings",
    "read_certificates",
    "read_private_key",
]
