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
if ! npm ci --no-audit --no-fund --prefer-offline --loglevel=error 2>"$dir/npm-ci.log"; then
  cat "$dir/npm-ci.log" >&2
  if grep -q "CERT" "$dir/npm-ci.log"; then
    echo "errand: npm could not verify the registry's TLS certificate. On a network that intercepts" \
      "TLS, give npm that proxy's CA: NODE_EXTRA_CA_CERTS=/path/to/ca.crt, or npm config set cafile" \
      "/path/to/ca.crt (or add it under /usr/local/share/ca-certificates and run update-ca-certificates)" >&2
  fi
  exit 1
fi
echo "errand: node $(node --version), npm $(npm --version): sidekiq $(node -p 'require("sidekiq/package.json").version')," \
  "redis $(node -p 'require("redis/package.json").version') in $dir/node_modules"
