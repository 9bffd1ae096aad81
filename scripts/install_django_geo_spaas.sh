#!/usr/bin/env bash
# Install the real django-geo-spaas 2.5.5 (the release of commit 094ade3's migrations) with
# Django 3.2 in its own virtual environment, .venv-geospaas/, for the tests that check that
# django-geo-spaas and this package can share one catalog database (tests/catalog). Only
# what its models need is installed (not nansat or the GDAL bindings). Its PyPI sdist
# carries a wrong version in its metadata, which pip refuses by name: it is fetched from
# PyPI's simple index (JSON form), checked against the index's sha256 and installed from the file.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${GEOSPAAS_VENV:-.venv-geospaas}"
VERSION=2.5.5
say() { printf 'install_django_geo_spaas: %s\n' "$*" >&2; }

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import geospaas.catalog.migrations' 2>/dev/null; then
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
say "installing django-geo-spaas $VERSION and Django 3.2 into $VENV"
sdist="$("$VENV/bin/python" - "$VERSION" "$VENV" <<'PY'
import hashlib, json, sys, urllib.request
version, venv = sys.argv[1:3]
index = urllib.request.Request(
    'https://pypi.org/simple/django-geo-spaas/',
    headers={'Accept': 'application/vnd.pypi.simple.v1+json'},
)
with urllib.request.urlopen(index) as answer:
    files = json.load(answer)['files']
(sdist,) = [f for f in files if f['filename'] == f'django-geo-spaas-{version}.tar.gz']
with urllib.request.urlopen(sdist['url']) as answer:
    content = answer.read()
if hashlib.sha256(content).hexdigest() != sdist['hashes']['sha256']:
    sys.exit(f'{sdist["filename"]}: sha256 differs from PyPI\'s')
path = f'{venv}/{sdist["filename"]}'
with open(path, 'wb') as file:
    file.write(content)
print(path)
PY
)"
if ! { "$VENV/bin/python" -m pip install --disable-pip-version-check 'django>=3.2,<3.3' \
         psycopg2-binary netCDF4 pythesint \
       && "$VENV/bin/python" -m pip install --disable-pip-version-check --no-deps "$sdist"; } \
     >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  say "pip install failed; the whole log is in $log"
  exit 1
fi
"$VENV/bin/python" -c 'import geospaas.catalog.migrations'
say "django-geo-spaas is installed in $VENV"
