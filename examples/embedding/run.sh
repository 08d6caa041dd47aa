#!/usr/bin/env bash
# Proves the published shape: pack clusterdns exactly as `npm publish` would, install the tarball into a
# fresh copy of this example project (no workspace links, no access to the repo's devDependencies), then
# type-check it with skipLibCheck false (ESM and CommonJS consumers) and run its own suites: node:test, a
# plain CommonJS require, vitest, and Jest (CommonJS test files, the package's `require` export).
#
#   examples/embedding/run.sh            # from anywhere; exits non-zero on any failure
#   KEEP_TMP=1 examples/embedding/run.sh # keep the temp dir for inspection
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/clusterdns-example.XXXXXX")"
cleanup() { if [ -z "${KEEP_TMP:-}" ]; then rm -rf "$tmp"; else echo "kept $tmp"; fi; }
trap cleanup EXIT

echo "==> building and packing clusterdns"
# The test suite builds once before running this (CLUSTERDNS_SKIP_BUILD=1), so other suites never see
# dist/ rewritten under them.
[ -n "${CLUSTERDNS_SKIP_BUILD:-}" ] || (cd "$root" && npm run build --silent)
tarball_name="$(cd "$root" && npm pack --silent --pack-destination "$tmp" | tail -n 1)"
tarball="$tmp/$tarball_name"
echo "    $tarball"
echo "    contents:"
tar -tzf "$tarball" | sed 's/^/      /' | grep -E '(^|/)(index|testing/index)\.(js|d\.ts)$|cjs/package\.json' || true

echo "==> installing the tarball into a copy of the example"
mkdir -p "$tmp/example"
(cd "$here" && tar --exclude=node_modules --exclude=dist --exclude=package-lock.json -cf - .) | (cd "$tmp/example" && tar -xf -)
cd "$tmp/example"
# Point the dependency at this very tarball (the checked-in file: path is relative to the repo root).
node -e '
  const fs = require("node:fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  pkg.dependencies.clusterdns = "file:" + process.argv[1];
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");
' "$tarball"
npm install --no-audit --no-fund --prefer-offline --loglevel=error

echo "==> type-checking and testing the example"
# Plain output for the assertions of test/e2e/packed-example.test.ts.
export NO_COLOR=1 FORCE_COLOR=0
npm test
echo "==> examples/embedding: OK"
