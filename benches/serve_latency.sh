#!/usr/bin/env bash
# Save→reload latency of `gongkai serve` over 50 edits of a narrative file, on the bundled site
# and on a generated platform of 100 reports (../shared/bench/gen_corpus.py --n 100, converted
# with benches/corpus_to_gongkai.py). Prints p50 and p95 for each. Target: p95 < 150 ms.
set -euo pipefail
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
mkdir -p "$work/bundled" && cp -r "$repo/site.toml" "$repo/content" "$work/bundled/"
python3 "$repo/benches/serve_latency.py" "$work/bundled" content/2020/report.md --edits "$edits" --url-path /2020/
if [[ ! -f "$bench/n100/plain/orgs.json" ]]; then
  python3 "$shared/bench/gen_corpus.py" --n 100 --out "$bench/n100" >/dev/null
fi
python3 "$repo/benches/corpus_to_gongkai.py" "$bench/n100" "$work/n100" >/dev/null
python3 "$repo/benches/serve_latency.py" "$work/n100" org-00008/content/2023/report.md --edits "$edits" --url-path /org-00008/2023/
