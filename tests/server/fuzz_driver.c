/* Stand-in for libFuzzer when the compiler has none: runs the target on
 * built-in seeds (valid requests of every method, and known-bad inputs),
 * on files given as arguments (crash regressions: tests/server/fuzz_corpus),
 * then on deterministic mutations of them (bit flips, byte edits, inserts,
 * deletes, splices, msgpack-aware header bytes) for CV_FUZZ_SECONDS
 * (default 10, 3 with CV_TEST_QUICK) or CV_FUZZ_ITERS inputs. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct buf {
    uint8_t *p;
    size_t n;
} buf;

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static buf seeds[64];
static int nseeds;

static void add_seed(const void *p, size_t n)
{
    if (nseeds == 64) return;
    seeds[nseeds].p = malloc(n + 1);
    memcpy(seeds[nseeds].p, p, n);
    seeds[nseeds].n = n;
    nseeds++;
}

/* Parses "94 00 s:health 90" into bytes. */
static void T(const char *spec)
{
    uint8_t out[1024];
    size_t n = 0;
    const char *p = spec;
    while (*p) {
        if (*p == ' ') {
            p++;
            continue;
        }
        if (p[0] == 's' && p[1] == ':') {
            const char *q = p + 2;
            size_t len = strcspn(q, " ");
            out[n++] = (uint8_t)(0xa0 | len);
            memcpy(out + n, q, len);
            n += len;
            p = q + len;
        } else {
            out[n++] = (uint8_t)strtoul(p, NULL, 16);
            p += 2;
        }
    }
    add_seed(out, n);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    /* Chunk byte first, then messages.  "s:word" is a fixstr, the rest hex bytes. */
    T("10 94 00 01 s:health 90");
    T("03 94 00 02 s:version 90 94 00 03 s:stats 90");
    T("00 94 00 04 s:auth 91 s:abcd");
    T("07 94 00 05 s:job.status 91 01");
    T("07 94 00 05 s:job.result 91 02");
    T("07 94 00 05 s:job.cancel 91 03");
    T("20 94 00 06 s:solve 92 83 s:vehicles 91 82 s:id 01 s:start_index 00 s:jobs 91 82 s:id 01 "
      "s:location_index 01 s:matrices 81 s:car 81 s:durations 92 92 00 05 92 05 00 81 s:effort "
      "cd 03 e8");
    T("20 94 00 07 s:job.submit 92 83 s:vehicles 91 82 s:id 01 s:start_index 00 s:jobs 91 82 "
      "s:id 01 s:location_index 01 s:matrices 81 s:car 81 s:durations 92 92 00 05 92 05 00 81 "
      "s:effort cd 03 e8");
    T("05 94 00 08 s:plan.save 91 83 s:date s:2026-11-23 s:team s:t s:plan 81 s:routes 90");
    T("05 94 00 09 s:plan.get 92 s:2026-11-23 s:t");
    T("05 94 00 0a s:plan.route 93 s:2026-11-23 s:t 05");
    T("05 94 00 0b s:route 91 81 s:points 92 92 01 02 92 03 04");
    T("05 94 00 0c s:matrix 91 81 s:points 91 92 01 02");
    T("05 94 00 0c s:snap 91 81 s:point 92 cb 3f f0 00 00 00 00 00 00 01");
    T("02 93 02 s:ping 90");
    T("02 dd ff ff ff ff");
    T("02 c1");
    T("02 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 "
      "91 91 91 91 91 91 91 90");
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "fuzz_driver: cannot open %s\n", argv[i]);
            return 2;
        }
        static uint8_t tmp[1 << 16];
        size_t n = fread(tmp, 1, sizeof tmp, f);
        fclose(f);
        add_seed(tmp, n);
    }
    for (int i = 0; i < nseeds; i++) {
        double ts = now();
        LLVMFuzzerTestOneInput(seeds[i].p, seeds[i].n);
        if (getenv("CV_FUZZ_VERBOSE")) fprintf(stderr, "seed %d: %.3f s\n", i, now() - ts);
    }
    double secs = getenv("CV_TEST_QUICK") ? 3 : 10;
    if (getenv("CV_FUZZ_SECONDS")) secs = atof(getenv("CV_FUZZ_SECONDS"));
    long iters = getenv("CV_FUZZ_ITERS") ? atol(getenv("CV_FUZZ_ITERS")) : -1;
    static const uint8_t interesting[] = {0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
                                          0xc1, 0xc2, 0xc4, 0xc7, 0xca, 0xcb, 0xcc, 0xcf, 0xd0,
                                          0xd4, 0xd8, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xff};
    uint8_t *m = malloc(1 << 16);
    double t0 = now();
    long count = 0;
    while ((iters < 0 || count < iters) && (iters >= 0 || now() - t0 < secs)) {
        const buf *s = &seeds[next() % (uint64_t)nseeds];
        size_t n = s->n;
        memcpy(m, s->p, n);
        int edits = 1 + (int)(next() % 6);
        for (int e = 0; e < edits; e++) {
            size_t pos = n ? next() % n : 0;
            switch (next() % 7) {
            case 0:
                if (n) m[pos] ^= (uint8_t)(1u << (next() % 8));
                break;
            case 1:
                if (n) m[pos] = (uint8_t)next();
                break;
            case 2:
                if (n) m[pos] = interesting[next() % sizeof interesting];
                break;
            case 3: /* insert */
                if (n < 60000) {
                    memmove(m + pos + 1, m + pos, n - pos);
                    m[pos] = (uint8_t)next();
                    n++;
                }
                break;
            case 4: /* delete */
                if (n > 1) {
                    memmove(m + pos, m + pos + 1, n - pos - 1);
                    n--;
                }
                break;
            case 5: { /* splice another seed's tail */
                const buf *o = &seeds[next() % (uint64_t)nseeds];
                size_t from = o->n ? next() % o->n : 0, len = o->n - from;
                if (pos + len < 60000) {
                    memcpy(m + pos, o->p + from, len);
                    n = pos + len;
                }
                break;
            }
            case 6: /* duplicate the input (pipelined messages) */
                if (2 * n < 60000) {
                    memcpy(m + n, m + 1, n - 1);
                    n = 2 * n - 1;
                }
                break;
            }
        }
        LLVMFuzzerTestOneInput(m, n);
        count++;
    }
    free(m);
    for (int i = 0; i < nseeds; i++) free(seeds[i].p);
    printf("fuzz_driver: %d seeds, %ld mutated inputs in %.1f s, no crash\n", nseeds, count,
           now() - t0);
    return 0;
}
