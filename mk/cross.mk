# Cross builds for the Raspberry Pi (Raspberry Pi OS 64-bit = Debian arm64), tested under qemu-user.
#
#   make cross-deps   cross compiler + qemu on the host, arm64 libraries into a sysroot
#   make cross        tallykiosk, tallyctl, the unit tests for the Pi into build-arm64/ (runs
#                     cross-deps first, which does nothing when all is there)
#   make test-cross   the unit tests, a headless --screenshot and tallyctl under qemu, compared
#                     with the native build (build/); ends with "cross: N passed, M failed"
#   make clean-cross  removes build-arm64/, sysroot included
#
# CROSS_ARCH=armhf does the same for 32-bit Raspberry Pi OS (build-armhf/, qemu-arm).
#
# Only the cross compiler and qemu-user are installed on the host (plain amd64 packages). The
# Pi's libraries are not installed with dpkg --add-architecture: multiarch needs every arm64 -dev
# package and its amd64 twin at the very same version, which on a machine whose packages lag the
# mirror means apt first upgrades a few dozen host packages (libssl, libexpat, libpng,
# e2fsprogs, ...). Instead apt resolves the arm64 packages against an empty, private state under
# $(CROSS_BUILD)/apt (the host's sources and keyrings; its own lists, status and cache),
# downloads them, and dpkg-deb unpacks them into $(CROSS_SYSROOT) (docs and translations left
# out, absolute symlinks made relative). The host's dpkg database is never touched, and
# rm -rf $(CROSS_BUILD) removes every trace. gcc --sysroot and pkg-config's
# PKG_CONFIG_SYSROOT_DIR build against it; qemu -L runs against it.

CROSS_ARCH ?= arm64
ifeq ($(CROSS_ARCH),arm64)
CROSS_TRIPLET = aarch64-linux-gnu
CROSS_QEMU    = qemu-aarch64
CROSS_CFLAGS  =
else ifeq ($(CROSS_ARCH),armhf)
CROSS_TRIPLET = arm-linux-gnueabihf
CROSS_QEMU    = qemu-arm
# Debian 12's armhf still has a 32-bit time_t by default: ask glibc for the 64-bit one (the
# libraries the kiosk links take no time_t or off_t in their interfaces).
# With a 32-bit size_t, gcc 12 warns that snprintf(err, errlen, "%s: ...") might pass INT_MAX
# (ctlserver.c): shown, but not fatal here, until src/ settles it.
CROSS_ARMHF_WNO = -Wno-error=format-truncation
CROSS_CFLAGS  = -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 $(CROSS_ARMHF_WNO)
else
$(error CROSS_ARCH=$(CROSS_ARCH): only arm64 and armhf are known)
endif

CROSS_BUILD    ?= build-$(CROSS_ARCH)
CROSS_SYSROOT  ?= $(abspath $(CROSS_BUILD))/sysroot
CROSS_APTDIR    = $(abspath $(CROSS_BUILD))/apt
CROSS_CC       ?= $(CROSS_TRIPLET)-gcc --sysroot=$(CROSS_SYSROOT)
CROSS_PKG_CONFIG = env PKG_CONFIG_SYSROOT_DIR=$(CROSS_SYSROOT) \
	PKG_CONFIG_LIBDIR=$(CROSS_SYSROOT)/usr/lib/$(CROSS_TRIPLET)/pkgconfig:$(CROSS_SYSROOT)/usr/share/pkgconfig \
	PKG_CONFIG_PATH= pkg-config

# Host packages (amd64): the cross compiler and the user-mode emulator (no binfmt_misc needed:
# test-cross calls qemu itself).
CROSS_DEB_HOST = gcc-$(CROSS_TRIPLET) qemu-user
# Target packages unpacked into the sysroot: the -dev packages and fonts of the Makefile's
# DEB_BUILD and DEB_TEST lists (so a library added there is picked up here), with their runtime
# libraries, and the C library's own -dev package.
# The CJK and emoji fonts (~100 MB) are left out: the cross test draws no such text.
# The sysroot is also the userland of the Pi VM (mk/pi-vm.mk): Mesa's DRI drivers, EGL, GLES2
# and GBM, which the -dev packages already pull in, are named so they stay, and a static busybox
# is its shell.
CROSS_DEB_RUNTIME = libgl1-mesa-dri libegl-mesa0 libegl1 libgles2 libgbm1 libdrm2 libudev1 busybox-static
CROSS_DEB_TARGET = libc6-dev $(filter-out $(DEB_FONTS_SCRIPTS),$(filter lib%-dev fonts-%,$(DEB_BUILD) $(DEB_TEST))) \
	$(if $(filter arm64,$(CROSS_ARCH)),$(CROSS_DEB_RUNTIME))

# apt on a private, empty state for the target architecture. The host's sources.list(.d) and
# keyrings are used as they are, so the sysroot comes from the same mirror and suites.
CROSS_APT_OPTS = \
	-o APT::Architecture=$(CROSS_ARCH) -o APT::Architectures::=$(CROSS_ARCH) \
	-o Dir::State=$(CROSS_APTDIR)/state -o Dir::State::status=$(CROSS_APTDIR)/state/status \
	-o Dir::Cache=$(CROSS_APTDIR)/cache -o Dir::Log=$(CROSS_APTDIR)/log \
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root -o APT::Install-Recommends=0 \
	-o APT::Get::Allow-Unauthenticated=0 -o Acquire::Retries=3
CROSS_APT = apt-get -q $(CROSS_APT_OPTS)

CROSS_UNIT_BINS = $(UNIT_TESTS:%=$(CROSS_BUILD)/tests/%)

.PHONY: cross-deps cross-sysroot cross test-cross clean-cross

cross-deps:
	$(call apt_install,$(CROSS_DEB_HOST))
	$(MAKE) --no-print-directory cross-sysroot

# The stamp names the package list, so changing it rebuilds the sysroot.
CROSS_STAMP = $(CROSS_SYSROOT)/.tallykiosk-sysroot
cross-sysroot:
	@if [ -f $(CROSS_STAMP) ] && [ "$$(cat $(CROSS_STAMP))" = "$(CROSS_DEB_TARGET)" ]; then \
		echo "cross: sysroot $(CROSS_SYSROOT) is up to date"; exit 0; fi; \
	set -e; \
	rm -rf $(CROSS_SYSROOT) $(CROSS_APTDIR); \
	mkdir -p $(CROSS_APTDIR)/state/lists/partial $(CROSS_APTDIR)/cache/archives/partial \
		$(CROSS_APTDIR)/log $(CROSS_SYSROOT); \
	: > $(CROSS_APTDIR)/state/status; \
	echo "cross: resolving $(CROSS_ARCH) packages on a private apt state"; \
	for try in 1 2 3; do \
		$(CROSS_APT) update >$(CROSS_APTDIR)/log/update.log 2>&1 && break; \
		if [ $$try = 3 ]; then \
			echo "cross: warning: some $(CROSS_ARCH) package lists failed to download; going on with" \
				"the others (the install below fails if what it needs is missing):"; \
			grep '^E:' $(CROSS_APTDIR)/log/update.log | sed 's/^/    /'; break; fi; \
		echo "cross: apt-get update failed (try $$try), again in 10 s"; sleep 10; done; \
	$(CROSS_APT) install -y --download-only $(CROSS_DEB_TARGET) >$(CROSS_APTDIR)/log/install.log 2>&1 \
		|| { cat $(CROSS_APTDIR)/log/install.log; exit 1; }; \
	n=0; for deb in $(CROSS_APTDIR)/cache/archives/*.deb; do \
		dpkg-deb --fsys-tarfile "$$deb" | tar -x -C $(CROSS_SYSROOT) --no-same-owner \
			--exclude=./usr/share/doc --exclude=./usr/share/man --exclude=./usr/share/info \
			--exclude=./usr/share/locale; \
		n=$$((n + 1)); done; \
	echo "cross: unpacked $$n packages into $(CROSS_SYSROOT)"; \
	cd $(CROSS_SYSROOT) && find . -type l -lname '/*' | while read -r l; do \
		t=$$(readlink "$$l"); \
		ln -sfn "$$(realpath -m --relative-to="$$(dirname "$$l")" ".$$t")" "$$l"; done; \
	mkdir -p $(CROSS_SYSROOT)/var/cache/fontconfig; \
	rm -rf $(CROSS_APTDIR)/cache/archives/*.deb; \
	echo "$(CROSS_DEB_TARGET)" > $(CROSS_STAMP)

cross: cross-deps
	@$(CROSS_PKG_CONFIG) --exists $(PKGS_KIOSK) cmocka || \
		{ echo "cross: pkg-config finds no $(CROSS_ARCH) $(PKGS_KIOSK) cmocka in $(CROSS_SYSROOT)" >&2; exit 1; }
	$(MAKE) --no-print-directory BUILD=$(CROSS_BUILD) CC="$(CROSS_CC)" PKG_CONFIG="$(CROSS_PKG_CONFIG)" \
		CFLAGS="$(CFLAGS) $(CROSS_CFLAGS)" all $(CROSS_UNIT_BINS) $(CROSS_BUILD)/tests/abi_probe

test-cross: cross
	$(MAKE) --no-print-directory all $(BUILD)/tests/abi_probe
	tests/cross/run.sh $(CROSS_BUILD) $(BUILD) $(CROSS_QEMU) $(CROSS_SYSROOT) $(UNIT_TESTS)

# C facts (char signedness, sizes, 64-bit time) printed by the native and the cross build alike.
$(BUILD)/tests/abi_probe: tests/cross/abi_probe.c | $(BUILD)/tests
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LDFLAGS_ALL)

clean-cross:
	rm -rf $(CROSS_BUILD)
