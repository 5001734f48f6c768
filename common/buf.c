/* buf: a growable byte buffer (see buf.h). Doubling growth keeps appends amortised O(1). */
#include "buf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int buf_add(buf *b, const void *s, size_t n)
{
    if (b->max && (n > b->max || b->len > b->max - n)) {
        b->over = 1;
        return -1;
    }
    if (b->cap - b->len < n + 1) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n + 1)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int buf_str(buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_printf(buf *b, const char *fmt, ...)
{
    char small[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small)
        return buf_add(b, small, (size_t)n);
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = buf_add(b, big, (size_t)n);
    free(big);
    return rc;
}

int buf_i64(buf *b, int64_t v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    return buf_add(b, tmp, (size_t)n);
}

const char *buf_cstr(const buf *b)
{
    return b->p ? b->p : "";
}

char *buf_take(buf *b)
{
    char *p = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    b->over = 0;
    return p;
}

void buf_reset(buf *b)
{
    b->len = 0;
    b->over = 0;
    if (b->p)
        b->p[0] = '\0';
}

void buf_free(buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->over = 0;
}
