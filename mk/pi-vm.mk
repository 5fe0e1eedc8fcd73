# The Pi's architecture in a VM (tests/kms/, see tests/kms/README.md): the arm64 cross build
# (mk/cross.mk) on Debian's arm64 kernel in qemu-system-aarch64 -M virt (TCG, Cortex-A72, the
# Pi 4's core), with gpio-sim and virtio-gpu, the kiosk on KMSDRM through the arm64 Mesa; the
# same harness and guest scenario as make test-kms, read back off the screen by the host.
#
#   make test-pi-vm         the cross build, the arm64 kernel, modules and a cross-built
#                           gpio-sim.ko (cached), then one guest boot; prints the wall time
#   make pi-vm-prepare      the packages and the arm64 kernel cache only
# PI_VM_ARGS passes more options to tests/kms/vm.sh (--out DIR keeps the screen dumps).

PI_VM_ARGS ?=
PI_VM_DEB_HOST = qemu-system-arm qemu-user gcc-aarch64-linux-gnu tesseract-ocr tesseract-ocr-eng \
	python3 cpio kmod

.PHONY: test-pi-vm pi-vm-prepare
PI_VM_ARCH_CHECK = @[ "$(CROSS_ARCH)" = arm64 ] || \
	{ echo "$@: the Pi VM is arm64, not CROSS_ARCH=$(CROSS_ARCH)" >&2; exit 2; }

pi-vm-prepare:
	$(PI_VM_ARCH_CHECK)
	$(call apt_install,$(PI_VM_DEB_HOST))
	$(MAKE) --no-print-directory cross-deps
	TK_KMS_APT_OPTS="$(CROSS_APT_OPTS)" tests/kms/prepare.sh --arch arm64

test-pi-vm:
	$(PI_VM_ARCH_CHECK)
	$(call apt_install,$(PI_VM_DEB_HOST))
	$(MAKE) --no-print-directory cross
	@$(call GPIO_TIMED,TK_KMS_APT_OPTS="$(CROSS_APT_OPTS)" tests/kms/prepare.sh --arch arm64 >/dev/null && \
		TK_KMS_APT_OPTS="$(CROSS_APT_OPTS)" tests/kms/vm.sh --arch arm64 --build $(CROSS_BUILD) \
		--sysroot $(CROSS_SYSROOT) --timeout 900 -q $(PI_VM_ARGS) tests/kms/guest_kiosk.sh,test-pi-vm)
