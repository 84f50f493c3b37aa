#!/bin/sh
# The inside of scripts/bench/storm: runs in the SAN VM as root. On an xfs
# (reflink=1) on the VM's virtio disk: a golden image, and for each of
# CLIENTS machines a full copy, a reflink clone and an empty overlay delta.
# Each variant gives every client its own target with its own disk on one
# kind of copy, logs all of them in with open-iscsi, and runs fio replaying
# the same boot trace (scripts/bench/boot-trace) on every disk at once.
# Prints one line per variant and round:
#
#   RESULT VARIANT ROUND CLIENTS BYTES LAST_MS MEDIAN_MS FIRST_MS CACHE_KIB DISK_KIB
#          WALL_MS BUSY_PCT IOWAIT_PCT
#
# LAST_MS, MEDIAN_MS, FIRST_MS: the clients' run times (fio's runtime of
# each job; fio starts its jobs together). CACHE_KIB: how much the page
# cache grew over the run (/proc/meminfo Cached, caches dropped before it).
# DISK_KIB: what the VM read from its disk meanwhile (/sys/block/vda/stat).
# WALL_MS: fio's whole run (its start and its reports included); BUSY_PCT,
# IOWAIT_PCT: the share of the VM's CPU time busy and waiting for the disk
# meanwhile (/proc/stat): what held the storm back, the CPU or the disk.
#
#   storm-vm.sh CLIENTS GOLDEN_MIB ROUNDS VARIANT...
#   VARIANT: overlay reflink full (bootsan) lio-full lio-reflink (LIO)
clients=$1 gmib=$2 rounds=$3
shift 3
variants=$*
cd / || exit 1

BT=iqn.2024-01.org.bootsan.storm:pc
LT=iqn.2003-01.org.linux-iscsi.storm:pc
INIT=iqn.2024-01.org.bootsan.storm:initiator
BPORT=3260 LPORT=3261
SAN=/mnt/san
TRACE=/bootsan/bench/trace.log
CFG=/sys/kernel/config/target

fail() { echo "BENCH-FAIL: $*"; exit 1; }

for m in bootsan iscsi_tcp sd_mod crc32c_generic virtio_pci virtio_blk xfs target_core_mod \
	target_core_file iscsi_target_mod; do
	modprobe $m || fail "module $m"
done
grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config
for _ in $(seq 20); do [ -b /dev/vda ] && break; sleep 0.5; done
[ -b /dev/vda ] || fail "no virtio disk /dev/vda"
/usr/sbin/mkfs.xfs -q -f -m reflink=1 /dev/vda || fail "mkfs.xfs"
mkdir -p $SAN && mount -t xfs /dev/vda $SAN || fail "mount xfs"

# The golden: random, so that nothing (no zero page, no compression
# anywhere) makes its reads cheaper than real data's.
/usr/bin/dd if=/dev/urandom of=$SAN/golden.img bs=1M count="$gmib" 2>/dev/null || fail "golden"
# The copies only the variants asked for need (full ones take a while).
case " $variants " in *" full "* | *" lio-full "*) full=1 ;; *) full=0 ;; esac
case " $variants " in *" reflink "* | *" lio-reflink "*) reflink=1 ;; *) reflink=0 ;; esac
i=1
while [ $i -le "$clients" ]; do
	{ truncate -s "${gmib}M" $SAN/delta$i.img &&
		{ [ $reflink = 0 ] || /usr/bin/cp --reflink=always $SAN/golden.img $SAN/reflink$i.img; } &&
		{ [ $full = 0 ] || /usr/bin/cp --reflink=never $SAN/golden.img $SAN/full$i.img; }
	} || fail "copies for client $i"
	i=$((i + 1))
done
sync
echo "# san: $(df -k $SAN | tail -n 1 | awk '{ print $3 }') KiB used by the golden and per client an empty delta$([ $full = 0 ] || echo ", a full copy")$([ $reflink = 0 ] || echo ", a reflink clone")"
sync
echo 3 >/proc/sys/vm/drop_caches
echo "# san: memory $(awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { printf "%d MiB, %d MiB available for the page cache", t / 1024, a / 1024 }' /proc/meminfo) (golden $gmib MiB, $clients copies $((clients * gmib)) MiB)"

mkdir -p /var/target/pr /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$INIT" >/etc/iscsi/initiatorname.iscsi
pidof iscsid >/dev/null || { setsid iscsid -f >/tmp/iscsid.log 2>&1 & sleep 1; }
echo 3 >/proc/sys/kernel/printk
/usr/bin/bsnl portal-new 127.0.0.1 $BPORT || fail "bootsan portal"

# The file client I's disk is on in VARIANT (for overlays: its delta).
image() { # VARIANT I
	case $1 in
	overlay) echo $SAN/delta$2.img ;;
	reflink | lio-reflink) echo $SAN/reflink$2.img ;;
	full | lio-full) echo $SAN/full$2.img ;;
	esac
}

bootsan_up() { # VARIANT
	i=1
	while [ $i -le "$clients" ]; do
		/usr/bin/bsnl target-new $BT$i allow-any 1 || return 1
		if [ "$1" = overlay ]; then
			/usr/bin/bsnl lun-new $BT$i 0 $SAN/golden.img overlay delta "$(image "$1" $i)"
		else
			/usr/bin/bsnl lun-new $BT$i 0 "$(image "$1" $i)"
		fi || return 1
		i=$((i + 1))
	done
}
bootsan_down() {
	i=1
	while [ $i -le "$clients" ]; do
		/usr/bin/bsnl target-del $BT$i force
		i=$((i + 1))
	done
}

# LIO: buffered fileio (fd_buffered_io=1, as bench/target's "buffered"),
# one target per client, any initiator (demo mode).
# (set -e would not apply: the caller's || turns it off.)
lio_up() { # VARIANT
	i=1
	while [ $i -le "$clients" ]; do
		bs=$CFG/core/fileio_0/pc$i
		tpg=$CFG/iscsi/$LT$i/tpgt_1
		mkdir -p $bs &&
			echo "fd_dev_name=$(image "$1" $i),fd_dev_size=$((gmib << 20)),fd_buffered_io=1" >$bs/control &&
			echo 1 >$bs/enable &&
			mkdir -p $tpg/np/127.0.0.1:$LPORT $tpg/lun/lun_0 &&
			ln -s $bs $tpg/lun/lun_0/storage &&
			echo 1 >$tpg/attrib/generate_node_acls &&
			echo 1 >$tpg/attrib/cache_dynamic_acls &&
			echo 1 >$tpg/attrib/demo_mode_write_protect &&
			echo 0 >$tpg/attrib/authentication &&
			echo 1 >$tpg/enable || return 1
		i=$((i + 1))
	done
}
lio_down() {
	i=1
	while [ $i -le "$clients" ]; do
		tpg=$CFG/iscsi/$LT$i/tpgt_1
		echo 0 >$tpg/enable
		rm -f $tpg/lun/lun_0/storage
		rmdir $tpg/lun/lun_0 $tpg/np/127.0.0.1:$LPORT $tpg $CFG/iscsi/$LT$i
		rmdir $CFG/core/fileio_0/pc$i
		i=$((i + 1))
	done
	rmdir $CFG/core/fileio_0
	return 0
}

# The /dev/sdX of each of our sessions, one a line, as "I DEVICE".
disks() { # IQN-PREFIX
	for s in /sys/class/iscsi_session/session*; do
		t=$(cat "$s/targetname" 2>/dev/null)
		case $t in "$1"[0-9]*) ;; *) continue ;; esac
		for b in "$s"/device/target*/*:*:*:0/block/*; do
			[ -e "$b" ] && echo "${t#"$1"} /dev/${b##*/}"
		done
	done
}

cached_kib() { awk '/^Cached:/ { print $2 }' /proc/meminfo; }
disk_read_kib() { awk '{ print $3 / 2 }' /sys/block/vda/stat; }
uptime_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
# "BUSY IOWAIT TOTAL" ticks of all CPUs
cpu_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $6, $2 + $3 + $4 + $5 + $6 + $7 + $8; exit }' /proc/stat
}

run_variant() { # VARIANT ROUND
	v=$1 rnd=$2
	case $v in
	lio-*) iqn=$LT port=$LPORT; lio_up "$v" || fail "LIO $v" ;;
	*) iqn=$BT port=$BPORT; bootsan_up "$v" || fail "bootsan $v" ;;
	esac
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1:$port >/dev/null &&
		iscsiadm -m node -p 127.0.0.1:$port --login >/dev/null 2>&1
	n=0
	for _ in $(seq 120); do
		n=$(disks $iqn | wc -l)
		[ "$n" = "$clients" ] && break
		sleep 1
	done
	[ "$n" = "$clients" ] || fail "$v: $n of $clients disks appeared"
	{
		echo "[global]"
		echo "ioengine=libaio"
		echo "direct=1"
		echo "iodepth=4"
		echo "read_iolog=$TRACE"
		disks $iqn | while read -r i d; do
			echo "[client$i]"
			echo "replay_redirect=$d"
		done
	} >/tmp/storm.fio
	# The clients start from the target's cold cache, as at power-on.
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	c0=$(cached_kib) d0=$(disk_read_kib) t0=$(uptime_ms) p0=$(cpu_ticks)
	/usr/bin/fio --minimal /tmp/storm.fio >/tmp/storm.out 2>/tmp/storm.err ||
		{ cat /tmp/storm.err; fail "$v: fio"; }
	c1=$(cached_kib) d1=$(disk_read_kib) t1=$(uptime_ms) p1=$(cpu_ticks)
	# Terse version 3: read KiB in field 6, read runtime (ms) in 9.
	awk -F';' -v v="$v" -v r="$rnd" -v n="$clients" -v c=$((c1 - c0)) -v d="$d0 $d1" \
		-v w=$((t1 - t0)) -v p="$p0 $p1" '
		{ kib += $6; ms[NR] = $9 }
		END {
			if (NR != n) { print "# " v ": " NR " of " n " clients reported"; exit 1 }
			for (i = 1; i <= NR; i++)
				for (j = i + 1; j <= NR; j++)
					if (ms[j] < ms[i]) { t = ms[i]; ms[i] = ms[j]; ms[j] = t }
			split(d, dd, " ")
			split(p, pp, " ")
			tot = pp[6] - pp[3]
			if (tot <= 0) tot = 1
			printf "RESULT %s %s %d %d %d %d %d %d %d %d %d %d\n", v, r, n, kib * 1024,
				ms[NR], ms[int((NR + 1) / 2)], ms[1], c, dd[2] - dd[1], w,
				100 * (pp[4] - pp[1]) / tot, 100 * (pp[5] - pp[2]) / tot
		}' /tmp/storm.out || fail "$v: results"
	iscsiadm -m node -p 127.0.0.1:$port --logout >/dev/null 2>&1
	iscsiadm -m node -p 127.0.0.1:$port -o delete >/dev/null 2>&1
	case $v in
	lio-*) lio_down ;;
	*) bootsan_down ;;
	esac
}

r=1
while [ $r -le "$rounds" ]; do
	if [ $((r % 2)) = 1 ]; then
		order=$variants
	else
		order=$(echo "$variants" | awk '{ for (i = NF; i > 0; i--) printf "%s ", $i }')
	fi
	for v in $order; do
		echo "# round $r: $v"
		run_variant "$v" "$r"
	done
	r=$((r + 1))
done
# printk's level hides warnings from the console: a kernel report in the
# log fails the run (the smoke in make check keeps the bench honest), after
# the figures (LIO's threads were seen to soft-lock in TCG at 30 clients).
reports=$(dmesg | grep -E 'WARNING:|BUG:|Oops|KASAN|lockdep|Call Trace|blocked for more than')
if [ -n "$reports" ]; then
	echo "$reports" | head -n 40 | sed 's/^/# kernel: /'
	echo "BENCH-KERNEL-REPORTS"
fi
echo "BENCH-DONE"
