#!/usr/bin/env bash
# The whole test run, as CI does it: set-up, lint, type check, build, Node tests, browser
# end-to-end tests and browser unit tests (Chromium and Firefox ESR, in a network namespace of
# their own: scripts/test-netns.sh).
# Prints each phase's time, the total wall time and one closing "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
# Every phase runs on Node 22 (fetched into the cache when the machine has another version).
# shellcheck source=node-runtime.sh
. scripts/node-runtime.sh

now_ms() { echo $(($(date +%s%N) / 1000000)); }
seconds() { local ms=$(($(now_ms) - $1)); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
started=$(now_ms)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

phase() {
  local name=$1; shift
  local t; t=$(now_ms)
  printf '\n=== %s\n' "$name"
  if "$@" 2>&1 | tee "$logs/$name.log"; then
    printf '=== %s: ok (%s)\n' "$name" "$(seconds "$t")"
  else
    printf '=== %s: FAILED (%s)\n' "$name" "$(seconds "$t")"
    return 1
  fi
}

count() { grep -Eo "$1" "$logs/$2.log" 2>/dev/null | grep -Eo '^[0-9]+' | tail -n 1 || true; }

phase setup bash scripts/setup.sh --for-tests || exit 1
phase lint npx eslint . || exit 1
phase typecheck npx tsc -p tsconfig.json || exit 1
phase build npm run build || exit 1

status=0
phase node-tests npx mocha --reporter spec || status=1
phase browser-e2e bash scripts/test-netns.sh npx mocha --config .mocharc.browser-e2e.cjs --reporter spec || status=1
phase browser-tests bash scripts/test-netns.sh npx karma start karma.conf.cjs || status=1

node_passed=$(count '[0-9]+ passing' node-tests); node_failed=$(count '[0-9]+ failing' node-tests)
e2e_passed=$(count '[0-9]+ passing' browser-e2e); e2e_failed=$(count '[0-9]+ failing' browser-e2e)
browser_passed=$(count '[0-9]+ passed' browser-tests); browser_failed=$(count '[0-9]+ failed' browser-tests)
passed=$((${node_passed:-0} + ${e2e_passed:-0} + ${browser_passed:-0}))
failed=$((${node_failed:-0} + ${e2e_failed:-0} + ${browser_failed:-0}))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

printf '\nwall time: %s\n' "$(seconds "$started")"
printf 'tests: %d passed, %d failed\n' "$passed" "$failed"
exit "$status"
