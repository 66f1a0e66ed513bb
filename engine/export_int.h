/* Helpers shared by the export writers of engine/ (export.c, export_map*.c). */
#ifndef CV_EXPORT_INT_H
#define CV_EXPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cv/core.h"

/* "08:05" for a time of day in seconds since midnight; "d2 08:05" beyond the
 * first day. */
void cv__export_clock_text(char *buf, size_t n, int64_t t);

/* Appends text with < > & " ' escaped for HTML or XML (export.c). */
void cv__export_html_text(cv_sbuf *b, const char *text);

#endif
