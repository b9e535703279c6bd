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
from keystore_tool.formats import _der, _pbe
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

_OID_PKCS7_SIGNED_DATA = "1.2.840.113549.1.7.2"
_SIGNED_DATA_OID_DER = bytes.fromhex("06092a864886f70d010702")


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


def armour(label: str, der: bytes) -> bytes:
    """One PEM block: base64 in 64-character lines between BEGIN/END lines."""
    import base64

    body = base64.b64encode(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"".join(
        [
            f"-----BEGIN {label}-----\n".encode(),
            b"\n".join(lines),
            b"\n",
            f"-----END {label}-----\n".encode(),
        ]
    )


def has_pem_armour(data: bytes) -> bool:
    return b"-----BEGIN " in data


def pem_blocks(data: bytes, source: str) -> list[PemBlock]:
    """Every armoured block of ``data`` in file order."""
    return list(iter_pem_blocks(data, source))


# Labels whose content is one DER value: its header says how long the block can be.
_DER_LABELS = CERTIFICATE_LABELS | PKCS7_LABELS | KEY_LABELS | CSR_LABELS
_SHORT_BLOCK = 64 * 1024
# The text before a block that is kept for its Bag Attributes (openssl prints a few lines).
_PREAMBLE_KEPT = 16 * 1024


def iter_pem_blocks(data: bytes, source: str) -> Iterator[PemBlock]:
    """The armoured blocks of ``data`` one at a time, in file order. Each is checked before the
    next is looked for, so the first invalid one ends the read: an empty block, bad base64,
    or a DER block longer than its own header says is refused without touching the rest."""
    pos = 0
    while True:
        match = _BEGIN_RE.search(data, pos)
        if match is None:
            return
        label = match.group(1).decode("ascii", "replace").strip()
        end_line = _END_TEMPLATE.format(label).encode("ascii", "replace")
        # Most blocks end within a few kilobytes; only a longer one is measured against the
        # length its DER header declares, so junk is not searched to the end of the file.
        end = data.find(end_line, match.end(), match.end() + _SHORT_BLOCK)
        limit = None
        if end < 0:
            limit = _der_block_limit(data, match.end(), label)
            end = data.find(end_line, match.end(), len(data) if limit is None else limit)
        if end < 0:
            if limit is not None and data.find(end_line, limit) >= 0:
                raise FormatError(
                    f"{source}: the PEM block '{label}' is longer than its content says; "
                    "the file is damaged"
                )
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
        if not der:
            raise FormatError(f"{source}: the PEM block '{label}' is empty")
        preamble = data[max(pos, match.start() - _PREAMBLE_KEPT) : match.start()]
        block_end = end + len(end_line)
        yield PemBlock(
            label,
            der,
            headers,
            preamble.decode("utf-8", "replace"),
            data[match.start() : block_end],
        )
        pos = block_end


def _der_block_limit(data: bytes, start: int, label: str) -> int | None:
    """Where the END line of a DER block starting at ``start`` must come by, from the length
    its DER header declares (base64 is 4/3 of it; line breaks and spacing are allowed double
    that); None when the block's length cannot be known from its first bytes."""
    if label not in _DER_LABELS:
        return None
    window = data[start : start + 128]
    head = window.translate(None, b" \t\r\n")[:8]
    if len(head) < 8 or b":" in window.split(b"\n", 1)[0]:
        return None  # short, or RFC 1421 headers (a legacy encrypted key is no plain DER)
    try:
        prefix = binascii.a2b_base64(head)
    except binascii.Error:
        return None
    if len(prefix) < 6 or prefix[0] != 0x30 or prefix[1] == 0x80:
        return None  # not a SEQUENCE (the base64 check refuses it), or BER indefinite length
    if prefix[1] < 0x80:
        total = 2 + prefix[1]
    else:
        octets = prefix[1] & 0x7F
        if octets > 4:
            return None
        total = 2 + octets + int.from_bytes(prefix[2 : 2 + octets], "big")
    return start + 2 * (total * 4 // 3 + 4) + 1024


# --------------------------------------------------------------------------- certificates


def _refusal_for_key(source: str) -> FormatError:
    from keystore_tool.errors import KeyInsteadOfCertificateError

    return KeyInsteadOfCertificateError(source)


def _refusal_for_csr(source: str) -> FormatError:
    return FormatError(
        f"{source} is a certificate signing request, not a certificate; "
        "have it signed first and give the signed certificate"
    )


def _checked_certificate(der: bytes, source: str) -> Certificate:
    """A :class:`Certificate` whose DER cryptography accepted (parsing costs ~10 µs and
    caches the object for the fields a command reads next)."""
    try:
        cert = Certificate(der)
        _der.sequence_tags(der, "certificate")
        cert.x509  # noqa: B018 - parsing is the validation
    except FormatError as exc:
        raise FormatError(
            f"{source}: a CERTIFICATE block is not a valid X.509 certificate"
        ) from exc
    return cert


def _pkcs7_certificates(der: bytes, source: str) -> list[Certificate]:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    try:
        with warnings.catch_warnings():
            # openssl writes the certificate SET unsorted (BER); cryptography reads it but warns.
            warnings.filterwarnings("ignore", message="PKCS#7 certificates could not be parsed")
            loaded = pkcs7.load_der_pkcs7_certificates(_der.as_der(der, "PKCS#7 data"))
    except (ValueError, UnsupportedAlgorithm) as exc:
        # UnsupportedAlgorithm: a damaged ContentInfo that no longer says signedData.
        raise FormatError(f"{source}: the PKCS#7 data holds no readable certificates") from exc
    return [Certificate(c.public_bytes(Encoding.DER)) for c in loaded]


def _is_pkcs7(der: bytes) -> bool:
    """A ContentInfo of type signedData: SEQUENCE { OID 1.2.840.113549.1.7.2, [0] … }."""
    if _SIGNED_DATA_OID_DER not in der[:16]:
        return False  # the common case, a certificate, without parsing
    try:
        if _der.is_ber(der):  # as Windows and NSS write a .p7b: indefinite lengths
            if der[0] != _der.SEQUENCE:
                return False
            content_type = _der.read(der, 2, len(der), "PKCS#7 content type")
        else:
            top = _der.read(der, 0, len(der), "PKCS#7 ContentInfo")
            if top.tag != _der.SEQUENCE:
                return False
            content_type = _der.read(der, top.start, top.end, "PKCS#7 content type")
        return (
            content_type.tag == _der.OID
            and _der.oid(der, content_type, "PKCS#7 content type") == _OID_PKCS7_SIGNED_DATA
        )
    except FormatError:
        return False


_quiet_depth = 0


@contextmanager
def quiet_legacy_warnings() -> Iterator[None]:
    """Silences cryptography's deprecation notes on legacy certificates (negative serials in
    real CA bundles): the user can do nothing about them, and Java reads them fine. Nested
    uses cost nothing (a loop over 20,000 certificates enters it once per certificate)."""
    global _quiet_depth
    if _quiet_depth:
        yield
        return
    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        _quiet_depth += 1
        try:
            yield
        finally:
            _quiet_depth -= 1


def read_certificates(data: bytes, source: str) -> list[Certificate]:
    """The certificates in ``data`` (PEM with one or many blocks, DER, or PKCS#7), in file
    order. A file holding certificates and a key yields the certificates (a combined
    cert-and-key file); one holding only a key, a CSR, nothing, or garbage is refused."""
    if not data or data.isspace():  # no copy of a large file
        raise FormatError(f"{source} is empty; expected a certificate (PEM, DER or PKCS#7)")
    with quiet_legacy_warnings():
        if has_pem_armour(data):
            return _certificates_from_pem(data, source)
        return _certificates_from_der(data, source)


def block_certificates(block: PemBlock, source: str) -> list[Certificate]:
    """The certificates of one CERTIFICATE or PKCS7 block (some tools armour a .p7b as
    CERTIFICATE); empty for other labels. Call under :func:`quiet_legacy_warnings`."""
    if block.label in CERTIFICATE_LABELS:
        der = block.der
        if block.label == "TRUSTED CERTIFICATE":
            der = _der.first_element(der, "TRUSTED CERTIFICATE block")
        if _is_pkcs7(der):
            return _pkcs7_certificates(der, source)
        return [_checked_certificate(der, source)]
    if block.label in PKCS7_LABELS:
        return _pkcs7_certificates(block.der, source)
    return []


def _certificates_from_pem(data: bytes, source: str) -> list[Certificate]:
    certs: list[Certificate] = []
    labels: list[str] = []
    for block in iter_pem_blocks(data, source):
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
        shape = _der.sequence_tags(_der.first_element(der, "certificate"), "certificate")
    except FormatError as exc:
        raise FormatError(
            f"{source} is neither PEM nor DER; expected a certificate (PEM, DER or PKCS#7)"
        ) from exc
    if shape[:1] == [0x30]:
        try:
            return [_checked_certificate(_der.first_element(der), source)]
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
    return _block_key(block, source, password, password_option, budget)[0]


def key_block_pkcs8_and_public(
    block: PemBlock,
    source: str,
    password: Password | None,
    password_option: str,
    budget: KdfBudget | None = None,
) -> tuple[bytes, bytes]:
    """:func:`key_block_pkcs8` and the key's SubjectPublicKeyInfo DER, from one parse of the
    key (loading a private key is the dearest step of reading a PEM store of many keys)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    pkcs8, key = _block_key(block, source, password, password_option, budget)
    spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return pkcs8, spki


def _block_key(
    block: PemBlock,
    source: str,
    password: Password | None,
    password_option: str,
    budget: KdfBudget | None,
) -> tuple[bytes, PrivateKeyTypes]:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    if block.label == "ENCRYPTED PRIVATE KEY" or block.label == "PRIVATE KEY":
        return _der_key(block.der, source, password, password_option, budget)
    # OpenSSL's legacy scheme derives the key with one MD5 round: no work to bound.
    encrypted = "ENCRYPTED" in block.headers.get("Proc-Type", "")
    key = _translated(
        lambda pw: load_pem_private_key(block.text, pw),
        source,
        password if encrypted else None,
        password_option,
        encrypted,
    )
    return pkcs8_der(key, source), key


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
    return _der_key(der, source, password, password_option, budget)[0]


def _der_key(
    der: bytes,
    source: str,
    password: Password | None,
    password_option: str,
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
        plain = _decrypt_pbes2(algid, ciphertext, password, what, password_option)
        if plain is not None:
            decrypted = plain
            loaded = _translated(
                lambda _pw: load_der_private_key(decrypted, None),
                source,
                password,
                password_option,
                True,
            )
            return decrypted, loaded
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


def _decrypt_pbes2(
    algid: bytes, ciphertext: bytes, password: Password | None, what: str, password_option: str
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
        raise PasswordError(f"wrong password for {what}; check {password_option}") from exc
    return plain
