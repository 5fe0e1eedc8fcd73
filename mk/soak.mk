# Allocation failures and the soak (issue 5, tests 5 and 7). See docs/reliability.md.
#
#   make test-oom        every allocation of a scripted run (app and SQLite) failed, once and
#                        sticky, under ASan + UBSan + LeakSanitizer (build-san/), then the two
#                        negative controls (a leak, a lost count) that the sweep must catch
#   make test-oom-nosan  the same sweep in the current BUILD (leaks found by the driver's own
#                        allocation counts)
#   make test-soak       a 12-hour event, accelerated (CI, ~2 min on 2 cores): 500,000 frames and
#                        50,000 presses under ASan/LSan and, at the same time, in this BUILD
#                        measured for growth of memory in use, RSS and fds (then its two
#                        negative controls); beside them the real kiosk, headless, taking 20
#                        presses a second over its socket for SOAK_KIOSK_S (60) s
#   make test-soak-controls  the soak broken on purpose (a leak, an fd), which must fail
#   make test-soak-long  ten times the frames and presses, the real kiosk for SOAK_LONG_S (3600) s

# The sanitizer build of `make check`: the same flags, so build-san/obj is shared with it.
SOAK_SAN_ARGS = BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
	SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

# --- allocation failures --------------------------------------------------------------------
OOM_DIR = $(BUILD)/oom
# The project's objects call __wrap_malloc & co. in the driver (ASan keeps the real malloc).
OOM_WRAP = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=free

.PHONY: test-oom test-oom-nosan test-soak test-soak-long test-soak-here test-soak-controls

$(OOM_DIR):
	mkdir -p $@

$(OOM_DIR)/oom_drive: tests/oom/oom_drive.c $(CORE_OBJ) $(BUILD)/obj/worker.o | $(OOM_DIR)
	@echo "  CC    $<"; $(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS_CTL)) -Isrc -o $@ \
		$(filter %.c %.o,$^) $(OOM_WRAP) $(LDFLAGS_ALL) $(call pc_libs,$(PKGS_CTL)) -lpthread -lm

test-oom:
	@$(MAKE) --no-print-directory $(SOAK_SAN_ARGS) test-oom-nosan

test-oom-nosan: $(OOM_DIR)/oom_drive
	python3 tests/oom/oomtest.py $<
	python3 tests/oom/oomtest.py $< --break leak
	python3 tests/oom/oomtest.py $< --break ack

# --- soak -------------------------------------------------------------------------------------
SOAK_DIR = $(BUILD)/soak
SOAK_OBJ = $(RENDER_OBJ) $(BUILD)/obj/worker.o $(CORE_OBJ)
# The CI soak: 12 simulated hours, 500,000 frames, 50,000 presses. SOAK_ARGS for more.
SOAK_ARGS ?= --frames 500000 --presses 50000 --hours 12

$(SOAK_DIR):
	mkdir -p $@

$(SOAK_DIR)/soak_drive: tests/soak/soak_drive.c $(SOAK_OBJ) | $(SOAK_DIR)
	@echo "  CC    $<"; $(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS_KIOSK)) -Isrc -o $@ \
		$(filter %.c %.o,$^) $(LDFLAGS_ALL) $(call pc_libs,$(PKGS_KIOSK)) -lpthread -lm

# One soak in this BUILD; SOAK_CHECK_ARGS=--no-rss under ASan (its memory figures mean nothing).
test-soak-here: $(SOAK_DIR)/soak_drive
	@d=$$(mktemp -d /dev/shm/tk-soak.XXXXXX 2>/dev/null || mktemp -d); \
	ASAN_OPTIONS=detect_leaks=1 $(SOAK_DIR)/soak_drive $$d $(SOAK_ARGS) $(SOAK_CHECK_ARGS); \
	rc=$$?; rm -rf $$d; exit $$rc

# The negative controls: a soak broken on purpose (a 128 KiB block lost, or /dev/null left
# open, every 10,000 frames) must fail, on the check that sees that breakage.
SOAK_CONTROL_ARGS = --frames 100000 --presses 10000 --hours 2
test-soak-controls: $(SOAK_DIR)/soak_drive
	@for brk in leak:'memory in use grew' fd:'open file descriptors changed'; do \
		d=$$(mktemp -d /dev/shm/tk-soak.XXXXXX 2>/dev/null || mktemp -d); \
		SOAK_BREAK=$${brk%%:*} $(SOAK_DIR)/soak_drive $$d $(SOAK_CONTROL_ARGS) >$$d.log 2>&1; \
		rc=$$?; rm -rf $$d; \
		if [ $$rc = 1 ] && grep -q "FAIL $${brk#*:}" $$d.log; then \
			echo "soak: negative control '$${brk%%:*}': failed as it must ($$(grep -m1 "FAIL $${brk#*:}" $$d.log))"; \
			rm -f $$d.log; \
		else \
			echo "soak: negative control '$${brk%%:*}' was not caught (exit $$rc):"; cat $$d.log; \
			rm -f $$d.log; exit 1; \
		fi; \
	done

# Three at once (CI has 2 cores; the third mostly sleeps): the driver under ASan/LSan in
# build-san, the driver in this BUILD measured for RSS and fds, and the real kiosk taking 20
# presses a second over its socket for 60 s (exactly 1,200 saved; its RSS and fds steady).
SOAK_KIOSK_S ?= 60
test-soak: all
	@$(MAKE) --no-print-directory $(SOAK_SAN_ARGS) build-san/soak/soak_drive
	@$(MAKE) --no-print-directory $(SOAK_DIR)/soak_drive
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory $(SOAK_SAN_ARGS) SOAK_CHECK_ARGS=--no-rss test-soak-here \
		>$(SOAK_DIR)/san.log 2>&1 & san=$$!; \
	python3 tests/soak/kiosk_soak.py $(BUILD) --seconds $(SOAK_KIOSK_S) \
		>$(SOAK_DIR)/kiosk.log 2>&1 & kiosk=$$!; \
	{ $(MAKE) --no-print-directory test-soak-here && \
	  $(MAKE) --no-print-directory test-soak-controls; } >$(SOAK_DIR)/plain.log 2>&1; plain=$$?; \
	wait $$san; san_rc=$$?; wait $$kiosk; kiosk_rc=$$?; \
	sed 's/^/  [asan]  /' $(SOAK_DIR)/san.log; sed 's/^/  [plain] /' $(SOAK_DIR)/plain.log; \
	sed 's/^/  [kiosk] /' $(SOAK_DIR)/kiosk.log; \
	echo "test-soak: $$(if [ $$san_rc$$plain$$kiosk_rc = 000 ]; then echo PASS; else echo FAIL; fi)," \
		"$$(( $$(date +%s) - start )) s"; \
	[ $$san_rc$$plain$$kiosk_rc = 000 ]

# Ten times the CI soak (120 simulated hours, 5,000,000 frames, 500,000 presses), with the
# real kiosk for SOAK_LONG_S seconds (default an hour) beside it.
SOAK_LONG_S ?= 3600
test-soak-long:
	$(MAKE) --no-print-directory test-soak SOAK_KIOSK_S=$(SOAK_LONG_S) \
		SOAK_ARGS="--frames 5000000 --presses 500000 --hours 120"
