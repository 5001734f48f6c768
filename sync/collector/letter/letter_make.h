/* letter_make: a feedback item's letter, from the database to the PDF and the register (see
 * letter_make.c). Prefix: letter_. */
#ifndef HL_LETTER_MAKE_H
#define HL_LETTER_MAKE_H

#include "db.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *id;           /* the item: its uuid or a unique prefix (8+ characters) */
    const char *kind;         /* "xin-loi" or "cam-on" */
    const char *out;          /* the PDF to write */
    const char *by;           /* who makes it (the register, the item's log) */
    const char *summary;      /* {noi_dung_tom_tat} */
    const char *measures;     /* {bien_phap}: required for xin-loi */
    const char *officer_text; /* {can_bo}; NULL: the item's officer's name */
    const char *salutation;   /* {danh_xung}; NULL: "Ông/Bà" */
    const char *date;         /* YYYY-MM-DD; NULL: today (Vietnam time) */
    const char *templates;    /* the templates' folder; NULL: /etc/hailong/letters, else assets */
    const char *assets;       /* fonts/ and letters/; NULL: ../share/hailong-collector */
    int64_t now_ms;
} letter_request;

/* Makes the letter: 0 with number ("Thư xin lỗi 03/TXL-UBND for item 1017586e"); 2 when it is
 * refused (an anonymous item or one whose contact was erased, no letterhead for the unit, no
 * measures for an apology, a bad date or template) with err saying why; 1 on a database, file
 * or PDF failure. Nothing is registered unless the PDF was written. */
int letter_make(db *d, const letter_request *r, char *number, size_t number_cap, char *err,
                size_t errlen);

/* The Vietnam-local date of a UTC time. */
void letter_local_date(int64_t utc_ms, int *y, int *m, int *d);
/* ../share/hailong-collector beside the running program. */
void letter_default_assets(char *out, size_t cap);

#endif
