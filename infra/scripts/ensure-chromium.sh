#!/usr/bin/env bash
# Makes sure a Chromium is there for the console's browser tests
# (infra/consolee2e drives it with playwright-core, which downloads no
# browser); installs Debian's chromium with apt-get when it can (root or
# sudo), and otherwise says exactly what is missing. CHROMIUM names another
# binary.
set -euo pipefail

want=${CHROMIUM:-chromium}

# Runs, not just exists: Ubuntu's chromium package is a shim for a snap,
# which does not start in a container.
works() {
  command -v "$want" >/dev/null 2>&1 && "$want" --version >/dev/null 2>&1
}

if works; then
  exit 0
fi
if [ -n "${CHROMIUM:-}" ]; then
  echo "CHROMIUM=$CHROMIUM does not run ('$CHROMIUM --version' fails); point it at a Chromium binary or unset it." >&2
  exit 1
fi
echo "Chromium is missing; the console's browser tests (infra/consolee2e) need it." >&2

rc=0
"$(dirname "$0")/apt-install.sh" chromium || rc=$?
if [ "$rc" -eq 0 ]; then
  hash -r
  if works; then
    exit 0
  fi
  echo "chromium is installed but 'chromium --version' does not run (on Ubuntu it is a snap shim);" >&2
  echo "install a Chromium that runs here and set CHROMIUM to it." >&2
  exit 1
fi
[ "$rc" -eq 3 ] || exit 1
echo "No apt-get here: install Chromium and put 'chromium' on PATH, or set CHROMIUM to its binary." >&2
exit 1
