# bootsan top-level build.
#
#   make              module (for KVER) and daemon
#   make KVER=<ver>   module against /lib/modules/<ver>/build
#   make modules-all  module for every installed Debian header set
#   make check        everything: deps, builds, host tests, VM selftests
#   make demo         a diskless client VM boots over HTTP and iSCSI from bootsan
#   make demo UEFI=1  a diskless UEFI client runs Linux with its root on its iSCSI disk
#   make clean

# The project version: bootsan.ko, bootsand and the selftests all report it.
VERSION := 0.1.0
# Debian header sets installed on this machine, oldest first.
KVERS := $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | \
		sed 's|.*/linux-headers-||' | sort -V)
KVER ?= $(lastword $(KVERS))
BUILD := build

KMOD_SRC := Kbuild Makefile $(wildcard kmod/*.[ch] kmod/Kbuild) \
	    $(wildcard uapi/linux/*.h)

.PHONY: all module modules-all daemon selftests check demo clean FORCE

all: module daemon

# Each kernel version gets its own copy of the sources under build/, so
# builds for 6.1 and 6.12 never share object files. The module for KVER
# is also copied to kmod/bootsan.ko.
module: $(BUILD)/$(KVER)/kmod/bootsan.ko
	cp $< kmod/bootsan.ko

modules-all: $(foreach k,$(KVERS),$(BUILD)/$(k)/kmod/bootsan.ko)

# The kernel tree to build against: the debug kernel's own (built by
# scripts/vm/debug-kernel), or Debian's headers.
DEBUG_KERNEL_CACHE ?= /var/cache/bootsan/debug-kernel
kdir = $(firstword $(wildcard $(DEBUG_KERNEL_CACHE)/$(1)/build) /lib/modules/$(1)/build)

$(BUILD)/%/kmod/bootsan.ko: $(KMOD_SRC) FORCE
	@test -d $(call kdir,$*) || \
		{ echo "no kernel headers for $* (scripts/setup-deps installs them)"; exit 1; }
	@mkdir -p $(BUILD)/$*
	@cp -a --parents $(KMOD_SRC) $(BUILD)/$*/
	$(MAKE) -C $(call kdir,$*) M=$(CURDIR)/$(BUILD)/$* W=1 \
		KCFLAGS=-Werror modules

daemon:
	$(MAKE) -C daemon VERSION=$(VERSION)

selftests:
	$(MAKE) -C selftests VERSION=$(VERSION)

check:
	scripts/check

demo:
	scripts/demo/run $(if $(filter 1 yes,$(UEFI)),--uefi)

clean:
	rm -rf $(BUILD) kmod/bootsan.ko
	$(MAKE) -C daemon clean
	$(MAKE) -C selftests clean
