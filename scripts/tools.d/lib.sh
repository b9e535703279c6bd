# Shared helpers for the judge installers in this folder (sourced, not run).
# KS_JUDGES is where downloaded judges live (JRE wheels, a venv with an old OpenSSL, npm
# packages); it is a cache: every installer re-creates what is missing.
: "${KS_JUDGES:=${XDG_CACHE_HOME:-$HOME/.cache}/ks-judges}"
export KS_JUDGES
mkdir -p "$KS_JUDGES"

apt_updated=""
apt_install() {
  # apt_install PKG…: installs the Debian packages that are not installed yet.
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-tools: missing ${missing[*]} and no apt-get to install them" >&2
    return 1
  fi
  local sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "ensure-tools: installing ${missing[*]}" >&2
  if [ -z "$apt_updated" ]; then
    "${sudo_cmd[@]}" apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
