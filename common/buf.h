/* buf: one growable, always NUL-terminated byte buffer, with an optional size cap. Used for JSON
 * and CSV being built, request bodies being received and report text. */
#ifndef HL_BUF_H
#define HL_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *p;    /* NULL until something is added; then always NUL-terminated */
    size_t len; /* bytes in p, without the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* 0 = no cap; else adding past max bytes fails and sets over */
    int over;   /* an add was refused because of max (sticky) */
} buf;

/* Appends n bytes. 0, or -1 (nothing added, over set) when max would be passed. Aborts on OOM
 * like xmalloc. */
int buf_add(buf *b, const void *s, size_t n);
int buf_str(buf *b, const char *s);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_i64(buf *b, int64_t v);
/* The text so far: "" (never NULL) when nothing was added. */
const char *buf_cstr(const buf *b);
/* Hands over the bytes (caller frees; NULL when nothing was added) and empties b. */
char *buf_take(buf *b);
void buf_reset(buf *b); /* empties, keeps the memory */
void buf_free(buf *b);  /* frees; b can be used again */

#endif
