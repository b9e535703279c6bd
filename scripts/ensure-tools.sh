#!/usr/bin/env bash
# Installs what the interoperability tests judge by, only when missing: a JDK (keytool, java,
# javac) and openssl with apt-get, then every judge in scripts/tools.d/ (one file per judge,
# each idempotent, so parallel work on different judges never edits the same file).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
need=()
command -v keytool >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  source "$here/tools.d/lib.sh"
  apt_install "${need[@]}"
fi
for script in "$here"/tools.d/[0-9]*.sh; do
  [ -e "$script" ] || continue
  bash "$script"
done
