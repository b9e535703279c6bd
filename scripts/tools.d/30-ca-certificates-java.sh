#!/usr/bin/env bash
# Debian's update-ca-certificates (the real hook runner tests/host drives on private
# directories) and ca-certificates-java (whose UpdateCertificates class bench/run.py times
# against ks sync-os-trust).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
apt_install ca-certificates ca-certificates-java
