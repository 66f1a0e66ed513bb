/* carevan core: status codes, diagnostics, checked arithmetic, RNG, clocks.
 *
 * Every other module includes this header and nothing else of core.  It has
 * no dependencies beyond libc, so graph/, solver/, engine/ and server/ can all
 * sit on top of it.  Conventions (see ../shared STYLE): fallible functions
 * return cv_status, results go through out-parameters only on success, bad
 * user input also fills a cv_diag whose message names the field path.
 */
#ifndef CV_CORE_H
#define CV_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Status codes: one table gives the value, the name and the message. ---- */
#define CV_STATUS_MAP(X)                                                                           \
    X(OK, 0, "success")                                                                            \
    X(EINVAL, -1, "invalid input")                                                                 \
    X(ENOMEM, -2, "out of memory")                                                                 \
    X(EIO, -3, "input/output error")                                                               \
    X(ERANGE, -4, "value out of range")                                                            \
    X(ENOTFOUND, -5, "not found")                                                                  \
    X(EUNSUPPORTED, -6, "not supported")                                                           \
    X(EINFEASIBLE, -7, "infeasible")                                                               \
    X(ECANCELED, -8, "canceled")                                                                   \
    X(EFORMAT, -9, "bad file format")                                                              \
    X(ETOOBIG, -10, "input too large")                                                             \
    X(EINTERNAL, -11, "internal error")

typedef enum cv_status {
#define CV__STATUS_ENUM(name, value, msg) CV_##name = value,
    CV_STATUS_MAP(CV__STATUS_ENUM)
#undef CV__STATUS_ENUM
} cv_status;

/* Static strings; never NULL ("unknown status" for values outside the table). */
const char *cv_status_name(cv_status s);
const char *cv_status_message(cv_status s);

/* ---- Diagnostics for bad user input. ----
 * One message, written once: the first problem found wins, later calls to
 * cv_diag_set are ignored until cv_diag_clear.  A NULL diag is allowed
 * everywhere and simply drops the message. */
#define CV_DIAG_MAX 512
typedef struct cv_diag {
    bool set;
    char msg[CV_DIAG_MAX];
} cv_diag;

void cv_diag_clear(cv_diag *d);
/* Sets the message (printf format) if none is set yet. Returns CV_EINVAL so that
 * callers can write `return cv_diag_set(d, ...)`. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
cv_status
cv_diag_set(cv_diag *d, const char *fmt, ...);
cv_status cv_diag_setv(cv_diag *d, const char *fmt, va_list ap);

/* ---- Overflow-checked size arithmetic for anything sized by input. ---- */
static inline bool cv_mul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool cv_add_i64(int64_t a, int64_t b, int64_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

/* Grows *arr (of elements of `size` bytes, capacity *cap) to hold at least
 * `need` elements, doubling; false on overflow or out of memory (then *arr
 * and *cap are unchanged). */
bool cv_array_grow(void **arr, uint32_t *cap, uint32_t need, size_t size);

/* Allocation helpers: calloc of n*size with overflow check; NULL on failure. */
void *cv_calloc(size_t n, size_t size);
void *cv_realloc_array(void *p, size_t n, size_t size);

/* ---- A growable string, for writers of JSON, GPX and HTML text. ----
 * Start from {0}; an allocation failure is remembered and every later append
 * is ignored, so writers check once at the end with cv_sbuf_finish. */
typedef struct cv_sbuf {
    char *s;
    size_t len, cap;
    bool failed;
} cv_sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cv_sbuf_printf(cv_sbuf *b, const char *fmt, ...);
/* Hands the text over (*out, malloc'ed, caller frees) or frees it and
 * returns CV_ENOMEM if any append failed. */
cv_status cv_sbuf_finish(cv_sbuf *b, char **out);

/* ---- Deterministic random numbers (xoshiro256**), explicit state. ---- */
typedef struct cv_rng {
    uint64_t s[4];
} cv_rng;

void cv_rng_seed(cv_rng *r, uint64_t seed);
uint64_t cv_rng_next(cv_rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t cv_rng_below(cv_rng *r, uint32_t n);
/* Uniform in [0, 1). */
double cv_rng_unit(cv_rng *r);

/* ---- Clocks. ---- */
/* Monotonic seconds since an arbitrary origin. */
double cv_clock_now(void);

/* ---- Logging to stderr, only when enabled (CLI -v, tests). ---- */
extern int cv_log_level; /* 0 quiet, 1 info, 2 debug; set once at start-up */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cv_log(int level, const char *fmt, ...);

#endif
