#!/bin/sh
# guest_powercut.sh - runs INSIDE the VM of the power-cut test (vm_powercut.sh puts it in
# the initramfs as /test/guest.sh; /init runs it once the virtio and ext4 modules are in).
# Each boot does what a Pi does after its power was pulled, then counts until the host
# pulls the plug (SIGKILL of qemu):
#   1. mount the ext4 disk /dev/vda: the kernel replays the journal the last cut left;
#      umount, and a full read-only e2fsck -fn must find nothing wrong;
#   2. mount it again with default options (data=ordered);
#   3. check a scratch copy of the database (t.db and its -wal, in tmpfs, so the check
#      changes nothing on the disk): tallyctl opens it the way the kiosk does (quick_check
#      and the total check), then PRAGMA integrity_check must say ok;
#   4. (run mode) start the real tallykiosk on the disk, see that it did not move the
#      database aside as damaged, and run vm_client, which presses, adds, undoes and starts
#      events over the control socket and prints every acknowledged state.
# Console markers (the host reads only complete lines ending in " ."):
#   PCVM FSCK <rc> replay=<0|1> .      PCVM MOUNT <data=mode> <options> disk_cache=<write_back|write_through> .
#   PCVM CHECK <event_id> <total> integrity=ok .   (or PCVM CHECK none . on an empty disk)
#   PCVM START <event_id> <total> .    PCVM RUN .   PCVM SEND ... / PCVM ACK ... (vm_client)
#   PCVM DONE .  (check mode)          PCVM FAIL <why> .
#   PCVM UPTIME fsck|check|run <seconds since the guest booted> .
# Parameters come from the kernel command line: pcvm.mode=run|check, pcvm.seed=N,
# pcvm.nosync=1 (the negative control: the kiosk runs with /test/lib/vm_nosync.so),
# pcvm.mountopts=OPTS (a control: remount with OPTS, e.g. nobarrier, before the kiosk starts).

P() { echo "PCVM $* ."; }
fail() {
	echo "PCVM FAIL $(echo "$*" | tr '\n' ' ') ."
	exit 1
}
up() { echo "PCVM UPTIME $1 $(cut -d' ' -f1 /proc/uptime) ."; }
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^pcvm\\.$1=//p" | tail -n1; }
# damaged: true if the kiosk moved a database aside (t.db.damaged-*, t.db-wal.orphan-*)
damaged() {
	for f in "$MNT"/*.damaged-* "$MNT"/*.orphan-*; do [ -e "$f" ] && return 0; done
	return 1
}
json_num() { sed -n "s/.*\"$1\":\\([0-9-]*\\).*/\\1/p"; }

MODE=$(arg mode)
SEED=$(arg seed)
NOSYNC=$(arg nosync)
MOUNTOPTS=$(arg mountopts)
MIX=$(arg mix)
CROWD=$(arg crowd)
DEV=/dev/vda
MNT=/data
DB=$MNT/t.db
mkdir -p $MNT /tmp/chk

i=0
while [ ! -b $DEV ] && [ $i -lt 200 ]; do
	usleep 20000
	i=$((i + 1))
done
[ -b $DEV ] || fail "no $DEV"

# 1. the kernel's journal replay, then a full read-only fsck
mount -t ext4 $DEV $MNT || fail "first mount of $DEV failed"
replay=0
dmesg | grep -q 'EXT4-fs (vda): recovery complete' && replay=1
umount $MNT || fail "umount failed"
e2fsck -fn $DEV >/tmp/fsck.log 2>&1
rc=$?
P FSCK $rc replay=$replay
up fsck
if [ $rc != 0 ]; then
	cat /tmp/fsck.log
	fail "e2fsck -fn found problems after the journal replay (rc $rc)"
fi

# 2. mounted for good, default options
mount -t ext4 $DEV $MNT || fail "mount failed"
P MOUNT "$(grep -o 'data=[a-z]*' /proc/fs/ext4/vda/options 2>/dev/null)" \
	"$(awk '$2 == "/data" { print $4 }' /proc/mounts)" \
	"disk_cache=$(tr ' ' _ </sys/block/vda/queue/write_cache 2>/dev/null)"
damaged && fail "a database was moved aside as damaged: $(echo $MNT/*)"

# 3. the scratch copy
if [ -e $DB ]; then
	cp $DB /tmp/chk/t.db || fail "cannot copy $DB"
	[ ! -e $DB-wal ] || cp $DB-wal /tmp/chk/t.db-wal || fail "cannot copy $DB-wal"
	st=$(tallyctl --db /tmp/chk/t.db status --json 2>/tmp/chk/ctl.err)
	rc=$?
	if [ $rc != 0 ]; then
		ls -la $MNT /tmp/chk
		sqlite3 /tmp/chk/t.db 'PRAGMA integrity_check' 2>&1 | head -n 20
		fail "tallyctl cannot open the database (rc $rc): $(cat /tmp/chk/ctl.err)"
	fi
	ev=$(echo "$st" | json_num event_id)
	total=$(echo "$st" | json_num total)
	ic=$(sqlite3 /tmp/chk/t.db 'PRAGMA integrity_check' 2>&1 | tr '\n' ' ' | sed 's/ *$//')
	[ "$ic" = ok ] || fail "integrity_check: $ic"
	# Strict check (strict_check.py): every event, its stored total and what its count rows
	# say, row by row kind; per-case sums; orphan rows and undo links. Informational only;
	# printed before the CHECK line, so a host that saw CHECK has them all.
	#   PCVM EV id stored_total row_sum n_rows n_press n_add add_sum n_undo undo_sum ended .
	#   PCVM CASE event_id case row_sum n_rows .   PCVM XROWS orphans bad_undo n_open max_row .
	#   PCVM EVEND n_events .
	sqlite3 /tmp/chk/t.db "SELECT 'PCVM EV ' || e.id || ' ' || e.total || ' ' ||
		coalesce(s.rs, 0) || ' ' || coalesce(s.n, 0) || ' ' || coalesce(s.np, 0) || ' ' ||
		coalesce(s.na, 0) || ' ' || coalesce(s.asum, 0) || ' ' || coalesce(s.nu, 0) || ' ' ||
		coalesce(s.usum, 0) || ' ' || (e.ended_ms IS NOT NULL) || ' .'
		FROM events e LEFT JOIN (SELECT event_id, sum(delta) rs, count(*) n,
		sum(kind = 'press') np, sum(kind = 'add') na,
		sum(CASE WHEN kind = 'add' THEN delta ELSE 0 END) asum, sum(kind = 'undo') nu,
		sum(CASE WHEN kind = 'undo' THEN -delta ELSE 0 END) usum
		FROM counts GROUP BY event_id) s ON s.event_id = e.id ORDER BY e.id;
		SELECT 'PCVM CASE ' || event_id || ' ' || coalesce(case_id, '-') || ' ' || sum(delta) ||
		' ' || count(*) || ' .' FROM counts GROUP BY event_id, case_id ORDER BY event_id;
		SELECT 'PCVM XROWS ' ||
		(SELECT count(*) FROM counts WHERE event_id NOT IN (SELECT id FROM events)) || ' ' ||
		(SELECT count(*) FROM counts u LEFT JOIN counts c ON c.id = u.undoes
		 WHERE u.kind = 'undo' AND (c.id IS NULL OR c.event_id != u.event_id
		 OR c.delta != -u.delta OR c.kind = 'undo')) || ' ' ||
		(SELECT count(*) FROM events WHERE ended_ms IS NULL) || ' ' ||
		(SELECT coalesce(max(id), 0) FROM counts) || ' .';
		SELECT 'PCVM EVEND ' || count(*) || ' .' FROM events;" 2>&1 ||
		echo "PCVM STRICTERR sqlite3 rc $? ."
	P CHECK "$ev" "$total" integrity=ok
else
	P CHECK none
fi
rm -rf /tmp/chk
up check

if [ "$MODE" = check ]; then
	umount $MNT || fail "final umount failed"
	P DONE
	exit 0
fi

# 4. the kiosk on the ext4 disk
export SDL_VIDEODRIVER=dummy SDL_RENDER_DRIVER=software SDL_AUDIODRIVER=dummy
export XDG_STATE_HOME=/tmp/state XDG_RUNTIME_DIR=/tmp/run XDG_CACHE_HOME=/tmp/cache HOME=/root
mkdir -p /tmp/state /tmp/run /tmp/cache
chmod 700 /tmp/run
# start_kiosk [PRELOAD]: the kiosk in the background (KPID), answering, its file not moved aside
start_kiosk() {
	LD_PRELOAD=${1:-} tallykiosk -c /test/kiosk.conf --db $DB --windowed=320x240 >/tmp/kiosk.log 2>&1 &
	KPID=$!
	if ! vm_client $DB.sock status; then
		tail -n 20 /tmp/kiosk.log
		fail "the kiosk did not answer"
	fi
	if damaged; then
		tail -n 20 /tmp/kiosk.log
		fail "the kiosk moved the database aside as damaged: $(echo $MNT/*)"
	fi
}
if [ "$NOSYNC" = 1 ] || [ -n "$MOUNTOPTS" ]; then
	# A control should lose counts from a database that exists for sure, not only a file
	# that was never synced: the first boot makes it with a normal kiosk, stopped cleanly.
	if [ ! -e $DB ]; then
		start_kiosk
		kill -TERM $KPID
		wait $KPID || fail "the kiosk did not stop cleanly"
		sync
		P NOTE "the database was made durably before the control's changes"
	fi
	if [ -n "$MOUNTOPTS" ]; then
		mount -o "remount,$MOUNTOPTS" $MNT || fail "remount -o $MOUNTOPTS failed"
		P MOUNT "$(awk '$2 == "/data" { print $4 }' /proc/mounts)"
	fi
	if [ "$NOSYNC" = 1 ]; then start_kiosk /test/lib/vm_nosync.so; else start_kiosk; fi
else
	start_kiosk
fi
up run
P RUN
if [ -n "$CROWD" ]; then
	vm_client $DB.sock crowd "${SEED:-1}" "$CROWD"
else
	vm_client $DB.sock run "${SEED:-1}" $MIX
fi
kill -0 $KPID 2>/dev/null || { tail -n 20 /tmp/kiosk.log; fail "the kiosk died"; }
fail "vm_client stopped"
