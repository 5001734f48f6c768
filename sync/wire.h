/* wire: the kiosk -> collector protocol, version 1 (docs/PROTOCOL.md): the vote-batch JSON both
 * sides speak, its validation, the per-vote results, and gzip. Shared by the kiosk's sender and
 * hailong-collector. No SDL. Prefix: wire_. */
#ifndef HL_WIRE_H
#define HL_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION   1
#define WIRE_MAX_VOTES 500        /* per batch */
#define WIRE_MAX_BODY  (4u << 20) /* decompressed JSON cap (bytes), collector side */
#define WIRE_MAX_GZIP  (1u << 20) /* compressed body cap (bytes), collector side: 413 above */
/* JSON values (objects, arrays, members, elements) a body may hold: a vote is ~25 of them, so a
 * legal batch stays far below; counted before any parsing, so that 4 KB of gzip holding an array
 * of 2 million elements cannot make the parser build a 170 MB tree (docs/PROTOCOL.md). */
#define WIRE_MAX_VALUES (40u * WIRE_MAX_VOTES + 200)

/* One vote as it travels. Mirrors the kiosk's votes table (docs/SCHEMA.md). */
typedef struct {
    char uuid[37];
    int64_t seq;
    char boot_id[37];
    char officer_code[32];
    int rating;         /* 1..3 */
    char reasons[1152]; /* JSON array of reason codes, e.g. ["cham-tre"] */
    int64_t created_at; /* UTC ms, kiosk clock */
    int misuse;
    int clock_suspect; /* the kiosk's mark: its clock was implausible or had jumped */
} wire_vote;

/* A feedback item (góp ý, phản ánh – kiến nghị, đề nghị biểu dương) typed on the kiosk, sent in
 * the same batches as the votes ("feedback", optional; docs/PROTOCOL.md). Its result is listed in
 * the same results array, by its uuid. */
#define WIRE_MAX_FEEDBACK       20   /* per batch */
#define WIRE_FEEDBACK_MAX_CHARS 1000 /* characters (code points) of the text */
#define WIRE_CONTACT_NAME_MAX   100  /* characters */
#define WIRE_CONTACT_ADDR_MAX   200  /* characters */
#define WIRE_CONTACT_BYTES      (4 * WIRE_CONTACT_ADDR_MAX + 1)
typedef struct {
    char uuid[37];
    int64_t seq; /* the kiosk's feedback sequence (its own, not the votes') */
    char boot_id[37];
    char kind[16];         /* "gop-y", "phan-anh", "bieu-duong" */
    char officer_code[32]; /* "" none */
    char vote_uuid[37];    /* the vote it follows, "" none */
    char text[4 * WIRE_FEEDBACK_MAX_CHARS + 1];
    int consent; /* the citizen agreed to leave contact data; without it the three are "" */
    char contact_name[WIRE_CONTACT_BYTES], contact_phone[32], contact_address[WIRE_CONTACT_BYTES];
    int64_t created_at; /* UTC ms, kiosk clock */
    int clock_suspect;
} wire_feedback;

/* The checks both sides apply to an item (the kiosk before storing it, the collector on
 * receipt): 0, or -1 with why naming the field ("text: is empty"). Text: valid UTF-8, no control
 * character other than a line break, not blank, at most WIRE_FEEDBACK_MAX_CHARS characters.
 * Contact: only with consent; a phone number of 6 to 15 digits (spaces, '+', '.', '-' allowed). */
int wire_feedback_check(const wire_feedback *f, char *why, size_t whylen);
/* 1 for "gop-y", "phan-anh", "bieu-duong". */
int wire_feedback_kind_valid(const char *kind);

/* Request body (before gzip):
 * {"v":1,"kiosk_id":"bombo-01","batch_id":"<uuid>","frozen_at":<ms>,"votes":[
 *   {"uuid":"...","seq":12,"boot_id":"...","officer":"tp-hung","rating":3,
 *    "reasons":["cham-tre"],"created_at":1764124200000,"misuse":false}, ...]}
 * A vote the kiosk marked adds "clock_suspect":true after "misuse".
 * Feedback items, when there are any, follow as "feedback":[{"uuid":"...","seq":3,
 *   "boot_id":"...","kind":"phan-anh","officer":"tp-hung","vote":"<uuid>","text":"...",
 *   "consent":true,"contact":{"name":"...","phone":"...","address":"..."},"created_at":...}]
 * ("officer", "vote" and "contact" only when set; "contact" only with consent). "votes" may then
 * be empty. The kiosk builds the body once when it freezes the batch and resends the same bytes. */
int wire_encode_batch(const char *kiosk_id, const char *batch_id, int64_t frozen_at,
                      const wire_vote *votes, size_t n, const wire_feedback *fb, size_t n_fb,
                      char **json_out, size_t *len_out);

/* The request header in which the kiosk gives its wall clock (UTC ms) at each send, so the
 * collector judges the kiosk's clock by the moment of delivery, not by when the batch was frozen
 * (a batch resent days later). Parsed by wire_parse_ms: 1 to 16 digits; 0, or -1. */
#define WIRE_SENT_AT_HEADER "X-Hailong-Sent-At"
int wire_parse_ms(const char *s, int64_t *out);

typedef enum { WIRE_ACCEPTED, WIRE_DUPLICATE, WIRE_REJECTED } wire_status;

typedef struct {
    char uuid[37]; /* "" if the vote had no usable uuid */
    wire_status status;
    char reason[160]; /* for WIRE_REJECTED: "rating: must be 1, 2 or 3" */
} wire_result;

typedef struct {
    char kiosk_id[64];
    char batch_id[37];
    int64_t frozen_at;
    wire_vote *votes; /* n entries; a vote that failed validation has results[i].status
                       * == WIRE_REJECTED and must not be stored */
    wire_result *results;
    size_t n;
    wire_feedback *feedback; /* n_feedback items, rejected ones marked in fb_results */
    wire_result *fb_results;
    size_t n_feedback;
} wire_batch;

/* Parses and validates a request body. Whole-body problems (not JSON, invalid UTF-8, wrong
 * version, missing kiosk_id/batch_id/votes, more than WIRE_MAX_VOTES, wrong types at the top)
 * return -1 with err saying what (the collector answers 400). Problems in one vote only mark
 * that vote rejected with its reason. Returns 0 and fills out (free with wire_batch_free). */
int wire_decode_batch(const char *json, size_t len, wire_batch *out, char *err, size_t errlen);
void wire_batch_free(wire_batch *b);

/* Response body: {"batch_id":"...","results":[{"uuid":"...","status":"accepted"},
 *   {"uuid":"...","status":"rejected","reason":"..."}]} */
int wire_encode_results(const char *batch_id, const wire_result *r, size_t n, char **json_out,
                        size_t *len_out);
/* Kiosk side: parses a 200 response. Returns 0, or -1 with err (the kiosk treats a 200 it cannot
 * read like a network error: retry later, mark nothing). */
int wire_decode_results(const char *json, size_t len, char *batch_id_out, wire_result **out,
                        size_t *n_out, char *err, size_t errlen);

/* gzip (RFC 1952) through zlib. gunzip fails (-1) above max_out bytes: a small bomb cannot
 * exhaust the collector's memory. Buffers are malloc'ed; the caller frees. */
int wire_gzip(const void *in, size_t len, void **out, size_t *out_len);
int wire_gunzip(const void *in, size_t len, size_t max_out, void **out, size_t *out_len);
/* The same, telling the two failures apart for the collector's answer: -2 when the output would
 * exceed max_out (413), -1 for data that is not one complete gzip stream (400); err says which.
 * The output is NUL-terminated (not counted in out_len). */
int wire_gunzip_ex(const void *in, size_t len, size_t max_out, void **out, size_t *out_len,
                   char *err, size_t errlen);

/* ---- the kiosk's health report: POST /v1/kiosks/<id>/status (docs/PROTOCOL.md) ----
 * {"v":1,"kiosk_id":"bombo-01","sent_at":<ms>,"version":"0.3.0","content_version":"<16 hex>",
 *  "clock_suspect":false,"unsent":0,"officers":[{"code":"tp-hung","name":"Nguyễn Văn Hùng",
 *  "title":"Trưởng phòng","counter":"Quầy 1"}, ...],"reasons":[{"code":"cham-tre",
 *  "label":"Chậm trễ"}, ...]}
 * Sent after each sync round that delivered votes and as a heartbeat when there is nothing to
 * send; the collector keeps the last one per kiosk, and the officers and reasons' labels of the
 * kiosk's unit. */
#define WIRE_MAX_OFFICERS 500
#define WIRE_HEALTH_MAX   (512u << 10) /* body cap (bytes), collector side */

typedef struct {
    char code[32];
    char name[256], title[256], counter[64];
} wire_officer;

/* A reason a citizen may give after "Chưa hài lòng", as the kiosk's content names it: the
 * collector shows its label instead of the code. */
#define WIRE_MAX_REASONS 64
typedef struct {
    char code[32];
    char label[256];
} wire_reason;

typedef struct {
    char kiosk_id[64];
    int64_t sent_at;          /* the kiosk's wall clock, UTC ms */
    char version[32];         /* hailong-kiosk's version */
    char content_version[17]; /* 16 hex digits: a hash of the officers and the reasons */
    int clock_suspect;        /* the kiosk's clock is implausible now */
    int64_t unsent;           /* votes waiting to be sent */
    wire_officer *officers;
    size_t n_officers;
    wire_reason *reasons; /* optional when read ("reasons": kiosks before 0.3 omit it) */
    size_t n_reasons;
} wire_health;

int wire_encode_health(const wire_health *h, char **json_out, size_t *len_out);
/* Parses and validates a health report: 0, or -1 with err naming the field (400). Free with
 * wire_health_free. */
int wire_decode_health(const char *json, size_t len, wire_health *out, char *err, size_t errlen);
void wire_health_free(wire_health *h);

/* Validators shared with the collector's CLI and tests. */
int wire_valid_uuid(const char *s);
int wire_valid_code(const char *s);     /* [A-Za-z0-9_-]{1,31} */
int wire_valid_kiosk_id(const char *s); /* [A-Za-z0-9_-]{1,63}, as the kiosk's config allows */
/* 1 if s[0..len) is valid UTF-8 (RFC 3629: no overlongs, surrogates or code points above
 * U+10FFFF); else 0 and *bad_offset (if not NULL) is the first bad byte. NUL bytes are valid. */
int wire_utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* "accepted", "duplicate", "rejected". */
const char *wire_status_name(wire_status s);

#endif
