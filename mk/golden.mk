# Golden images of the screen (tests/golden/): every supported size, a rotation, a carousel
# change and a milestone, drawn with the software renderer onto a surface and compared with
# the stored PNGs (per channel |d| <= 2, at most 0.1 % of the pixels). Then exact: frames
# built from the damaged rectangles only must equal full redraws, pixel for pixel.
#
#   make golden          compare (part of `make test`)
#   make golden-update   rewrite tests/golden/*.png; then look at every one of them
GOLDEN_OBJ = $(RENDER_OBJ) $(CORE_OBJ)

.PHONY: golden golden-update
$(BUILD)/tests/golden: tests/golden/golden.c $(GOLDEN_OBJ) | $(BUILD)/tests
	@echo "  CC    $<"; $(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS_KIOSK)) -Isrc -o $@ $^ \
		$(LDFLAGS_ALL) $(call pc_libs,$(PKGS_KIOSK)) -lpthread -lm

$(BUILD)/tests/exact: tests/golden/exact.c $(GOLDEN_OBJ) | $(BUILD)/tests
	@echo "  CC    $<"; $(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS_KIOSK)) -Isrc -o $@ $^ \
		$(LDFLAGS_ALL) $(call pc_libs,$(PKGS_KIOSK)) -lpthread -lm

# The golden images, then the exactness of incremental drawing (tests/golden/exact.c).
golden: $(BUILD)/tests/golden $(BUILD)/tests/exact
	@mkdir -p $(BUILD)/golden
	GOLDEN_OUT=$(BUILD)/golden $(BUILD)/tests/golden tests/golden
	$(BUILD)/tests/exact $(BUILD)/golden

golden-update: $(BUILD)/tests/golden
	UPDATE_GOLDENS=1 $(BUILD)/tests/golden tests/golden
