# What every SAN VM of the boot tests and the demo does first, in one place.
# Its initramfs carries this file as /san-lib.sh (scripts/vm/mkinitramfs
# --file scripts/vm/san-lib.sh:/san-lib.sh) and its script sources it:
#
#	. /san-lib.sh
#	san_link 198.18.0.1/24		# the e1000 NIC on the VMs' link, up
#	san_bootsand --log-level info	# bootsand started, serving, $TOKEN read
#	api POST /clients '{...}'	# the REST API with that token
#
# busybox sh; the caller's `set -e` applies to these functions.

API=http://127.0.0.1:8080/api/v1

# san_link ADDR/PREFIX: the VMs' link on eth0 (e1000) with that address.
san_link() {
	modprobe e1000
	ip addr add "$1" dev eth0
	ip link set eth0 up
}

# san_bootsand [OPTION]...: start bootsand with these options, its log in
# /tmp/bootsand.log, and return once it serves /boot.ipxe (up to a minute:
# slow under TCG on a loaded host), with its API token in $TOKEN.
san_bootsand() {
	bootsand "$@" >/tmp/bootsand.log 2>&1 &
	san_up=0
	for _ in $(seq 300); do
		if wget -q -O /dev/null http://127.0.0.1:8080/boot.ipxe 2>/dev/null; then
			san_up=1
			break
		fi
		sleep 0.2
	done
	if [ $san_up = 0 ] || [ ! -r /var/lib/bootsand/api-token ]; then
		echo "bootsand did not start:"
		cat /tmp/bootsand.log
		return 1
	fi
	TOKEN=$(cat /var/lib/bootsand/api-token)
}

# api METHOD PATH [DATA]: one REST call; DATA is JSON, or @FILE for a file's.
# The answer goes to stdout, an error's too; fails on an HTTP error.
api() {
	if [ $# -ge 3 ]; then
		curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $TOKEN" \
			-H "Content-Type: application/json" --data-binary "$3" "$API$2"
	else
		curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $TOKEN" "$API$2"
	fi
}
