/* jsonv: what every validated JSON data file shares (content.c, proc*.c): parsing with
 * "FILE:LINE:COL" syntax errors, key and text checks (UTF-8, NFC, control characters), all
 * producing "FILE: path: what is wrong; what to do". No SDL. */
#ifndef HL_JSONV_H
#define HL_JSONV_H

#include <limits.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Where we are, for messages. file may carry a line ("data.csv:12") when the caller checks text
 * that did not come from JSON. */
typedef struct {
    char file[PATH_MAX];
    char *err;
    size_t errlen;
} jv_ctx;

/* Room for a field path such as "procedures[12] (dang-ky-khai-sinh).documents[3].copies". */
#define JV_PATH_MAX 256

/* Formats "FILE: <what>" into x->err; returns HL_EXIT_USAGE. */
int jv_fail(jv_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "officers[2]" + "name" -> "officers[2].name"; with where "" just the key. */
void jv_path(char *dst, size_t cap, const char *where, const char *key);
/* Up to ~40 bytes of s for a message, cut on a UTF-8 boundary, "..." when cut. */
void jv_shorten(char *dst, size_t cap, const char *s);
/* "a number", "a list [...]", ... for "is X; write it as ..." messages. */
const char *jv_type_name(const cJSON *j);

/* s must be valid UTF-8 in NFC without control characters (line breaks only if allow_newline):
 * the renderer and the search need that, and a stray control character draws as a box. */
int jv_check_text(jv_ctx *x, const char *path, const char *s, int allow_newline);

/* Unknown keys are errors (a misspelt optional field is not silently ignored), and so are
 * duplicate keys; keys starting with '_' are comments. allowed ends with NULL. */
int jv_check_keys(jv_ctx *x, const cJSON *obj, const char *where, const char *const *allowed);

enum {
    JV_REQUIRED = 1, /* must be present and not blank */
    JV_MULTILINE = 4 /* may contain \n */
};
/* Reads obj[key] as checked text into *out (heap); optional and absent gives "". hint says what
 * belongs there, for the messages. */
int jv_get_str(jv_ctx *x, const cJSON *obj, const char *where, const char *key, int flags,
               const char *hint, char **out);

/* Parses buf (len bytes, buf[len] == '\0') as an object with "format": format at its top level.
 * A UTF-8 byte order mark is skipped; UTF-16 and NUL bytes are refused. On success *root is the
 * tree; on a syntax error *root is NULL, on a later error it is set too and the caller deletes it.
 */
int jv_parse(jv_ctx *x, const char *buf, size_t len, int format, cJSON **root);

#endif
