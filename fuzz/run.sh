#!/usr/bin/env bash
# Build and run a fuzz target of the dlp core with libFuzzer (cargo-fuzz).
#
#   fuzz/run.sh SECONDS [TARGET]      # TARGET: scan (default) or fold
#
# Environment: RUNS=N also stops after N inputs (whichever comes first);
# SANITIZER=address (default) or none; extra libFuzzer flags in FUZZ_ARGS.
# New corpus entries go to fuzz/corpus-run/TARGET (ignored by git); the seeds in
# fuzz/corpus/TARGET are only read. Crashes go to fuzz/artifacts/TARGET/.
# cargo-fuzz needs nightly -Z flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain
# accept them. Needs `cargo install cargo-fuzz`.
set -euo pipefail
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET]}
target=${2:-scan}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
export RUSTC_BOOTSTRAP=1
sanitizer=${SANITIZER:-address}
mkdir -p "corpus-run/$target" "artifacts/$target"
dict=()
[[ -f "$target.dict" ]] && dict=(-dict="$here/$target.dict")
runs=()
[[ -n "${RUNS:-}" ]] && runs=(-runs="$RUNS")
cargo fuzz build -O -s "$sanitizer" "$target"
log="$here/corpus-run/$target.log"
start=$(date +%s)
stamp=$(mktemp)
set +e
cargo fuzz run -O -s "$sanitizer" "$target" "corpus-run/$target" "corpus/$target" -- \
    -max_len=65536 -rss_limit_mb=2048 -timeout=10 -max_total_time="$seconds" \
    -print_final_stats=1 -artifact_prefix="$here/artifacts/$target/" \
    "${dict[@]}" "${runs[@]}" ${FUZZ_ARGS:-} 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
end=$(date +%s)
echo "=== $target: exit $status, wall $((end - start))s"
grep -E '^#[0-9]+[[:space:]]+(DONE|pulse)' "$log" | tail -1 || true
grep -E '^stat::' "$log" || true
crashes=$(find "artifacts/$target" -type f -newer "$stamp" \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' -o -name 'slow-unit-*' \) | wc -l)
rm -f "$stamp"
echo "new crash/oom/timeout artifacts in fuzz/artifacts/$target: $crashes"
exit "$status"
