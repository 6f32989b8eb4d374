#!/usr/bin/env bash
# The installed package, used the way a consumer would: `cmake --install` into a temporary
# prefix, then
#   1. the examples as a CMake project of their own, with find_package(tokwise);
#   2. the C example built with `pkg-config tokwise` (shared library), the C++ example with
#      `pkg-config tokwise-static` (static library);
# each run on a corpus document, its count checked against tiktoken's golden count.
#
#   install_consumer_test.sh BUILD_DIR SOURCE_DIR SHARED_DATA LIBDIR CC CXX
set -euo pipefail
BUILD=$1 SRC=$2 DATA=$3 LIBDIR=$4 CC=$5 CXX=$6
TMP=$(mktemp -d)
# On failure, show the logs of the steps that ran.
trap 'rc=$?; [ $rc -eq 0 ] || tail -n 40 "$TMP"/*.log 2>/dev/null; rm -rf "$TMP"' EXIT
PREFIX="$TMP/prefix"

cmake --install "$BUILD" --prefix "$PREFIX" > "$TMP/install.log"
for f in include/tokwise/tokwise.h include/tokwise/tokwise_version.h \
         include/tokwise/encoding.h "$LIBDIR/libtokwise.a" "$LIBDIR/libtokwise.so.0" \
         "$LIBDIR/cmake/tokwise/tokwiseConfig.cmake" "$LIBDIR/pkgconfig/tokwise.pc"; do
  [ -e "$PREFIX/$f" ] || { echo "not installed: $f"; exit 1; }
done
# Relocatable: nothing installed refers to the build or source tree.
if grep -rlF -e "$BUILD" -e "$SRC" "$PREFIX/$LIBDIR/cmake" "$PREFIX/$LIBDIR/pkgconfig"; then
  echo "installed package files refer to the build or source tree"
  exit 1
fi

DOC=corpus/en_gpl3.txt
golden() {  # golden ENCODING -> the document's token count under it
  grep -F "\"doc\":\"$DOC\"" "$DATA/oracle/$1.docs.jsonl" | grep -o '"n_tokens":[0-9]*' |
    cut -d: -f2
}
expect() {  # expect ENCODING OUTPUT
  local want
  want="$(golden "$1") tokens ($1)"
  [ "$2" = "$want" ] || { echo "got '$2', want '$want'"; exit 1; }
  echo "ok: $2"
}

# 1. CMake consumer.
cmake -S "$SRC/examples" -B "$TMP/cmake" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_PREFIX_PATH="$PREFIX" > "$TMP/configure.log"
cmake --build "$TMP/cmake" > "$TMP/build.log"
expect o200k_base "$("$TMP/cmake/count_file_c" --model gpt-4o "$DATA/$DOC")"
expect cl100k_base "$("$TMP/cmake/count_file_cpp" --encoding cl100k_base "$DATA/$DOC")"
# The C program runs on the installed shared library.
grep -qF "$PREFIX/$LIBDIR/libtokwise.so.0" <<<"$(ldd "$TMP/cmake/count_file_c")" ||
  { echo "count_file_c does not load $PREFIX/$LIBDIR/libtokwise.so.0"; exit 1; }

# A C-only project: find_package(tokwise) without components, the shared library only.
mkdir -p "$TMP/c_only"
cat > "$TMP/c_only/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(c_only LANGUAGES C)
find_package(tokwise 0.1 REQUIRED)
add_executable(count_file count_file.c)
target_link_libraries(count_file PRIVATE tokwise::tokwise)
CMAKE
cp "$SRC/examples/count_file.c" "$TMP/c_only/"
cmake -S "$TMP/c_only" -B "$TMP/c_only/build" -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_PREFIX_PATH="$PREFIX" > "$TMP/c_only.log"
cmake --build "$TMP/c_only/build" >> "$TMP/c_only.log"
expect o200k_base "$("$TMP/c_only/build/count_file" "$DATA/$DOC")"

# 2. pkg-config consumers.
export PKG_CONFIG_PATH="$PREFIX/$LIBDIR/pkgconfig"
[ "$(pkg-config --modversion tokwise)" = "$(pkg-config --modversion tokwise-static)" ]
# shellcheck disable=SC2046
"$CC" -std=c99 -Wall -Wextra -pedantic -Werror "$SRC/examples/count_file.c" \
  $(pkg-config --cflags --libs tokwise) -o "$TMP/pc_c"
expect o200k_base "$(LD_LIBRARY_PATH="$PREFIX/$LIBDIR" "$TMP/pc_c" "$DATA/$DOC")"
# shellcheck disable=SC2046
"$CXX" -std=c++17 "$SRC/examples/count_file.cc" $(pkg-config --cflags --libs tokwise-static) \
  -o "$TMP/pc_cpp"
expect cl100k_base "$("$TMP/pc_cpp" --model gpt-4 "$DATA/$DOC")"
# The static build carries tokwise itself.
if grep -q libtokwise <<<"$(ldd "$TMP/pc_cpp")"; then
  echo "pc_cpp should link tokwise statically"
  exit 1
fi
