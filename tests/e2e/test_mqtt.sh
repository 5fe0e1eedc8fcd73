#!/usr/bin/env bash
# Several kiosks, one total: three real kiosks and a real mosquitto (tests/mqtt/test_venue.py).
exec python3 "$(dirname "$0")/../mqtt/test_venue.py" "${BUILD:-build}"
