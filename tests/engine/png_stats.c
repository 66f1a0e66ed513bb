/* png_stats FILE.png: prints "WIDTHxHEIGHT colours=N covered=F" for an
 * 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's --screenshot
 * writes): N distinct RGB colours, F the fraction of pixels that differ
 * from the most common colour (the background).  The map browser test uses
 * it to tell a drawn page from a blank one.  Exit 0 ok, 1 unreadable file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

static int fail(const char *path, const char *why)
{
    fprintf(stderr, "png_stats: %s: %s\n", path, why);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) return fail("usage", "png_stats FILE.png");
    const char *path = argv[1];
    FILE *f = fopen(path, "rb");
    if (!f) return fail(path, "cannot open");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (len < 8 || len > (1L << 30)) return fail(path, "bad size");
    unsigned char *buf = malloc((size_t)len);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) return fail(path, "cannot read");
    fclose(f);
    if (memcmp(buf, "\x89PNG\r\n\x1a\n", 8) != 0) return fail(path, "not a PNG file");
    uint32_t w = 0, h = 0;
    int bpp = 0;
    unsigned char *z = malloc((size_t)len);
    size_t zlen = 0;
    for (size_t off = 8; off + 12 <= (size_t)len;) {
        uint32_t n = be32(buf + off);
        const unsigned char *type = buf + off + 4, *data = buf + off + 8;
        if (off + 12 + (size_t)n > (size_t)len) return fail(path, "truncated chunk");
        if (!memcmp(type, "IHDR", 4)) {
            w = be32(data), h = be32(data + 4);
            if (data[8] != 8 || data[12] != 0) return fail(path, "not 8-bit non-interlaced");
            bpp = data[9] == 6 ? 4 : data[9] == 2 ? 3 : 0;
            if (!bpp) return fail(path, "not RGB or RGBA");
        } else if (!memcmp(type, "IDAT", 4)) {
            memcpy(z + zlen, data, n);
            zlen += n;
        }
        off += 12 + (size_t)n;
    }
    if (!w || !h || w > 20000 || h > 20000) return fail(path, "bad dimensions");
    size_t stride = (size_t)w * bpp;
    uLongf rawlen = (uLongf)(h * (stride + 1));
    unsigned char *raw = malloc(rawlen);
    if (!raw || uncompress(raw, &rawlen, z, zlen) != Z_OK || rawlen != h * (stride + 1))
        return fail(path, "corrupt image data");
    /* undo the filters in place */
    for (uint32_t y = 0; y < h; y++) {
        unsigned char *row = raw + y * (stride + 1), *cur = row + 1;
        const unsigned char *prev = y ? raw + (y - 1) * (stride + 1) + 1 : NULL;
        for (size_t i = 0; i < stride; i++) {
            int a = i >= (size_t)bpp ? cur[i - bpp] : 0, b = prev ? prev[i] : 0,
                c = prev && i >= (size_t)bpp ? prev[i - bpp] : 0;
            switch (row[0]) {
            case 0:
                break;
            case 1:
                cur[i] = (unsigned char)(cur[i] + a);
                break;
            case 2:
                cur[i] = (unsigned char)(cur[i] + b);
                break;
            case 3:
                cur[i] = (unsigned char)(cur[i] + (a + b) / 2);
                break;
            case 4:
                cur[i] = (unsigned char)(cur[i] + paeth(a, b, c));
                break;
            default:
                return fail(path, "bad filter type");
            }
        }
    }
    /* distinct colours (a bit per 24-bit colour) and the most common one */
    uint8_t *seen = calloc(1u << 21, 1);
    uint32_t *hist = calloc(1u << 12, sizeof *hist); /* 4 bits per channel, for the background */
    if (!seen || !hist) return fail(path, "out of memory");
    uint32_t colours = 0;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            const unsigned char *px = raw + y * (stride + 1) + 1 + (size_t)x * bpp;
            uint32_t c = (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];
            if (!(seen[c >> 3] >> (c & 7) & 1)) seen[c >> 3] |= (uint8_t)(1u << (c & 7)), colours++;
            hist[(px[0] >> 4) << 8 | (px[1] >> 4) << 4 | px[2] >> 4]++;
        }
    uint32_t bg = 0;
    for (uint32_t i = 1; i < (1u << 12); i++)
        if (hist[i] > hist[bg]) bg = i;
    double covered = 1.0 - (double)hist[bg] / ((double)w * h);
    printf("%ux%u colours=%u covered=%.3f\n", w, h, colours, covered);
    free(seen), free(hist), free(raw), free(z), free(buf);
    return 0;
}
