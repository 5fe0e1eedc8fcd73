# gpio-sim VM tests (tests/gpio/, see tests/gpio/README.md): the real kiosk and tallyctl in a
# throw-away QEMU VM whose kernel has gpio-sim, with simulated button and staff-reset lines.
#
#   make test-gpio          packages + kernel + gpio-sim.ko (cached, ~0.3 s when warm), then the
#                           kiosk's end-to-end GPIO test; prints the wall time
#   make test-gpio-smoke    the harness self-test with tests/gpio/smoke.c (no kiosk needed)
#   make test-gpio-fail     proves the kiosk test can fail (expects one press too many)
# TK_GPIO_* environment knobs are described at the top of each tests/gpio/*.sh.

GPIO_TIMED = start=$$(date +%s.%N); $(1); rc=$$?; \
	echo "$(2): $$(if [ $$rc -eq 0 ]; then echo PASS; else echo FAIL; fi)," \
	"wall time $$(awk -v a=$$(date +%s.%N) -v b=$$start 'BEGIN { printf "%.1f", a - b }') s"; \
	exit $$rc

.PHONY: test-gpio test-gpio-smoke test-gpio-fail gpio-prepare

gpio-prepare:
	tests/gpio/prepare.sh

test-gpio: all
	@$(call GPIO_TIMED,tests/gpio/prepare.sh >/dev/null && \
		TK_GPIO_NO_PREPARE=1 tests/gpio/test_kiosk.sh $(BUILD),test-gpio)

test-gpio-smoke:
	@$(call GPIO_TIMED,tests/gpio/prepare.sh >/dev/null && \
		TK_GPIO_NO_PREPARE=1 TK_GPIO_CC="$(CC)" tests/gpio/test_smoke.sh,test-gpio-smoke)

# Passes when the kiosk test, told to expect one press more than it makes, fails.
test-gpio-fail: all
	@$(call GPIO_TIMED,tests/gpio/prepare.sh >/dev/null && \
		! TK_GPIO_NO_PREPARE=1 TK_GPIO_EXPECT_WRONG=1 tests/gpio/test_kiosk.sh $(BUILD) -q,test-gpio-fail)
