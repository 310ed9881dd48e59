#!/usr/bin/env bash
# Installs the npm packages pinned in tests/interop/node (package-lock.json) into
# DIR/node_modules with `npm ci`, so the source tree stays clean: the CTest fixture
# node_modules_install runs it before the Node interop tests. Fails loudly without node.
#   tests/interop/node/install.sh DIR
set -euo pipefail
dir=${1:?usage: install.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "errand: $tool is not installed, and the Node interop tests need it; run scripts/install-deps.sh" >&2
    exit 1
  fi
done
mkdir -p "$dir"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
cd "$dir"
npm ci --no-audit --no-fund --prefer-offline --loglevel=error
echo "errand: node $(node --version), npm $(npm --version): sidekiq $(node -p 'require("sidekiq/package.json").version')," \
  "redis $(node -p 'require("redis/package.json").version') in $dir/node_modules"
