# The share card thread beside the screen under ThreadSanitizer (tests/tsan/): the kiosk's
# render, font and card worker objects built with -fsanitize=thread into build-tsan/, driven
# by tests/tsan/card_race.c with tests/tsan/ttf_contract.c showing TSan the calls FreeType
# says must not overlap. It must run clean with the font lock, and TSan must report the race
# without it (--unlocked: the kiosk before the lock, the negative control).
#
#   make check-tsan   build-tsan/, both runs (~1-2 min on 2 cores)
TSAN_ARGS = BUILD=build-tsan OPT="-O1 -g -fno-omit-frame-pointer" SAN="-fsanitize=thread"
# gcc's ThreadSanitizer runtime.
DEB_TSAN = libtsan2

.PHONY: check-tsan test-card-race
check-tsan: deps-test
	$(call apt_install,$(DEB_TSAN))
	@$(MAKE) --no-print-directory $(TSAN_ARGS) test-card-race

CARD_RACE_OBJ = $(RENDER_OBJ) $(BUILD)/obj/card_worker.o $(CORE_OBJ)
$(BUILD)/tests/card_race: tests/tsan/card_race.c tests/tsan/ttf_contract.c $(CARD_RACE_OBJ) \
		| $(BUILD)/tests
	@echo "  CC    $<"; $(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS_KIOSK)) -Isrc -o $@ \
		$(filter %.c %.o,$^) $(LDFLAGS_ALL) $(call pc_libs,$(PKGS_KIOSK)) -ldl -lpthread -lm

test-card-race: $(BUILD)/tests/card_race
	tests/tsan/run.sh $<

# What the card thread costs the screen: the same frames with no card thread, then beside it
# (with the lock), in this BUILD; prints frame times and the lock's waits. Part of `make bench`
# figures, not a pass/fail test.
.PHONY: bench-card-race
bench-card-race: $(BUILD)/tests/card_race
	$< --no-cards --rounds 20
	$< --rounds 20
