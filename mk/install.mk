# make install / make uninstall: the programs, their assets, and the Raspberry Pi deployment
# files from board/raspberry-pi/ (systemd unit, sysusers, udev rule, sysctl, sample config).
#
#   PREFIX      /usr/local       programs in $(PREFIX)/bin, assets in $(PREFIX)/share/tallykiosk
#   SYSCONFDIR  /etc             the config: $(SYSCONFDIR)/tallykiosk/kiosk.conf
#   DESTDIR     (empty)          stage everything under this folder (packaging, tests)
#   UNITDIR     $(PREFIX)/lib/systemd/system, SYSUSERSDIR $(PREFIX)/lib/sysusers.d,
#   UDEVRULESDIR $(PREFIX)/lib/udev/rules.d, SYSCTLDIR $(PREFIX)/lib/sysctl.d
#
# The $(PREFIX)/lib/... defaults are where systemd, udev and systemd-sysusers/-sysctl look for
# /usr/local (and /usr) on Debian 12 and 13: nothing is written into /etc/systemd. With another
# PREFIX, set UNITDIR and friends to /usr/local/lib/... or /etc/... yourself.
#
# The config is installed only if none exists (never overwritten), and `make uninstall` leaves
# it, as it leaves the database in /var/lib/tallykiosk and the tallykiosk user: they are the
# organiser's, not the program's. Everything else install writes, uninstall removes.
#
# Installing for real (DESTDIR empty, as root, systemd running) also applies what was
# installed: creates the users and groups, reloads udev and the unit files, sets the sysctl.
# Enabling the service stays a separate, deliberate step (see board/raspberry-pi/README.md).

BINDIR       = $(PREFIX)/bin
PKGDATADIR   = $(PREFIX)/share/tallykiosk
PKGCONFDIR   = $(SYSCONFDIR)/tallykiosk
UNITDIR      ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR  ?= $(PREFIX)/lib/sysusers.d
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSCTLDIR    ?= $(PREFIX)/lib/sysctl.d
BOARD        = board/raspberry-pi

# The kiosk finds its bundled assets at ../share/tallykiosk relative to its own binary, so
# BINDIR and PKGDATADIR both follow PREFIX.
INSTALL_FILES = $(BINDIR)/tallykiosk $(BINDIR)/tallyctl $(UNITDIR)/tallykiosk.service \
                $(SYSUSERSDIR)/tallykiosk.conf $(UDEVRULESDIR)/60-tallykiosk.rules \
                $(SYSCTLDIR)/99-tallykiosk.conf

# What SDL's KMSDRM driver opens at run time with dlopen, so ldd does not list it: GBM, EGL
# and GLES2 through glvnd, Mesa's EGL and its DRI drivers (vc4/v3d on a Pi), libdrm, libudev.
# Desktop libGL is not among them: on KMSDRM the kiosk asks for GLES2 (src/render_driver.c).
# `make deps` installs them; `make install` refuses a real install without them (the screen
# would stay dark), and a staged one (DESTDIR) names them for the target machine.
DEB_DISPLAY = libegl1 libegl-mesa0 libgles2 libgbm1 libdrm2 libgl1-mesa-dri libudev1

# Real installs only: not staged, as root, on a machine running systemd.
define install_live
[ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && [ -d /run/systemd/system ]
endef

.PHONY: install uninstall test-install check-runtime
install: all check-runtime
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGDATADIR) $(DESTDIR)$(PKGCONFDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(SYSCTLDIR)
	install -m 755 $(BUILD)/tallykiosk $(BUILD)/tallyctl $(DESTDIR)$(BINDIR)/
	cd assets && find . -type d | while read -r d; do \
		install -d -m 755 "$(DESTDIR)$(PKGDATADIR)/$$d" || exit 1; done && \
		find . -type f | while read -r f; do \
		install -m 644 "$$f" "$(DESTDIR)$(PKGDATADIR)/$$f" || exit 1; done
	sed -e 's|@bindir@|$(BINDIR)|g' -e 's|@sysconfdir@|$(SYSCONFDIR)|g' \
		$(BOARD)/tallykiosk.service > $(DESTDIR)$(UNITDIR)/tallykiosk.service.tmp
	@if grep -n '@[a-z]*@' $(DESTDIR)$(UNITDIR)/tallykiosk.service.tmp; then \
		echo "tallykiosk.service: placeholder left unreplaced" >&2; exit 1; fi
	chmod 644 $(DESTDIR)$(UNITDIR)/tallykiosk.service.tmp
	mv -f $(DESTDIR)$(UNITDIR)/tallykiosk.service.tmp $(DESTDIR)$(UNITDIR)/tallykiosk.service
	install -m 644 $(BOARD)/tallykiosk.sysusers $(DESTDIR)$(SYSUSERSDIR)/tallykiosk.conf
	install -m 644 $(BOARD)/60-tallykiosk.rules $(DESTDIR)$(UDEVRULESDIR)/60-tallykiosk.rules
	install -m 644 $(BOARD)/tallykiosk.sysctl $(DESTDIR)$(SYSCTLDIR)/99-tallykiosk.conf
	@if [ -e $(DESTDIR)$(PKGCONFDIR)/kiosk.conf ]; then \
		echo "kept $(DESTDIR)$(PKGCONFDIR)/kiosk.conf (already there; the new sample is" \
		     "$(BOARD)/kiosk.conf)"; \
	else \
		echo "install -m 644 $(BOARD)/kiosk.conf $(DESTDIR)$(PKGCONFDIR)/kiosk.conf"; \
		install -m 644 $(BOARD)/kiosk.conf $(DESTDIR)$(PKGCONFDIR)/kiosk.conf; \
	fi
	@if $(install_live); then \
		echo "Applying: users and groups, udev rules, sysctl, unit files"; \
		systemd-sysusers $(SYSUSERSDIR)/tallykiosk.conf && \
		{ ! command -v udevadm >/dev/null || { udevadm control --reload && \
		  udevadm trigger --action=change --subsystem-match=gpio; }; } && \
		/lib/systemd/systemd-sysctl $(SYSCTLDIR)/99-tallykiosk.conf && \
		systemctl daemon-reload || exit 1; \
		if systemctl is-active --quiet tallykiosk.service; then \
			echo "The kiosk still runs the old version: sudo systemctl restart tallykiosk"; \
		else echo "Installed. Start it now and at every boot:" \
			"sudo systemctl enable --now tallykiosk"; fi; \
	elif [ -z "$(DESTDIR)" ]; then \
		echo "Not applied (needs root and a running systemd): users and groups, udev," \
		     "sysctl. Run: sudo make install"; \
	fi

# The Debian packages the installed kiosk needs to draw (DEB_DISPLAY) and every library its
# binary links: missing ones fail a real install with the apt command that fixes it. A staged
# install (DESTDIR) only lists them, for the machine it is meant for.
check-runtime: all
	@missing=; if command -v dpkg-query >/dev/null; then \
		for p in $(DEB_DISPLAY); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q '^install ok installed' || missing="$$missing $$p"; done; fi; \
	unlinked=$$(ldd $(BUILD)/tallykiosk 2>/dev/null | grep 'not found' | awk '{ print $$1 }' | tr '\n' ' '); \
	if [ -n "$(DESTDIR)" ]; then \
		echo "note: the machine that runs it needs these Debian packages to draw: $(DEB_DISPLAY)"; \
	elif [ -n "$$missing$$unlinked" ]; then \
		[ -z "$$unlinked" ] || echo "tallykiosk: libraries not found: $$unlinked(make deps, then make)" >&2; \
		[ -z "$$missing" ] || echo "tallykiosk cannot draw on this machine without:$$missing" \
			"(SDL's KMSDRM driver loads them). Install them: sudo apt install$$missing" >&2; \
		exit 1; \
	fi

uninstall:
	@if $(install_live) && [ -e $(UNITDIR)/tallykiosk.service ]; then \
		echo "systemctl disable --now tallykiosk.service"; \
		systemctl disable --now tallykiosk.service || true; fi
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	rm -rf $(DESTDIR)$(PKGDATADIR)
	@if $(install_live); then systemctl daemon-reload; \
		! command -v udevadm >/dev/null || udevadm control --reload; fi
	@if [ -e $(DESTDIR)$(PKGCONFDIR)/kiosk.conf ]; then \
		echo "kept $(DESTDIR)$(PKGCONFDIR)/kiosk.conf (your settings; remove it yourself)"; fi

# Staged install checked file by file, then the unit's security score and systemd's verify.
test-install: all
	$(call apt_install,systemd)
	BUILD=$(BUILD) tests/install/test_install.sh
	BUILD=$(BUILD) tests/install/check-unit.sh
