#!/usr/bin/env bash
# tokwise preflight with --ledger, end to end: parallel runs wait for the ledger's lock
# instead of failing, a held lock ends in exit 4 after --lock-timeout, a ledger damaged
# inside its journal is refused (exit 2) and left untouched unless --repair-ledger, a dry run
# changes no file, and --commit-output above the reservation warns.
#
#   cli_preflight_ledger_test.sh TOKWISE WORK_DIR
set -uo pipefail
TOKWISE=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
pf() { "$TOKWISE" preflight --model gpt-4o --input-tokens 100 --scope user:a "$@"; }

# 1. Twenty parallel runs on one ledger, each committing 5 output tokens: all exit 0.
L="$WORK/ledger"
pids=()
for i in $(seq 20); do
  pf --max-output 10 --ledger "$L" --commit-output 5 >"$WORK/run$i.out" 2>&1 &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || fail "parallel run $((i + 1)) exited $?: $(cat "$WORK/run$((i + 1)).out")"
done
echo '{"budgets":[{"scope":"user:a","requests_total":1000}]}' >"$WORK/budgets.json"
out=$(pf --max-output 10 --ledger "$L" --budgets "$WORK/budgets.json" --dry-run) ||
  fail "dry run after the parallel runs: $out"
grep -q "used 20, reserved 0" <<<"$out" || fail "20 committed calls expected: $out"

# 2. A lock held elsewhere: exit 4 after --lock-timeout, with a clear message.
if command -v flock >/dev/null; then
  # A subshell that takes the lock, then becomes `sleep` (so killing it drops the lock).
  (exec 9>>"$L/LOCK" && flock 9 && exec sleep 5) &
  holder=$!
  for _ in $(seq 100); do flock -n "$L/LOCK" true || break; sleep 0.05; done
  err=$(pf --max-output 10 --ledger "$L" --lock-timeout 0.2 2>&1 >/dev/null)
  rc=$?
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
  [ $rc -eq 4 ] || fail "busy ledger: exit $rc, want 4: $err"
  grep -q "ledger busy" <<<"$err" || fail "busy message: $err"
fi

# 3. One byte flipped inside the first record (byte 20: its sequence number).
cp -r "$L" "$WORK/damaged"
D="$WORK/damaged"
printf '\377' | dd of="$D/journal" bs=1 seek=20 conv=notrunc status=none || fail "dd"
cp "$D/journal" "$WORK/journal.damaged"
for extra in "" "--dry-run"; do
  err=$(pf --max-output 10 --ledger "$D" $extra 2>&1)
  rc=$?
  [ $rc -eq 2 ] || fail "damaged ledger ($extra): exit $rc, want 2: $err"
  grep -q "checksum mismatch in record at byte offset 8" <<<"$err" || fail "message: $err"
  grep -q -- "--repair-ledger" <<<"$err" || fail "no hint at --repair-ledger: $err"
  cmp -s "$D/journal" "$WORK/journal.damaged" || fail "the damaged journal was changed"
  ls "$D" | grep -q 'journal.bad' && fail "something was moved aside"
done
# A dry run with --repair-ledger shows what would be kept and changes nothing.
out=$(pf --max-output 10 --ledger "$D" --budgets "$WORK/budgets.json" --dry-run --repair-ledger 2>&1) ||
  fail "dry-run repair: $out"
grep -q "used 0, reserved 0" <<<"$out" || fail "dry-run repair keeps no record: $out"
grep -q "left the files as they are" <<<"$out" || fail "dry-run repair message: $out"
cmp -s "$D/journal" "$WORK/journal.damaged" || fail "the dry run changed the journal"
# The repair itself.
out=$(pf --max-output 10 --ledger "$D" --repair-ledger 2>&1) || fail "repair: $out"
grep -q "repaired a damaged ledger" <<<"$out" || fail "repair message: $out"
ls "$D" | grep -q 'journal.bad-8' || fail "the damaged records were not kept aside"

# 4. A torn tail is still cut (not under --dry-run), and the run goes on.
cp -r "$L" "$WORK/torn"
T="$WORK/torn"
size=$(stat -c %s "$T/journal")
truncate -s $((size - 3)) "$T/journal"
out=$(pf --max-output 10 --ledger "$T" --dry-run 2>&1) || fail "torn tail, dry run: $out"
[ "$(stat -c %s "$T/journal")" -eq $((size - 3)) ] || fail "the dry run cut the torn tail"
out=$(pf --max-output 10 --ledger "$T" --budgets "$WORK/budgets.json" 2>&1) || fail "torn: $out"
grep -q "cut a torn ledger tail" <<<"$out" || fail "torn tail message: $out"
grep -q "used 19" <<<"$out" || fail "torn tail keeps 19 records: $out"

# 5. Usage above the reservation: recorded, with a warning.
out=$(pf --max-output 10 --ledger "$L" --commit-output 5000 2>&1) || fail "over: $out"
grep -q "exceeds the reservation (10 output tokens)" <<<"$out" || fail "no warning: $out"
echo ok
