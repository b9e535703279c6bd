#!/usr/bin/env bash
# NSS (pk12util, certutil) and GnuTLS (certtool): PKCS12 writers whose files the producer
# tests read (NSS writes BER), and pk12util re-imports what ks rewrote.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
apt_install libnss3-tools gnutls-bin
