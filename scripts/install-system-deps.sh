#!/usr/bin/env bash
# Install what the plans need from the system: a CJK font (Chinese in PDFs), Pango and
# HarfBuzz-Subset (WeasyPrint; without HarfBuzz-Subset it falls back to fontTools, which takes
# about 10 s per PDF to subset the CJK font instead of 0.03 s) and poppler-utils
# (pdftoppm/pdftotext, used by the tests), and fontconfig's fc-match, which finds the CJK font
# the print font is built from (customer_plans.render.fonts), and Chromium (headless), in which
# the tests open the roll-ups and plans at a phone's width (tests/test_render_phone.py).
# Non-interactive where apt is usable.
set -euo pipefail

missing=()
command -v fc-match >/dev/null 2>&1 || missing+=(fontconfig)
fc-list :lang=zh family 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi
  if [ "$SUDO" != none ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
  fi
fi
cat >&2 <<MSG
Cannot install system packages here. Please install them, then run make again:
  Debian/Ubuntu: sudo apt-get install ${missing[*]}
  Fedora/RHEL:   sudo dnf install google-noto-sans-cjk-fonts poppler-utils pango harfbuzz fontconfig chromium
  macOS:         brew install pango harfbuzz poppler && brew install --cask font-noto-sans-cjk chromium
MSG
exit 1
