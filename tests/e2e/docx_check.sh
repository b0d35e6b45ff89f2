#!/usr/bin/env bash
# The Word documents and portal articles of `gongkai export`, checked with real tools (issue 14).
#
#   tests/e2e/docx_check.sh GONGKAI_BINARY OUT_DIR
#
# For every year of the bundled site, the multi-year fixture and every body of the platform
# fixture, it exports the publishing package, then for each Word document:
#   1. LibreOffice (Debian's, headless) converts it to PDF: A4 pages, and each page renders with
#      pdftoppm (PNG pages kept in OUT_DIR/pages/ for a look; the guide's screenshot comes from
#      here);
#   2. no table is wider than the type area: on every page, rendered in grey, the strips between
#      the type area (156 × 225 mm at 28 mm from the left, 37 mm from the top) and the paper's
#      edges are blank — a table wider than the type area would print into them;
#   3. every number of data/<year>.json is in the right table cell, read from the document's
#      XML rather than its rendering: LibreOffice re-saves the .docx (its own reading of the
#      merged cells, written as its own XML), `gongkai import --format json` reads that file into
#      an empty site, and its cells must equal the built site's data/<year>.json exactly.
# The preview pages are collected in OUT_DIR/previews/ for site-audit (run by .ci/run).
set -euo pipefail
gk="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bash "$here/install_libreoffice.sh" >&2
rm -rf "$out" && mkdir -p "$out/pages" "$out/previews" "$out/lo" "$out/sites"
out="$(cd "$out" && pwd)"
# LibreOffice keeps its profile here, not in $HOME.
export HOME="$out/home"
mkdir -p "$HOME"

checked=0
# project name, root
for project in "bundled:$repo" "multi-year:$repo/tests/fixtures/multi-year" "platform:$repo/tests/fixtures/platform"; do
  name="${project%%:*}"
  root="${project#*:}"
  "$gk" build --root "$root" --output "$out/sites/$name" >/dev/null
  if [[ -f "$root/platform.toml" ]]; then
    bodies=$(cd "$root" && for d in */; do [[ -f "$d/site.toml" ]] && echo "${d%/}"; done)
  else
    bodies="."
  fi
  for body in $bodies; do
    body_root="$root"; [[ "$body" != "." ]] && body_root="$root/$body"
    for ydir in "$body_root"/content/[0-9][0-9][0-9][0-9]; do
      year="$(basename "$ydir")"
      data="$out/sites/$name"; [[ "$body" != "." ]] && data="$data/$body"
      data="$data/data/$year.json"
      if [[ ! -f "$data" ]]; then
        echo "  $name/$body $year: not published (errors), not exported"
        continue
      fi
      dest="$out/export/$name/$body/$year"
      if [[ "$body" == "." ]]; then
        "$gk" export "$year" --root "$root" --output "$dest" >/dev/null
      else
        "$gk" export "$year" --root "$root" --body "$body" --output "$dest" >/dev/null
      fi
      pkg="$dest"; [[ "$body" != "." ]] && pkg="$dest/$body"
      tag="$name-${body//./office}-$year"
      cp "$pkg/preview.html" "$out/previews/$tag.html"
      docx="$(ls "$pkg"/*.docx)"
      work="$out/lo/$tag"
      mkdir -p "$work"
      cp "$docx" "$work/report.docx"
      (cd "$work" && soffice --headless --convert-to pdf report.docx >/dev/null 2>&1)
      (cd "$work" && mkdir -p resaved && soffice --headless --convert-to 'docx:MS Word 2007 XML' --outdir resaved report.docx >/dev/null 2>&1)
      [[ -s "$work/report.pdf" && -s "$work/resaved/report.docx" ]] || { echo "FAIL $tag: LibreOffice did not convert" >&2; exit 1; }
      pdftoppm -r 50 -png "$work/report.pdf" "$out/pages/$tag"
      pdftoppm -r 40 -gray "$work/report.pdf" "$work/page"
      # Import LibreOffice's re-saved file into an empty site of the same body.
      site="$work/site"
      mkdir -p "$site"
      cp "$body_root/site.toml" "$site/"
      set +e
      "$gk" import --root "$site" --format json "$work/resaved/report.docx" >"$work/import.json" 2>"$work/import.err"
      status=$?
      set -e
      if [[ $status -gt 1 ]]; then
        echo "FAIL $tag: import exited $status" >&2
        cat "$work/import.err" >&2
        exit 1
      fi
      python3 - "$tag" "$work/report.pdf" "$data" "$work/import.json" "$work" <<'PY'
import glob, json, subprocess, sys
tag, pdf, data, imported, work = sys.argv[1:]
# 1. A4 pages.
info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
pages = int(next(l.split()[-1] for l in info.splitlines() if l.startswith("Pages:")))
size = next(l for l in info.splitlines() if l.startswith("Page size:"))
assert "595" in size and "841" in size, f"{tag}: not A4: {size}"
# 2. Nothing outside the type area, left and right (2 mm of slack for the cell borders).
def pgm(path):
    b = open(path, "rb").read()
    parts = b.split(maxsplit=4)
    assert parts[0] == b"P5", path
    w, h = int(parts[1]), int(parts[2])
    return w, h, parts[4][: w * h]
shown = sorted(glob.glob(f"{work}/page-*.pgm"))
assert len(shown) == pages, f"{tag}: {len(shown)} pages rendered of {pages}"
for p in shown:
    w, h, px = pgm(p)
    mm = w / 210.0
    top, bottom = int(37 * mm), int(h - 35 * mm)
    left_edge, right_edge = int((28 - 2) * mm), int((210 - 26 + 2) * mm)
    for y in range(top, bottom):
        row = px[y * w : (y + 1) * w]
        ink = [x for x in list(range(2, left_edge)) + list(range(right_edge, w - 2)) if row[x] < 128]
        assert not ink, f"{tag} {p}: ink outside the type area at row {y}, columns {ink[:5]}"
# 3. The numbers, from LibreOffice's XML.
expected = json.load(open(data))["cells"]
got = json.load(open(imported))
got = got[0] if isinstance(got, list) else got
assert got.get("cells") == expected, f"{tag}: imported cells differ from {data}: " + next(
    (f"{e} != {g}" for e, g in zip(expected, got.get("cells") or []) if e != g),
    f"{len(expected)} cells expected, {len(got.get('cells') or [])} read")
print(f"  {tag}: {pages} A4 pages, tables inside the type area, {len(expected)} cells as in data/*.json")
PY
      checked=$((checked + 1))
    done
  done
done
echo "$checked passed, 0 failed"
