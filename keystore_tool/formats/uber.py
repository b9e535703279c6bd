"""BouncyCastle's "UBER" keystore, read-only: BKS entries, encrypted whole.

From ``BcKeyStoreSpi.BouncyCastleStore``: ``int version (1), int salt length (20), salt,
int iterations (at most 65,536)``, then PBEWithSHAAndTwofish-CBC (PKCS#12 KDF with SHA-1: a
256-bit key, a 128-bit IV; PKCS#7 padding) over the BKS entry list, its end marker and the
SHA-1 digest of both. The password opens the file, so there is nothing to list without it.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from keystore_tool.errors import FormatError, PasswordError
from keystore_tool.formats import _pbe, _twofish, bks
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.formats._readinfo import TRAILING_BYTES, read_info_of, warn

if TYPE_CHECKING:
    from keystore_tool.formats import LoadOptions
    from keystore_tool.model import Keystore
    from keystore_tool.password import Password

FORMAT = "uber"
_DIGEST_SIZE = 20
_WRONG = "wrong password or the UBER store is damaged (it did not decrypt)"


def load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore:
    """Reads an UBER file (encrypted whole, so its password is needed)."""
    header = bks.read_header(data, "UBER")
    if header.version == 0 or len(header.salt) != 20:
        raise FormatError("this UBER store predates BouncyCastle 1.0's layout; ks cannot read it")
    encrypted = data[header.body :]
    if not encrypted or len(encrypted) % 16:
        raise FormatError("the UBER store is truncated or corrupt (incomplete cipher blocks)")
    # Three SHA-1 outputs: two for the 32-byte key, one for the IV.
    budget = KdfBudget(options.max_kdf_work)
    budget.charge(header.iterations, "UBER store encryption", outputs=3)
    pw = bks.bc_password(password)
    key = _pbe.pkcs12_kdf(pw, header.salt, _pbe.KDF_KEY, header.iterations, 32, "sha1")
    iv = _pbe.pkcs12_kdf(pw, header.salt, _pbe.KDF_IV, header.iterations, 16, "sha1")
    plain = _twofish.cbc_decrypt(key, iv, encrypted)
    pad = plain[-1]
    if not 1 <= pad <= 16 or plain[-pad:] != bytes((pad,)) * pad:
        raise PasswordError(_WRONG if password is not None else _needs_password())
    end = len(plain) - pad
    try:
        raw, body_end = bks.parse_entries(plain, 0, end - _DIGEST_SIZE)
    except FormatError as exc:
        raise PasswordError(_WRONG if password is not None else _needs_password()) from exc
    digest = plain[body_end : body_end + _DIGEST_SIZE]
    if not hmac.compare_digest(hashlib.sha1(plain[:body_end]).digest(), digest):
        raise PasswordError(_WRONG)
    keystore = bks.build_keystore(raw, password, options, FORMAT, budget)
    keystore.properties[f"{FORMAT}.version"] = header.version
    keystore.properties[f"{FORMAT}.iterations"] = header.iterations
    keystore.properties[f"{FORMAT}.integrity_verified"] = True
    if end - _DIGEST_SIZE != body_end:
        warn(keystore, "bytes after the UBER store's digest were ignored", TRAILING_BYTES)
    keystore.read_info = read_info_of(keystore, FORMAT, integrity_checked=True)
    return keystore


def _needs_password() -> str:
    return "an UBER store is encrypted whole: its password is needed to read it"
