#!/usr/bin/env bash
# strict_campaign.sh OUTDIR SPEC... - runs vm_powercut.sh (with the strict per-event check)
# once per SPEC, one VM at a time, and keeps each run's logs under OUTDIR/<name>/.
# SPEC: name:seed:cuts:disk[:mix[:crowd]]   e.g. s2v:2:12:volatile   s9m:9:12:mixed:2,10,10
#       c3d:3:10:direct::4 (4 clients at once, vm_powercut.sh --crowd 4)
# The disk image, initramfs and root tree are deleted after a run that passed; a run that
# failed keeps everything. Ends with a summary table in OUTDIR/summary.txt.
# Env: PCVM_BUILD (the build folder, default build). Exit 1 if any run failed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$1
shift
mkdir -p "$OUT"
failed=0
for spec in "$@"; do
	IFS=: read -r name seed cuts disk mix crowd <<<"$spec"
	d=$OUT/$name
	mkdir -p "$d"
	t0=$(date +%s)
	TK_PCVM_MIX=${mix:-} TK_PCVM_TAG=pcvm-$name "$HERE/vm_powercut.sh" \
		--build "${PCVM_BUILD:-build}" --seed "$seed" ${crowd:+--crowd "$crowd"} \
		--cuts "$cuts" --disk "$disk" --keep >"$d/stdout" 2>"$d/stderr"
	rc=$?
	t1=$(date +%s)
	work=$(sed -n 's/.*work dir kept: \(.*\)$/\1/p' "$d/stderr" | tail -n1)
	if [ -n "$work" ] && [ -d "$work" ]; then
		cp "$work"/boot-*.log "$work/strict.log" "$d/" 2>/dev/null
		if [ $rc = 0 ]; then rm -rf "$work"; else echo "$work" >"$d/workdir"; fi
	fi
	line="$name seed=$seed disk=$disk mix=${mix:-default} rc=$rc wall=$((t1 - t0))s $(cat "$d/stdout" | head -n1) | $(grep -h '^strict-check\|^crowd-check' "$d/strict.log" 2>/dev/null | head -n1)"
	echo "$line" | tee -a "$OUT/summary.txt"
	[ $rc = 0 ] || failed=1
done
exit $failed
