/* Status table lookups and the diagnostic buffer. */
#include "cv/core.h"

#include <stdio.h>
#include <string.h>

const char *cv_status_name(cv_status s)
{
    switch (s) {
#define CV__STATUS_NAME(name, value, msg)                                                          \
    case CV_##name:                                                                                \
        return "CV_" #name;
        CV_STATUS_MAP(CV__STATUS_NAME)
#undef CV__STATUS_NAME
    }
    return "CV_UNKNOWN";
}

const char *cv_status_message(cv_status s)
{
    switch (s) {
#define CV__STATUS_MSG(name, value, msg)                                                           \
    case CV_##name:                                                                                \
        return msg;
        CV_STATUS_MAP(CV__STATUS_MSG)
#undef CV__STATUS_MSG
    }
    return "unknown status";
}

void cv_diag_clear(cv_diag *d)
{
    if (d) {
        d->set = false;
        d->msg[0] = '\0';
    }
}

cv_status cv_diag_setv(cv_diag *d, const char *fmt, va_list ap)
{
    if (d && !d->set) {
        vsnprintf(d->msg, sizeof d->msg, fmt, ap);
        d->set = true;
    }
    return CV_EINVAL;
}

cv_status cv_diag_set(cv_diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cv_diag_setv(d, fmt, ap);
    va_end(ap);
    return CV_EINVAL;
}
