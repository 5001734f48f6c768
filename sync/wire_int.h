/* wire_int: the JSON helpers wire.c's decoder is made of, shared with the other messages of the
 * protocol (wire_health.c). Not for use outside sync/wire*.c. */
#ifndef HL_WIRE_INT_H
#define HL_WIRE_INT_H

#include "buf.h"
#include "wire.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* The largest integer the protocol carries: 2^53 - 1 (a double holds it exactly). */
#define WIRE_MAX_SAFE_INT 9007199254740991.0

/* A JSON string literal of s appended to b (control characters, quote and backslash escaped). */
void wire_buf_str(buf *b, const char *s);
/* A request body as a JSON object, after the checks every body gets (the count of values, no NUL,
 * nothing after the value); NULL with err. */
cJSON *wire_json_parse(const char *json, size_t len, char *err, size_t errlen);
/* 0, or -1 with err naming an unknown key or one given twice (in: " in the vote" or ""). */
int wire_json_keys(const cJSON *obj, const char *const *allowed, const char *in, char *err,
                   size_t errlen);
/* An integral number within [min, max]; 0, or -1 with why naming the field. */
int wire_json_int(const cJSON *obj, const char *key, double min, double max, int64_t *out,
                  char *why, size_t whylen);
/* A string member; NULL with why naming the field. */
const char *wire_json_text(const cJSON *obj, const char *key, char *why, size_t whylen);

/* The JSON type of j in words ("a string", "missing"), for messages. */
const char *wire_type_name(const cJSON *j);
/* wire_feedback.c: the "feedback" array of a batch, appended to b ("" when n is 0), and one item
 * read (0, or -1 with why; f->uuid is filled whenever it was readable). */
void wire_encode_feedback(buf *b, const wire_feedback *fb, size_t n);
int wire_decode_feedback(const cJSON *j, wire_feedback *f, char *why, size_t whylen);

#endif
