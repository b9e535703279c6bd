"""Shrouded key bags opened lazily: a key entry stays encrypted until its key is first read, then
the store password or the key password opens it.
"""

from __future__ import annotations

from keystore_tool.errors import PasswordError
from keystore_tool.formats import _der, _pbe
from keystore_tool.formats._limits import KdfBudget
from keystore_tool.model import PrivateKeyEntry


class _KeyOpener:
    """What opens the shrouded key bags of one load, when a key is first asked for: the store
    password, then the key password given (keytool's -keypass)."""

    __slots__ = ("budget", "entry_password", "store_password")

    def __init__(
        self, store_password: str | None, entry_password: str | None, budget: KdfBudget
    ) -> None:
        self.store_password = store_password
        self.entry_password = entry_password
        # The load's own budget: the keys opened later share what the file may cost in all
        # (a file of many keys, each just under the budget, must not cost it many times over).
        self.budget = budget

    def open(self, epki: bytes, alias: str) -> bytes | None:
        """The PKCS#8 inside ``epki``, or None when no password at hand opens it."""
        top = _der.expect(epki, 0, len(epki), _der.SEQUENCE, "encrypted private key")
        parts = _der.sequence_items(epki, top, "encrypted private key", 2)
        algid = _der.raw(epki, parts[0])
        ciphertext = _der.octets(epki, parts[1], "encrypted private key")
        what = f"encryption of the key of '{alias}'"
        for candidate in (self.store_password, self.entry_password):
            if candidate is None:
                continue
            try:
                plain = _pbe.decrypt(algid, ciphertext, candidate, self.budget, what)
            except PasswordError:
                continue
            plain = _der.as_der(plain, "decrypted private key")
            _der.expect(plain, 0, len(plain), _der.SEQUENCE, "decrypted private key")
            return plain
        return None


class ShroudedKeyEntry(PrivateKeyEntry):
    """A PKCS12 key entry whose shrouded key bag stays encrypted until ``private_key`` is
    first read (``list``, ``show``, ``check`` never read it, so a store whose keys have their
    own passwords lists without them). ``sealed`` holds the EncryptedPrivateKeyInfo as read;
    while the key was not replaced and the store is written under the password it was read
    with, that is what is written back."""

    opens_on_use = True
    _opener: _KeyOpener | None
    _key: bytes | None
    _tried: bool
    replaced: bool

    def __post_init__(self) -> None:
        self._opener = None
        self._tried = False
        self.replaced = False
        super().__post_init__()

    @property
    def private_key(self) -> bytes | None:
        if self.__dict__.get("_key") is None and not self.__dict__.get("_tried", True):
            self._tried = True
            if self._opener is not None and self.sealed is not None:
                self._key = self._opener.open(self.sealed.data, self.alias)
        return self.__dict__.get("_key")

    @private_key.setter
    def private_key(self, value: bytes | None) -> None:
        if "_key" in self.__dict__:
            self.replaced = True
        self._key = value

    def known_key(self) -> bytes | None:
        return self.__dict__.get("_key")
