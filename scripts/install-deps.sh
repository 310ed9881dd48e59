#!/usr/bin/env bash
# Installs every Debian package errand needs to build, test and run its demo.
# Idempotent: packages already present are skipped. Needs root (or sudo).
#   scripts/install-deps.sh          build + test dependencies (servers included)
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config git ca-certificates
  # libraries
  libboost1.81-dev libboost-json1.81-dev libhiredis-dev libpq-dev libsqlite3-dev libssl-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libtomlplusplus-dev libcli11-dev
  # IANA time zones for periodic jobs' schedules (date/tz.h; g++ 12 has no std::chrono::tzdb)
  libhowardhinnant-date-dev tzdata
  # real servers and peers used by the tests
  redis-server postgresql-15 ruby ruby-sidekiq
  # throwaway certificates for the rediss:// tests
  openssl
)
# Node's Sidekiq client for the Node interop test (its npm packages are installed by CTest).
# Debian's nodejs and npm only when no node or npm is on PATH: another Node (NodeSource's
# nodejs bundles npm and conflicts with Debian's npm package) is used as it is.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "errand: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "errand: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "errand: packages installed"
