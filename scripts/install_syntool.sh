#!/usr/bin/env bash
# Install OceanDataLab's Syntool tools (syntool-converter, syntool-ingestor, syntool-meta2sql)
# in their own virtual environment .venv-syntool/, from ../shared/vendor/syntool (its
# install.sh) when that folder exists; without it, nothing is done and the Syntool tests
# that need the real tools are skipped. The tests find .venv-syntool/bin by themselves.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${SYNTOOL_VENV:-.venv-syntool}"
VENDOR="${SYNTOOL_VENDOR:-../shared/vendor/syntool}"
say() { printf 'install_syntool: %s\n' "$*" >&2; }

installed() {
  local tool
  for tool in syntool-converter syntool-ingestor syntool-meta2sql; do
    [ -x "$VENV/bin/$tool" ] || return 1
  done
  "$VENV/bin/python" -c 'import syntool_converter, syntool_ingestor' 2>/dev/null
}

if installed; then
  exit 0  # already installed
fi
if [ ! -f "$VENDOR/install.sh" ]; then
  say "no $VENDOR/install.sh: the real Syntool tools are not installed (their tests are skipped)"
  exit 0
fi
log="$(mktemp)"
# The vendor folder is read-only and its snapshots lack the VERSION.txt each setup.py reads
# (their .gitignore excludes it; the vendor README says there is one per package): build
# from a copy that has them ("0.1.0": setup.py's major_version '0.1' and no git history).
source="$(mktemp -d)"
trap 'rm -rf "$source" "$log"' EXIT
cp -r "$VENDOR"/. "$source"/
chmod -R u+w "$source"
for package in syntool_converter syntool_ingestor syntool_exporter; do
  [ -f "$source/$package/VERSION.txt" ] || printf '0.1.0' >"$source/$package/VERSION.txt"
done
say "building the Syntool tools into $VENV from $VENDOR (about a minute)"
case "$VENV" in /*) target="$VENV" ;; *) target="$PWD/$VENV" ;; esac
status=0
# Another apt-get (another job on the machine) may hold the dpkg lock for a while: wait for it.
for _ in $(seq 1 40); do
  status=0
  bash "$source/install.sh" "$target" >"$log" 2>&1 || status=$?
  [ "$status" -ne 0 ] && grep -q 'Could not get lock' "$log" || break
  sleep 15
done
if [ "$status" -ne 0 ]; then
  tail -n 30 "$log" >&2
  say "$VENDOR/install.sh failed (last lines above); removing the partial $VENV"
  rm -rf "$VENV"
  exit 1
fi
installed || { say "the tools are missing from $VENV after install.sh"; exit 1; }
say "Syntool tools are installed: $VENV/bin/syntool-converter, syntool-ingestor, syntool-meta2sql"
