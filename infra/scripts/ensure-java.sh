#!/usr/bin/env bash
# Makes sure Java 17+ is on PATH for DynamoDB Local; installs
# openjdk-17-jre-headless with apt-get when it can (root or sudo), and
# otherwise says exactly what is missing.
set -euo pipefail

java_major() {
  command -v java >/dev/null 2>&1 || { echo 0; return; }
  java -version 2>&1 | sed -nE '1s/.*version "(1\.)?([0-9]+).*/\2/p' | grep -E '^[0-9]+$' || echo 0
}

major=$(java_major)
if [ "$major" -ge 17 ]; then
  exit 0
fi
if [ "$major" -eq 0 ]; then
  echo "Java is missing; DynamoDB Local needs Java 17 or newer." >&2
else
  echo "Java $major found; DynamoDB Local needs Java 17 or newer." >&2
fi

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "Install it with: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless" >&2
    exit 1
  fi
  echo "Installing openjdk-17-jre-headless with apt-get ..." >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >&2
  hash -r
  major=$(java_major)
  if [ "$major" -ge 17 ]; then
    exit 0
  fi
  echo "openjdk-17-jre-headless is installed but 'java' on PATH is still version $major;" >&2
  echo "select it with: update-alternatives --config java" >&2
  exit 1
fi
echo "No apt-get here: install a Java 17+ runtime (e.g. Eclipse Temurin 17 JRE) and put 'java' on PATH." >&2
exit 1
