/* util: allocation that aborts on out-of-memory, random ids, small file and string helpers.
 * No SDL. Prefix: x* for allocation, util_ for the rest. */
#ifndef HL_UTIL_H
#define HL_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes shared by every program (design notes §4). */
enum { HL_EXIT_OK = 0, HL_EXIT_RUNTIME = 1, HL_EXIT_USAGE = 2 };

/* Size of the error buffers that fallible functions fill ("file:line: field: what to do"). */
#define HL_ERR_MAX 512

#define HL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Fills buf with n bytes from the kernel's CSPRNG (getrandom). Aborts if that fails. */
void util_random_bytes(void *buf, size_t n);
/* Writes a random (version 4) UUID in lowercase, 36 chars + NUL. */
void util_uuid_v4(char out[37]);
/* Uniform random integer in [0, n). */
uint32_t util_random_below(uint32_t n);

/* Reads a whole file into a NUL-terminated buffer the caller frees. NULL and errno on failure. */
char *util_read_file(const char *path, size_t *len_out);
/* The same, reading at most max bytes: a larger file (or /dev/zero, or a pipe that never ends) is
 * NULL with errno EFBIG after max + 1 bytes, never a huge allocation. Every file that comes from
 * outside the program is read this way. */
char *util_read_file_max(const char *path, size_t max, size_t *len_out);
/* Why util_read_file_max failed, in words: "larger than 64 KiB; is it the right file?" for
 * EFBIG, else strerror(e). */
void util_read_why(int e, size_t max, char *out, size_t cap);
int util_file_exists(const char *path);
/* mkdir -p; 0 on success, -1 and errno otherwise. */
int util_mkdirs(const char *path);

/* Bounded copy that always terminates; returns 0, or -1 if truncated. */
int util_strlcpy(char *dst, const char *src, size_t cap);
/* snprintf that returns -1 when the output was truncated. */
int util_fmt(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Formats a message into err (nothing when err is NULL or errlen 0) and returns rc: one line for
 * "fail with this code and this message". */
int util_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Strict integer parsing: whole string, base 10, within [min, max]. 0 on success. */
int util_parse_int(const char *s, long min, long max, long *out);

/* 1 if s is valid UTF-8 in Unicode normalisation form C; sets *bad_offset to the first bad byte. */
int util_utf8_is_nfc(const char *s, size_t *bad_offset);

/* The characters (code points) of UTF-8 text: its bytes that do not continue a sequence. */
size_t util_utf8_chars(const char *s);
/* The first max_chars characters of s on one line (line breaks and tabs as spaces) in out, with
 * "…" when s is longer; never cut inside a character, also where cap is the limit. */
void util_utf8_excerpt(const char *s, size_t max_chars, char *out, size_t cap);

/* The byte offset in json (len bytes) of the first NUL character a JSON parser would put into a
 * string: a "\u0000" escape inside a string literal, or a raw NUL byte; -1 when there is none.
 * cJSON's strings end at the first NUL, so "tp-hung\u0000<script>" would silently become
 * "tp-hung": callers refuse such text instead. */
long util_json_nul_at(const char *json, size_t len);

/* Makes text that came from outside (a collector's error body) safe to log and to show, in place:
 * every control character (C0 such as newline, carriage return, tab and ESC; DEL; C1 U+0080 to
 * U+009F) and every byte that is not valid UTF-8 becomes '?', so it can neither forge a log line
 * nor drive a terminal; Vietnamese and other printable text is kept. */
void util_text_clean(char *s);

#endif
