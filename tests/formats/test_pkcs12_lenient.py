"""One PKCS12 bag ks cannot read does not make the store unreadable: it is reported, kept as
it is on a rewrite, and every other entry is listed."""

from __future__ import annotations

from keystore_tool.formats import DumpOptions, LoadOptions, pkcs12
from keystore_tool.formats.pkcs12 import writer as pkcs12_writer
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry
from keystore_tool.password import Password
from tests.certs import issue

PASS = Password("changeit")


def test_an_unreadable_certificate_bag_is_reported_kept_and_the_rest_listed() -> None:
    good = issue("readable")
    # an INTEGER where a certificate goes
    broken_bag = pkcs12_writer._cert_bag(b"\x02\x01\x05", b"")
    keystore = Keystore([TrustedCertificateEntry(alias="ok", certificate=Certificate(good.der))])
    keystore.properties["pkcs12.unknown_bags"] = [broken_bag]
    data = pkcs12.dump(keystore, PASS, DumpOptions())

    read = pkcs12.load(data, PASS, LoadOptions())
    assert [e.alias for e in read.entries] == ["ok"]
    assert any("[unreadable-bag] 1 certificate bag" in w for w in read.warnings)
    again = pkcs12.load(pkcs12.dump(read, PASS, DumpOptions()), PASS, LoadOptions())
    assert again.properties["pkcs12.unknown_bags"] == [broken_bag]
