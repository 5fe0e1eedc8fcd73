#!/usr/bin/env bash
# A mistaken new event taken back in a venue of three kiosks, with a real mosquitto
# (tests/mqtt/test_reopen.py).
exec python3 "$(dirname "$0")/../mqtt/test_reopen.py" "${BUILD:-build}"
