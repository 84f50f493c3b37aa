#!/bin/bash
# A UEFI machine boots its own disk, through the product's own path. Runs
# on the host: the SAN VM runs bootsan.ko and bootsand; through the REST
# API the test makes the client's disk (GPT with an EFI system partition,
# scripts/efi-disk/disk), a sanboot profile with CHAP, and the client.
# busybox udhcpd points the client at /boot.ipxe. The diskless client VM
# (OVMF, the NIC's iPXE EFI ROM from Debian's ipxe-qemu) fetches its
# script and sanboots its disk: iPXE attaches the disk as an EFI block
# device, the firmware's FAT driver reads its ESP, and iPXE starts the
# ESP's \EFI\BOOT\BOOTX64.EFI, a tiny loader (scripts/efi-disk/marker-efi)
# that prints the disk's marker and ends the client.
#
# --loader systemd-boot makes the disk an installed Linux instead: the
# ESP holds Debian's systemd-boot as that loader, its entry, a Debian
# kernel and scripts/iscsi-root/initrd; the second partition is the root
# file system. systemd-boot starts the kernel from the disk, the initrd
# logs in again from the iBFT that iPXE's sanboot published, mounts the
# root, prints its marker and writes a file back.
#
#   selftests/uefi_sanboot.sh --kver K [--target lio] [--auth chap|none]
#                             [--loader marker|systemd-boot]
#
# Prints one TAP line and the client's time from power-on to the end.
# --target lio serves the same disk, names and CHAP secrets from LIO
# instead (bootsand still serves the script, its portal deleted), to show
# the reference target behaves the same. Addresses are from
# 198.18.0.0/24 (reserved for testing) on the VMs' link.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kver= target=bootsan auth=chap loader=marker
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--target) target=$2; shift 2 ;;
	--auth) auth=$2; shift 2 ;;
	--loader) loader=$2; shift 2 ;;
	*) echo "uefi_sanboot: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$kver" ] || { echo "uefi_sanboot: --kver is required" >&2; exit 2; }
case $auth in
chap|none) ;;
*) echo "uefi_sanboot: --auth takes chap or none" >&2; exit 2 ;;
esac
SDBOOT=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
case $loader in
marker) ;;
systemd-boot) [ -f "$SDBOOT" ] || { echo "not ok 1 uefi_sanboot # $SDBOOT missing (scripts/setup-deps)"; exit 1; } ;;
*) echo "uefi_sanboot: --loader takes marker or systemd-boot" >&2; exit 2 ;;
esac
case $target in
bootsan) lio_mods=() ;;
lio) lio_mods=(--kmod configfs --kmod target_core_mod --kmod target_core_file
	       --kmod iscsi_target_mod --kmod crc32c_generic) ;;
*) echo "uefi_sanboot: --target takes bootsan or lio" >&2; exit 2 ;;
esac
logs=$top/build/vm/$kver
mkdir -p "$logs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$top" || exit 2
start=$(date +%s)
what="a UEFI machine sanboots its own disk's EFI loader ($loader, $target, auth $auth)"

MAC=52:54:00:b0:07:44
MARKER=BOOTSAN-EFI-DISK-$RANDOM$RANDOM
if [ $loader = marker ]; then
	scripts/efi-disk/marker-efi --text "$MARKER" --out "$work/loader.efi" &&
		scripts/efi-disk/disk --out "$work/disk.img" --loader "$work/loader.efi" || exit 1
else
	cache=${BOOTSAN_KERNEL_CACHE:-/var/cache/bootsan/kernels}
	scripts/iscsi-root/initrd --kver "$kver" --out "$work/initrd.gz" || exit 1
	printf 'default root.conf\n' >"$work/loader.conf"
	printf '%s\n' "title Linux, root on iSCSI" "linux /vmlinuz" "initrd /initrd.gz" \
		"options console=ttyS0 quiet panic=-1 no_timer_check" >"$work/root.conf"
	scripts/efi-disk/disk --out "$work/disk.img" --loader "$SDBOOT" --size-mb 48 \
		--file "$cache/$kver/boot/vmlinuz-$kver:/vmlinuz" --file "$work/initrd.gz:/initrd.gz" \
		--file "$work/loader.conf:/loader/loader.conf" \
		--file "$work/root.conf:/loader/entries/root.conf" --root-text "$MARKER" || exit 1
fi
scripts/vm/mkinitramfs --kver "$kver" --out "$work/san.img" \
	--ko "build/$kver/kmod/bootsan.ko" --kmod e1000 "${lio_mods[@]}" \
	--bin daemon/bootsand --bin build/selftests/bsnl --bin /usr/bin/curl \
	--file scripts/vm/san-lib.sh:/san-lib.sh >"$work/mkinitramfs.log" 2>&1 || {
	tail -n 20 "$work/mkinitramfs.log" >&2
	echo "not ok 1 $what # the SAN VM's initramfs"
	exit 1
}

T=iqn.2026-01.org.bootsan:pc44
cat >"$work/san.sh" <<SAN
set -e
. /san-lib.sh
modprobe bootsan
san_link 198.18.0.1/24
san_bootsand --log-level info
api POST /images "{\"name\": \"pc44\", \"size_bytes\": \$(stat -c %s /disk.img)}" >/dev/null
cat /disk.img >/var/lib/bootsand/images/pc44.img
echo "== profile: \$(api POST /profiles '{"name": "own-disk", "kind": "sanboot", "chap": "$auth"}')"
echo "== client: \$(api POST /clients '{"name": "pc44", "mac": ["$MAC"], "profile": "own-disk", "image": "pc44"}')"
wget -q -O /tmp/script "http://127.0.0.1:8080/boot/ipxe?mac=$MAC&buildarch=x86_64&platform=efi"
echo "== its script:"
sed 's/^set password .*/set password .../' /tmp/script
# Reads of the disk so far, from the target that serves it.
reads() {
	if [ $target = lio ]; then
		cat /sys/kernel/config/target/core/fileio_0/pc44/statistics/scsi_lu/num_cmds
	else
		bsnl stats | sed -n 's/.*read_cmds=\([0-9]*\).*/\1/p' | head -n 1
	fi
}
if [ $target = lio ]; then
	# The client's names and secrets, as its script hands them to iPXE.
	user=\$(sed -n 's/^set username //p' /tmp/script)
	secret=\$(sed -n 's/^set password //p' /tmp/script)
	init=\$(sed -n 's/^set initiator-iqn //p' /tmp/script)
	api DELETE /portals/0.0.0.0:3260 >/dev/null
	modprobe -a crc32c_generic target_core_mod target_core_file iscsi_target_mod
	mount -t configfs none /sys/kernel/config
	mkdir -p /var/target/pr
	echo 3 >/proc/sys/kernel/printk
	CFG=/sys/kernel/config/target
	bs=\$CFG/core/fileio_0/pc44
	mkdir -p \$bs
	echo "fd_dev_name=/var/lib/bootsand/images/pc44.img,fd_dev_size=\$(stat -c %s /disk.img),fd_buffered_io=1" >\$bs/control
	echo 1 >\$bs/enable
	tpg=\$CFG/iscsi/$T/tpgt_1
	mkdir -p \$tpg/np/198.18.0.1:3260 \$tpg/lun/lun_0 \$tpg/acls/\$init/lun_0
	ln -s \$bs \$tpg/lun/lun_0/storage
	ln -s \$tpg/lun/lun_0 \$tpg/acls/\$init/lun_0/lun0
	if [ $auth = chap ]; then
		printf %s "\$user" >\$tpg/acls/\$init/auth/userid
		printf %s "\$secret" >\$tpg/acls/\$init/auth/password
		echo 1 >\$tpg/attrib/authentication
	else
		echo 0 >\$tpg/attrib/authentication
	fi
	echo 1 >\$tpg/enable
	echo "== LIO serves $T to \$init, auth $auth"
fi
cat >/tmp/udhcpd.conf <<DHCP
start 198.18.0.100
end 198.18.0.150
interface eth0
boot_file http://198.18.0.1:8080/boot.ipxe
option subnet 255.255.255.0
option lease 600
lease_file /tmp/udhcpd.leases
DHCP
touch /tmp/udhcpd.leases
udhcpd /tmp/udhcpd.conf
echo BOOTSAN-SAN-READY
# Serve until the client has read its disk and then not for 4 s: its
# loader runs from memory (or the boot failed). A Linux client pauses
# longer while its kernel starts: until what it writes once its root is
# mounted is in the disk's file (through either target's page cache),
# then 3 s more for its unmount.
last=0 quiet=0 done=0
for i in \$(seq 400); do
	if [ $loader = systemd-boot ]; then
		if grep -aq BOOTSAN-ROOT-WRITTEN /var/lib/bootsand/images/pc44.img; then
			sleep 3
			done=1
			break
		fi
		sleep 1
		continue
	fi
	n=\$(reads)
	if [ "\${n:-0}" -gt 0 ] && [ "\$n" = "\$last" ]; then
		quiet=\$((quiet + 1))
		[ \$quiet -ge 4 ] && { done=1; break; }
	else
		quiet=0
	fi
	last=\${n:-0}
	sleep 1
done
echo "== reads of the disk: \$(reads)"
echo "== sessions: \$(api GET /sessions)"
echo "== boot history: \$(api GET /clients/pc44/history | grep -o '"served": *"[^"]*"' | tr '\n' ' ')"
[ \$done = 1 ] || { echo "the client never read its disk, or never wrote to it"; exit 1; }
SAN

port=$(scripts/vm/free-port)
san_log=$logs/uefi-sanboot-san-$loader-$target-$auth.log
client_log=$logs/uefi-sanboot-client-$loader-$target-$auth.log
scripts/vm/run --kver "$kver" --initrd "$work/san.img" --timeout 500 --quiet \
	--log "$san_log" --link "listen:$port" --mac 52:54:00:b0:07:01 \
	--add "$work/disk.img:/disk.img" --add "$work/san.sh:/san.sh" -- sh /san.sh &
san=$!
# The client is held powered off until the SAN VM serves (vm/run
# --hold-until).
rm -f "$client_log"
scripts/vm/run --ipxe --uefi --timeout 400 --quiet --log "$client_log" \
	--link "connect:$port" --mac "$MAC" --expect "$MARKER" \
	--hold-until "$san_log:BOOTSAN-SAN-READY" --hold-pid $san --poweron "$work/t0"
client=$?
t1=$(date +%s.%N)
wait $san
san_rc=$?
if [ $client = 0 ] && [ $san_rc = 0 ] && grep -aq "Booting from SAN device" "$client_log"; then
	grep -a "== reads\|== boot history" "$san_log" | sed 's/^/# /'
	grep -a "BOOTSAN-ROOT:" "$client_log" | sed 's/^/# /'
	[ -s "$work/t0" ] && awk -v a="$(cat "$work/t0")" -v b="$t1" \
		'BEGIN { printf "# client power-on to its end: %.0f s\n", b - a }'
	echo "# whole run $(( $(date +%s) - start )) s"
	echo "ok 1 $what"
	exit 0
fi
echo "# client $client (console $client_log), SAN VM $san_rc (console $san_log)"
grep -a -E 'iscsi|iSCSI|sanboot|SAN device|Could not|ipxe.org|http|BdsDxe|BOOTSAN-ROOT' "$client_log" | tail -n 12 | sed 's/^/# /'
echo "not ok 1 $what"
exit 1
