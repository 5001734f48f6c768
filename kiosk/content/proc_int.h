/* proc_int.h: what proc.c (model, validation, JSON) shares with proc_import.c (CSV, writing) and
 * proc_search.c. Private to kiosk/content/: nothing outside this folder includes it. */
#ifndef HL_PROC_INT_H
#define HL_PROC_INT_H

#include <stddef.h>

#include "jsonv.h"
#include "proc.h"

#define PROC_FORMAT 1
#define PROC_ID_MAX 63

/* The record being read, so that both readers name a problem the way their users see the file:
 * JSON "FILE: procedures[3] (dang-ky-khai-sinh).fees: ...", CSV "FILE:12: column fees: ...". */
typedef struct {
    jv_ctx x;         /* x.file is "FILE", or "FILE:LINE" for a CSV record */
    const char *name; /* the file as given */
    int csv;
    size_t index;   /* record number, from 0 */
    const char *id; /* JSON: the record's id once it is known to be valid, for messages */
    long *lines;    /* CSV: the physical line each item starts on */
} proc_ctx;

/* The plain text keys of a procedure: JSON key and CSV column alike. */
typedef struct {
    const char *key; /* JSON key and CSV column */
    size_t off;      /* the char * in proc_item */
    int flags;       /* JV_REQUIRED, JV_MULTILINE, PROC_KEY_OPTIONAL */
    const char *hint;
} proc_text_field;

/* A key that may be absent (JSON) or a column that may be missing (CSV): then "". */
#define PROC_KEY_OPTIONAL 0x100

#define PROC_N_TEXT 9
extern const proc_text_field proc_item_text[PROC_N_TEXT];
/* The names of proc_online values in procedures.json, indexed by the value. */
extern const char *const proc_online_names[3];

char **proc_item_str(proc_item *it, const proc_text_field *f);
void proc_free_strs(char **v, size_t n);

/* p->x.file = "NAME:LINE", for messages about a CSV record. */
void proc_at_line(proc_ctx *p, long line);
/* Text checks, then "not blank" when required (flags: JV_REQUIRED, JV_MULTILINE). */
int proc_check_str(proc_ctx *p, const char *path, const char *s, int flags, const char *hint);
int proc_check_id(proc_ctx *p, const char *path, const char *s, const char *example);
/* Everything about one record that does not depend on how it was written down. */
int proc_check_item(proc_ctx *p, proc_item *it);
/* Ids are unique; the message names the earliest duplicate in file order. */
int proc_check_unique(proc_ctx *p, proc_set *s);
/* Sets fields[].n_items from the items. */
void proc_count_fields(proc_set *s);

/* proc_parse_json without the copy: buf[len] must be '\0' (cJSON wants a terminated string). */
int proc_parse_json_z(proc_set **out, const char *buf, size_t len, const char *name, char *err,
                      size_t errlen);

#endif
