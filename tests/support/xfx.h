/* xfx: the export tests' fixture (test_export, test_report): a content folder whose officer and
 * reason names need quoting, eight hand-made votes around the edges of November 2026 in Vietnam
 * time, and on request 10 000 more. */
#ifndef HL_XFX_H
#define HL_XFX_H

#include <limits.h>
#include <stdint.h>

#include "content.h"
#include "store.h"
#include "test.h"

/* Names as the content gives them (NAME_C and REASON_KHAC set after loading: the files refuse
 * line breaks, the export must still quote them). */
#define XFX_NAME_A      "Nguyễn Văn \"Tư\", Jr"
#define XFX_TITLE_A     "Công chức, \"Tư pháp\""
#define XFX_NAME_C      "Lê Văn\nCường"
#define XFX_REASON_CHAM "Chậm, \"rất\" chậm"
#define XFX_REASON_KHAC "Khác\r\nnữa"
#define XFX_GONE        "gone (không còn trong danh sách)"

typedef struct {
    store_vote v;
    const char *when; /* Vietnam local time */
} xfx_vote;

typedef struct {
    char content_dir[PATH_MAX]; /* officers a..d, reasons cham and khac */
    char data_dir[PATH_MAX];    /* the hand-made votes (kiosk test-01, response interval 5 s) */
    char bulk_dir[PATH_MAX];    /* 10 000 votes of kiosk "bulk", for mid-export faults */
    content *ct;
    /* The hand-made votes by name, cast in this order (misuse is within 5 s of the latest):
     * first 2026-11-01T00:00:00 (a, 3); before 2026-10-31T23:59:59 (a, 1); misuse 2 s after
     * first (a, 1); c 2026-11-05T09:00 (c, 1, reasons cham and khac); b 2026-11-10T10:00 (b, 2);
     * gone 2026-11-12T08:00 (an officer not in the content, 2); after 2026-12-01T00:00:00 (b, 1);
     * last 2026-11-30T23:59:59 (b, 3). */
    xfx_vote before, first, misuse, c, b, gone, last, after;
} xfx_data;

extern xfx_data xfx;

/* Makes test_root as <name>-XXXXXX in the current folder, the content and the hand-made votes;
 * exits when it cannot. 0, or -1 after printing why. */
int xfx_begin(const char *name);
/* The bulk set in xfx.bulk_dir, made on the first call: officer a, one vote a minute from
 * 2026-11-01. */
void xfx_make_bulk(void);
/* Frees the content; removes test_root unless a test failed. */
void xfx_end(void);
/* An export test program: xfx_begin(name), the table, xfx_end; the exit code. */
int xfx_main(const char *name, const test_case *cases, size_t n);

/* UTC ms of a Vietnam local time ("2026-11-01T00:00:00"); exits on a bad one. */
int64_t xfx_ms(const char *local);

#endif
