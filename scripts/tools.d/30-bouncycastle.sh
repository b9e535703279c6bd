# BouncyCastle (Debian libbcprov-java, /usr/share/java/bcprov.jar): writes and lists the BKS,
# UBER and BCFKS stores the BouncyCastle tests read.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
apt_install libbcprov-java
