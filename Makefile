# bootsan top-level build.
#
#   make              module (for KVER) and daemon
#   make KVER=<ver>   module against /lib/modules/<ver>/build
#   make modules-all  module for every installed Debian header set
#   make check        everything: deps, builds, host tests, VM selftests
#   make demo         a diskless client VM boots over HTTP and iSCSI from bootsan
#   make demo UEFI=1  a diskless UEFI client runs Linux with its root on its iSCSI disk
#   make install      bootsand, bootsanctl, man pages, unit, config and the
#                     module's DKMS source into DESTDIR/PREFIX (default /usr/local)
#   make deb          the Debian packages bootsand and bootsan-dkms (in build/deb/)
#   make check-install  a Debian 12 VM installs both packages and serves a target
#                     across a reboot (slow: not part of make check)
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

.PHONY: all module modules-all daemon selftests check demo clean FORCE \
	man install install-daemon install-dkms deb check-install

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

# ---- installing ----
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR ?= $(PREFIX)/lib/systemd/system
MODULESLOADDIR ?= $(PREFIX)/lib/modules-load.d
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DKMSDIR ?= $(PREFIX)/src/bootsan-$(VERSION)

# Man pages from the programs' own --help (help2man), plus dist/man/*.h2m.
man: $(BUILD)/man/bootsand.8 $(BUILD)/man/bootsanctl.8

$(BUILD)/man/%.8: daemon dist/man/%.h2m
	@mkdir -p $(dir $@)
	help2man --no-info --section=8 --version-string=$(VERSION) \
		--name="$(if $(filter bootsand,$*),bootsan daemon: iSCSI targets and network boot,command line for bootsand's REST API)" \
		--include=dist/man/$*.h2m --output=$@ daemon/$*

install: install-daemon install-dkms

install-daemon: daemon man
	install -D -m 0755 daemon/bootsand $(DESTDIR)$(SBINDIR)/bootsand
	install -D -m 0755 daemon/bootsanctl $(DESTDIR)$(SBINDIR)/bootsanctl
	install -D -m 0644 $(BUILD)/man/bootsand.8 $(DESTDIR)$(MANDIR)/man8/bootsand.8
	install -D -m 0644 $(BUILD)/man/bootsanctl.8 $(DESTDIR)$(MANDIR)/man8/bootsanctl.8
	install -D -m 0644 dist/bootsand.conf $(DESTDIR)$(SYSCONFDIR)/bootsan/bootsand.conf
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|' dist/systemd/bootsand.service \
		>$(DESTDIR)$(UNITDIR)/bootsand.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/bootsand.service
	install -D -m 0644 dist/systemd/bootsan.modules-load \
		$(DESTDIR)$(MODULESLOADDIR)/bootsan.conf
	install -D -m 0644 dist/bash-completion/bootsanctl $(DESTDIR)$(COMPLETIONDIR)/bootsanctl

# The module's source as DKMS wants it: Kbuild, kmod/ (no host tests),
# the uapi header, a Makefile holding the version, dkms.conf.
install-dkms:
	install -d $(DESTDIR)$(DKMSDIR)/kmod $(DESTDIR)$(DKMSDIR)/uapi/linux
	install -m 0644 Kbuild $(DESTDIR)$(DKMSDIR)/Kbuild
	install -m 0644 $(wildcard kmod/*.[ch]) kmod/Kbuild $(DESTDIR)$(DKMSDIR)/kmod/
	install -m 0644 $(wildcard uapi/linux/*.h) $(DESTDIR)$(DKMSDIR)/uapi/linux/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dist/dkms/Makefile >$(DESTDIR)$(DKMSDIR)/Makefile
	sed 's/#MODULE_VERSION#/$(VERSION)/' dist/dkms/dkms.conf >$(DESTDIR)$(DKMSDIR)/dkms.conf
	chmod 0644 $(DESTDIR)$(DKMSDIR)/Makefile $(DESTDIR)$(DKMSDIR)/dkms.conf

# The packages, .buildinfo and .changes go straight to build/deb/ in the
# tree (debian/rules' dh_builddeb --destdir and the options below), never to
# its parent: a worktree's or a clone's parent is shared with others, whose
# packages of the same version a move would take. Old ones are removed
# first, so build/deb/ holds one build.
DEB_OUT := $(BUILD)/deb
DEB_PV = bootsan_$(shell dpkg-parsechangelog -S Version)_$(shell dpkg-architecture -qDEB_HOST_ARCH)
deb:
	scripts/setup-deps
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_OUT)
	DEB_OUT=$(DEB_OUT) dpkg-buildpackage -us -uc -b \
		--buildinfo-option=-u$(DEB_OUT) --buildinfo-file=$(DEB_OUT)/$(DEB_PV).buildinfo \
		--changes-option=-u$(DEB_OUT) --changes-file=$(DEB_OUT)/$(DEB_PV).changes
	lintian --fail-on error $(DEB_OUT)/*.changes
	scripts/install/deb-test $(DEB_OUT)

check-install:
	scripts/install/check-install

clean:
	rm -rf $(BUILD) kmod/bootsan.ko
	$(MAKE) -C daemon clean
	$(MAKE) -C selftests clean
