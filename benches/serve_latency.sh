#!/usr/bin/env bash
# Save→reload latency of `gongkai serve`.
#
#   benches/serve_latency.sh        the bundled site
#   benches/serve_latency.sh N      a platform of N reports from the benchmark corpus
#                                   (../shared/bench/gen_corpus.py, converted with
#                                   benches/corpus_to_gongkai.py), previewed whole
#
# Starts `gongkai serve` on a copy, then EDITS (default 50) times appends a paragraph to one
# report.md and measures the time from the write to the live-reload event (and checks that the
# page then serves the edit). Prints p50, p95 and max; the last line is
# `serve save-to-reload p95: X ms (N=<N>)` (N=bundled for the bundled site).
# Targets: p95 < 150 ms at N = 1,000 and < 500 ms at N = 10,000.
set -euo pipefail
n="${1:-}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared=""
for c in "${GONGKAI_SHARED:-}" "$repo/../shared" /work/shared; do
  if [[ -n "$c" && -f "$c/bench/gen_corpus.py" ]]; then shared="$(cd "$c" && pwd)"; break; fi
done
[[ -n "$shared" ]] || { echo "serve_latency.sh: cannot find shared/bench (set GONGKAI_SHARED)" >&2; exit 2; }
bench="${BENCH_DIR:-/tmp/gongkai-bench}"
edits="${EDITS:-50}"
(cd "$repo" && cargo build --release --locked --quiet)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ -z "$n" ]]; then
  mkdir -p "$work/site" && cp -r "$repo/site.toml" "$repo/content" "$work/site/"
  python3 "$repo/benches/serve_latency.py" "$work/site" content/2020/report.md \
    --edits "$edits" --url-path /2020/index.html --label "N=bundled"
  exit
fi
corpus="$bench/n$n"
if [[ ! -f "$corpus/plain/orgs.json" ]]; then
  echo "== generating the corpus (N=$n) in $corpus" >&2
  python3 "$shared/bench/gen_corpus.py" --n "$n" --out "$corpus" >/dev/null
fi
python3 "$repo/benches/corpus_to_gongkai.py" "$corpus" "$work/site" >/dev/null
# A report in the middle of the platform: its body's latest year.
body="$(ls "$work/site" | grep -v '\.toml$' | sort | sed -n "$(( ($(ls "$work/site" | grep -vc '\.toml$') + 1) / 2 ))p")"
year="$(ls "$work/site/$body/content" | grep -E '^[0-9]{4}$' | sort | tail -1)"
python3 "$repo/benches/serve_latency.py" "$work/site" "$body/content/$year/report.md" \
  --edits "$edits" --url-path "/$body/$year/index.html" --label "N=$n" --start-timeout 600
