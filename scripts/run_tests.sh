#!/usr/bin/env bash
# The whole test suite: lint and format checks, then pytest on SpatiaLite, then again on
# PostGIS (the tests that touch the catalog). Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
export PYTHONDONTWRITEBYTECODE=1

"$bin/ruff" check . || exit 1
"$bin/ruff" format --check . || { echo 'run: .venv/bin/ruff format .' >&2; exit 1; }

run_pytest() {
  "$bin/python" -m pytest "$@"
  local status=$?
  # pytest exits 5 when a pass selects no test (e.g. a filtered PostGIS pass).
  [ "$status" -eq 5 ] && return 0
  return "$status"
}

echo '=== pass 1/2: catalog on SpatiaLite ==='
(unset GEOSPAAS_DB_HOST; GEOSPAAS_TEST_PASS=spatialite run_pytest "$@") || exit 1

export GEOSPAAS_DB_HOST="${GEOSPAAS_TEST_DB_HOST:-127.0.0.1}"
export GEOSPAAS_DB_PORT="${GEOSPAAS_TEST_DB_PORT:-5432}"
export GEOSPAAS_DB_USER="${GEOSPAAS_TEST_DB_USER:-postgres}"
export GEOSPAAS_DB_PASSWORD="${GEOSPAAS_TEST_DB_PASSWORD:-}"
export GEOSPAAS_DB_NAME="${GEOSPAAS_TEST_DB_NAME:-geospaas_processing}"
if ! reason="$("$bin/python" scripts/check_postgis.py 2>&1)"; then
  echo "!!! pass 2/2 SKIPPED: PostGIS is not usable: $reason" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 0
fi
echo '=== pass 2/2: catalog on PostGIS ==='
GEOSPAAS_TEST_PASS=postgis run_pytest "$@"
