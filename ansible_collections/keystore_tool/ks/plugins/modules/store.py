#!/usr/bin/python
# Copyright: keystore_tool developers
# MIT License

from __future__ import annotations

DOCUMENTATION = r"""
---
module: store
short_description: Make a keystore or truststore hold exactly what the task says
version_added: "0.1.0"
description:
  - Declares one Java keystore or truststore (PKCS12, JKS, JCEKS or PEM) with the options of one
    C([[store]]) table of the C(ks apply) spec, and makes the file on the managed host hold it.
  - Certificates and keys are matched by SHA-256 fingerprint, never by alias alone, so a rotated
    certificate under the same alias is replaced and a second run changes nothing.
  - Every input is read and checked, and the new store produced, before anything is written; the
    write is atomic (a new file renamed into place) under the lock that C(ks) uses, and entries
    the task does not name are kept unless O(prune=true).
  - Runs the C(keystore_tool) Python library on the managed host; no keytool, no JVM and no
    subprocess are needed.
options:
  path:
    description:
      - The store file. Its type is detected from the content of an existing file; a new file's
        type is O(type), else its extension (C(.p12) C(.pfx) C(.jks) C(.jceks) C(.pem)), else
        PKCS12.
    type: path
    required: true
  state:
    description:
      - V(present) makes the store hold the entries named; V(absent) deletes the file (a
        symlink loses only the link).
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - The store type of a new file; checked against an existing file's content.
    type: str
    choices: [pkcs12, jks, jceks, pem]
  password:
    description:
      - The store password. Without it the store is password-less (a PKCS12 or PEM truststore;
        a JKS or JCEKS store needs one).
      - Never logged, never put in a message.
    type: str
  certificates:
    description:
      - Trusted certificates. Each item gives exactly one of O(certificates[].file),
        O(certificates[].content), O(certificates[].dir), O(certificates[].server) or
        O(certificates[].default_cas).
    type: list
    elements: dict
    default: []
    suboptions:
      alias:
        description:
          - The alias of a file's, content's or server's certificate; several certificates
            take V(ALIAS), V(ALIAS-2), ... Without it the alias is derived from the subject's CN,
            and a certificate the store holds under any alias is left where it is.
        type: str
      file:
        description:
          - A certificate file on the managed host (PEM with one or many certificates, DER, or
            PKCS#7).
        type: path
      content:
        description:
          - The certificates themselves, as PEM text.
        type: str
      dir:
        description:
          - A directory on the managed host; every C(*.pem), C(*.crt), C(*.cer) and C(*.der) file
            in it.
        type: path
      server:
        description:
          - A TLS server C(HOST:PORT); the certificate it presents whose SHA-256 is
            O(certificates[].sha256) is taken.
        type: str
      sha256:
        description:
          - A pin, C(AB:CD:...) (colons optional). Only the certificate with this fingerprint is
            taken; when the source holds none the task fails and nothing is written. Required
            with O(certificates[].server).
        type: str
      default_cas:
        description:
          - Every CA of the JVM's default truststore (C(jssecacerts) or C(cacerts)), aliases kept.
        type: bool
        default: false
      java:
        description:
          - With O(certificates[].default_cas), the JVM whose truststore is copied (its
            C(java) binary or Java home); default C(JAVA_HOME), else C(java) on C(PATH).
        type: path
  keys:
    description:
      - Private-key entries, each a certificate, its private key and its chain.
    type: list
    elements: dict
    default: []
    suboptions:
      alias:
        description:
          - The entry's alias.
        type: str
        required: true
      cert:
        description:
          - The certificate file (PEM or DER); extra certificates in it join the chain.
        type: path
        required: true
      key:
        description:
          - The private key file (PKCS#1, SEC1 or PKCS#8; PEM or DER; encrypted or not).
        type: path
        required: true
      key_password:
        description:
          - The password of an encrypted key file. Never logged.
        type: str
      chain:
        description:
          - Issuer certificate files; the chain is ordered leaf first.
        type: list
        elements: path
        default: []
  prune:
    description:
      - Remove every entry that no certificate or key of the task matches.
    type: bool
    default: false
  mode:
    description:
      - The file's permissions, an octal string such as V("0640"). A new store holding a private
        key is created 0600 unless this says otherwise.
    type: raw
  owner:
    description:
      - The file's owner, C(user) or C(user:group), names or numeric ids.
    type: str
  target:
    description:
      - The runtimes that must load the file, e.g. V(jdk11,openssl3.0) (see C(ks --help) for the
        known forms); the writer picks the strongest protection all of them read.
    type: str
  lock_timeout:
    description:
      - Seconds to wait for another writer's lock on the store.
    type: float
    default: 60
attributes:
  check_mode:
    description: Reports what would change and writes nothing.
    support: full
  diff_mode:
    description: The store's entries before and after, as alias and SHA-256; never key material.
    support: full
notes:
  - Paths are paths on the managed host; give them absolute.
  - Messages name the store; a failure leaves the store exactly as it was.
requirements:
  - keystore_tool (the C(ks) Python package) in the Python that runs the module, Python 3.11 or
    later.
author:
  - keystore_tool developers (@keystore-tool)
"""

EXAMPLES = r"""
- name: A truststore with the company's CAs and the JVM's default CAs
  keystore_tool.ks.store:
    path: /etc/myapp/truststore.p12
    password: "{{ truststore_password }}"
    mode: "0644"
    certificates:
      - file: /etc/pki/company-cas.pem
      - alias: apm-server
        server: apm.internal:8200
        sha256: "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"
      - default_cas: true

- name: A client keystore from a certificate and its PEM key, readable by Java 11
  keystore_tool.ks.store:
    path: /etc/myapp/client.p12
    password: "{{ keystore_password }}"
    owner: myapp:myapp
    target: jdk11
    keys:
      - alias: client
        cert: /etc/pki/myapp.crt
        key: /etc/pki/myapp.key
        chain:
          - /etc/pki/intermediate.crt

- name: Only these certificates, inline
  keystore_tool.ks.store:
    path: /etc/myapp/partners.jks
    password: "{{ partners_password }}"
    prune: true
    certificates:
      - alias: partner-root
        content: "{{ lookup('ansible.builtin.file', 'partner-root.pem') }}"

- name: No store at all
  keystore_tool.ks.store:
    path: /etc/myapp/old.jks
    state: absent
"""

RETURN = r"""
keystore:
  description: The store's path.
  returned: always
  type: str
  sample: /etc/myapp/truststore.p12
storetype:
  description: The store's type.
  returned: when O(state=present)
  type: str
  sample: pkcs12
created:
  description: Whether the store was (or, in check mode, would be) created.
  returned: always
  type: bool
  sample: false
added:
  description: Entries added, with the SHA-256 of their (first) certificate.
  returned: always
  type: list
  elements: dict
  contains:
    alias:
      description: The entry's alias.
      type: str
    sha256:
      description: The certificate's SHA-256, as keytool prints it.
      type: str
  sample: [{"alias": "corp-root", "sha256": "AB:CD:..."}]
replaced:
  description: Entries whose alias now holds another certificate or key (a rotation).
  returned: always
  type: list
  elements: dict
  contains:
    alias:
      description: The entry's alias.
      type: str
    sha256:
      description: The new certificate's SHA-256.
      type: str
removed:
  description: Entries removed by O(prune=true).
  returned: always
  type: list
  elements: dict
  contains:
    alias:
      description: The entry's alias.
      type: str
    sha256:
      description: The removed certificate's SHA-256.
      type: str
unchanged:
  description: Aliases of the entries that already held what the task names.
  returned: always
  type: list
  elements: str
  sample: ["client"]
password_changed:
  description: Whether the store is rewritten under another password than it had.
  returned: when O(state=present)
  type: bool
mode:
  description: The mode change, when the file's mode differs from O(mode).
  returned: when O(state=present)
  type: dict
  sample: {"from": "0600", "to": "0644"}
owner:
  description: The owner change, as uid:gid, when the owner differs from O(owner).
  returned: when O(state=present)
  type: dict
  sample: {"from": "0:0", "to": "1000:1000"}
written:
  description: Whether the file was written (false in check mode).
  returned: always
  type: bool
"""

import os
import tempfile
from pathlib import Path

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.keystore_tool.ks.plugins.module_utils.common import (
    entry_lines,
    fail_with,
    password_of,
    require_keystore_tool,
)

_CERTIFICATE_OPTIONS = dict(
    alias=dict(type="str"),
    file=dict(type="path"),
    content=dict(type="str"),
    dir=dict(type="path"),
    server=dict(type="str"),
    sha256=dict(type="str"),
    default_cas=dict(type="bool", default=False),
    java=dict(type="path"),
)

_KEY_OPTIONS = dict(
    alias=dict(type="str", required=True),
    cert=dict(type="path", required=True),
    key=dict(type="path", required=True, no_log=False),
    key_password=dict(type="str", no_log=True),
    chain=dict(type="list", elements="path", default=[]),
)

ARGUMENT_SPEC = dict(
    path=dict(type="path", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    type=dict(type="str", choices=["pkcs12", "jks", "jceks", "pem"]),
    password=dict(type="str", no_log=True),
    certificates=dict(
        type="list",
        elements="dict",
        default=[],
        options=_CERTIFICATE_OPTIONS,
        mutually_exclusive=[("file", "content", "dir", "server", "default_cas")],
    ),
    keys=dict(type="list", elements="dict", default=[], options=_KEY_OPTIONS, no_log=False),
    prune=dict(type="bool", default=False),
    mode=dict(type="raw"),
    owner=dict(type="str"),
    target=dict(type="str"),
    lock_timeout=dict(type="float", default=60),
)


def _mode_text(module, mode):
    """The spec's octal string. YAML reads an unquoted 0644 as the number 420, so a number
    is taken as the mode itself, as Ansible's file modules do."""
    if mode is None:
        return None
    if isinstance(mode, int):
        return f"{mode:04o}"
    text = str(mode)
    if not text.isdigit():
        module.fail_json(msg=f"{module.params['path']}: mode '{text}' is not an octal mode")
    return text


def _certificate_items(module, scratch):
    items = []
    for index, given in enumerate(module.params["certificates"], start=1):
        item = {
            name: value
            for name, value in given.items()
            if value is not None and name not in ("content", "default_cas")
        }
        if given["default_cas"]:
            item["default_cas"] = True
        if given["content"] is not None:
            # The library reads certificate files; inline text becomes one, private to the run.
            written = Path(scratch) / f"certificates[{index}].content.pem"
            written.write_text(given["content"], encoding="utf-8")
            item["file"] = str(written)
        items.append(item)
    return items


def _key_items(module):
    items = []
    for given in module.params["keys"]:
        item = {"alias": given["alias"], "cert": given["cert"], "key": given["key"]}
        if given["chain"]:
            item["chain"] = list(given["chain"])
        if given["key_password"] is not None:
            item["key_password"] = {"value": given["key_password"]}
        items.append(item)
    return items


def store_table(module, scratch):
    """The task's options as one [[store]] table of the apply spec."""
    params = module.params
    password = params["password"]
    table = {
        "path": params["path"],
        "password": {"none": True} if password is None else {"value": password},
        "prune": params["prune"],
        "certificates": _certificate_items(module, scratch),
        "keys": _key_items(module),
    }
    for name in ("type", "owner", "target"):
        if params[name] is not None:
            table[name] = params[name]
    mode = _mode_text(module, params["mode"])
    if mode is not None:
        table["mode"] = mode
    return table


def _entries_now(path, password):
    """(alias, SHA-256) of each entry the store holds now; None when it cannot be read (the
    apply that follows reports why)."""
    from keystore_tool.errors import KsError
    from keystore_tool.storage import load_store

    if not os.path.exists(path):
        return []
    try:
        keystore = load_store(path, password_of(password))
    except KsError:
        return None
    return [
        (entry.alias, entry.certificates()[0].sha256_hex if entry.certificates() else "")
        for entry in keystore.sorted_entries()
    ]


def _entries_after(before, result):
    """The entries as the apply leaves them: before, less removed, with added and replaced."""
    by_alias = {alias.lower(): (alias, sha256) for alias, sha256 in before}
    for item in result["removed"]:
        by_alias.pop(item["alias"].lower(), None)
    for item in result["replaced"] + result["added"]:
        by_alias[item["alias"].lower()] = (item["alias"], item["sha256"])
    return list(by_alias.values())


def _metadata_lines(result, side):
    lines = ""
    for name in ("mode", "owner"):
        if result.get(name):
            lines += f"# {name} {result[name][side]}\n"
    return lines


def present(module):
    params = module.params
    path = params["path"]
    from keystore_tool.errors import KsError, UsageError
    from keystore_tool.ops.apply import apply_store, store_spec_from_table

    before = _entries_now(path, params["password"]) if module._diff else None
    try:
        with tempfile.TemporaryDirectory(prefix="ks-ansible-") as scratch:
            try:
                spec = store_spec_from_table(store_table(module, scratch), Path.cwd(), where=path)
            except UsageError as exc:
                if params["target"] is not None and "unknown key 'target'" in exc.message:
                    module.fail_json(
                        msg=f"{path}: target is not supported by the keystore_tool installed "
                        "on this host; upgrade keystore_tool there, or drop target"
                    )
                raise
            diff = apply_store(spec, check=module.check_mode, lock_timeout=params["lock_timeout"])
    except KsError as exc:
        fail_with(module, path, exc, changed=False)
    result = diff.as_json()
    for warning in diff.warnings:
        module.warn(f"{path}: {warning}")
    if module._diff and before is not None:
        after = _entries_after(before, result)
        result["diff"] = {
            "before_header": path,
            "after_header": path,
            "before": entry_lines(before) + _metadata_lines(result, "from"),
            "after": entry_lines(after) + _metadata_lines(result, "to"),
        }
    module.exit_json(**result)


def absent(module):
    path = module.params["path"]
    exists = os.path.lexists(path)
    result = dict(
        keystore=path,
        changed=exists,
        created=False,
        added=[],
        replaced=[],
        removed=[],
        unchanged=[],
        written=False,
    )
    if module._diff:
        result["diff"] = {
            "before": f"{path}: present\n" if exists else f"{path}: absent\n",
            "after": f"{path}: absent\n",
        }
    if exists and not module.check_mode:
        from keystore_tool.errors import KsError
        from keystore_tool.storage import remove_store

        try:
            result["written"] = remove_store(path, module.params["lock_timeout"])
        except KsError as exc:
            fail_with(module, path, exc, changed=False)
    module.exit_json(**result)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    require_keystore_tool(module)
    try:
        if module.params["state"] == "absent":
            absent(module)
        else:
            present(module)
    except Exception as exc:  # anything unexpected: one line, no traceback with option values
        fail_with(module, module.params["path"], exc, changed=False)


if __name__ == "__main__":
    main()
