#!/usr/bin/env bash
# Installs the Debian 12 packages Millrace needs to build and test. Idempotent: does nothing when all are there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libprotobuf-dev protobuf-compiler librocksdb-dev
  libfmt-dev libspdlog-dev libyaml-cpp-dev libcli11-dev catch2
  libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev libssl-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
