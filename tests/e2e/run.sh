#!/usr/bin/env bash
# End-to-end tests of the real app: builds the UI and the debug app, then runs every spec in
# specs/ (each starts its own Xvfb, tauri-driver and app with a temporary data folder).
# Screenshots: tests/e2e/screenshots/ (emptied at the start of each run).
#   tests/e2e/run.sh                 build, then run all specs
#   TINBAO_SKIP_BUILD=1 tests/e2e/run.sh   reuse the current build
#   tests/e2e/run.sh specs/02-seed-story-wheelies.test.mjs   one spec
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

for tool in Xvfb WebKitWebDriver tauri-driver; do
  command -v "$tool" >/dev/null || {
    echo "missing $tool: apt-get install xvfb webkit2gtk-driver; cargo install tauri-driver --locked" >&2
    exit 1
  }
done

[ -d "$here/node_modules" ] || npm --prefix "$here" ci --no-audit --no-fund
if [ -z "${TINBAO_SKIP_BUILD:-}" ]; then
  [ -d "$root/ui/node_modules" ] || npm --prefix "$root/ui" ci --no-audit --no-fund
  npm --prefix "$root/ui" run build
  (cd "$root" && cargo build -p tinbao-desktop)
fi

rm -rf "$here/screenshots"
mkdir -p "$here/screenshots"
cd "$here"
if [ "$#" -gt 0 ]; then
  exec node --test --test-concurrency=1 "$@"
fi
exec node --test --test-concurrency=1 specs/
