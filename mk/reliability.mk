# Reliability harnesses (issue 5): simulated power cuts, kill -9, I/O faults, allocation
# failures, fuzzing. See docs/reliability.md for what each proves and how long it takes.
#
#   make test-reliability      the CI set (part of make test)
#   make test-powercut-long    10,000 simulated cuts per damage mode
#   make test-crash-long       5,000 kill -9 of the real kiosk
#   make fuzz                  every libFuzzer target for FUZZ_SECONDS each (clang)

CRASH_DIR = $(BUILD)/crash
CRASH_CFLAGS = $(CFLAGS_ALL) $(call pc_cflags,$(PKGS_CTL)) -Isrc -Itests/crash
CRASH_LIBS = $(LDFLAGS_ALL) $(call pc_libs,$(PKGS_CTL)) -lpthread -lm

POWERCUT_CUTS ?= 1000
POWERCUT_CONTROL_CUTS ?= 150
KILLS ?= 1000

.PHONY: test-reliability test-powercut test-powercut-long test-crash test-crash-long

$(CRASH_DIR):
	mkdir -p $@

# store.c with the test-only hooks (store_test_weaken_sync), for negative controls only.
$(CRASH_DIR)/store_hooks.o: src/store.c src/*.h | $(CRASH_DIR)
	$(CC) $(CRASH_CFLAGS) -DTALLYKIOSK_TEST_HOOKS -c $< -o $@

$(CRASH_DIR)/powercut_drive: tests/crash/powercut_drive.c tests/crash/lossyvfs.c \
		tests/crash/lossyvfs.h $(CORE_OBJ) | $(CRASH_DIR)
	$(CC) $(CRASH_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CRASH_LIBS)

$(CRASH_DIR)/powercut_weak: tests/crash/powercut_drive.c tests/crash/lossyvfs.c \
		tests/crash/lossyvfs.h $(CRASH_DIR)/store_hooks.o \
		$(filter-out $(BUILD)/obj/store.o,$(CORE_OBJ)) | $(CRASH_DIR)
	$(CC) $(CRASH_CFLAGS) -DTALLYKIOSK_TEST_HOOKS -DPOWERCUT_WEAK -o $@ \
		$(filter %.c %.o,$^) $(CRASH_LIBS)

# Three damage modes (two at a time: CI has 2 cores), then the synchronous=NORMAL control,
# which must see a loss.
PC = python3 tests/crash/powercut.py $(CRASH_DIR)/powercut_drive --cuts $(POWERCUT_CUTS) --max-ms 10
test-powercut: $(CRASH_DIR)/powercut_drive $(CRASH_DIR)/powercut_weak
	@$(PC) --mode all --seed 1 & a=$$!; $(PC) --mode subset --seed 2 & b=$$!; \
		wait $$a; ra=$$?; wait $$b; rb=$$?; $(PC) --mode torn --seed 3; rc=$$?; \
		[ $$ra = 0 ] && [ $$rb = 0 ] && [ $$rc = 0 ]
	python3 tests/crash/powercut.py $(CRASH_DIR)/powercut_weak --mode all \
		--cuts $(POWERCUT_CONTROL_CUTS) --seed 4 --expect-loss

# kill -9 of the real kiosk, then the control that deletes the WAL after each kill.
test-crash: all
	python3 tests/crash/killtest.py $(BUILD) --kills $(KILLS)
	python3 tests/crash/killtest.py $(BUILD) --kills 30 --tamper --expect-loss --seed 2

test-crash-long:
	$(MAKE) --no-print-directory test-crash KILLS=5000

test-powercut-long:
	$(MAKE) --no-print-directory test-powercut POWERCUT_CUTS=10000 POWERCUT_CONTROL_CUTS=1000

test-reliability: test-fuzz-replay test-powercut test-crash test-iofault test-recover test-strict-check

# I/O faults: every I/O call of a scripted run failed once and sticky, EIO and ENOSPC.
$(CRASH_DIR)/faultio.so: tests/crash/faultio.c | $(CRASH_DIR)
	$(CC) -O2 -g -Wall -Wextra -Werror -shared -fPIC -o $@ $< -ldl

$(CRASH_DIR)/iofault_drive: tests/crash/iofault_drive.c $(TEST_OBJ) | $(CRASH_DIR)
	$(CC) $(CRASH_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CRASH_LIBS)

.PHONY: test-iofault test-recover
test-iofault: $(CRASH_DIR)/iofault_drive $(CRASH_DIR)/faultio.so
	python3 tests/crash/iofault.py $^

# A damaged database is moved aside and the kiosk counts on with what could be read.
test-recover: all
	python3 tests/crash/recovertest.py $(BUILD)

# --- fuzzing ----------------------------------------------------------------------------------
# Each target is tests/fuzz/fuzz_NAME.c with LLVMFuzzerTestOneInput. `make fuzz` runs them with
# libFuzzer (clang) for FUZZ_SECONDS each and merges new inputs into tests/fuzz/corpus/NAME/;
# `make test` replays the corpora through the same function with the ordinary compiler.
FUZZ_TARGETS = config control cases mqtt web
FUZZ_SECONDS ?= 45
FUZZ_DIR = $(BUILD)/fuzz
FUZZ_SRC_config = src/config.c src/ini_lines.c src/textcheck.c src/numfmt.c
FUZZ_SRC_control = src/control.c src/textcheck.c src/numfmt.c
FUZZ_SRC_cases = src/cases.c src/ini_lines.c src/textcheck.c src/numfmt.c
FUZZ_SRC_mqtt = src/mqtt_payload.c src/pncounter.c src/textcheck.c
FUZZ_SRC_web = src/web_api.c src/web_auth.c src/control.c src/textcheck.c src/numfmt.c \
               src/clockset.c src/clockcheck.c src/cases.c src/ini_lines.c
FUZZ_CFLAGS = $(CSTD) -g -O1 -Wall -Wextra -Werror -Isrc $(call pc_cflags,inih jansson)
FUZZ_SAN = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

.PHONY: fuzz fuzz-deps test-fuzz-replay
fuzz-deps:
	$(call apt_install,clang libclang-rt-14-dev)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c src/*.c src/*.h | $(FUZZ_DIR)
	clang $(FUZZ_CFLAGS) $(FUZZ_SAN) -o $@ $< $(FUZZ_SRC_$*) $(call pc_libs,inih jansson)

$(FUZZ_DIR)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(CORE_OBJ) | $(FUZZ_DIR)
	$(CC) $(CFLAGS_ALL) -Isrc $(call pc_cflags,inih) -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/replay.c \
		$(CORE_OBJ) $(LDFLAGS_ALL) $(call pc_libs,$(PKGS_CTL)) -lpthread -lm

$(FUZZ_DIR):
	mkdir -p $@

# Two targets at a time (CI has 2 cores); new inputs are merged, minimised, into the corpus.
fuzz: fuzz-deps
	$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
	@printf '%s\n' $(FUZZ_TARGETS) | xargs -P 2 -I{} sh -c '\
		mkdir -p $(FUZZ_DIR)/new-{} tests/fuzz/corpus/{} && \
		$(FUZZ_DIR)/fuzz_{} -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=1024 \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/{}- \
			$(FUZZ_DIR)/new-{} tests/fuzz/corpus/{} \
			>$(FUZZ_DIR)/{}.log 2>&1; rc=$$?; \
		grep -E "stat::number_of_executed_units|stat::peak_rss" $(FUZZ_DIR)/{}.log | sed "s/^/{}: /"; \
		[ $$rc = 0 ] || { tail -40 $(FUZZ_DIR)/{}.log; exit 1; }; \
		$(FUZZ_DIR)/fuzz_{} -merge=1 tests/fuzz/corpus/{} $(FUZZ_DIR)/new-{} >/dev/null 2>&1; \
		rm -rf $(FUZZ_DIR)/new-{}'

test-fuzz-replay: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/replay_%)
	@for t in $(FUZZ_TARGETS); do printf '%s: ' $$t; $(FUZZ_DIR)/replay_$$t tests/fuzz/corpus/$$t || exit 1; done
