#!/usr/bin/env bash
# apt-install.sh PACKAGE: installs one Debian package with apt-get, as root
# or with passwordless sudo. Exit 3 when there is no apt-get (the caller
# says what to install instead), 1 when it cannot install (it says how).
# Shared by ensure-java.sh and ensure-chromium.sh.
set -euo pipefail
pkg=$1

command -v apt-get >/dev/null 2>&1 || exit 3
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "Install it with: sudo apt-get update && sudo apt-get install -y $pkg" >&2
  exit 1
fi
echo "Installing $pkg with apt-get ..." >&2
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$pkg" >&2
