#!/usr/bin/env bash
# Fuzzes every target of Sources/TriageFuzzTargets with libFuzzer and AddressSanitizer.
#
#   Fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 600 s, every target)
#   JOBS=2 Fuzz/run.sh 600                            (two targets at a time)
#
# Builds into .build-fuzz/ (never .build/), seeds each target's corpus from Samples/ and
# ../shared/corpus/, and prints the executions per target. A crash stops that target and
# leaves its input in .build-fuzz/crashes/: save it under Tests/Fixtures/fuzz/<target>/, where
# FuzzRegressionTests replays it in `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
all=(assembly gzip tar spans-jaeger spans-otlp spans-zipkin spans-tempo patterns trace-ids)
targets=("${@:-${all[@]}}")
out=.build-fuzz
mkdir -p "$out/crashes" "$out/logs"

TRIAGE_FUZZING=1 swift build -c debug --build-path "$out" --product triage-fuzz
binary="$out/debug/triage-fuzz"

python3 Fuzz/seed.py "$out/seeds" "${targets[@]}"

run_target() {
  local target=$1
  mkdir -p "$out/corpus/$target"
  # -timeout: one input may take 10 s at most (a hang is a finding); -rss_limit_mb: memory.
  if TRIAGE_FUZZ_TARGET=$target "$binary" "$out/corpus/$target" "$out/seeds/$target" \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$target-" >"$out/logs/$target.log" 2>&1; then
    result=ok
  else
    result="CRASH (see $out/logs/$target.log and $out/crashes/)"
  fi
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$out/logs/$target.log" | tail -1)
  speed=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$out/logs/$target.log" | tail -1)
  printf '%-14s %10s executions %6s/s  %s s  %s\n' "$target" "${runs:-?}" "${speed:-?}" "$seconds" "$result"
}

export -f run_target
export out binary seconds
printf '%s\n' "${targets[@]}" | xargs -P "${JOBS:-1}" -I{} bash -c 'run_target {}' | tee "$out/summary.txt"
! grep -q CRASH "$out/summary.txt"
