#!/usr/bin/env bash
# Fetches Debian 13's libgpiod 2 (libgpiod-dev, libgpiod3) into DIR without installing it,
# so the v2 backend can be compiled and linked on Debian 12, which has no libgpiod 2.
# Usage: fetch.sh DIR   (DIR/root/usr/include/gpiod.h exists afterwards)
set -euo pipefail
dir=$(realpath -m "$1")
[ -f "$dir/root/usr/include/gpiod.h" ] && exit 0
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/debs"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" >"$dir/sources.list"
opts=(-o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$dir/lists"
	-o Dir::Cache="$dir/cache" -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
apt-get "${opts[@]}" -q update >/dev/null
(cd "$dir/debs" && apt-get "${opts[@]}" -q download libgpiod-dev libgpiod3 >/dev/null)
for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
echo "libgpiod 2 from Debian 13: $(ls "$dir"/debs)"
