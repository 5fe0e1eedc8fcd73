# Power cuts with a real kernel and ext4 (issue 5, test 3; tests/crash/vm_powercut.sh): the real
# kiosk counts in a QEMU VM with its database on ext4 on a virtio disk, qemu is SIGKILLed at
# random moments, the disk is booted again and checked (journal replay, e2fsck -fn, quick_check
# and integrity_check, no acknowledged count lost). Reuses tests/gpio/prepare.sh's kernel cache.
#
#   make test-powercut-vm        PCVM_CUTS cuts (default 8, volatile and direct disk in turn),
#                                and beside them two negative controls of PCVM_CONTROL_CUTS cuts
#                                each, which must lose acknowledged counts: the kiosk with fsync
#                                disabled (vm_nosync.so), and ext4 mounted nobarrier (no flush
#                                ever reaches the disk) on the volatile-cache disk
#   make test-powercut-vm-long   PCVM_LONG_CUTS cuts (default 200), no control
#   make powercut-vm-prepare     packages, kernel and modules only (cached)
# PCVM_SEED picks the cut times; PCVM_ARGS passes more options (see vm_powercut.sh --help).

PCVM_CUTS ?= 8
PCVM_CONTROL_CUTS ?= 2
PCVM_LONG_CUTS ?= 200
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
		$(PCVM) --cuts $(PCVM_CUTS); main=$$?; wait $$ctl; control=$$?; \
		cat $(BUILD)/powercut-vm-controls.log; [ $$main = 0 ] && [ $$control = 0 ]; },test-powercut-vm)

test-powercut-vm-long: all
	@$(call PCVM_TIMED,tests/crash/vm_prepare.sh >/dev/null && \
		$(PCVM) --cuts $(PCVM_LONG_CUTS),test-powercut-vm-long)
