#!/usr/bin/env bash
# Install everything the test suite needs, then run it. This is the README's test command and what CI runs.
#   bash scripts/test.sh                everything (the slow real-client tests included)
#   bash scripts/test.sh -m 'not slow'  the fast inner loop (extra arguments go to pytest)
#   bash scripts/test.sh --latest ...   the same against the newest versions the package index serves
# Python packages come from requirements-lock.txt, exactly: what passed yesterday passes today. --latest
# installs into a fresh temporary venv (the locked .venv is left alone) and shows how it differs from the
# lock; scripts/lock.sh then makes the upgrade a commit of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

lock=requirements-lock.txt
latest=false
if [ "${1:-}" = "--latest" ]; then
  latest=true
  shift
fi

# Real clients the tests drive: GNU gettext (msgfmt -c), LibreOffice (DOCX -> PDF), poppler (pdftotext,
# pdftoppm), Chromium (screenshots), fonts for Japanese/Chinese/Korean and Arabic, Java for the Nu checker,
# OmegaT (a CAT tool reading transpub's XLIFF and TMX in console mode; its jar also holds the TMX 1.4b DTD), and
# php-symfony-translation only for its copy of the OASIS XLIFF 1.2 strict schema (no PHP runtime is installed).
packages=(gettext libreoffice-writer-nogui poppler-utils chromium fonts-noto-cjk fonts-noto-core default-jre-headless omegat php-symfony-translation)
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

if "$latest"; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  python="$work/venv/bin/python"
  python3 -m venv "$work/venv"
  "$python" -m pip install -q --upgrade pip setuptools wheel
  "$python" -m pip install -q -e '.[test]'
  echo "Testing against the newest versions; how they differ from $lock (< locked, > newest):"
  if diff <(grep -v '^#' "$lock") <("$python" -m pip freeze --all --exclude-editable --exclude transpub); then
    echo "(no difference: the lock holds the newest versions)"
  fi
  export TRANSPUB_UNLOCKED=1  # test_lock.py then checks pyproject.toml's ranges instead of the lock
  "$python" -m pytest -n 2 "$@"
  exit
fi

python3 -m venv .venv
# exactly the lock, then transpub itself with no index at all: if the lock lacks anything transpub or its
# test extras need, this fails here instead of quietly installing an unpinned version
.venv/bin/python -m pip install -q --no-deps -r "$lock"
if ! .venv/bin/python -m pip install -q --no-index --no-build-isolation -c "$lock" -e '.[test]'; then
  echo "$lock lacks a package that transpub or its tests need (named above): run bash scripts/lock.sh" >&2
  exit 1
fi
exec .venv/bin/python -m pytest -n 2 "$@"
