#!/usr/bin/env sh
# System packages the suite needs beyond Python: Chromium (browser tests), gettext's msgfmt (translations) and the
# CJK fonts (screenshots, the PDFs' embedded font) and poppler-utils (PDFs rendered to PNG in tests). On Debian/Ubuntu
# as root they are installed with apt-get; anywhere else this prints
# exactly what is missing and how to install it, and stops before any test runs.
set -eu

missing=""
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] || command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v msgfmt >/dev/null 2>&1 || missing="$missing gettext"
# The PDFs embed Noto Sans CJK TC from fonts-noto-cjk (documents/pdf.py); the tests render them to PNG with poppler.
if [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] && [ -z "${DOCUMENTS_FONT_REGULAR:-}" ]; then
  missing="$missing fonts-noto-cjk"
fi
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "make sysdeps: installing$missing with apt-get"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  exit 0
fi

cat >&2 <<MSG
make test needs these system packages, which are not installed:$missing

  Debian / Ubuntu:  sudo apt-get install chromium gettext fonts-noto-cjk poppler-utils   (then run make test again)
  Fedora:           sudo dnf install chromium gettext google-noto-sans-cjk-fonts poppler-utils
  macOS (Homebrew): brew install gettext poppler && brew install --cask chromium
                    then: export CHROMIUM_PATH="/Applications/Chromium.app/Contents/MacOS/Chromium"

Chromium runs the browser tests (tests/e2e, driven by Playwright: no browser is downloaded); a Chromium installed
elsewhere is used when CHROMIUM_PATH points at it. gettext compiles the zh-Hant translations. Without sudo,
ask your administrator for these packages, or run only the tests that need neither:
  .venv/bin/python scripts/dev.py test --ignore=tests/e2e
MSG
exit 1
