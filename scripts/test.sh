#!/usr/bin/env bash
# Install everything the test suite needs, then run it. This is the README's test command and what CI runs.
#   bash scripts/test.sh              everything (the slow real-client tests included)
#   bash scripts/test.sh -m 'not slow' the fast inner loop (extra arguments go to pytest)
set -euo pipefail
cd "$(dirname "$0")/.."

# Real clients the tests drive: GNU gettext (msgfmt -c), LibreOffice (DOCX -> PDF), poppler (pdftotext,
# pdftoppm), Chromium (screenshots), fonts for Japanese/Chinese/Korean and Arabic, Java for the Nu checker.
packages=(gettext libreoffice-writer-nogui poppler-utils chromium fonts-noto-cjk fonts-noto-core default-jre-headless)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v java >/dev/null 2>&1 || [ "${missing[*]}" != "default-jre-headless" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
exec .venv/bin/python -m pytest -n 2 "$@"
