#!/usr/bin/env bash
# Runs each fuzz target for a bounded time, one after the other, and says how many inputs each
# ran and whether any crashed (issue 13; the target is 10^6 executions each with no panic).
#   fuzz/run.sh [SECONDS] [TARGET...]     default: 120 s each, every target
# Needs cargo-fuzz (installed here when missing: CI never runs the fuzzers) and the stable toolchain: RUSTC_BOOTSTRAP=1 lets
# cargo fuzz use -Zsanitizer. Corpora grow in fuzz/corpus/<target>, seeded from
# fuzz/seeds/<target>; each run's output goes to fuzz/logs/<target>.log (both git-ignored); a
# crashing input is kept in fuzz/artifacts/<target>/ and reproduces with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/crash-…
# FUZZ_SANITIZER=none builds without AddressSanitizer (faster, where ASan will not link).
# Exits 1 when a target crashed. Long runs stay out of CI (scripts/test only builds the targets).
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-120}
shift || true
TARGETS=("$@")
[ "${#TARGETS[@]}" -eq 0 ] && TARGETS=(push_body import_jsonl import_csv)
SANITIZER=${FUZZ_SANITIZER:-address}
export RUSTC_BOOTSTRAP=1

dict_of() {
  case "$1" in
    push_body | import_jsonl) echo fuzz/dict/json.dict ;;
    import_csv) echo fuzz/dict/csv.dict ;;
  esac
}

command -v cargo-fuzz >/dev/null || { echo "fuzz/run.sh: installing cargo-fuzz (a few minutes)"; cargo install cargo-fuzz --locked; }
# Every target at once (cargo fuzz build takes one target or all).
cargo fuzz build -s "$SANITIZER" || { echo "fuzz/run.sh: build failed" >&2; exit 2; }

failed=0
summary=()
for t in "${TARGETS[@]}"; do
  corpus=fuzz/corpus/$t
  mkdir -p "$corpus" "fuzz/artifacts/$t"
  cp fuzz/seeds/"$t"/* "$corpus"/
  mkdir -p fuzz/logs
  log=fuzz/logs/$t.log
  printf '\n== %s: %s s\n' "$t" "$SECONDS_EACH"
  cargo fuzz run -s "$SANITIZER" "$t" "$corpus" -- \
    -max_total_time="$SECONDS_EACH" -dict="$(dict_of "$t")" -max_len=65536 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -oE '^#[0-9]+.*cov: [0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+')
  if [ "$rc" -ne 0 ] || grep -qE '^(==[0-9]+==ERROR|thread .* panicked)' "$log"; then
    failed=1
    echo "CRASH in $t (exit $rc); log: $log"
    grep -E 'panicked|ERROR|Test unit written|artifact_prefix' "$log" | head -n 10
    summary+=("$t: CRASH after ${runs:-?} executions, ${speed:-?} exec/s; see $log")
  else
    summary+=("$t: ${runs:-?} executions, ${speed:-?} exec/s, ${cov:-cov ?}, no crash")
  fi
  tail -n 4 "$log"
done

printf '\n== summary (%s s each, sanitizer %s)\n' "$SECONDS_EACH" "$SANITIZER"
printf '%s\n' "${summary[@]}"
exit "$failed"
