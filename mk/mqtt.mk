# Several kiosks over MQTT (docs/several-kiosks.md). The end-to-end test with three kiosks is
# part of `make e2e` (tests/e2e/test_mqtt.sh); these are the larger ones.
#
#   make test-mqtt-scale         50 real kiosks, 20 presses/s for 60 s, 3 broker kills;
#                                prints convergence p50/p99/max, CPU and bytes/s per kiosk
#   make test-mqtt-scale-short   the same with 12 kiosks for 20 s and 2 kills (CI): every kiosk
#                                must converge; the figures are printed, not judged (CI machines
#                                are shared)
#   make test-mqtt-bridge        venue broker -> campaign broker over TLS (board/mosquitto/)
DEB_MQTT_TEST = mosquitto mosquitto-clients openssl python3

.PHONY: deps-mqtt test-mqtt-scale test-mqtt-scale-short test-mqtt-bridge
deps-mqtt: deps
	$(call apt_install,$(DEB_MQTT_TEST))

test-mqtt-scale: deps-mqtt
	$(MAKE) --no-print-directory all
	python3 tests/mqtt/scale.py $(BUILD) --kiosks 50 --rate 20 --seconds 60 --kills 3

test-mqtt-scale-short: deps-mqtt
	$(MAKE) --no-print-directory all
	python3 tests/mqtt/scale.py $(BUILD) --kiosks 12 --rate 20 --seconds 20 --kills 2 \
		--p99-bound 0

test-mqtt-bridge: deps-mqtt
	$(MAKE) --no-print-directory all
	python3 tests/mqtt/test_bridge.py $(BUILD)
