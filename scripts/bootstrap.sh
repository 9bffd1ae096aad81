#!/usr/bin/env bash
# Set up everything `make demo` and `make test` need on a fresh Debian/Ubuntu machine:
# the geospatial system libraries, a Python whose sqlite3 can load SpatiaLite, a virtual
# environment in .venv and the package with its extras. Safe to run again: it only does
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS="${GEOSPAAS_EXTRAS:-dev}"
VENV=.venv
APT_PACKAGES=(gdal-bin libgeos-c1v5 proj-bin libsqlite3-mod-spatialite python3 python3-venv python3-dev)

say() { printf 'bootstrap: %s\n' "$*" >&2; }

missing_libraries() {
  local missing=()
  ldconfig -p | grep -q 'libgdal\.so' || missing+=(gdal-bin)
  ldconfig -p | grep -q 'libgeos_c\.so' || missing+=(libgeos-c1v5)
  ldconfig -p | grep -q 'libproj\.so' || missing+=(proj-bin)
  compgen -G '/usr/lib/*/mod_spatialite.so*' >/dev/null \
    || compgen -G '/usr/*lib/mod_spatialite.so*' >/dev/null || missing+=(libsqlite3-mod-spatialite)
  printf '%s\n' "${missing[@]}"
}

apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    say "missing system packages: $*"
    say "install them with: sudo apt-get install $*"
    exit 1
  fi
  say "installing with apt-get: $*"
  if [ ! -f /var/lib/apt/.geospaas-updated ]; then
    apt-get update -q >/dev/null && touch /var/lib/apt/.geospaas-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

# A Python >= 3.11 whose sqlite3 module can load extensions (SpatiaLite) and that has venv.
python_works() {
  "$1" - <<'PY' 2>/dev/null
import sqlite3, sys, venv, ensurepip
assert sys.version_info >= (3, 11)
sqlite3.connect(':memory:').enable_load_extension(True)
PY
}

pick_python() {
  local candidate
  for candidate in ${PYTHON:-} /usr/bin/python3 python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null && python_works "$(command -v "$candidate")"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

mapfile -t missing < <(missing_libraries | sed '/^$/d')
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi

if ! python="$(pick_python)"; then
  apt_install "${APT_PACKAGES[@]}"
  python="$(pick_python)" || {
    say "no Python >= 3.11 with loadable sqlite3 extensions and venv was found."
    say "SpatiaLite needs one: install Debian's python3 and python3-venv, or set PYTHON=/path/to/python3."
    exit 1
  }
fi

if [ -x "$VENV/bin/python" ] && ! python_works "$VENV/bin/python"; then
  say "the existing $VENV cannot load SQLite extensions; recreating it with $python"
  rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV with $python"
  "$python" -m venv "$VENV"
fi

stamp="$VENV/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)-$EXTRAS"
if [ ! -f "$stamp" ]; then
  say "installing geospaas_processing[$EXTRAS] into $VENV"
  log="$VENV/pip-install.log"
  if ! { "$VENV/bin/python" -m pip install --upgrade pip \
         && "$VENV/bin/python" -m pip install -e ".[$EXTRAS]"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    say "pip install failed; the whole log is in $log"
    exit 1
  fi
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi

# idf-converter pins numpy<2: it lives in its own environment, .venv-idf, run as a command.
bash scripts/install_idf_converter.sh

# The real django-geo-spaas (Django 3.2) for the tests that share a catalog with it: .venv-geospaas.
bash scripts/install_django_geo_spaas.sh

# The real Syntool tools (.venv-syntool) when ../shared/vendor/syntool exists.
bash scripts/install_syntool.sh
