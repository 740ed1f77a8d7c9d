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

rc=0
"$(dirname "$0")/apt-install.sh" openjdk-17-jre-headless || rc=$?
if [ "$rc" -eq 0 ]; then
  hash -r
  major=$(java_major)
  if [ "$major" -ge 17 ]; then
    exit 0
  fi
  echo "openjdk-17-jre-headless is installed but 'java' on PATH is still version $major;" >&2
  echo "select it with: update-alternatives --config java" >&2
  exit 1
fi
[ "$rc" -eq 3 ] || exit 1
echo "No apt-get here: install a Java 17+ runtime (e.g. Eclipse Temurin 17 JRE) and put 'java' on PATH." >&2
exit 1
