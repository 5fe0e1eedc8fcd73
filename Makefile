# tallykiosk — see README.md. `make run` and `make test` install missing Debian packages first.
PREFIX  ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
PKG_CONFIG ?= pkg-config

# Debian packages the build, the kiosk and the tests need (installed by `make deps`).
DEB_BUILD = build-essential pkg-config libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libpng-dev \
            libsqlite3-dev libinih-dev libgpiod-dev libfontconfig-dev libfribidi-dev \
            libsystemd-dev libjansson-dev libmosquitto-dev fonts-dejavu-core $(DEB_FONTS_SCRIPTS) \
            libmicrohttpd-dev libqrencode-dev libx11-dev
# Fonts for the characters DejaVu lacks (fontconfig picks them per character): Chinese,
# Japanese and Korean, and emoji (colour; Symbola draws them in one colour where a colour font
# is missing).
DEB_FONTS_SCRIPTS = fonts-noto-cjk fonts-noto-color-emoji fonts-symbola
DEB_TEST  = libcmocka-dev sqlite3 tesseract-ocr tesseract-ocr-eng python3 procps mosquitto mosquitto-clients \
            xvfb curl x11-utils

PKGS_KIOSK = sdl2 SDL2_ttf SDL2_image libpng sqlite3 inih fontconfig fribidi libgpiod libsystemd jansson libmosquitto \
             libmicrohttpd libqrencode
# Xlib, where SDL draws on X11, to ask whether a window manager runs (src/render_wm.c).
PKGS_KIOSK += $(shell $(PKG_CONFIG) --exists x11 2>/dev/null && echo x11)
PKGS_CTL   = sqlite3 inih jansson

WARN    = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
VERSION = 0.1.0
CSTD    = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 \
          -DTALLYKIOSK_VERSION='"$(VERSION)"' \
          -DTALLYKIOSK_SYSCONFDIR='"$(SYSCONFDIR)"' -DTALLYKIOSK_BUILD_EPOCH=$(BUILD_EPOCH)
# A clock earlier than this (the last commit's time) was never set (src/clockcheck.c).
BUILD_EPOCH ?= $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),$(shell date +%s))
OPT     ?= -O2 -g
SAN     ?=
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) $(SAN) $(CFLAGS)
LDFLAGS_ALL = $(SAN) $(LDFLAGS)

pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

# Modules shared by both programs (no SDL).
CORE_SRC = src/config.c src/store.c src/store_open.c src/store_events.c src/store_recover.c src/store_report.c src/store_peers.c src/control.c src/ledger.c src/paths.c src/client.c \
           src/numfmt.c src/log.c src/sbuf.c src/textcheck.c src/debounce.c src/cases.c src/anim.c src/ini_lines.c src/monotime.c \
           src/pncounter.c src/mqtt_payload.c src/wording.c src/textlayout.c src/venue.c src/venue_show.c \
           src/web_auth.c src/web_api.c src/web_addr.c \
           src/clockcheck.c src/clockset.c
# The GPIO backend follows the installed libgpiod: v2 API from 2.0 on, else v1.
GPIOD_V2 := $(shell $(PKG_CONFIG) --atleast-version=2.0 libgpiod 2>/dev/null && echo yes)
GPIO_SRC = src/gpio_common.c $(if $(GPIOD_V2),src/gpio_v2.c,src/gpio_v1.c)
# The drawing code (SDL): the kiosk, the golden-image test and anything else that draws.
RENDER_SRC = src/render.c src/render_driver.c src/render_frame.c src/render_path.c src/render_wm.c src/damage.c \
             src/render_text.c src/render_font.c src/render_fontcache.c src/view_tally.c src/view_carousel.c \
             src/view_notice.c src/view_qr.c src/view_card.c src/fontfind.c src/fontlock.c src/layout.c
KIOSK_SRC = src/main.c src/app.c src/app_requests.c src/app_screen.c src/worker.c src/unsaved.c src/ctlserver.c $(RENDER_SRC) \
            src/input.c src/supervise.c src/start_error.c src/several.c src/mqtt_link.c src/web.c src/web_http.c src/web_routes.c src/web_files.c src/card_worker.c src/kioskclock.c $(GPIO_SRC)
CTL_SRC = src/tallyctl.c src/tallyctl_args.c src/tallyctl_show.c

CORE_OBJ  = $(CORE_SRC:src/%.c=$(BUILD)/obj/%.o)
KIOSK_OBJ = $(KIOSK_SRC:src/%.c=$(BUILD)/obj/%.o)
CTL_OBJ   = $(CTL_SRC:src/%.c=$(BUILD)/obj/%.o)
RENDER_OBJ = $(RENDER_SRC:src/%.c=$(BUILD)/obj/%.o)

UNIT_TESTS = test_store test_config test_control test_numfmt test_layout test_worker test_debounce \
             test_cases test_anim test_log test_pncounter test_mqtt_payload test_wording test_textlayout \
             test_input test_ctlserver test_venue test_damage test_unsaved test_web test_clockcheck test_clockset
UNIT_BINS  = $(UNIT_TESTS:%=$(BUILD)/tests/%)

.PHONY: all run test check unit e2e deps deps-test install uninstall clean screenshots

all: $(BUILD)/tallykiosk $(BUILD)/tallyctl

$(BUILD)/obj/%.o: src/%.c src/*.h | $(BUILD)/obj
	@echo "  CC    $<"; $(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS_KIOSK)) -c $< -o $@

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

$(BUILD)/tallykiosk: $(KIOSK_OBJ) $(CORE_OBJ)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(call pc_libs,$(PKGS_KIOSK)) -lpthread -lm

$(BUILD)/tallyctl: $(CTL_OBJ) $(CORE_OBJ)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(call pc_libs,$(PKGS_CTL)) -lpthread

# Unit tests link the SDL-free modules only.
TEST_OBJ = $(CORE_OBJ) $(BUILD)/obj/layout.o $(BUILD)/obj/worker.o $(BUILD)/obj/damage.o \
           $(BUILD)/obj/unsaved.o
$(BUILD)/tests/test_%: tests/unit/test_%.c $(TEST_OBJ) | $(BUILD)/tests
	@echo "  CC    $<"; $(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS_CTL) cmocka) -Isrc -o $@ \
		$(filter %.c %.o,$^) $(LDFLAGS_ALL) $(call pc_libs,$(PKGS_CTL) cmocka) -lpthread -lm
# Kiosk modules with a unit test of their own: input.c runs on a scripted GPIO backend instead
# of libgpiod, ctlserver.c on socketpair() clients.
$(BUILD)/tests/test_input: tests/unit/fake_gpio.c tests/unit/fake_gpio.h $(BUILD)/obj/input.o
$(BUILD)/tests/test_ctlserver: $(BUILD)/obj/ctlserver.o

# --- dependencies ---------------------------------------------------------------------------
# Two make targets installing at once (two suites side by side) wait for dpkg's lock.
APT_OPTS = -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get $(APT_OPTS) update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get $(APT_OPTS) install -y -q --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(DEB_BUILD) $(DEB_DISPLAY))

deps-test: deps
	$(call apt_install,$(DEB_TEST))

# --- run and test ---------------------------------------------------------------------------
# The demo keeps its own database under build/, never the one a real kiosk would use.
DEMO_DB = $(BUILD)/demo/tally.db
run: deps
	$(MAKE) all
	@mkdir -p $(dir $(DEMO_DB))
	@echo "Demo database: $(DEMO_DB) (tallyctl --db $(DEMO_DB) status; to start over:" \
		"rm -r $(dir $(DEMO_DB)))"
	$(BUILD)/tallykiosk -c assets/kiosk.conf --db $(DEMO_DB) --windowed $(RUN_ARGS)

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t || fail=1; done; exit $$fail

e2e: all
	tests/e2e/run-all.sh $(BUILD)

test: deps-test
	$(MAKE) all unit gpio-smoke golden test-install
	$(MAKE) e2e
	$(MAKE) test-web-browser
	$(MAKE) test-reliability

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, in its own build folder.
check: deps-test
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:$(LSAN_OPTIONS) \
	$(MAKE) BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all unit golden e2e \
		test-fuzz-replay

screenshots: all
	@mkdir -p $(BUILD)/shots
	for s in 1920x1080 800x480; do \
		SDL_VIDEODRIVER=offscreen $(BUILD)/tallykiosk --db $(BUILD)/shots/demo.db \
			--screenshot $(BUILD)/shots/tally-$$s.png --size $$s || exit 1; done

# install and uninstall (PREFIX, SYSCONFDIR, DESTDIR): mk/install.mk

clean:
	rm -rf build build-san build-tsan

# Larger test harnesses and builds keep their rules in mk/ (gpio-sim VM, cross builds, ...).
include $(wildcard mk/*.mk)
