#!/usr/bin/env bash
# The wheel in a fresh virtual environment: build it offline from a copy of bindings/python,
# delete what it was built from, install it into a new venv, and run the Python test suite and
# the Python example from outside the source and build trees.
#
#   wheel_venv_test.sh PYTHON SOURCE_DIR BUILD_DIR CORE_SO SHARED_DATA
#
# CORE_SO is the extension this build made, packed as it is; "-" compiles it from the sources
# as `pip wheel` does for a user (slower: the whole library is built again).
set -euo pipefail
PY=$1 SRC=$2 BUILD=$3 CORE=$4 DATA=$5
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cp -r "$SRC/bindings/python" "$TMP/src"
rm -rf "$TMP/src/build" "$TMP/src"/*.egg-info
if [ "$CORE" != "-" ]; then
  export TOKWISE_PREBUILT_CORE="$CORE"
fi
TOKWISE_SOURCE_DIR="$SRC" \
  "$PY" -m pip wheel --no-build-isolation --no-deps --no-index -q -w "$TMP/dist" "$TMP/src"
unset TOKWISE_PREBUILT_CORE
rm -rf "$TMP/src"
wheel=$(ls "$TMP"/dist/tokwise-*.whl)
echo "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) kB)"

# --system-site-packages only lends the venv Debian's pytest (and pip); tokwise itself exists
# nowhere but in the venv.
"$PY" -m venv --system-site-packages --without-pip "$TMP/venv"
"$TMP/venv/bin/python" -m pip install -q --no-index --no-deps "$wheel"

cd "$TMP"
export TOKWISE_SHARED_DATA="$DATA"
export TOKWISE_EXPECT_INSTALLED_IN="$TMP/venv"
export TOKWISE_FORBIDDEN_PATHS="$SRC:$BUILD"
export PYTHONDONTWRITEBYTECODE=1
unset PYTHONPATH
"$TMP/venv/bin/python" -m pytest -q -p no:cacheprovider "$SRC/tests/python"

out=$("$TMP/venv/bin/python" "$SRC/examples/count_file.py" --model gpt-4o \
  "$DATA/corpus/en_gpl3.txt")
want=$(grep -F '"doc":"corpus/en_gpl3.txt"' "$DATA/oracle/o200k_base.docs.jsonl" |
  grep -o '"n_tokens":[0-9]*' | cut -d: -f2)
[ "$out" = "$want tokens (o200k_base)" ] || { echo "example printed '$out', want $want"; exit 1; }
echo "wheel OK: $out"
