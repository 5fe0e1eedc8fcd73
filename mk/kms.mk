# The Pi's display path in a VM (tests/kms/, see tests/kms/README.md): the real kiosk on SDL's
# KMSDRM driver (GBM + EGL + Mesa, no X) in a QEMU guest that also has gpio-sim; presses on
# simulated lines and tallyctl change the total, and the host reads the guest's screen back
# (QMP screendump + tesseract). Reuses tests/gpio/prepare.sh's kernel cache.
#
#   make test-kms           one guest boot: virtio-gpu 1280x720 and bochs-drm (-vga std)
#                           1024x768, the positive checks and two negative controls (a black
#                           screen, no DRI driver) that the screen check must catch; prints the
#                           wall time
#   make kms-prepare        packages, kernel and DRM modules only (cached)
# KMS_ARGS passes more options to tests/kms/vm.sh (--out DIR keeps the screen dumps).

KMS_ARGS ?=

.PHONY: test-kms kms-prepare
kms-prepare:
	tests/kms/prepare.sh

test-kms: all
	@$(call GPIO_TIMED,tests/kms/prepare.sh >/dev/null && \
		tests/kms/vm.sh --build $(BUILD) --timeout 600 -q $(KMS_ARGS) tests/kms/guest_kiosk.sh,test-kms)
