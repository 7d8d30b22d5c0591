#!/usr/bin/env bash
# Install the peers the benchmark compares transpub with, without touching transpub's own venv:
#   - po4a and GNU gettext (msgmerge) from Debian packages;
#   - Translate Toolkit (md2po, po2md, pot2po) and mdpo (md2po, po2md) in bench/.venv-peers.
# Usage (from the repository root):  bash bench/setup.sh
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! command -v po4a >/dev/null || ! command -v msgmerge >/dev/null || [ ! -x /usr/bin/time ]; then
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends po4a gettext time
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv-peers/bin/python ]; then
  "$PY" -m venv .venv-peers
fi
.venv-peers/bin/pip install -q --upgrade pip
# The versions the table in bench/README.md was measured with; override to try newer ones.
# The "levenshtein" extra gives pot2po its fast (rapidfuzz) fuzzy matcher.
TT_VERSION="${TT_VERSION:-3.20.4}"
MDPO_VERSION="${MDPO_VERSION:-2.1.4}"
.venv-peers/bin/pip install -q "translate-toolkit[markdown,levenshtein]==$TT_VERSION" "mdpo==$MDPO_VERSION"

echo "peers:"
po4a --version 2>/dev/null | head -n 1 || true
msgmerge --version | head -n 1
.venv-peers/bin/python -c "import importlib.metadata as m; print('translate-toolkit', m.version('translate-toolkit')); print('mdpo', m.version('mdpo'))"
