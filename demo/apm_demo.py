"""`make demo`: the APM scenario end to end, on a throwaway CA and a local TLS server.

1. Mint a CA, an APM-like server certificate and a client certificate (cryptography).
2. Start an HTTPS server on 127.0.0.1 that requires a client certificate from that CA.
3. `ks import` the CA into a truststore; `ks bundle-p12` the client key and certificate.
4. Run a real JVM HTTPS client with the JVM options `ks bundle-p12` printed: the handshake
   succeeds. Then show the stores in every format `ks` writes.

Every `ks` step is printed as a user would type it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from demo.tls_server import https_server
from keystore_tool.javaprobe import PROBE_CLASS, probe_source

OUT = Path(os.environ.get("KS_DEMO_DIR", "demo-out")).resolve()
KS = str(Path(sys.executable).with_name("ks"))
PASSWORD_VARIABLE = "KS_DEMO_STOREPASS"


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def ks(*args: str) -> str:
    """Runs ks as a user would, showing the command line and its output."""
    shown = ["ks", *(shlex.quote(str(a).replace(str(OUT) + "/", "")) for a in args)]
    print("$ " + " ".join(shown), flush=True)
    proc = subprocess.run([KS, *args], capture_output=True, text=True, cwd=OUT, check=False)
    if proc.stdout:
        print(proc.stdout.rstrip())
    if proc.stderr:
        print(proc.stderr.rstrip())
    if proc.returncode != 0:
        raise SystemExit(f"demo: 'ks {args[0]}' failed with exit code {proc.returncode}")
    return proc.stdout


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def write_pem(path: Path, *certs: x509.Certificate) -> Path:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    return path


def mint(out: Path) -> dict[str, Path]:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Demo APM CA"))
        .issuer_name(name("Demo APM CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(
        cn: str, usage: x509.ObjectIdentifier, sans: list[x509.GeneralName]
    ) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return builder.sign(ca_key, hashes.SHA256()), key

    server, server_key = leaf(
        "apm.local",
        ExtendedKeyUsageOID.SERVER_AUTH,
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    client, client_key = leaf("apm-agent", ExtendedKeyUsageOID.CLIENT_AUTH, [])
    files = {
        "ca": write_pem(out / "ca.crt", ca),
        "server_chain": write_pem(out / "server-chain.crt", server, ca),
        "client": write_pem(out / "client.crt", client),
        "server_key": out / "server.key",
        "client_key": out / "client.key",
    }
    files["server_key"].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    # The client key as many tools hand it out: PKCS#1 PEM, which keytool cannot import.
    files["client_key"].write_bytes(
        client_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    files["client_key"].chmod(0o600)
    return files


def java_probe(port: int, jvm_options: list[str], truststore: Path) -> bool:
    java = shutil.which("java")
    javac = shutil.which("javac")
    if java is None or javac is None:
        print("(no JDK on PATH: skipping the JVM handshake; `make setup` installs one)")
        return True
    classes = OUT / "classes"
    classes.mkdir(exist_ok=True)
    # The probe `ks verify --java` runs: one HTTPS client for the demo, the tests and ks.
    with probe_source() as source:
        subprocess.run([javac, "-d", str(classes), str(source)], check=True)
    command = [
        java,
        f"-Djavax.net.ssl.trustStore={truststore}",
        "-Djavax.net.ssl.trustStoreType=pkcs12",
        f"-Djavax.net.ssl.trustStorePassword={os.environ[PASSWORD_VARIABLE]}",
        *[o.replace("<password>", os.environ[PASSWORD_VARIABLE]) for o in jvm_options],
        "-cp",
        str(classes),
        PROBE_CLASS,
        f"https://localhost:{port}/",
    ]
    shown = [c if "Password=" not in c else c.split("=")[0] + "=<password>" for c in command]
    print("$ " + " ".join(shlex.quote(c) for c in shown).replace(str(OUT) + "/", ""))
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    print((proc.stdout + proc.stderr).strip())
    return proc.returncode == 0


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    os.environ[PASSWORD_VARIABLE] = "demo-changeit"
    step("A throwaway CA, an APM server certificate and a client certificate")
    files = mint(OUT)
    for path in sorted(OUT.iterdir()):
        print(f"  {path.name}")

    with https_server(files["server_chain"], files["server_key"], client_ca=files["ca"]) as (
        port,
        log,
    ):
        step(f"An APM-like HTTPS server on 127.0.0.1:{port} that requires a client certificate")
        step("Trust the APM server's CA")
        ks(
            "import",
            "--keystore",
            "truststore.p12",
            "--alias",
            "apm-ca",
            "--file",
            "ca.crt",
            "--storepass-env",
            PASSWORD_VARIABLE,
        )
        step("Run it again: nothing changes (idempotent)")
        ks(
            "import",
            "--keystore",
            "truststore.p12",
            "--alias",
            "apm-ca",
            "--file",
            "ca.crt",
            "--storepass-env",
            PASSWORD_VARIABLE,
            "--json",
        )
        step("Bundle the client certificate and its PKCS#1 key (keytool cannot import it)")
        printed = ks(
            "bundle-p12",
            "--cert",
            "client.crt",
            "--key",
            "client.key",
            "--chain",
            "ca.crt",
            "--out",
            "keystore.p12",
            "--alias",
            "apm-agent",
            "--storepass-env",
            PASSWORD_VARIABLE,
        )
        jvm_options = [line for line in printed.splitlines() if line.startswith("-D")]
        ks("list", "--keystore", "keystore.p12", "--storepass-env", PASSWORD_VARIABLE)
        step("A real JVM connects with those options")
        ok = java_probe(port, jvm_options, OUT / "truststore.p12")
        print(
            f"server saw: {log.handshakes[-1] if log.handshakes else 'no connection'}"
            + (f", client certificate {log.client_subjects[-1]}" if log.client_subjects else "")
        )
        if not ok:
            print("demo: the JVM handshake failed", file=sys.stderr)
            return 1

    step("The same truststore in every format ks writes")
    for target in ("truststore.jks", "truststore.jceks", "truststore.pem"):
        ks(
            "convert",
            "--keystore",
            "truststore.p12",
            "--out",
            target,
            "--srcstorepass-env",
            PASSWORD_VARIABLE,
            "--storepass-env",
            PASSWORD_VARIABLE,
        )
    ks("list", "--keystore", "truststore.jks", "--storepass-env", PASSWORD_VARIABLE)
    ks("list", "--keystore", "truststore.pem")
    print(f"\nDone. Everything is in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
