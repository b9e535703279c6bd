"""``ks genkeypair``, ``ks certreq`` and ``ks gencert``: keytool's key verbs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from keystore_tool.cli import options as opt
from keystore_tool.cli.output import echo, emit_json
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT

Dname = Annotated[
    str | None,
    typer.Option("--dname", help="Distinguished name, as keytool: 'CN=name, O=org, C=US'."),
]
San = Annotated[
    list[str] | None,
    typer.Option(
        "--san", help="Subject alternative names: dns:NAME,ip:ADDR,email:,uri: (repeatable)."
    ),
]
KeyUsage = Annotated[
    list[str] | None,
    typer.Option(
        "--key-usage", help="digitalSignature, keyEncipherment, keyCertSign, … (comma list)."
    ),
]
ExtKeyUsage = Annotated[
    list[str] | None,
    typer.Option("--ext-key-usage", help="serverAuth, clientAuth, codeSigning, … or OIDs."),
]
Validity = Annotated[int, typer.Option("--validity", help="Days the certificate is valid.")]
Ca = Annotated[
    bool, typer.Option("--ca", help="Make it a CA certificate (basicConstraints CA:true).")
]


def _extensions(
    san: list[str] | None, key_usage: list[str] | None, ext_key_usage: list[str] | None, ca: bool
) -> object:
    from keystore_tool.ops.keygen import Extensions
    from keystore_tool.x509names import split_list

    return Extensions(
        sans=split_list(san or []),
        key_usage=split_list(key_usage or []),
        ext_key_usage=split_list(ext_key_usage or []),
        ca=ca,
    )


def _write_output(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(data.decode("ascii"))
        return
    from keystore_tool.storage import write_new_file

    write_new_file(out, data, holds_private_key=False)


def genkeypair(
    keystore: opt.Keystore,
    alias: opt.Alias,
    dname: Dname = None,
    keyalg: Annotated[str, typer.Option("--keyalg", help="rsa, ec or ed25519.")] = "rsa",
    keysize: Annotated[
        int | None,
        typer.Option(
            "--keysize", help="RSA: 2048, 3072 (default), 4096; EC: 256 (default), 384, 521."
        ),
    ] = None,
    validity: Validity = 90,
    san: San = None,
    key_usage: KeyUsage = None,
    ext_key_usage: ExtKeyUsage = None,
    ca: Ca = False,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    storetype: opt.Storetype = None,
    entry_pass: opt.EntryPass = None,
    entry_pass_env: opt.EntryPassEnv = None,
    entry_pass_file: opt.EntryPassFile = None,
    lock_timeout: opt.LockTimeout = DEFAULT_LOCK_TIMEOUT,
    runtime_targets: opt.Target = None,
    json: opt.Json = False,
) -> None:
    """Generate a key pair with a self-signed certificate."""
    from keystore_tool.errors import UsageError
    from keystore_tool.ops.keygen import Extensions, KeySpec
    from keystore_tool.ops.keygen import genkeypair as generate

    targets = opt.runtime_targets(runtime_targets)
    if not dname:
        raise UsageError("give the certificate's subject with --dname 'CN=name, O=org, C=US'")
    extensions = _extensions(san, key_usage, ext_key_usage, ca)
    assert isinstance(extensions, Extensions)
    target = opt.store_target(
        keystore,
        storepass,
        storepass_env,
        storepass_file,
        storetype=storetype,
        lock_timeout=lock_timeout,
        entry_pass=entry_pass,
        entry_pass_env=entry_pass_env,
        entry_pass_file=entry_pass_file,
        targets=targets,
    )
    result = generate(
        target,
        alias,
        dname=dname,
        key=KeySpec(keyalg, keysize),
        validity_days=validity,
        extensions=extensions,
    )
    if json:
        emit_json(result.as_json())
        return
    leaf = result.entry.chain[0]
    echo(f"Generated '{alias}' in {keystore}: {leaf.x509.subject.rfc4514_string()}")
    echo(f"Certificate fingerprint (SHA-256): {leaf.sha256_hex}")


def certreq(
    keystore: opt.Keystore,
    alias: opt.Alias,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the request here (default: stdout).")
    ] = None,
    dname: Dname = None,
    san: San = None,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    entry_pass: opt.EntryPass = None,
    entry_pass_env: opt.EntryPassEnv = None,
    entry_pass_file: opt.EntryPassFile = None,
) -> None:
    """Write a PKCS#10 certificate request (PEM) for a key entry."""
    from keystore_tool.ops.keygen import certreq as make_request
    from keystore_tool.ops.keygen import key_entry
    from keystore_tool.x509names import split_list

    view = opt.read_store(
        keystore,
        storepass,
        storepass_env,
        storepass_file,
        entry_pass=entry_pass,
        entry_pass_env=entry_pass_env,
        entry_pass_file=entry_pass_file,
    )
    entry = key_entry(view.keystore, alias)
    _write_output(make_request(entry, dname=dname, sans=split_list(san or [])), out)


def gencert(
    keystore: opt.Keystore,
    alias: opt.Alias,
    infile: Annotated[Path, typer.Option("--infile", help="The certificate request (PEM or DER).")],
    outfile: Annotated[
        Path | None,
        typer.Option("--outfile", "-o", help="The signed certificate and the CA's chain (PEM)."),
    ] = None,
    validity: Validity = 90,
    dname: Annotated[
        str | None, typer.Option("--dname", help="Override the request's subject.")
    ] = None,
    san: San = None,
    key_usage: KeyUsage = None,
    ext_key_usage: ExtKeyUsage = None,
    ca: Ca = False,
    storepass: opt.Storepass = None,
    storepass_env: opt.StorepassEnv = None,
    storepass_file: opt.StorepassFile = None,
    entry_pass: opt.EntryPass = None,
    entry_pass_env: opt.EntryPassEnv = None,
    entry_pass_file: opt.EntryPassFile = None,
) -> None:
    """Sign a certificate request with a key entry (a small CA)."""
    from keystore_tool.ops.keygen import Extensions, key_entry, read_csr
    from keystore_tool.ops.keygen import gencert as sign
    from keystore_tool.storage import read_file

    csr = read_csr(read_file(infile, "certificate request"), str(infile))
    view = opt.read_store(
        keystore,
        storepass,
        storepass_env,
        storepass_file,
        entry_pass=entry_pass,
        entry_pass_env=entry_pass_env,
        entry_pass_file=entry_pass_file,
    )
    extensions = _extensions(san, key_usage, ext_key_usage, ca)
    assert isinstance(extensions, Extensions)
    issued = sign(
        key_entry(view.keystore, alias),
        csr,
        validity_days=validity,
        extensions=extensions,
        dname=dname,
    )
    _write_output(issued.pem(), outfile)
