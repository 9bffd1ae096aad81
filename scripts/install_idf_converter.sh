#!/usr/bin/env bash
# Install idf-converter (PyPI "idf-converter") in its own virtual environment .venv-idf/,
# apart from the package's .venv: idf-converter pins numpy<2, which must not constrain
# the package. geospaas_processing finds .venv-idf/bin/idf-converter by itself (or set
# GEOSPAAS_PROCESSING_IDF_CONVERTER). Safe to run again: it only does what is missing.
# Python: $PYTHON, else Debian's /usr/bin/python3, else python3 on PATH (needs venv).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${IDF_VENV:-.venv-idf}"
SPEC="${IDF_CONVERTER_SPEC:-idf-converter}"
say() { printf 'install_idf_converter: %s\n' "$*" >&2; }

if [ -x "$VENV/bin/idf-converter" ] && "$VENV/bin/idf-converter" --help >/dev/null 2>&1; then
  exit 0  # already installed
fi

python=""
for candidate in ${PYTHON:-} /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import venv, ensurepip' 2>/dev/null; then
    python="$(command -v "$candidate")"
    break
  fi
done
if [ -z "$python" ]; then
  say "no python3 with the venv module was found: apt-get install python3 python3-venv, or set PYTHON"
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV with $python"
  "$python" -m venv "$VENV"
fi
log="$VENV/pip-install.log"
say "installing $SPEC into $VENV"
if ! "$VENV/bin/python" -m pip install --disable-pip-version-check "$SPEC" >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  say "pip install failed; the whole log is in $log"
  exit 1
fi
"$VENV/bin/idf-converter" --help >/dev/null
say "idf-converter is installed: $VENV/bin/idf-converter"
