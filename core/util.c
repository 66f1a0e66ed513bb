/* Allocation with overflow checks, xoshiro256** RNG, monotonic clock, log. */
#define _POSIX_C_SOURCE 200809L
#include "cv/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int cv_log_level = 0;

void *cv_calloc(size_t n, size_t size)
{
    size_t bytes;
    if (!cv_mul_size(n, size, &bytes)) return NULL;
    return calloc(bytes ? n : 1, bytes ? size : 1);
}

void *cv_realloc_array(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (!cv_mul_size(n, size, &bytes)) return NULL;
    return realloc(p, bytes ? bytes : 1);
}

bool cv_array_grow(void **arr, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap) return true;
    uint32_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > UINT32_MAX / 2) return false;
        ncap *= 2;
    }
    void *n = cv_realloc_array(*arr, ncap, size);
    if (!n) return false;
    *arr = n;
    *cap = ncap;
    return true;
}

void cv_sbuf_printf(cv_sbuf *b, const char *fmt, ...)
{
    if (b->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        while (ncap < b->len + (size_t)n + 1) ncap *= 2;
        char *ns = realloc(b->s, ncap);
        if (!ns) {
            b->failed = true;
            return;
        }
        b->s = ns;
        b->cap = ncap;
    }
}

cv_status cv_sbuf_finish(cv_sbuf *b, char **out)
{
    if (b->failed || !b->s) {
        free(b->s);
        b->s = NULL;
        return CV_ENOMEM;
    }
    *out = b->s;
    b->s = NULL;
    return CV_OK;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void cv_rng_seed(cv_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t cv_rng_next(cv_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t cv_rng_below(cv_rng *r, uint32_t n)
{
    /* Lemire's multiply-shift; the tiny bias is irrelevant for search. */
    return (uint32_t)(((cv_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

double cv_rng_unit(cv_rng *r)
{
    return (double)(cv_rng_next(r) >> 11) * 0x1.0p-53;
}

double cv_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cv_log(int level, const char *fmt, ...)
{
    if (level > cv_log_level) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
