# The libgpiod 2 backend (Raspberry Pi OS Trixie) compiled, linked and run on Debian 12
# against Debian 13's libgpiod-dev, fetched without installing it.
GPIOD2_DIR = $(BUILD)/gpiod2
GPIOD2_ROOT = $(GPIOD2_DIR)/root
GPIOD2_LIB = $(GPIOD2_ROOT)/usr/lib/x86_64-linux-gnu

.PHONY: check-gpiod2 gpio-smoke
check-gpiod2:
	tests/gpiod2/fetch.sh $(GPIOD2_DIR)
	$(CC) $(CFLAGS_ALL) -I$(GPIOD2_ROOT)/usr/include -Isrc -o $(GPIOD2_DIR)/smoke \
		tests/gpiod2/smoke.c src/gpio_common.c src/gpio_v2.c $(LDFLAGS_ALL) -L$(GPIOD2_LIB) -l:libgpiod.so.3
	$(CC) $(CFLAGS_ALL) -I$(GPIOD2_ROOT)/usr/include -Isrc -c src/input.c -o $(GPIOD2_DIR)/input.o
	LD_LIBRARY_PATH=$(GPIOD2_LIB) $(GPIOD2_DIR)/smoke

# The same smoke test against the backend this build uses.
gpio-smoke: $(BUILD)/tests/gpio-smoke
	$(BUILD)/tests/gpio-smoke
$(BUILD)/tests/gpio-smoke: tests/gpiod2/smoke.c $(GPIO_SRC) | $(BUILD)/tests
	$(CC) $(CFLAGS_ALL) $(call pc_cflags,libgpiod) -Isrc -o $@ $^ $(LDFLAGS_ALL) $(call pc_libs,libgpiod)
