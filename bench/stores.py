"""Makes the benchmark's stores; run as a separate process by run.py.

It runs apart because Linux children inherit their parent's peak RSS across fork and exec
(``ru_maxrss``): a measuring process that had held 50,000 certificates would report that as
every child's peak. ``python bench/stores.py WORKDIR SIZE…`` writes, in WORKDIR:
``bundle.pem`` (the first certificate of each JDK cacerts entry), ``one-NN.pem`` (its first 20),
``extra.pem`` (one more certificate), and ``SIZE.jks`` / ``SIZE.pkcs12`` with SIZE distinct
certificates each, written by ks' own writers; it prints the bundle's certificate count.
"""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from certgen import certificates  # noqa: E402

from keystore_tool.certfiles import armour  # noqa: E402
from keystore_tool.formats import get_format  # noqa: E402
from keystore_tool.model import Certificate, Keystore, TrustedCertificateEntry  # noqa: E402
from keystore_tool.password import Password  # noqa: E402
from keystore_tool.storage import load_store  # noqa: E402

CACERTS = Path("/etc/ssl/certs/java/cacerts")
STOREPASS = "changeit"


def make(work: Path, sizes: list[int]) -> int:
    cacerts = load_store(CACERTS, Password(STOREPASS))
    bundle = [c for e in cacerts.sorted_entries() for c in e.certificates()[:1]]
    (work / "bundle.pem").write_bytes(b"".join(armour("CERTIFICATE", c.der) for c in bundle))
    for i, cert in enumerate(bundle[:20]):
        (work / f"one-{i:02d}.pem").write_bytes(armour("CERTIFICATE", cert.der))
    (work / "extra.pem").write_bytes(armour("CERTIFICATE", next(certificates(1, "extra-"))))
    started = time.perf_counter()
    ders = list(certificates(max(sizes)))
    print(
        f"minted {len(ders):,} certificates in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    now = datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)
    for size in sizes:
        keystore = Keystore()
        for i in range(size):
            keystore.add(
                TrustedCertificateEntry(
                    alias=f"cert-{i:06d}", certificate=Certificate(ders[i]), created=now
                )
            )
        for fmt in ("jks", "pkcs12"):
            (work / f"{size}.{fmt}").write_bytes(
                get_format(fmt).dump(keystore, Password(STOREPASS))
            )
    return len(bundle)


if __name__ == "__main__":
    print(make(Path(sys.argv[1]), [int(s) for s in sys.argv[2:]]))
