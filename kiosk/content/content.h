/* content: the commune's data files under content_dir (JSON via cJSON, NFC UTF-8): commune.json,
 * slogans.json, officers.json, reasons.json. Validated whole at load; nothing half-loaded.
 * docs/CONTENT.md is the format. No SDL. */
#ifndef HL_CONTENT_H
#define HL_CONTENT_H

#include <stddef.h>

#include "config.h"

/* Version of the file format; every file carries "format": 1 at its top level. */
#define CONTENT_FORMAT 1
/* At most this many reasons (the reasons screen's grid; equals APP_MAX_REASONS in app.h). */
#define CONTENT_MAX_REASONS 32
/* Codes and ids: [A-Za-z0-9_-], 1 to this many bytes. */
#define CONTENT_CODE_MAX 31
/* Default of commune.json "contact_retention_months". */
#define CONTENT_CONTACT_MONTHS 12

typedef struct {
    char *code;    /* unique, [A-Za-z0-9_-], <= 31 bytes */
    char *name;    /* "Nguyễn Thị Lan" */
    char *title;   /* "Công chức Tư pháp - Hộ tịch" */
    char *counter; /* "1" or "Quầy 1"; matched against cfg.counter */
    char *phone;   /* public phone number, may be "" */
    char *duties;  /* what the officer handles (officer directory), may be "" */
    char *photo;   /* absolute path of an existing file, or NULL (placeholder is drawn) */
} content_officer;

typedef struct {
    char *id;         /* "nam-biet" */
    char *title;      /* "Năm biết" */
    char *text;       /* "Biết nghe dân nói, ..." */
    char *short_text; /* "short": the form for the full-screen slogans, "" for the whole text */
} content_slogan;

typedef struct {
    char *code;  /* "cham-tre" */
    char *label; /* "Chậm trễ" */
} content_reason;

/* User-facing sentences: content, so the commune can word them itself. */
typedef struct {
    char *rate_prompt;    /* "Ông/bà hài lòng với cán bộ này chứ?" */
    char *pick_prompt;    /* "Ông/bà được cán bộ nào phục vụ?" */
    char *reasons_prompt; /* "Điều gì làm ông/bà chưa hài lòng?" */
    char *thanks_title;   /* "Cảm ơn ông/bà!" */
    char *thanks_text;
    char *apology_title; /* "Chúng tôi xin lỗi ông/bà" */
    char *apology_text;  /* promise to improve */
    char *error_title;   /* vote could not be recorded */
    char *error_text;
} content_messages;

typedef struct {
    char *commune_name; /* "UBND xã Bom Bo" */
    char *desk_name;    /* "Bộ phận Một cửa" */
    char *address;
    char *hotline;
    char *feedback; /* where to send feedback and complaints */
    /* "reception": when and where the Chairman receives citizens (tiếp công dân), shown on the
     * apology screen, or "" */
    char *reception;
    /* "contact_retention_months" (1-60, default CONTENT_CONTACT_MONTHS): how long the commune
     * keeps a citizen's contact details left with feedback; the consent screen says it. */
    int contact_months;
    char *headline; /* "Chính quyền thân thiện, vì Nhân dân phục vụ" over the slogans, or "" */
    /* commune.json "sample": true: the bundled demo content, which every citizen screen marks
     * "Dữ liệu mẫu" so that nobody takes its names, phones and fees for real ones. */
    int sample;
    content_messages msg;
    content_officer *officers;
    size_t n_officers;
    /* The choice "Không nhớ tên cán bộ": a vote for the whole desk (code RATING_DESK_CODE), offered
     * after the officers; not in officers[], so that officer lists and checks never see it. */
    content_officer desk;
    content_slogan *slogans;
    size_t n_slogans;
    content_reason *reasons;
    size_t n_reasons;
} content;

/* Loads and validates every file in dir. Returns 0 with *out set, or HL_EXIT_USAGE with err
 * "FILE:LINE: ..." (JSON syntax) or "FILE: officers[2].name: ..." (a field), and *out NULL.
 * Missing photos are not errors: photo is NULL and a warning is logged. */
int content_load(content **out, const char *dir, char *err, size_t errlen);
void content_free(content *c);

/* The files content_load reads, in its order, and the text of one held in memory. */
enum { CONTENT_COMMUNE, CONTENT_SLOGANS, CONTENT_OFFICERS, CONTENT_REASONS, CONTENT_N_FILES };
typedef struct {
    const char *text; /* len bytes, and text[len] == '\0' */
    size_t len;
} content_text;
/* content_load over texts already in memory (the fuzzer, tests): files[CONTENT_COMMUNE] stands for
 * dir/commune.json and so on. dir is only named in messages and joined to relative photo paths;
 * nothing is read but the photos' existence. */
int content_parse(content **out, const char *dir, const content_text files[CONTENT_N_FILES],
                  char *err, size_t errlen);

/* Checks the config against the content, after both loaded: every id in [content] slogans exists
 * in slogans.json, and in desk mode the officer/counter names exactly one officer (officer set:
 * that code exists; else counter set: exactly one officer sits at it; neither: an error).
 * Returns 0, or HL_EXIT_USAGE with err "CONFIG: [section] key: what is wrong; what to do". */
int content_check_config(const content *c, const cfg *conf, char *err, size_t errlen);
/* Desk mode: the officer this kiosk rates (officer code if set, else the one at the counter).
 * NULL in lobby mode or when content_check_config would fail. */
const content_officer *content_desk_officer(const content *c, const cfg *conf);

const content_officer *content_find_officer(const content *c, const char *code);
/* The officer code's entry, or the desk's for RATING_DESK_CODE; NULL when neither. */
const content_officer *content_find_voted(const content *c, const char *code);
const content_slogan *content_find_slogan(const content *c, const char *id);
const content_reason *content_find_reason(const content *c, const char *code);

#endif
