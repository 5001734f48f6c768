#!/usr/bin/env python3
"""png_probe: checks what a screenshot shows, without image libraries (PNG via zlib).

png_probe.py FILE header   exit 0 when the top band of the picture is the kiosk's header blue
                           across its whole width (left, middle and right of rows 5..40), the
                           way a citizen sees the kiosk's first screen; prints the size.
png_probe.py FILE X Y      prints the pixel at X, Y as rrggbb.
"""
import struct
import sys
import zlib


def decode(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise SystemExit(f'{path}: not a PNG')
    pos, idat = 8, b''
    while pos < len(data):
        (n,) = struct.unpack('>I', data[pos:pos + 4])
        kind, chunk = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', chunk[:10])
        elif kind == b'IDAT':
            idat += chunk
    if depth != 8 or ctype not in (2, 6):
        raise SystemExit(f'{path}: only 8-bit RGB/RGBA PNGs are read')
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp + 1, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return w, h, lambda x, y: tuple(rows[y][x * bpp:x * bpp + 3])


def main():
    w, h, px = decode(sys.argv[1])
    if sys.argv[2] == 'header':
        # the header band: blue (#1f4e9e) dominating, not black, not white
        def blue(p):
            r, g, b = p
            return b > 120 and b > r + 60 and b > g + 30
        probes = [(x, y) for x in (4, w // 2, w - 5) for y in (5, 20, 40)]
        bad = [(x, y, px(x, y)) for x, y in probes if not blue(px(x, y))]
        print(f'{w}x{h}')
        if bad:
            print('not the header blue at', bad)
            return 1
        return 0
    print('%02x%02x%02x' % px(int(sys.argv[2]), int(sys.argv[3])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
