#!/usr/bin/env python3
"""Compare two PNG files pixel by pixel (no PIL: zlib and the PNG filters by hand).

usage: pngcmp.py A.png B.png [--max-diff N] [--max-pixels FRACTION] [--size WxH]

Prints one line: the sizes, how many pixels differ and the largest difference of one channel.
Exit 0 when both decode, have the same size (and WxH when --size is given), and at most
FRACTION of the pixels differ, none of them by more than N in any channel; 1 otherwise.
"""
import struct
import sys
import zlib

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel


def decode(path):
    """Returns (width, height, rows) with rows a list of RGBA byte strings."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG file" % path)
    pos = 8
    idat = []
    palette = None
    trns = None
    width = height = depth = ctype = interlace = None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]:
            raise ValueError("%s: bad CRC in %r chunk" % (path, kind))
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if width is None or not idat:
        raise ValueError("%s: no IHDR or IDAT" % path)
    if depth != 8 or interlace != 0 or ctype not in CHANNELS:
        raise ValueError("%s: only 8-bit, non-interlaced PNGs are handled (depth %s, type %s, "
                         "interlace %s)" % (path, depth, ctype, interlace))
    bpp = CHANNELS[ctype]
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    if len(raw) != height * (stride + 1):
        raise ValueError("%s: image data is %d bytes, expected %d"
                         % (path, len(raw), height * (stride + 1)))
    rows = []
    prev = bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif ftype != 0:
            raise ValueError("%s: unknown filter %d in row %d" % (path, ftype, y))
        rows.append(bytes(to_rgba(line, ctype, palette, trns)))
        prev = line
    return width, height, rows


def to_rgba(line, ctype, palette, trns):
    if ctype == 6:
        return line
    out = bytearray()
    if ctype == 2:
        for i in range(0, len(line), 3):
            out += line[i:i + 3] + b"\xff"
    elif ctype == 0:
        for v in line:
            out += bytes((v, v, v, 255))
    elif ctype == 4:
        for i in range(0, len(line), 2):
            out += bytes((line[i], line[i], line[i], line[i + 1]))
    elif ctype == 3:
        for v in line:
            a = trns[v] if trns and v < len(trns) else 255
            out += palette[3 * v:3 * v + 3] + bytes((a,))
    return out


def main(argv):
    args = list(argv[1:])
    max_diff, max_pixels, want_size = 0, 0.0, None
    files = []
    while args:
        a = args.pop(0)
        if a == "--max-diff":
            max_diff = int(args.pop(0))
        elif a == "--max-pixels":
            max_pixels = float(args.pop(0))
        elif a == "--size":
            want_size = args.pop(0)
        else:
            files.append(a)
    if len(files) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        wa, ha, ra = decode(files[0])
        wb, hb, rb = decode(files[1])
    except (OSError, ValueError, zlib.error) as e:
        print("pngcmp: %s" % e)
        return 1
    if want_size and "%dx%d" % (wa, ha) != want_size:
        print("pngcmp: %s is %dx%d, expected %s" % (files[0], wa, ha, want_size))
        return 1
    if (wa, ha) != (wb, hb):
        print("pngcmp: sizes differ: %dx%d and %dx%d" % (wa, ha, wb, hb))
        return 1
    pixels = worst = 0
    first = None
    for y in range(ha):
        if ra[y] == rb[y]:
            continue
        a, b = ra[y], rb[y]
        for x in range(wa):
            pa, pb = a[4 * x:4 * x + 4], b[4 * x:4 * x + 4]
            if pa != pb:
                pixels += 1
                worst = max(worst, max(abs(i - j) for i, j in zip(pa, pb)))
                if first is None:
                    first = (x, y, tuple(pa), tuple(pb))
    frac = pixels / float(wa * ha)
    ok = pixels == 0 or (worst <= max_diff and frac <= max_pixels)
    print("pngcmp: %dx%d, %d pixels differ (%.4f%%), largest channel difference %d%s"
          % (wa, ha, pixels, 100 * frac, worst,
             "" if first is None else ", first at %d,%d: %s vs %s" % first))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
