"""Reading private-key inputs: PKCS#1, SEC1 and PKCS#8 keys, encrypted or not, PEM or DER.

The errors say which password was wrong or missing (``password="key"`` for a key file,
``"store"`` for a key inside a PEM store) and carry the matching :class:`~keystore_tool.errors.Remedy`;
the command line names the option.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from keystore_tool.certfiles.armour import (
    CERTIFICATE_LABELS,
    CSR_LABELS,
    KEY_LABELS,
    PKCS7_LABELS,
    PemBlock,
    has_pem_armour,
    pem_blocks,
)
from keystore_tool.certfiles.certificates import quiet_legacy_warnings
from keystore_tool.errors import FormatError, PasswordError, Remedy, UnsupportedError
from keystore_tool.formats import _der, _pbe
from keystore_tool.formats._limits import KdfBudget

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

    from keystore_tool.password import Password

# Which password opens a key: a key file's own, or (a key in a PEM store) the store's.
PasswordRole = Literal["key", "store"]

_GIVE: dict[str, Remedy] = {"key": Remedy.KEY_PASSWORD, "store": Remedy.STORE_PASSWORD}
_CHECK: dict[str, Remedy] = {
    "key": Remedy.CHECK_KEY_PASSWORD,
    "store": Remedy.CHECK_STORE_PASSWORD,
}


def _needs_password(source: str, role: PasswordRole) -> PasswordError:
    return PasswordError(f"the key in {source} is encrypted", password=role, remedy=_GIVE[role])


def _wrong_password(what: str, role: PasswordRole) -> PasswordError:
    return PasswordError(f"wrong password for {what}", password=role, remedy=_CHECK[role])


def _certificate_not_key(source: str) -> FormatError:
    return FormatError(
        f"{source} contains a certificate, not a private key", remedy=Remedy.GIVE_AS_CERTIFICATE
    )


def read_private_key(data: bytes, source: str, password: Password | None) -> bytes:
    """The one private key in ``data`` as unencrypted PKCS#8 DER."""
    if not data or data.isspace():
        raise FormatError(f"{source} is empty; expected a private key (PEM or DER)")
    if has_pem_armour(data):
        blocks = pem_blocks(data, source)
        keys = [b for b in blocks if b.label in KEY_LABELS]
        if not keys:
            labels = {b.label for b in blocks}
            if labels & (CERTIFICATE_LABELS | PKCS7_LABELS):
                raise _certificate_not_key(source)
            if labels & CSR_LABELS:
                raise FormatError(f"{source} is a certificate signing request, not a private key")
            if "OPENSSH PRIVATE KEY" in labels:
                raise UnsupportedError(
                    f"{source} is an OpenSSH key; convert it with "
                    "'ssh-keygen -p -m PKCS8 -f FILE' first"
                )
            raise FormatError(f"{source} holds no private key")
        if len(keys) > 1:
            raise FormatError(f"{source} holds {len(keys)} private keys; give a file with one")
        return key_block_pkcs8(keys[0], source, password, "key")
    return der_key_pkcs8(data, source, password, "key")


def pkcs8_der(key: PrivateKeyTypes, source: str) -> bytes:
    """A loaded private key as unencrypted PKCS#8 DER."""
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    try:
        return key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    except ValueError as exc:
        raise UnsupportedError(f"the key in {source} cannot be written as PKCS#8") from exc


def key_block_pkcs8(
    block: PemBlock,
    source: str,
    password: Password | None,
    role: PasswordRole,
    budget: KdfBudget | None = None,
) -> bytes:
    """The private key of one PEM block (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8, or a legacy
    OpenSSL ``Proc-Type: 4,ENCRYPTED`` key) as unencrypted PKCS#8 DER."""
    return _block_key(block, source, password, role, budget)[0]


def key_block_pkcs8_and_public(
    block: PemBlock,
    source: str,
    password: Password | None,
    role: PasswordRole,
    budget: KdfBudget | None = None,
) -> tuple[bytes, bytes]:
    """:func:`key_block_pkcs8` and the key's SubjectPublicKeyInfo DER, from one parse of the
    key (loading a private key is the dearest step of reading a PEM store of many keys)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    pkcs8, key = _block_key(block, source, password, role, budget)
    spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return pkcs8, spki


def _block_key(
    block: PemBlock,
    source: str,
    password: Password | None,
    role: PasswordRole,
    budget: KdfBudget | None,
) -> tuple[bytes, PrivateKeyTypes]:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    if block.label == "ENCRYPTED PRIVATE KEY" or block.label == "PRIVATE KEY":
        return _der_key(block.der, source, password, role, budget)
    # OpenSSL's legacy scheme derives the key with one MD5 round: no work to bound.
    encrypted = "ENCRYPTED" in block.headers.get("Proc-Type", "")
    key = _translated(
        lambda pw: load_pem_private_key(block.text, pw),
        source,
        password if encrypted else None,
        role,
        encrypted,
    )
    return pkcs8_der(key, source), key


def der_key_pkcs8(
    der: bytes,
    source: str,
    password: Password | None,
    role: PasswordRole,
    budget: KdfBudget | None = None,
) -> bytes:
    """A DER private key (PKCS#8, encrypted or not; PKCS#1; SEC1) as unencrypted PKCS#8 DER.
    PKCS#8 input is kept byte for byte (Java's encoding of an EC key differs from
    cryptography's, and an entry nobody changed must be written back as it was)."""
    return _der_key(der, source, password, role, budget)[0]


def _der_key(
    der: bytes,
    source: str,
    password: Password | None,
    role: PasswordRole,
    budget: KdfBudget | None,
) -> tuple[bytes, PrivateKeyTypes]:
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    try:
        shape = _der.sequence_tags(der, "private key")
    except FormatError as exc:
        raise FormatError(f"{source} is neither PEM nor DER; expected a private key") from exc
    encrypted = shape == [0x30, 0x04]
    if encrypted:
        # EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }: the
        # shape says both are there.
        what = f"the key in {source}"
        top = _der.read(der, 0, len(der), "encrypted private key")
        algorithm, data = _der.children(der, top.start, top.end, "encrypted private key")
        algid, ciphertext = _der.raw(der, algorithm), _der.content(der, data)
        _pbe.charge(algid, budget or KdfBudget(), what)
        plain = _decrypt_pbes2(algid, ciphertext, password, what, role)
        if plain is not None:
            decrypted = plain
            loaded = _translated(
                lambda _pw: load_der_private_key(decrypted, None),
                source,
                password,
                role,
                True,
            )
            return decrypted, loaded
    elif shape[:1] == [0x30] and _is_certificate_der(der):
        raise _certificate_not_key(source)
    key = _translated(
        lambda pw: load_der_private_key(der, pw),
        source,
        password if encrypted else None,
        role,
        encrypted,
    )
    if shape[:3] == [0x02, 0x30, 0x04]:  # already PKCS#8 PrivateKeyInfo
        return _der.first_element(der, "private key"), key
    return pkcs8_der(key, source), key


def _is_certificate_der(der: bytes) -> bool:
    from cryptography import x509

    with quiet_legacy_warnings():
        try:
            x509.load_der_x509_certificate(der)
        except ValueError:
            return False
    return True


def _translated(
    load: Callable[[bytes | None], PrivateKeyTypes],
    source: str,
    password: Password | None,
    role: PasswordRole,
    encrypted: bool,
) -> PrivateKeyTypes:
    """Calls a cryptography loader and maps its exceptions onto ours, once."""
    from cryptography.exceptions import UnsupportedAlgorithm

    if encrypted and password is None:
        raise _needs_password(source, role)
    secret = password.utf8() if password is not None else None
    try:
        key = load(secret)
    except UnsupportedAlgorithm as exc:
        raise UnsupportedError(f"the key in {source} uses an algorithm ks cannot read") from exc
    except TypeError as exc:
        if encrypted or "not encrypted" not in str(exc):
            raise _needs_password(source, role) from exc
        raise FormatError(f"the key in {source} is unreadable") from exc
    except ValueError as exc:
        if encrypted:
            raise _wrong_password(f"the key in {source}", role) from exc
        raise FormatError(f"the key in {source} is corrupt or not a private key") from exc
    return key


def _decrypt_pbes2(
    algid: bytes, ciphertext: bytes, password: Password | None, what: str, role: PasswordRole
) -> bytes | None:
    """The PKCS#8 plaintext of a PBES2 (PBKDF2, AES-CBC) key, decrypted by :mod:`_pbe`
    because cryptography treats the empty password as no password; ``None`` for other schemes,
    which cryptography's loader handles. The caller has charged the iterations to a budget."""
    if password is None:
        return None
    try:
        scheme = _pbe.scheme_of(algid, what)
    except (FormatError, UnsupportedError):
        return None
    if scheme.kind != "pbes2" or not scheme.cipher.startswith("aes"):
        return None
    try:
        plain = _pbe.decrypt(algid, ciphertext, password.reveal(), what=what)
        _der.sequence_tags(plain, "decrypted key")
    except (PasswordError, FormatError) as exc:
        # Bad padding, a ciphertext of no whole blocks, or a plaintext that is no key: all
        # that a wrong password leaves, so all are reported as one.
        raise _wrong_password(what, role) from exc
    return plain
