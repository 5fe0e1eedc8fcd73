#!/usr/bin/env python3
"""Converts the screen of an Xvfb started with -fbdir (an XWD file, 24/32 bits per pixel)
into a PNG, with the standard library only: tests look at what a real X display shows."""
import struct
import sys
import zlib


def read_xwd(path):
    data = open(path, "rb").read()
    hdr = struct.unpack(">25I", data[:100])
    (header_size, _version, _fmt, _depth, width, height, _xoff, byte_order, _unit, _bit_order,
     _pad, bpp, bytes_per_line, _vclass, rmask, gmask, bmask, _bits_rgb, _cmap, ncolors) = hdr[:20]
    if bpp != 32:
        raise SystemExit(f"{path}: {bpp} bits per pixel; start Xvfb with a 24-bit screen")
    off = header_size + ncolors * 12
    order = "<" if byte_order == 0 else ">"
    shift = {m: (m & -m).bit_length() - 1 for m in (rmask, gmask, bmask)}
    rows = []
    for y in range(height):
        line = data[off + y * bytes_per_line: off + y * bytes_per_line + width * 4]
        px = struct.unpack(f"{order}{width}I", line)
        row = bytearray()
        for p in px:
            row += bytes(((p & rmask) >> shift[rmask], (p & gmask) >> shift[gmask],
                          (p & bmask) >> shift[bmask]))
        rows.append(bytes(row))
    return width, height, rows


def write_png(path, width, height, rows):
    def chunk(kind, body):
        c = struct.pack(">I", len(body)) + kind + body
        return c + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    open(path, "wb").write(png)


if __name__ == "__main__":
    # --top F keeps the top fraction F of the screen (OCR of a banner on its own).
    args = sys.argv[1:]
    top = None
    if len(args) == 4 and args[0] == "--top":
        top = float(args[1])
        args = args[2:]
    if len(args) != 2:
        raise SystemExit("usage: xwd2png.py [--top FRACTION] SCREEN.xwd OUT.png")
    w, h, rows = read_xwd(args[0])
    if top:
        h = max(1, int(h * top))
        rows = rows[:h]
    write_png(args[1], w, h, rows)
