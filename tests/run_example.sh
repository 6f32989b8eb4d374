#!/usr/bin/env bash
# Runs an example on a corpus document and checks the count it prints against tiktoken's
# golden count for that document.
#
#   run_example.sh SHARED_DATA DOC ENCODING COMMAND... (the document's path is appended)
set -euo pipefail
DATA=$1 DOC=$2 ENCODING=$3
shift 3
want=$(grep -F "\"doc\":\"$DOC\"" "$DATA/oracle/$ENCODING.docs.jsonl" |
  grep -o '"n_tokens":[0-9]*' | cut -d: -f2)
[ -n "$want" ] || { echo "no golden count for $DOC"; exit 1; }
got=$("$@" "$DATA/$DOC")
[ "$got" = "$want tokens ($ENCODING)" ] || { echo "got '$got', want '$want tokens ($ENCODING)'"; exit 1; }
echo "ok: $got"
