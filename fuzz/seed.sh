#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with the seed corpus: the fixture sites, the bundled site, the
# shared real reports and the regression inputs. Idempotent; the corpus folders are not committed.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=fuzz/corpus
mkdir -p "$corpus"/{report,site,markdown,import_text,import_html}
sep=$'\n=====report.md=====\n'
n=0
for dir in content/*/ tests/fixtures/*/content/*/; do
  [[ -f "$dir/report.yaml" ]] || continue
  n=$((n + 1))
  cp "$dir/report.yaml" "$corpus/report/seed-$n.yaml"
  if [[ -f "$dir/report.md" ]]; then
    cp "$dir/report.md" "$corpus/markdown/seed-$n.md"
    { cat "$dir/report.yaml"; printf '%s' "$sep"; cat "$dir/report.md"; } > "$corpus/site/seed-$n"
  fi
done
for page in tests/fixtures/*/content/pages/*.md; do
  [[ -f "$page" ]] && cp "$page" "$corpus/markdown/page-$(basename "$page")"
done
cp tests/fixtures/import/reports/*.txt tests/fixtures/import/*.txt tests/fixtures/import/docx/*.docx "$corpus/import_text/"
cp tests/fixtures/import/*.html "$corpus/import_html/"
# Hostile files of the bad-input catalogue.
for f in tests/bad_inputs/*/content/*/report.yaml; do
  [[ -f "$f" ]] && cp "$f" "$corpus/report/bad-$(basename "$(dirname "$(dirname "$(dirname "$f")")")").yaml"
done
for f in tests/bad_inputs/*/input/*; do
  [[ -f "$f" ]] || continue
  case "$f" in
    *.html) cp "$f" "$corpus/import_html/bad-$(basename "$(dirname "$(dirname "$f")")").html" ;;
    *) cp "$f" "$corpus/import_text/bad-$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")" ;;
  esac
done
for target in report site markdown import_text import_html; do
  if [[ -d fuzz/regressions/$target ]]; then
    cp fuzz/regressions/$target/* "$corpus/$target/" 2>/dev/null || true
  fi
done
for target in report site markdown import_text import_html; do
  printf '%-12s %3d seeds\n' "$target" "$(ls "$corpus/$target" | wc -l)"
done
