# The staff web page (issue 11): its browser test and its benchmark.
#
#   make test-web-browser   the page in Debian's headless chromium at 390x844 (part of make
#                           test), and setting the kiosk's (faked) clock at 360 px wide;
#                           keeps $(BUILD)/web/staff-page.png, staff-page-reopen.png (take back
#                           a new event), staff-page-new-pin.png and staff-page-clock*-360.png
#   make bench-web          API latency at 20 requests/s while 5 presses/s go on, and the
#                           kiosk's frame timing with and without it (bench/web-results.md)
#
# puppeteer-core comes from npm, installed here (never while a test runs) into
# tests/web/node_modules at the version pinned by tests/web/package-lock.json; it drives the
# system's /usr/bin/chromium, so nothing downloads a browser.

WEB_NODE_STAMP = tests/web/node_modules/.installed

.PHONY: deps-web-browser deps-web-npm test-web-browser bench-web

deps-web-browser:
	$(call apt_install,chromium curl python3)
	@command -v npm >/dev/null || $(MAKE) --no-print-directory deps-web-npm

# Debian's own Node.js (18 on Debian 12) when no npm is installed at all.
deps-web-npm:
	$(call apt_install,nodejs npm)

$(WEB_NODE_STAMP): tests/web/package.json tests/web/package-lock.json
	$(MAKE) --no-print-directory deps-web-browser
	cd tests/web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test-web-browser: all $(WEB_NODE_STAMP)
	$(call apt_install,chromium)
	tests/web/test_browser.sh $(BUILD)

bench-web: all
	python3 bench/web_bench.py $(BUILD)
