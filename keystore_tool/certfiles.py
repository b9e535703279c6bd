"""Reading certificate and private-key *inputs*: PEM, DER and PKCS#7 certificates; PKCS#1,
SEC1 and PKCS#8 keys, encrypted or not.

PEM armour is split here with ``binascii`` rather than by cryptography, so a 144-certificate
bundle costs a regular-expression pass and a base64 decode per block. cryptography is imported
inside the functions that need it: only commands that read such inputs pay for it.
"""

from __future__ import annotations

import binascii
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from keystore_tool.errors import FormatError, PasswordError, UnsupportedError
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.model import Certificate

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

    from keystore_tool.password import Password

CERTIFICATE_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
PKCS7_LABELS = frozenset({"PKCS7", "PKCS #7 SIGNED DATA", "CMS"})
KEY_LABELS = frozenset(
    {
        "PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "DSA PRIVATE KEY",
    }
)
CSR_LABELS = frozenset({"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"})

_BEGIN_RE = re.compile(rb"-----BEGIN ([^\r\n-]{1,64})-----[ \t]*\r?\n")
_END_TEMPLATE = "-----END {}-----"
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/=\s]")

_OID_PBES2 = "1.2.840.113549.1.5.13"
_OID_PBKDF2 = "1.2.840.113549.1.5.12"
_OID_SCRYPT = "1.3.6.1.4.1.11591.4.11"
_OID_PKCS7_SIGNED_DATA = "1.2.840.113549.1.7.2"
# scrypt's cost parameter N beyond which decrypting takes more memory than a key file deserves.
_MAX_SCRYPT_COST = 1 << 20


# --------------------------------------------------------------------------- DER walking


def der_read(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """The TLV at ``pos``: (tag, content start, content end). Lengths are checked against
    ``end``; only DER's definite lengths and low tag numbers are accepted."""
    if pos + 2 > end:
        raise FormatError("truncated DER data")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise FormatError("DER data uses a high tag number that no keystore structure has")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > end:
            raise FormatError("DER data has an invalid length field")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > end:
        raise FormatError("DER data is truncated (a length runs past its end)")
    return tag, pos, pos + length


def der_children(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """The TLVs directly inside a constructed value's content."""
    pos = start
    while pos < end:
        tag, cstart, cend = der_read(data, pos, end)
        yield tag, cstart, cend
        pos = cend


def der_oid(content: bytes) -> str:
    """An OBJECT IDENTIFIER's content as dotted text."""
    if not content:
        raise FormatError("an empty OBJECT IDENTIFIER")
    parts: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    first = parts[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(p) for p in head + parts[1:])


def der_int(content: bytes) -> int:
    if not content or len(content) > 16:
        raise FormatError("an INTEGER in the key's parameters is empty or absurdly large")
    return int.from_bytes(content, "big", signed=True)


def _sequence_shape(der: bytes) -> list[int]:
    """The tags directly inside ``der``'s outer SEQUENCE, which must span the whole value
    (trailing bytes aside). Raises :class:`FormatError` when ``der`` is not a SEQUENCE."""
    tag, start, end = der_read(der, 0, len(der))
    if tag != 0x30:
        raise FormatError("not a DER SEQUENCE")
    return [t for t, _, _ in der_children(der, start, end)]


def first_tlv(der: bytes) -> bytes:
    """The first complete TLV of ``der`` (an OpenSSL TRUSTED CERTIFICATE appends trust
    settings after the certificate)."""
    _, _, end = der_read(der, 0, len(der))
    return der[:end]


# --------------------------------------------------------------------------- PEM armour


@dataclass(frozen=True)
class PemBlock:
    """One armoured block: its label, the decoded bytes, RFC 1421 headers (legacy encrypted
    keys carry ``Proc-Type``/``DEK-Info``), and the text between the previous block and this
    one (where ``openssl pkcs12`` puts its ``Bag Attributes``)."""

    label: str
    der: bytes
    headers: dict[str, str] = field(default_factory=dict)
    preamble: str = ""
    text: bytes = b""  # the armoured block itself, BEGIN to END line


def has_pem_armour(data: bytes) -> bool:
    return b"-----BEGIN " in data


def pem_blocks(data: bytes, source: str) -> list[PemBlock]:
    """Every armoured block of ``data`` in file order."""
    blocks: list[PemBlock] = []
    pos = 0
    while True:
        match = _BEGIN_RE.search(data, pos)
        if match is None:
            break
        label = match.group(1).decode("ascii", "replace").strip()
        end_line = _END_TEMPLATE.format(label).encode("ascii", "replace")
        end = data.find(end_line, match.end())
        if end < 0:
            raise FormatError(
                f"{source}: the PEM block '{label}' has no END line; the file is truncated"
            )
        body = data[match.end() : end]
        headers: dict[str, str] = {}
        if b":" in body:
            head, sep, rest = body.replace(b"\r\n", b"\n").partition(b"\n\n")
            if sep:
                for line in head.split(b"\n"):
                    name, colon, value = line.partition(b":")
                    if not colon:
                        raise FormatError(
                            f"{source}: the PEM block '{label}' has a malformed header"
                        )
                    headers[name.decode("ascii", "replace").strip()] = value.decode(
                        "ascii", "replace"
                    ).strip()
                body = rest
        if _BASE64_JUNK.search(body):
            raise FormatError(f"{source}: the PEM block '{label}' is not valid base64")
        try:
            der = binascii.a2b_base64(body)
        except binascii.Error as exc:
            raise FormatError(
                f"{source}: the PEM block '{label}' is not valid base64 ({exc})"
            ) from exc
        preamble = data[pos : match.start()].decode("utf-8", "replace")
        block_end = end + len(end_line)
        blocks.append(PemBlock(label, der, headers, preamble, data[match.start() : block_end]))
        pos = block_end
    return blocks


# --------------------------------------------------------------------------- certificates


def _refusal_for_key(source: str) -> FormatError:
    return FormatError(f"{source} contains a private key, not a certificate; give it with --key")


def _refusal_for_csr(source: str) -> FormatError:
    return FormatError(
        f"{source} is a certificate signing request, not a certificate; "
        "have it signed first and give the signed certificate"
    )


def _checked_certificate(der: bytes, source: str) -> Certificate:
    """A :class:`Certificate` whose DER cryptography accepted (parsing costs ~10 µs and
    caches the object for the fields a command reads next)."""
    cert = Certificate(der)
    try:
        _sequence_shape(der)
        cert.x509  # noqa: B018 - parsing is the validation
    except FormatError as exc:
        raise FormatError(
            f"{source}: a CERTIFICATE block is not a valid X.509 certificate"
        ) from exc
    return cert


def _pkcs7_certificates(der: bytes, source: str) -> list[Certificate]:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    try:
        loaded = pkcs7.load_der_pkcs7_certificates(der)
    except ValueError as exc:
        raise FormatError(f"{source}: the PKCS#7 data holds no readable certificates") from exc
    return [Certificate(c.public_bytes(Encoding.DER)) for c in loaded]


def _is_pkcs7(der: bytes) -> bool:
    """A ContentInfo of type signedData: SEQUENCE { OID 1.2.840.113549.1.7.2, [0] … }."""
    try:
        tag, start, end = der_read(der, 0, len(der))
        if tag != 0x30:
            return False
        inner_tag, istart, iend = der_read(der, start, end)
        return inner_tag == 0x06 and der_oid(der[istart:iend]) == _OID_PKCS7_SIGNED_DATA
    except FormatError:
        return False


@contextmanager
def quiet_legacy_warnings() -> Iterator[None]:
    """Silences cryptography's deprecation notes on legacy certificates (negative serials in
    real CA bundles): the user can do nothing about them, and Java reads them fine."""
    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


def read_certificates(data: bytes, source: str) -> list[Certificate]:
    """The certificates in ``data`` (PEM with one or many blocks, DER, or PKCS#7), in file
    order. A file holding certificates and a key yields the certificates (a combined
    cert-and-key file); one holding only a key, a CSR, nothing, or garbage is refused."""
    if not data.strip():
        raise FormatError(f"{source} is empty; expected a certificate (PEM, DER or PKCS#7)")
    with quiet_legacy_warnings():
        if has_pem_armour(data):
            return _certificates_from_pem(data, source)
        return _certificates_from_der(data, source)


def block_certificates(block: PemBlock, source: str) -> list[Certificate]:
    """The certificates of one CERTIFICATE or PKCS7 block (some tools armour a .p7b as
    CERTIFICATE); empty for other labels. Call under :func:`quiet_legacy_warnings`."""
    if block.label in CERTIFICATE_LABELS:
        der = first_tlv(block.der) if block.label == "TRUSTED CERTIFICATE" else block.der
        if _is_pkcs7(der):
            return _pkcs7_certificates(der, source)
        return [_checked_certificate(der, source)]
    if block.label in PKCS7_LABELS:
        return _pkcs7_certificates(block.der, source)
    return []


def _certificates_from_pem(data: bytes, source: str) -> list[Certificate]:
    certs: list[Certificate] = []
    labels: list[str] = []
    for block in pem_blocks(data, source):
        labels.append(block.label)
        certs.extend(block_certificates(block, source))
    if certs:
        return certs
    if any(label in KEY_LABELS or label.endswith("PRIVATE KEY") for label in labels):
        raise _refusal_for_key(source)
    if any(label in CSR_LABELS for label in labels):
        raise _refusal_for_csr(source)
    if labels:
        found = ", ".join(sorted(set(labels)))
        raise FormatError(f"{source} holds no certificate (its PEM blocks are: {found})")
    raise FormatError(f"{source} holds no certificate")


def _certificates_from_der(data: bytes, source: str) -> list[Certificate]:
    der = data
    if _is_pkcs7(der):
        return _pkcs7_certificates(der, source)
    try:
        shape = _sequence_shape(first_tlv(der))
    except FormatError as exc:
        raise FormatError(
            f"{source} is neither PEM nor DER; expected a certificate (PEM, DER or PKCS#7)"
        ) from exc
    if shape[:1] == [0x30]:
        try:
            return [_checked_certificate(first_tlv(der), source)]
        except FormatError:
            if _is_der_csr(der):
                raise _refusal_for_csr(source) from None
            if shape[:2] == [0x30, 0x04]:  # EncryptedPrivateKeyInfo
                raise _refusal_for_key(source) from None
            raise
    if shape[:1] == [0x02] and _is_der_private_key(der):
        raise _refusal_for_key(source)
    raise FormatError(f"{source} is DER but not a certificate; expected PEM, DER or PKCS#7")


def _is_der_csr(der: bytes) -> bool:
    from cryptography import x509

    try:
        x509.load_der_x509_csr(der)
    except ValueError:
        return False
    return True


def _is_der_private_key(der: bytes) -> bool:
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    try:
        load_der_private_key(der, password=None)
    except (ValueError, TypeError):
        return False
    except Exception:  # an unsupported algorithm is still a key
        return True
    return True


# --------------------------------------------------------------------------- private keys


def encrypted_key_iterations(der: bytes, what: str, budget: KdfBudget | None = None) -> None:
    """Charges the KDF work an EncryptedPrivateKeyInfo asks for against ``budget`` (a fresh
    one by default) before anything is derived; refuses absurd counts."""
    if budget is None:
        budget = KdfBudget()
    tag, start, end = der_read(der, 0, len(der))
    if tag != 0x30:
        raise FormatError(f"{what} is not an encrypted PKCS#8 structure")
    children = list(der_children(der, start, end))
    if len(children) != 2 or children[0][0] != 0x30:
        raise FormatError(f"{what} is not an encrypted PKCS#8 structure")
    alg = list(der_children(der, children[0][1], children[0][2]))
    if not alg or alg[0][0] != 0x06:
        raise FormatError(f"{what} names no encryption algorithm")
    oid = der_oid(der[alg[0][1] : alg[0][2]])
    if len(alg) < 2 or alg[1][0] != 0x30:
        raise FormatError(f"{what} lacks its encryption parameters")
    params = list(der_children(der, alg[1][1], alg[1][2]))
    if oid == _OID_PBES2:
        if not params or params[0][0] != 0x30:
            raise FormatError(f"{what} has malformed PBES2 parameters")
        kdf = list(der_children(der, params[0][1], params[0][2]))
        if len(kdf) < 2 or kdf[0][0] != 0x06 or kdf[1][0] != 0x30:
            raise FormatError(f"{what} has malformed key-derivation parameters")
        kdf_oid = der_oid(der[kdf[0][1] : kdf[0][2]])
        kdf_params = list(der_children(der, kdf[1][1], kdf[1][2]))
        if kdf_oid == _OID_PBKDF2:
            if len(kdf_params) < 2 or kdf_params[1][0] != 0x02:
                raise FormatError(f"{what} has malformed PBKDF2 parameters")
            budget.charge(der_int(der[kdf_params[1][1] : kdf_params[1][2]]), what)
        elif kdf_oid == _OID_SCRYPT:
            if len(kdf_params) < 2 or kdf_params[1][0] != 0x02:
                raise FormatError(f"{what} has malformed scrypt parameters")
            cost = der_int(der[kdf_params[1][1] : kdf_params[1][2]])
            if cost < 2 or cost > _MAX_SCRYPT_COST:
                raise FormatError(f"{what} asks for an scrypt cost of {cost:,}; refusing it")
        return
    # PBES1 and the PKCS#12 PBE schemes: SEQUENCE { salt OCTET STRING, iterations INTEGER }.
    if len(params) >= 2 and params[1][0] == 0x02:
        budget.charge(der_int(der[params[1][1] : params[1][2]]), what)


def read_private_key(data: bytes, source: str, password: Password | None) -> bytes:
    """The one private key in ``data`` as unencrypted PKCS#8 DER."""
    if not data.strip():
        raise FormatError(f"{source} is empty; expected a private key (PEM or DER)")
    if has_pem_armour(data):
        blocks = pem_blocks(data, source)
        keys = [b for b in blocks if b.label in KEY_LABELS]
        if not keys:
            labels = {b.label for b in blocks}
            if labels & (CERTIFICATE_LABELS | PKCS7_LABELS):
                raise FormatError(
                    f"{source} contains a certificate, not a private key; give it with --cert"
                )
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
        return key_block_pkcs8(keys[0], source, password, "--key-pass")
    return der_key_pkcs8(data, source, password, "--key-pass")


def pkcs8_der(key: PrivateKeyTypes, source: str) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    try:
        return key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    except ValueError as exc:
        raise UnsupportedError(f"the key in {source} cannot be written as PKCS#8") from exc


def key_block_pkcs8(
    block: PemBlock,
    source: str,
    password: Password | None,
    password_option: str,
    budget: KdfBudget | None = None,
) -> bytes:
    """The private key of one PEM block (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8, or a legacy
    OpenSSL ``Proc-Type: 4,ENCRYPTED`` key) as unencrypted PKCS#8 DER."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    if block.label == "ENCRYPTED PRIVATE KEY" or block.label == "PRIVATE KEY":
        return der_key_pkcs8(block.der, source, password, password_option, budget)
    # OpenSSL's legacy scheme derives the key with one MD5 round: no work to bound.
    encrypted = "ENCRYPTED" in block.headers.get("Proc-Type", "")
    key = _translated(
        lambda pw: load_pem_private_key(block.text, pw),
        source,
        password if encrypted else None,
        password_option,
        encrypted,
    )
    return pkcs8_der(key, source)


def der_key_pkcs8(
    der: bytes,
    source: str,
    password: Password | None,
    password_option: str,
    budget: KdfBudget | None = None,
) -> bytes:
    """A DER private key (PKCS#8, encrypted or not; PKCS#1; SEC1) as unencrypted PKCS#8 DER.
    PKCS#8 input is kept byte for byte (Java's encoding of an EC key differs from
    cryptography's, and an entry nobody changed must be written back as it was)."""
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    try:
        shape = _sequence_shape(der)
    except FormatError as exc:
        raise FormatError(f"{source} is neither PEM nor DER; expected a private key") from exc
    encrypted = shape == [0x30, 0x04]
    if encrypted:
        encrypted_key_iterations(der, f"the key in {source}", budget)
        try:
            plain = _decrypt_pbes2(der, password)
        except ValueError as exc:
            raise PasswordError(
                f"wrong password for the key in {source}; check {password_option}"
            ) from exc
        if plain is not None:
            decrypted = plain
            _translated(
                lambda _pw: load_der_private_key(decrypted, None),
                source,
                password,
                password_option,
                True,
            )
            return decrypted
    elif shape[:1] == [0x30] and _is_certificate_der(der):
        raise FormatError(
            f"{source} contains a certificate, not a private key; give it with --cert"
        )
    key = _translated(
        lambda pw: load_der_private_key(der, pw),
        source,
        password if encrypted else None,
        password_option,
        encrypted,
    )
    if shape[:3] == [0x02, 0x30, 0x04]:  # already PKCS#8 PrivateKeyInfo
        return first_tlv(der)
    return pkcs8_der(key, source)


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
    password_option: str,
    encrypted: bool,
) -> PrivateKeyTypes:
    """Calls a cryptography loader and maps its exceptions onto ours, once."""
    from cryptography.exceptions import UnsupportedAlgorithm

    if encrypted and password is None:
        raise PasswordError(
            f"the key in {source} is encrypted; give its password with {password_option}"
        )
    secret = password.utf8() if password is not None else None
    try:
        key = load(secret)
    except UnsupportedAlgorithm as exc:
        raise UnsupportedError(f"the key in {source} uses an algorithm ks cannot read") from exc
    except TypeError as exc:
        if encrypted or "not encrypted" not in str(exc):
            raise PasswordError(
                f"the key in {source} is encrypted; give its password with {password_option}"
            ) from exc
        raise FormatError(f"the key in {source} is unreadable") from exc
    except ValueError as exc:
        if encrypted:
            raise PasswordError(
                f"wrong password for the key in {source}; check {password_option}"
            ) from exc
        raise FormatError(f"the key in {source} is corrupt or not a private key") from exc
    return key


_PBKDF2_PRFS = {
    "1.2.840.113549.2.7": "sha1",
    "1.2.840.113549.2.8": "sha224",
    "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384",
    "1.2.840.113549.2.11": "sha512",
}
_AES_CBC = {
    "2.16.840.1.101.3.4.1.2": 16,
    "2.16.840.1.101.3.4.1.22": 24,
    "2.16.840.1.101.3.4.1.42": 32,
}


def _decrypt_pbes2(der: bytes, password: Password | None) -> bytes | None:
    """The PKCS#8 plaintext of a PBES2 (PBKDF2, AES-CBC) key, decrypted here because
    cryptography treats the empty password as no password; ``None`` for other schemes, which
    cryptography's loader handles. Raises ``ValueError`` when the password is wrong."""
    if password is None:
        return None
    try:
        _, start, end = der_read(der, 0, len(der))
        (_, a_start, a_end), (_, e_start, e_end) = der_children(der, start, end)
        (_, o_start, o_end), (_, p_start, p_end) = der_children(der, a_start, a_end)
        if der_oid(der[o_start:o_end]) != _OID_PBES2:
            return None
        (_, k_start, k_end), (_, c_start, c_end) = der_children(der, p_start, p_end)
        (_, ko_start, ko_end), (_, kp_start, kp_end) = der_children(der, k_start, k_end)
        if der_oid(der[ko_start:ko_end]) != _OID_PBKDF2:
            return None
        kdf = list(der_children(der, kp_start, kp_end))
        salt_tag, s_start, s_end = kdf[0]
        iterations = der_int(der[kdf[1][1] : kdf[1][2]])
        prf = "sha1"
        for tag, t_start, t_end in kdf[2:]:
            if tag == 0x30:
                (_, po_start, po_end), *_rest = der_children(der, t_start, t_end)
                name = _PBKDF2_PRFS.get(der_oid(der[po_start:po_end]))
                if name is None:
                    return None
                prf = name
            elif tag == 0x02:  # keyLength: implied by the cipher
                continue
        (_, co_start, co_end), (iv_tag, iv_start, iv_end) = der_children(der, c_start, c_end)
        key_len = _AES_CBC.get(der_oid(der[co_start:co_end]))
        if key_len is None or salt_tag != 0x04 or iv_tag != 0x04 or iv_end - iv_start != 16:
            return None
    except (FormatError, ValueError, IndexError):
        return None
    import hashlib

    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = hashlib.pbkdf2_hmac(prf, password.utf8(), der[s_start:s_end], iterations, key_len)
    ciphertext = der[e_start:e_end]
    if not ciphertext or len(ciphertext) % 16:
        raise ValueError("the ciphertext is not a whole number of blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(der[iv_start:iv_end])).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
        _sequence_shape(plain)
    except FormatError as exc:
        raise ValueError("the plaintext is not a key") from exc
    return plain
