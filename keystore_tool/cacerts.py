"""The JDK ``cacerts`` password rule: a runtime's default truststore is opened and rewritten
with the password given, else none when it is a password-less PKCS12 (JDK 18+), else
``changeit`` (every JDK's ``cacerts`` before that, and Debian's)."""

from __future__ import annotations

from pathlib import Path

from keystore_tool.errors import KsError
from keystore_tool.password import Password
from keystore_tool.storage import read_file

__all__ = ["CACERTS_PASSWORD", "password_for"]

# The password every JDK's cacerts has had (JDK 18+ ship it password-less, as PKCS12).
CACERTS_PASSWORD = Password("changeit")


def password_for(path: Path, given: Password | None) -> Password | None:
    """The password to open and rewrite a JDK truststore with: the one given, else none for
    a password-less PKCS12 (it must stay so: a JVM reads its default truststore without a
    password, and cannot decrypt certificates under one), else ``changeit``."""
    if given is not None:
        return given
    from keystore_tool.formats import detect

    data = read_file(path)
    fmt = detect(data)
    if fmt.name == "pkcs12":
        try:
            keystore = fmt.load(data, None)
        except KsError:
            return CACERTS_PASSWORD
        if keystore.read_info is not None and keystore.read_info.passwordless:
            return None
    return CACERTS_PASSWORD
