#!/usr/bin/env bash
# Installs what the Word-document checks need, from Debian's packages: LibreOffice Writer without
# its GUI (headless conversion .docx → PDF, and .txt → .docx for the import fixtures), poppler-utils
# (pdftoppm, pdfinfo) and an openly licensed CJK font (Noto CJK) so the pages render Chinese text.
# Idempotent: does nothing when the tools are there.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[[ -d /usr/share/fonts/opentype/noto ]] || need+=(fonts-noto-cjk)
if ((${#need[@]})); then
  echo "install_libreoffice: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi
soffice --version
# sed reads to the end: with head, pdftoppm could die of SIGPIPE, which pipefail reports.
pdftoppm -v 2>&1 | sed -n 1p
