/* proc: the administrative procedures (thủ tục hành chính, TTHC) the kiosk publishes: loading and
 * validating <content_dir>/procedures.json, importing it from JSON or CSV (IT staff), and the
 * diacritic-insensitive search index (SQLite FTS5 over folded text). docs/PROCEDURES.md is the
 * format. No SDL. */
#ifndef HL_PROC_H
#define HL_PROC_H

#include <stddef.h>

/* procedures.json:
 * { "format": 1,
 *   "_note": "...",                       (fields starting with '_' are comments)
 *   "fields": [ { "id": "ho-tich", "name": "Hộ tịch" }, ... ],
 *   "procedures": [ {
 *       "id": "dang-ky-khai-sinh",         unique, [a-z0-9-], <= 63 bytes
 *       "code": "1.001193",                mã TTHC in the national database, "" if unknown
 *       "name": "Đăng ký khai sinh",
 *       "field": "ho-tich",                one of fields[].id
 *       "level": "Cấp xã",
 *       "time_limit": "Ngay trong ngày ...",
 *       "fees": "Miễn phí",                 text as posted; "Miễn phí" where free
 *       "documents": [ { "name": "Tờ khai ...", "copies": "01 bản chính" }, ... ],
 *       "steps": [ "Bước 1: ...", ... ],
 *       "where": "Bộ phận Một cửa UBND xã",
 *       "channels": "Trực tiếp hoặc qua dịch vụ bưu chính",  how it may be submitted (cách thức
 *                                          thực hiện) as published; optional, "" or absent: not
 *                                          shown (the kiosk never guesses, e.g. a certification
 *                                          needs the person present, so never "by post")
 *       "legal_basis": [ "Luật Hộ tịch năm 2014", ... ],
 *       "online": "full" | "partial" | "none", (dịch vụ công trực tuyến toàn trình / một phần /
 * không) "url": "https://..."               the procedure's online page, for the QR code; may be ""
 *   } ] }
 * All strings NFC UTF-8; every listed key required except "channels" (arrays may be empty except
 * documents/steps). */

/* The largest procedures file read (procedures.json, or a CSV/JSON to import): the bundled
 * 31 procedures are ~100 KiB, a whole province's list a few MiB. */
#define PROC_FILE_MAX (16u * 1024 * 1024)

typedef enum { PROC_ONLINE_NONE, PROC_ONLINE_PARTIAL, PROC_ONLINE_FULL } proc_online;

typedef struct {
    char *name;
    char *copies;
} proc_doc;

typedef struct {
    char *id;
    char *code;
    char *name;
    size_t field; /* index into proc_set.fields */
    char *level;
    char *time_limit;
    char *fees;
    proc_doc *docs;
    size_t n_docs;
    char **steps;
    size_t n_steps;
    char *where;
    char *channels; /* "" when not given */
    char **legal;
    size_t n_legal;
    proc_online online;
    char *url;
} proc_item;

typedef struct {
    char *id;
    char *name;
    size_t n_items; /* procedures in this field */
} proc_field;

typedef struct {
    char *note;
    proc_field *fields;
    size_t n_fields;
    proc_item *items;
    size_t n_items;
} proc_set;

/* Loads and validates a procedures.json. Returns 0 with *out set, or HL_EXIT_USAGE with err
 * "FILE:LINE:COL: ..." (syntax) or "FILE: procedures[3] (dang-ky-khai-sinh).fees: ..." and *out
 * NULL; nothing half-loaded. A missing file is HL_EXIT_USAGE too (the caller decides whether
 * procedures are optional). */
int proc_load(proc_set **out, const char *path, char *err, size_t errlen);
/* Parses procedures from a JSON document held in memory (name is used in messages). */
int proc_parse_json(proc_set **out, const char *json, size_t len, const char *name, char *err,
                    size_t errlen);
/* Parses the CSV layout of docs/PROCEDURES.md (UTF-8, optional BOM, RFC 4180, header row).
 * Errors name the line: "FILE:LINE: column fees: ...". */
int proc_parse_csv(proc_set **out, const char *csv, size_t len, const char *name, char *err,
                   size_t errlen);
void proc_free(proc_set *s);

/* s as the text of procedures.json (what proc_write_json writes, less its final newline); NULL
 * when out of memory, else the caller frees it. */
char *proc_to_json(const proc_set *s);
/* Writes s as procedures.json to path atomically (temporary file, fsync, rename). */
int proc_write_json(const proc_set *s, const char *path, char *err, size_t errlen);
/* The import command: reads src (JSON or CSV, by content), validates all of it, and only then
 * replaces dest. On any error nothing is written. Returns 0, HL_EXIT_USAGE or HL_EXIT_RUNTIME. */
int proc_import(const char *src, const char *dest, size_t *n_imported, char *err, size_t errlen);

const proc_item *proc_find(const proc_set *s, const char *id);

/* What a procedure's QR code opens, and so what its caption may promise. */
typedef enum {
    PROC_QR_OWN_URL,   /* the procedure's own "url" */
    PROC_QR_BY_CODE,   /* its page on the national portal, found by its code (mã TTHC) */
    PROC_QR_HOME_PAGE, /* no code and no page of its own: the portal's home page */
} proc_qr_kind;

/* The national portal's page of a procedure code; "%s" is the code. */
#define PROC_PORTAL_HOME "https://dichvucong.gov.vn"
#define PROC_PORTAL_BY_CODE                                                                        \
    PROC_PORTAL_HOME "/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=%s"

/* The address for its QR code into buf (n bytes) and what that address is. A "url" that is only
 * a site's home page ("https://dichvucong.gov.vn/") counts as no url: it is not the procedure's
 * page, whatever a caption would say; a code with other characters than letters, digits, '.'
 * and '-' makes no address. */
proc_qr_kind proc_qr_target(const proc_item *it, char *buf, size_t n);

/* Folding for search: lower case, diacritics removed, đ -> d, anything not a letter or digit
 * becomes one space. "Đăng ký KHAI-SINH" -> "dang ky khai sinh". Caller frees. */
char *proc_fold(const char *utf8);

typedef struct proc_index proc_index;
/* Builds an in-memory SQLite FTS5 index over the folded name, code, field and body text. */
int proc_index_build(proc_index **out, const proc_set *s, char *err, size_t errlen);
void proc_index_free(proc_index *ix);
/* Every word of the query must match (the last as a prefix, since results update on each key);
 * results best first (name matches rank above body matches). Writes up to max item indexes into
 * out and returns how many matched in total (may exceed max), or -1 on error. An empty query
 * matches nothing. */
int proc_search(proc_index *ix, const char *query, size_t *out, size_t max);

/* Highlighting for the UI: byte ranges of text (as shown, not folded) holding a word whose folded
 * form equals a folded query word, or starts with the last one, as proc_search matches. Writes up
 * to max ranges in text order into starts/lens and returns how many. */
int proc_match_spans(const char *text, const char *query, size_t *starts, size_t *lens, int max);

#endif
