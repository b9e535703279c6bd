"""JCEKS secret keys: a ``SecretKeySpec`` serialized inside a ``SealedObjectForKeyProtector``
under PBEWithMD5AndTripleDES. New keys are sealed in the exact layout JDK 17 and 25 write;
sealed ones are opened by reading the serialized objects' fields."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from keystore_tool.errors import FormatError
from keystore_tool.formats.java.mutf8 import write_utf
from keystore_tool.formats.java.protectors import (
    jce_pbe_decrypt,
    jce_pbe_encrypt,
    parse_pbe_params,
)
from keystore_tool.formats.java.serialization import JavaObject, read_java_object

if TYPE_CHECKING:
    from keystore_tool.formats._limits import KdfBudget
    from keystore_tool.password import Password

_INT = struct.Struct(">i")

# Java serialization of what JceKeyStore.engineSetKeyEntry stores: a SecretKeySpec, sealed in a
# SealedObjectForKeyProtector. The class descriptors and serialVersionUIDs are those of the
# JDK classes (the same bytes JDK 17 and 25 write); the layout follows the stream grammar.
_STREAM_HEADER = b"\xac\xed\x00\x05"
_BYTE_ARRAY_CLASS = (
    b"\x72" + b"\x00\x02[B" + bytes.fromhex("acf317f8060854e0") + b"\x02\x00\x00\x78\x70"
)


def _jstring(text: str) -> bytes:
    return b"\x74" + write_utf(text)


def _jbytes_new_class(data: bytes) -> bytes:
    return b"\x75" + _BYTE_ARRAY_CLASS + _INT.pack(len(data)) + data


def _secret_key_spec(algorithm: str, key: bytes) -> bytes:
    desc = (
        b"\x72"
        + write_utf("javax.crypto.spec.SecretKeySpec")
        + bytes.fromhex("5b470b66e230614d")
        + b"\x02\x00\x02"
        + b"L"
        + write_utf("algorithm")
        + _jstring("Ljava/lang/String;")
        + b"["
        + write_utf("key")
        + _jstring("[B")
        + b"\x78\x70"
    )
    return _STREAM_HEADER + b"\x73" + desc + _jstring(algorithm) + _jbytes_new_class(key)


def seal_secret_key(algorithm: str, key: bytes, password: Password, iterations: int) -> bytes:
    """A new JCEKS secret-key entry body, as keytool -genseckey writes it."""
    params, content = jce_pbe_encrypt(_secret_key_spec(algorithm, key), password, iterations)
    sealed_desc = (
        b"\x72"
        + write_utf("com.sun.crypto.provider.SealedObjectForKeyProtector")
        + bytes.fromhex("cd57ca59e730bb53")
        + b"\x02\x00\x00\x78"
        + b"\x72"
        + write_utf("javax.crypto.SealedObject")
        + bytes.fromhex("3e363da6c3b75470")
        + b"\x02\x00\x04"
        + b"["
        + write_utf("encodedParams")
        + _jstring("[B")
        + b"["
        + write_utf("encryptedContent")
        + b"\x71"
        + _INT.pack(0x7E0002)
        + b"L"
        + write_utf("paramsAlg")
        + _jstring("Ljava/lang/String;")
        + b"L"
        + write_utf("sealAlg")
        + b"\x71"
        + _INT.pack(0x7E0003)
        + b"\x78\x70"
    )
    # Handles: 0 and 1 the two class descriptors, 2 "[B", 3 "Ljava/lang/String;", 4 the
    # object, 5 the byte[] class descriptor that encryptedContent refers back to.
    return (
        _STREAM_HEADER
        + b"\x73"
        + sealed_desc
        + _jbytes_new_class(params)
        + b"\x75\x71"
        + _INT.pack(0x7E0005)
        + _INT.pack(len(content))
        + content
        + _jstring("PBEWithMD5AndTripleDES")
        + _jstring("PBEWithMD5AndTripleDES")
    )


def unseal_secret_key(
    sealed: bytes, password: Password, budget: KdfBudget
) -> tuple[str, bytes] | None:
    """(algorithm, raw key) of a JCEKS SealedObject, or None when the password does not fit."""
    obj = read_java_object(sealed)
    if not isinstance(obj, JavaObject):
        raise FormatError("a JCEKS secret key entry is not a sealed object")
    fields = obj.fields
    seal_alg = fields.get("sealAlg")
    params = fields.get("encodedParams")
    content = fields.get("encryptedContent")
    if seal_alg != "PBEWithMD5AndTripleDES" or not isinstance(params, bytes):
        raise FormatError("a JCEKS secret key is sealed with an algorithm ks does not know")
    if not isinstance(content, bytes):
        raise FormatError("a JCEKS secret key has no sealed content")
    salt, iterations = parse_pbe_params(params)
    plain = jce_pbe_decrypt(content, password, salt, iterations, budget, "JCEKS secret key")
    if plain is None or not plain.startswith(b"\xac\xed\x00\x05"):
        return None
    try:
        key_obj = read_java_object(plain)
    except FormatError:
        return None
    if not isinstance(key_obj, JavaObject):
        return None
    inner = key_obj.fields
    algorithm = inner.get("algorithm")
    raw = inner.get("key", inner.get("encoded"))  # SecretKeySpec, or a KeyRep substitute
    if not isinstance(algorithm, str) or not isinstance(raw, bytes):
        return None
    return algorithm, raw
