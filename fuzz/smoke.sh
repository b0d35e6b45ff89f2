#!/usr/bin/env bash
# Short libFuzzer run of every fuzz target (default 12 s each, 60 s in all), on stable Rust.
#
#   bash fuzz/smoke.sh            # 12 s per target
#   SMOKE_SECONDS=60 bash fuzz/smoke.sh
#
# Works on a clean clone: installs cargo-fuzz if missing (about 1 min), builds the targets
# (about 8–9 min from cold on 2 cores; seconds when cached),
# seeds the corpus from the fixtures (fuzz/seed.sh) and runs each target in turn. Exits non-zero
# on the first crash, timeout or out-of-memory input, which libFuzzer leaves in
# fuzz/artifacts/<target>/.
#
# CI runs it last (.ci/run), after `cargo test` has replayed every seed and every kept crash
# input through the same entry points without libFuzzer (tests/testsuite/fuzz_corpus.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${SMOKE_SECONDS:-12}"
targets=(report site markdown import_text import_html)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
bash fuzz/seed.sh
cd fuzz
echo "== building the fuzz targets (--sanitizer none: no nightly needed)"
cargo fuzz build --sanitizer none
log="$(mktemp)"
for t in "${targets[@]}"; do
  echo "== $t: ${seconds} s"
  max_len=65536
  [[ $t == markdown ]] && max_len=32768
  if ! cargo fuzz run --sanitizer none "$t" -- \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz smoke: $t found a failing input (see fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "$log" || true
done
rm -f "$log"
echo "fuzz smoke: ${#targets[@]} targets, no crash"
