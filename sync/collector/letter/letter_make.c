/* letter_make: the Chairman's letter for a feedback item, from the database to the PDF: the item
 * (its consented contact is the recipient), the unit's letterhead, the commune's template filled,
 * the register's next number, the PDF, the register and the item's log. Used by
 * `hailong-collector letter` and the dashboard's button. */
#include "letter_make.h"

#include "buf.h"
#include "letter.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ETC_LETTERS "/etc/hailong/letters"

void letter_default_assets(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    util_fmt(out, cap, "%s/../share/hailong-collector", n > 0 ? exe : ".");
}

/* Reads a whole text file: malloc'ed, or NULL with err. */
static char *read_text(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        util_fmt(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1u << 20))
        buf_add(&b, chunk, n);
    fclose(f);
    return buf_take(&b);
}

typedef struct {
    char uuid[37], unit[256], kind[16], name[WIRE_CONTACT_BYTES], address[WIRE_CONTACT_BYTES];
    char officer[300];
    int consent, erased;
    int64_t placed_at;
} item;

static int item_cb(const db_feedback_row *r, void *ctx)
{
    item *it = ctx;
    util_strlcpy(it->uuid, r->uuid, sizeof it->uuid);
    util_strlcpy(it->unit, r->unit, sizeof it->unit);
    util_strlcpy(it->kind, r->kind, sizeof it->kind);
    util_strlcpy(it->name, r->contact_name, sizeof it->name);
    util_strlcpy(it->address, r->contact_address, sizeof it->address);
    util_strlcpy(it->officer, r->officer_name[0] ? r->officer_name : r->officer_code,
                 sizeof it->officer);
    it->consent = r->consent;
    it->erased = r->contact_erased_at != 0;
    it->placed_at = r->placed_at;
    return 1;
}

/* The Vietnam-local date of a UTC time. */
void letter_local_date(int64_t utc_ms, int *y, int *m, int *d)
{
    char t[20];
    report_local_time(utc_ms, t);
    if (sscanf(t, "%d-%d-%d", y, m, d) != 3) /* report_local_time always writes a date */
        *y = 1970, *m = 1, *d = 1;
}

int letter_make(db *d, const letter_request *a, char *number, size_t number_cap, char *err,
                size_t errlen)
{
    item it = {0};
    int rc = db_feedback_get(d, a->id, item_cb, &it, err, errlen);
    if (rc)
        return rc;
    letter_kind k = strcmp(a->kind, "cam-on") == 0 ? LETTER_CAM_ON : LETTER_XIN_LOI;
    if (!it.consent || it.erased || !it.name[0]) {
        util_fmt(err, errlen,
                 "item %.8s has no name the citizen agreed to leave (%s): a letter needs a "
                 "recipient; answer it another way",
                 it.uuid,
                 it.erased     ? "erased when its retention time ended"
                 : !it.consent ? "sent anonymously"
                               : "the name was left empty");
        return 2;
    }
    if (k == LETTER_XIN_LOI && !a->measures) {
        util_fmt(err, errlen,
                 "--measures: say what the commune has done (a letter of apology "
                 "tells the citizen)");
        return 2;
    }
    db_unit_profile p;
    if ((rc = db_unit_profile_get(d, it.unit, &p, err, errlen)) != 0)
        return rc;
    if (!p.found) {
        util_fmt(err, errlen,
                 "unit \"%s\" has no letterhead: set it first with `%s unit set \"%s\" --body ... "
                 "--place ... --chairman ...`",
                 it.unit, "hailong-collector", it.unit);
        return 2;
    }
    int y, m, dd;
    letter_local_date(a->now_ms, &y, &m, &dd);
    char probe[160];
    if (a->date && (sscanf(a->date, "%d-%d-%d", &y, &m, &dd) != 3 ||
                    letter_date_line("x", y, m, dd, probe, sizeof probe) != 0))
        return util_fmt(err, errlen, "--date: %s is not a date as YYYY-MM-DD", a->date), 2;
    int fy, fm, fd;
    letter_local_date(it.placed_at, &fy, &fm, &fd);
    char fdate[16], recipient[WIRE_CONTACT_BYTES + 32], symbol[64], assets[PATH_MAX],
        fonts[PATH_MAX], tpath[PATH_MAX];
    util_fmt(fdate, sizeof fdate, "%02d/%02d/%04d", fd, fm, fy);
    const char *sal = a->salutation ? a->salutation : "Ông/Bà";
    util_fmt(recipient, sizeof recipient, "%s %s", sal, it.name);
    util_fmt(symbol, sizeof symbol, "%s-%s", k == LETTER_XIN_LOI ? "TXL" : "TCO", p.symbol);
    if (a->assets)
        util_strlcpy(assets, a->assets, sizeof assets);
    else
        letter_default_assets(assets, sizeof assets);
    util_fmt(fonts, sizeof fonts, "%s/fonts", assets);
    util_fmt(tpath, sizeof tpath, "%s/%s", a->templates ? a->templates : ETC_LETTERS,
             letter_template_file(k));
    if (!a->templates && access(tpath, R_OK) != 0)
        util_fmt(tpath, sizeof tpath, "%s/letters/%s", assets, letter_template_file(k));
    char *tmpl = read_text(tpath, err, errlen);
    if (!tmpl)
        return 1;
    letter_var vars[] = {{"danh_xung", sal},
                         {"nguoi_nhan", it.name},
                         {"ten_xa", p.place},
                         {"ngay_phan_anh", fdate},
                         {"noi_dung_tom_tat", a->summary},
                         {"can_bo", a->officer_text ? a->officer_text
                                    : it.officer[0] ? it.officer
                                                    : "cán bộ, công chức xã"},
                         {"bien_phap", a->measures ? a->measures : ""}};
    char *body = NULL, ferr[300];
    if (letter_fill(tmpl, vars, HL_ARRAY_LEN(vars), &body, ferr, sizeof ferr) != 0) {
        util_fmt(err, errlen, "%s: %s", tpath, ferr);
        free(tmpl);
        return 2;
    }
    free(tmpl);
    /* The number the register will give it; the PDF is written first, so that a failed PDF
     * leaves no number used, and a letter numbered meanwhile by someone else is said. */
    db_letter l;
    memset(&l, 0, sizeof l);
    util_strlcpy(l.unit, it.unit, sizeof l.unit);
    l.year = y;
    rc = db_letter_next(d, &l, err, errlen);
    char unit_line[300];
    util_fmt(unit_line, sizeof unit_line, "%s", p.body);
    letter_doc doc = {.kind = k,
                      .font_dir = fonts,
                      .unit = unit_line,
                      .number = l.number,
                      .symbol = symbol,
                      .place = p.place,
                      .year = y,
                      .month = m,
                      .day = dd,
                      .recipient = recipient,
                      .address = it.address,
                      .body = body,
                      .signer = p.chairman};
    if (rc == 0 && letter_pdf(&doc, a->out, ferr, sizeof ferr) != 0) {
        util_fmt(err, errlen, "%s", ferr);
        rc = 1;
    }
    free(body);
    if (rc)
        return rc;
    util_strlcpy(l.symbol, symbol, sizeof l.symbol);
    util_strlcpy(l.kind, a->kind, sizeof l.kind);
    util_strlcpy(l.feedback, it.uuid, sizeof l.feedback);
    util_strlcpy(l.recipient, recipient, sizeof l.recipient);
    util_strlcpy(l.signer, p.chairman, sizeof l.signer);
    util_strlcpy(l.created_by, a->by, sizeof l.created_by);
    l.issued_at = a->now_ms;
    if ((rc = db_letter_add(d, &l, err, errlen)) != 0) {
        unlink(a->out);
        return rc;
    }
    char note[200];
    util_fmt(note, sizeof note, "%s số %02d/%s", letter_kind_name(k), l.number, symbol);
    if ((rc = db_feedback_update(d, it.uuid, NULL, NULL, -1, a->by, note, a->now_ms, err, errlen)))
        return rc;
    util_fmt(number, number_cap, "%s %02d/%s for item %.8s", letter_kind_name(k), l.number, symbol,
             it.uuid);
    return 0;
}
