# Power cuts with a real kernel and ext4 (issue 5, test 3; tests/crash/vm_powercut.sh): the real
# kiosk counts in a QEMU VM with its database on ext4 on a virtio disk, qemu is SIGKILLed at
# random moments, the disk is booted again and checked (journal replay, e2fsck -fn, quick_check
# and integrity_check, no acknowledged count lost). Reuses tests/gpio/prepare.sh's kernel cache.
#
#   make test-powercut-vm        PCVM_CUTS cuts (default 8, volatile and direct disk in turn),
#                                then PCVM_CROWD_CUTS (4) with PCVM_CROWD_CLIENTS (4) clients at
#                                once (group commits of several clients' requests cut),
#                                and beside them two negative controls of PCVM_CONTROL_CUTS cuts
#                                each, which must lose acknowledged counts: the kiosk with fsync
#                                disabled (vm_nosync.so), and ext4 mounted nobarrier (no flush
#                                ever reaches the disk) on the volatile-cache disk
#   make test-powercut-vm-long   PCVM_LONG_CUTS cuts (default 320) in PCVM_LONG_RUNS runs (4) of
#                                their own seeds, half on the volatile-cache disk and half on
#                                the direct one, two VMs at a time; no control. Logs and the
#                                per-run table in $(BUILD)/powercut-vm-long/, then the sums
#   Every run ends with the strict check (tests/crash/strict_check.py): after each cut, every
#   event's stored total and the sum of its rows against a model of the acknowledged replies;
#   make test-strict-check proves on hand-written logs that it catches planted losses.
#   make powercut-vm-prepare     packages, kernel and modules only (cached)
# PCVM_SEED picks the cut times; PCVM_ARGS passes more options (see vm_powercut.sh --help).

PCVM_CUTS ?= 8
PCVM_CROWD_CUTS ?= 4
PCVM_CROWD_CLIENTS ?= 4
PCVM_CONTROL_CUTS ?= 2
PCVM_LONG_CUTS ?= 320
PCVM_LONG_RUNS ?= 4
PCVM_SEED ?= 1
PCVM_ARGS ?=
PCVM = tests/crash/vm_powercut.sh --build $(BUILD) --seed $(PCVM_SEED) $(PCVM_ARGS)

PCVM_TIMED = start=$$(date +%s.%N); $(1); rc=$$?; \
	echo "$(2): $$(if [ $$rc -eq 0 ]; then echo PASS; else echo FAIL; fi)," \
	"wall time $$(awk -v a=$$(date +%s.%N) -v b=$$start 'BEGIN { printf "%.1f", a - b }') s"; \
	exit $$rc

.PHONY: test-powercut-vm test-powercut-vm-long powercut-vm-prepare

powercut-vm-prepare:
	tests/crash/vm_prepare.sh

# The two controls run one after the other beside the main cuts (each VM has one vCPU; CI
# has 2 cores); their log is shown once the main run is done.
PCVM_CONTROLS = TK_PCVM_TAG=pcvm-nosync $(PCVM) --seed $$(($(PCVM_SEED) + 1000)) \
		--cuts $(PCVM_CONTROL_CUTS) --disk direct --early-pct 0 --nosync --expect-loss && \
	TK_PCVM_TAG=pcvm-noflush $(PCVM) --seed $$(($(PCVM_SEED) + 2000)) \
		--cuts $(PCVM_CONTROL_CUTS) --disk volatile --early-pct 0 --mount-opts nobarrier --expect-loss
test-powercut-vm: all
	@$(call PCVM_TIMED,tests/crash/vm_prepare.sh >/dev/null && { \
		{ $(PCVM_CONTROLS); } >$(BUILD)/powercut-vm-controls.log 2>&1 & ctl=$$!; \
		$(PCVM) --cuts $(PCVM_CUTS); main=$$?; \
		TK_PCVM_TAG=pcvm-crowd $(PCVM) --seed $$(($(PCVM_SEED) + 3000)) --cuts $(PCVM_CROWD_CUTS) \
			--crowd $(PCVM_CROWD_CLIENTS) || main=1; \
		wait $$ctl; control=$$?; \
		cat $(BUILD)/powercut-vm-controls.log; [ $$main = 0 ] && [ $$control = 0 ]; },test-powercut-vm)

# Runs s<seed>-<disk>; odd runs on the volatile disk, even ones on the direct one.
PCVM_LONG_DIR = $(BUILD)/powercut-vm-long
# Every second pair of runs has PCVM_CROWD_CLIENTS clients at once (crowd_check.py).
PCVM_LONG_SPECS = $(foreach i,$(shell seq 1 $(PCVM_LONG_RUNS)),$(eval s := $(shell echo \
	$$(($(PCVM_SEED) * 100 + $(i)))))$(eval d := $(if $(filter 1,$(shell echo $$(($(i) % 2)))),volatile,direct))$(eval k := $(if $(filter 1,$(shell echo $$((($(i) - 1) / 2 % 2)))),$(PCVM_CROWD_CLIENTS)))s$(s)-$(d)$(if $(k),-crowd):$(s):$(shell echo $$(($(PCVM_LONG_CUTS) / $(PCVM_LONG_RUNS)))):$(d)::$(k))
pcvm_runs_on = $(foreach x,$(PCVM_LONG_SPECS),$(if $(findstring -$(1),$(x)),$(x)))
test-powercut-vm-long: all
	@rm -rf $(PCVM_LONG_DIR)
	@$(call PCVM_TIMED,tests/crash/vm_prepare.sh >/dev/null && { \
		PCVM_BUILD=$(BUILD) tests/crash/strict_campaign.sh $(PCVM_LONG_DIR) \
			$(call pcvm_runs_on,volatile) & a=$$!; \
		PCVM_BUILD=$(BUILD) tests/crash/strict_campaign.sh $(PCVM_LONG_DIR) \
			$(call pcvm_runs_on,direct); b=$$?; wait $$a; a=$$?; \
		python3 tests/crash/strict_summary.py $(PCVM_LONG_DIR); s=$$?; \
		[ $$a = 0 ] && [ $$b = 0 ] && [ $$s = 0 ]; },test-powercut-vm-long)

.PHONY: test-strict-check
test-strict-check:
	python3 tests/crash/strict_check_selftest.py
