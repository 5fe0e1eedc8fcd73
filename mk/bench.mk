# make bench: what a kiosk costs (see bench/bench.py), beside the same screen as a web page
# in chromium --kiosk (bench/peer/page.html); prints the tables and writes
# bench/results.md. make bench-quick: the same with short windows, nothing written.
DEB_BENCH = xvfb xauth valgrind python3 chromium xdotool

.PHONY: bench bench-quick deps-bench
deps-bench: deps
	$(call apt_install,$(DEB_BENCH))

$(BUILD)/bench/framecost: bench/framecost.c $(filter-out $(BUILD)/obj/main.o $(BUILD)/obj/app.o $(BUILD)/obj/app_requests.o $(BUILD)/obj/app_screen.o,$(KIOSK_OBJ)) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(call pc_cflags,$(PKGS_KIOSK)) -Isrc -o $@ $^ $(LDFLAGS_ALL) \
		$(call pc_libs,$(PKGS_KIOSK)) -lpthread -lm

bench: deps-bench
	$(MAKE) all $(BUILD)/bench/framecost
	python3 bench/bench.py $(BUILD)

bench-quick: deps-bench
	$(MAKE) all $(BUILD)/bench/framecost
	python3 bench/bench.py $(BUILD) --quick
