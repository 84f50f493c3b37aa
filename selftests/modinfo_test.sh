#!/bin/sh
# bootsan.ko carries the modinfo fields packagers and admins rely on.
expected_version=$(cat VERSION)
kver=$(uname -r)
n=0 failed=0

check() { # name got want
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 # got '$2', want '$3'"
		failed=1
	fi
}

echo "TAP version 13"
echo "1..5"
check "module is found by modprobe's index" \
	"$(modinfo -n bootsan)" "/lib/modules/$kver/extra/bootsan.ko"
check "license is GPL" "$(modinfo -F license bootsan)" "GPL"
check "version is the project version" "$(modinfo -F version bootsan)" "$expected_version"
desc=$(modinfo -F description bootsan)
check "description names the iSCSI target" \
	"$(echo "$desc" | grep -c 'iSCSI target')" "1"
check "built for the running kernel" \
	"$(modinfo -F vermagic bootsan | cut -d' ' -f1)" "$kver"
exit $failed
