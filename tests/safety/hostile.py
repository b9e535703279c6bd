"""The hostile inputs of issue 10, made cheaply, and a runner that measures ks on each.

Every input is generated here (none is checked in): certificates are templated as
bench/certgen.py does (one TBSCertificate, a substituted serial or public key, a fresh
Ed25519 signature), stores are assembled from DER pieces with ks's own DER writer, and files
that only have to *ask* for key-derivation work carry a MAC or ciphertext nobody computed
(the reader must refuse them before deriving anything).

``python -m tests.safety.hostile [DIR]`` prints a table of wall time and peak RSS of ks on
every input (``make hostile``); ``KS_ROOT`` picks the ks checkout to measure (default: this
one), so the same inputs can be timed against main.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from cryptography.x509.oid import NameOID

from keystore_tool.certfiles import armour
from keystore_tool.formats import _der

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "changeit"

# The budget for every hostile input.
MAX_SECONDS = 2.0
MAX_RSS_BYTES = 200 * 1024 * 1024

_OID_DATA = "1.2.840.113549.1.7.1"
_OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
_OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
_OID_X509_CERT = "1.2.840.113549.1.9.22.1"
_OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
_OID_TRUSTED_KEY_USAGE = "2.16.840.1.113894.746875.1.1"
_OID_ANY_EKU = "2.5.29.37.0"
_OID_SHA512 = "2.16.840.1.101.3.4.2.3"


# --------------------------------------------------------------------------- certificates


def _tlv_length(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    n = first & 0x7F
    return int.from_bytes(data[pos + 1 : pos + 1 + n], "big"), pos + 1 + n


def _signed(tbs: bytes, algid: bytes, key: Ed25519PrivateKey) -> bytes:
    signature = key.sign(tbs)
    bit_string = _der.tlv(0x03, b"\x00" + signature)
    return _der.seq(tbs, algid, bit_string)


def templated_certificates(
    count: int, common_name: str, public_keys: Iterator[bytes] | None = None
) -> Iterator[bytes]:
    """``count`` distinct certificates (by serial) that all carry ``common_name``, issued by one
    Ed25519 key; with ``public_keys`` (raw Ed25519 public keys), each certifies the next one."""
    signer = Ed25519PrivateKey.generate()
    marker_key = Ed25519PrivateKey.generate().public_key()
    marker_raw = marker_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    marker_serial = 0x7100_0000_0000_0000_0000_0000
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    template = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(marker_key)
        .serial_number(marker_serial)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(signer, None)
    ).public_bytes(Encoding.DER)
    _, body = _tlv_length(template, 1)
    tbs_len, tbs_content = _tlv_length(template, body + 1)
    tbs = template[body : tbs_content + tbs_len]
    after = tbs_content + tbs_len
    algid_len, algid_content = _tlv_length(template, after + 1)
    algid = template[after : algid_content + algid_len]
    serial_bytes = marker_serial.to_bytes(12, "big")
    serial_at = tbs.index(serial_bytes)
    key_at = tbs.index(marker_raw)
    for n in range(1, count + 1):
        serial = (marker_serial + n).to_bytes(12, "big")
        raw = next(public_keys) if public_keys is not None else marker_raw
        new_tbs = tbs[:serial_at] + serial + tbs[serial_at + 12 : key_at] + raw + tbs[key_at + 32 :]
        yield _signed(new_tbs, algid, signer)


# --------------------------------------------------------------------------- PKCS12 by hand


def _attributes(friendly_name: str, trusted: bool) -> bytes:
    attrs = [_der.seq(_der.encode_oid(_OID_FRIENDLY_NAME), _der.set_of([_der.bmp(friendly_name)]))]
    if trusted:
        attrs.append(
            _der.seq(
                _der.encode_oid(_OID_TRUSTED_KEY_USAGE),
                _der.set_of([_der.encode_oid(_OID_ANY_EKU)]),
            )
        )
    return _der.set_of(attrs)


def _cert_bag(der: bytes, friendly_name: str, trusted: bool) -> bytes:
    value = _der.seq(_der.encode_oid(_OID_X509_CERT), _der.explicit(0, _der.octet_string(der)))
    return _der.seq(
        _der.encode_oid(_OID_CERT_BAG), _der.explicit(0, value), _attributes(friendly_name, trusted)
    )


def _key_bag(pkcs8: bytes, friendly_name: str) -> bytes:
    return _der.seq(
        _der.encode_oid(_OID_KEY_BAG), _der.explicit(0, pkcs8), _attributes(friendly_name, False)
    )


def _pfx(bags: list[bytes], mac_data: bytes | None = None) -> bytes:
    """A PFX of one unencrypted SafeContents, with ``mac_data`` (or none: password-less)."""
    safe = _der.seq(
        _der.encode_oid(_OID_DATA), _der.explicit(0, _der.octet_string(_der.seq_of(bags)))
    )
    auth_safe = _der.seq_of([safe])
    content = _der.seq(_der.encode_oid(_OID_DATA), _der.explicit(0, _der.octet_string(auth_safe)))
    parts = [_der.encode_integer(3), content]
    if mac_data is not None:
        parts.append(mac_data)
    return _der.seq(*parts)


# --------------------------------------------------------------------------- the inputs


def p12_shared_friendly_name(path: Path) -> None:
    """20,000 trusted certificate bags, every one named 'same' (about 9 MB)."""
    bags = [_cert_bag(der, "same", True) for der in templated_certificates(20_000, "same")]
    path.write_bytes(_pfx(bags))


def pem_store_shared_friendly_name(path: Path) -> None:
    """A PEM store of 20,000 certificates, every one under 'friendlyName: same'."""
    with path.open("wb") as out:
        for der in templated_certificates(20_000, "same"):
            out.write(b"Bag Attributes\n    friendlyName: same\n" + armour("CERTIFICATE", der))


def pem_certificates_one_cn(path: Path) -> None:
    """20,000 distinct certificates with one CN, to import with derived aliases."""
    with path.open("wb") as out:
        for der in templated_certificates(20_000, "one name"):
            out.write(armour("CERTIFICATE", der))


def _keys_and_certificates(count: int) -> tuple[list[bytes], list[bytes]]:
    keys = [Ed25519PrivateKey.generate() for _ in range(count)]
    pkcs8 = [k.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()) for k in keys]
    raws = (k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) for k in keys)
    return pkcs8, list(templated_certificates(count, "leaf", raws))


def p12_keys_times_certificates(path: Path) -> None:
    """10,000 private keys and their 10,000 certificates, matched by friendlyName only (no
    localKeyId), keys first: Java's leaf search by alias."""
    pkcs8, certs = _keys_and_certificates(10_000)
    bags = [_key_bag(k, f"k{i}") for i, k in enumerate(pkcs8)]
    bags += [_cert_bag(c, f"k{i}", False) for i, c in enumerate(reversed(certs))]
    bags[10_000:] = bags[10_000:][::-1]
    path.write_bytes(_pfx(bags))


def pem_store_keys_times_certificates(path: Path) -> None:
    """A PEM store of 10,000 unencrypted keys, then their 10,000 certificates in reverse order
    (no localKeyID): every key's leaf must be found by its public key."""
    pkcs8, certs = _keys_and_certificates(10_000)
    with path.open("wb") as out:
        for key in pkcs8:
            out.write(armour("PRIVATE KEY", key))
        for cert in reversed(certs):
            out.write(armour("CERTIFICATE", cert))


def p12_sha512_mac_at_cap(path: Path) -> None:
    """A 600-byte PKCS12 whose MAC asks for SHA-512 at 5,000,000 iterations (the value of the
    MAC is random: checking it would cost the derivation the file asks for)."""
    cert = next(templated_certificates(1, "mac"))
    mac_data = _der.seq(
        _der.seq(_der.algorithm_identifier(_OID_SHA512), _der.octet_string(os.urandom(64))),
        _der.octet_string(os.urandom(20)),
        _der.encode_integer(5_000_000),
    )
    path.write_bytes(_pfx([_cert_bag(cert, "m", True)], mac_data))


def jceks_key_at_cap(path: Path) -> None:
    """A 2 KB JCEKS with one key entry protected at 5,000,000 iterations (its ciphertext is
    random), and a correct keyed integrity hash, so only the key's derivation is asked for."""
    cert = next(templated_certificates(1, "jceks"))
    salt = os.urandom(8)
    params = _der.seq(_der.octet_string(salt), _der.encode_integer(5_000_000))
    algorithm = _der.seq(_der.encode_oid("1.3.6.1.4.1.42.2.19.1"), params)
    blob = _der.seq(algorithm, _der.octet_string(os.urandom(1200)))
    body = bytearray()
    body += (0xCECECECE).to_bytes(4, "big") + (2).to_bytes(4, "big") + (1).to_bytes(4, "big")
    body += (1).to_bytes(4, "big")  # private-key entry
    alias = b"key"
    body += len(alias).to_bytes(2, "big") + alias + (1_700_000_000_000).to_bytes(8, "big")
    body += len(blob).to_bytes(4, "big") + blob
    body += (1).to_bytes(4, "big")  # chain length
    body += (5).to_bytes(2, "big") + b"X.509" + len(cert).to_bytes(4, "big") + cert
    # The keyed integrity hash, computed here to stay independent of the reader.
    digest = hashlib.sha1(PASSWORD.encode("utf-16-be") + b"Mighty Aphrodite" + bytes(body)).digest()
    path.write_bytes(bytes(body) + digest)


def pem_million_empty_blocks(path: Path) -> None:
    """A million empty CERTIFICATE blocks (53 MB)."""
    block = b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
    with path.open("wb") as out:
        for _ in range(100):
            out.write(block * 10_000)


def pem_garbage(path: Path) -> None:
    """One CERTIFICATE block of 200 MB of base64 text that starts as a certificate would
    (``MII…``: a SEQUENCE of some 300 bytes) and goes on with random base64."""
    import base64

    line_bytes = 48 * 1024
    text = base64.b64encode(os.urandom(line_bytes * 3 // 4 * 64 // 64))
    lines = b"\n".join(text[i : i + 64] for i in range(0, len(text), 64)) + b"\n"
    with path.open("wb") as out:
        out.write(b"-----BEGIN CERTIFICATE-----\nMIIBLDCB3wIUA")
        written = 0
        while written < 200 * 1000 * 1000:
            out.write(lines)
            written += len(lines)
        out.write(b"-----END CERTIFICATE-----\n")


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[Path], None]
    filename: str
    command: tuple[str, ...]  # ks arguments; {input} and {dir} are substituted
    exit_codes: tuple[int, ...]  # what a correct ks answers

    def arguments(self, input_path: Path, workdir: Path) -> list[str]:
        return [a.format(input=input_path, dir=workdir) for a in self.command]


HOSTILE = [
    Hostile(
        "p12-20k-bags-one-friendlyname",
        p12_shared_friendly_name,
        "shared.p12",
        ("list", "-k", "{input}"),
        (0,),
    ),
    Hostile(
        "pem-store-20k-blocks-one-friendlyname",
        pem_store_shared_friendly_name,
        "shared.pem",
        ("list", "-k", "{input}"),
        (0,),
    ),
    Hostile(
        "import-20k-certificates-one-cn",
        pem_certificates_one_cn,
        "one-cn.pem",
        ("import", "-k", "{dir}/imported.p12", "--file", "{input}", "--storepass", PASSWORD),
        (0,),
    ),
    Hostile(
        "p12-10k-keys-x-10k-certificates",
        p12_keys_times_certificates,
        "keys.p12",
        ("list", "-k", "{input}"),
        (0,),
    ),
    Hostile(
        "pem-store-10k-keys-x-10k-certificates",
        pem_store_keys_times_certificates,
        "keys.pem",
        ("list", "-k", "{input}"),
        (0,),
    ),
    Hostile(
        "p12-600-bytes-sha512-mac-5m-iterations",
        p12_sha512_mac_at_cap,
        "mac.p12",
        ("list", "-k", "{input}", "--storepass", PASSWORD),
        (1,),
    ),
    Hostile(
        "jceks-2kb-key-5m-iterations",
        jceks_key_at_cap,
        "key.jceks",
        ("list", "-k", "{input}", "--storepass", PASSWORD),
        (1,),
    ),
    Hostile(
        "pem-store-million-empty-blocks",
        pem_million_empty_blocks,
        "empty.pem",
        ("list", "-k", "{input}"),
        (1,),
    ),
    Hostile(
        "import-million-empty-blocks",
        pem_million_empty_blocks,
        "empty-import.pem",
        ("import", "-k", "{dir}/empty.p12", "--file", "{input}", "--storepass", PASSWORD),
        (1,),
    ),
    Hostile(
        "import-200mb-garbage-pem",
        pem_garbage,
        "garbage.pem",
        ("import", "-k", "{dir}/garbage.p12", "--file", "{input}", "--storepass", PASSWORD),
        (1,),
    ),
    Hostile(
        "pem-store-200mb-garbage",
        pem_garbage,
        "garbage-store.pem",
        ("list", "-k", "{input}"),
        (1,),
    ),
]


@dataclass(frozen=True)
class Measured:
    seconds: float  # wall time
    cpu_seconds: float  # user + system: what the input cost, whatever else the machine runs
    peak_rss_bytes: int
    returncode: int
    stderr: str


_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                      errors="replace", timeout=600)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, proc.returncode)
sys.stdout.write(proc.stderr)
"""


def measure(arguments: list[str], ks_root: Path = ROOT) -> Measured:
    """Runs ks once in a fresh process (under a fresh parent, so RUSAGE_CHILDREN is this run
    alone) and returns its wall time, peak RSS and exit status."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ks_root)
    env.pop("JAVA_TOOL_OPTIONS", None)
    for name in [n for n in env if n.startswith("KS_STORE") or n == "KS_MAX_KDF_WORK"]:
        del env[name]
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "keystore_tool", *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=ks_root,  # python -m looks in the working directory first
        stdin=subprocess.DEVNULL,
        timeout=700,
        check=True,
    ).stdout
    head, _, stderr = out.partition("\n")
    wall, cpu, peak, code = head.split()
    return Measured(float(wall), float(cpu), int(peak), int(code), stderr)


def _table(root: Path, workdir: Path) -> None:
    print(
        f"{'hostile input':<40} {'size':>8} {'exit':>4} {'wall s':>7} {'CPU s':>6} {'peak RSS':>8}"
    )
    for hostile in HOSTILE:
        path = workdir / hostile.filename
        if not path.exists():
            hostile.make(path)
        result = measure(hostile.arguments(path, workdir), root)
        for leftover in workdir.glob("*.p12.*"):
            leftover.unlink()
        for made in ("imported.p12", "empty.p12", "garbage.p12"):
            (workdir / made).unlink(missing_ok=True)
        size = path.stat().st_size
        print(
            f"{hostile.name:<40} {size / 1e6:>6.1f}MB {result.returncode:>4} "
            f"{result.seconds:>7.2f} {result.cpu_seconds:>6.2f} "
            f"{result.peak_rss_bytes / 2**20:>6.0f}MB",
            flush=True,
        )
        first_line = result.stderr.strip().splitlines()[:1]
        if first_line:
            print(f"    {first_line[0][:150]}", flush=True)


if __name__ == "__main__":
    import tempfile

    root = Path(os.environ.get("KS_ROOT", ROOT))
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.mkdir(parents=True, exist_ok=True)
        _table(root, target)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _table(root, Path(tmp))
