#!/usr/bin/python
# Copyright: keystore_tool developers
# MIT License

from __future__ import annotations

DOCUMENTATION = r"""
---
module: info
short_description: The entries of a keystore or truststore
version_added: "0.1.0"
description:
  - Reads a store (PKCS12, JKS, JCEKS, PEM, and the read-only BKS, UBER, BCFKS) on the managed
    host and returns its entries as the C(ks list --json) document does, for C(register) and
    assertions.
  - Runs the C(keystore_tool) Python library on the managed host; no keytool and no JVM.
options:
  path:
    description:
      - The store file; its type is detected from its content.
    type: path
    required: true
  password:
    description:
      - The store password; without it a password-less store is read (a JKS then without its
        integrity check, which is reported as a warning). Never logged.
    type: str
  type:
    description:
      - The type the file must have; a file of another type fails the task.
    type: str
    choices: [pkcs12, jks, jceks, pem, bks, uber, bcfks]
attributes:
  check_mode:
    description: Reads only, so it runs the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: none
requirements:
  - keystore_tool (the C(ks) Python package) in the Python that runs the module, Python 3.11 or
    later.
author:
  - keystore_tool developers (@keystore-tool)
"""

EXAMPLES = r"""
- name: What the truststore holds
  keystore_tool.ks.info:
    path: /etc/myapp/truststore.p12
    password: "{{ truststore_password }}"
  register: truststore

- name: The company root is trusted
  ansible.builtin.assert:
    that:
      - "'AB:CD:...' in truststore.entries | map(attribute='sha256')"
"""

RETURN = r"""
keystore:
  description: The store's path.
  returned: always
  type: str
  sample: /etc/myapp/truststore.p12
storetype:
  description: The store's type, detected from its content.
  returned: always
  type: str
  sample: pkcs12
entries:
  description:
    - Every entry, sorted by alias as keytool lists them, as the entry JSON of C(ks list --json)
      (C(alias), C(type), C(sha256), C(sha1), C(subject), C(issuer), C(serial), C(not_before),
      C(not_after), C(key_algorithm), C(key_size), and C(chain) for a private key). Never key
      material.
  returned: always
  type: list
  elements: dict
  sample:
    - alias: corp-root
      type: trusted-cert
      sha256: "AB:CD:..."
      subject: CN=Corp Root
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.keystore_tool.ks.plugins.module_utils.common import (
    fail_with,
    password_of,
    require_keystore_tool,
)

ARGUMENT_SPEC = dict(
    path=dict(type="path", required=True),
    password=dict(type="str", no_log=True),
    type=dict(type="str", choices=["pkcs12", "jks", "jceks", "pem", "bks", "uber", "bcfks"]),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    require_keystore_tool(module)
    path = module.params["path"]
    try:
        from keystore_tool.ops.inspect import open_store
        from keystore_tool.x509util import describe_entry

        view = open_store(
            path, password_of(module.params["password"]), storetype=module.params["type"]
        )
        for warning in view.keystore.warnings:
            module.warn(f"{path}: {warning}")
        entries = [describe_entry(entry) for entry in view.keystore.sorted_entries()]
    except Exception as exc:  # KsError, or anything unexpected: one line naming the store
        fail_with(module, path, exc)
    module.exit_json(changed=False, keystore=path, storetype=view.storetype, entries=entries)


if __name__ == "__main__":
    main()
