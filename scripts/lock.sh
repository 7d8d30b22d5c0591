#!/usr/bin/env bash
# Refresh requirements-lock.txt from the newest versions the package index serves today.
#   bash scripts/lock.sh
# A fresh temporary venv gets pip, setuptools, wheel and transpub with its test extras at their newest
# versions; every package it then holds (transitive ones too) is written to the lock with an exact pin.
# Then run `bash scripts/test.sh`, read `git diff requirements-lock.txt`, and commit the lock with any
# code or test change the new versions needed: an upgrade is one reviewed commit.
set -euo pipefail
cd "$(dirname "$0")/.."

lock=requirements-lock.txt
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip setuptools wheel
"$work/venv/bin/python" -m pip install -q '.[test]'

{
  echo "# Exact versions of everything transpub and its tests install (transitive dependencies, pip, setuptools"
  echo "# and wheel included), made by scripts/lock.sh with $("$work/venv/bin/python" --version). Do not edit:"
  echo "# run scripts/lock.sh. scripts/test.sh (and so CI) installs exactly these; the README's quick start"
  echo "# uses them as constraints. pyproject.toml keeps the version ranges users of 'pip install transpub' get."
  "$work/venv/bin/python" -m pip freeze --all --exclude transpub
} >"$work/lock"
mv "$work/lock" "$lock"

echo "wrote $lock ($(grep -vc '^#' "$lock") packages)"
git --no-pager diff --stat -- "$lock" 2>/dev/null || true
