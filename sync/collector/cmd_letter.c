/* cmd_letter: `hailong-collector letter ID --kind xin-loi|cam-on --out FILE.pdf` (the Chairman's
 * letter answering a feedback item, numbered in the unit's register) and `letters export`
 * (that register as XLSX). The layout and templates are sync/collector/letter/. */
#include "buf.h"
#include "cmds.h"
#include "clock.h"
#include "letter.h"
#include "log.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_letter[] =
    "Usage: " CMD_PROG " letter ID --kind xin-loi|cam-on --out FILE.pdf --by NAME\n"
    "                      --summary TEXT [--measures TEXT] [--officer-text TEXT]\n"
    "                      [--salutation Ông|Bà] [--date YYYY-MM-DD] [--templates DIR]\n"
    "                      [--assets DIR]\n"
    "       " CMD_PROG " letters export --out FILE.xlsx [--unit UNIT]\n"
    "\n"
    "The Chairman's letter for feedback item ID (its id or first 8 characters): a one-page A4\n"
    "PDF in the form of Nghị định 30/2020/NĐ-CP, numbered in the unit's register (\"Số 03/TXL-\n"
    "UBND\"), addressed to the citizen who left a name with their consent (an anonymous item\n"
    "has no recipient: refused). The unit's letterhead comes from `unit set`.\n"
    "  --summary TEXT       what the feedback was about, after \"về\" in the letter\n"
    "  --measures TEXT      xin-loi: what the commune has done about it\n"
    "  --officer-text TEXT  cam-on: the officer, e.g. \"bà Lê Thị Mai, công chức Tư pháp\"\n"
    "                       (default: the item's officer's name and title)\n"
    "  --salutation         how the letter addresses the citizen (default \"Ông/Bà\")\n"
    "  --date               the letter's date (default today, Vietnam time)\n"
    "  --templates DIR      the templates xin-loi.txt and cam-on.txt (default /etc/hailong/\n"
    "                       letters if it has them, else the installed ones)\n"
    "  --assets DIR         fonts/ and letters/ (default ../share/hailong-collector beside the\n"
    "                       program)\n"
    "letters export writes the register of letters sent (\"Sổ đăng ký thư\") as "
    "XLSX.\n" DB_HELP_TEXT;

#define ETC_LETTERS "/etc/hailong/letters"

static void default_assets(char *out, size_t cap)
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
static void local_date(int64_t utc_ms, int *y, int *m, int *d)
{
    char t[20];
    report_local_time(utc_ms, t);
    sscanf(t, "%d-%d-%d", y, m, d);
}

typedef struct {
    letter_reg_row *rows;
    size_t n, cap;
    char **texts; /* the strings the rows point at */
    size_t n_texts;
} reg_list;

static const char *keep(reg_list *l, const char *s)
{
    l->texts = xrealloc(l->texts, (l->n_texts + 1) * sizeof *l->texts);
    return l->texts[l->n_texts++] = xstrdup(s);
}

static int reg_cb(const db_letter *dl, void *ctx)
{
    reg_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->rows = xrealloc(l->rows, l->cap * sizeof *l->rows);
    }
    letter_reg_row *r = &l->rows[l->n++];
    memset(r, 0, sizeof *r);
    r->number = dl->number;
    r->symbol = keep(l, dl->symbol);
    local_date(dl->issued_at, &r->year, &r->month, &r->day);
    r->kind = strcmp(dl->kind, "cam-on") == 0 ? LETTER_CAM_ON : LETTER_XIN_LOI;
    r->recipient = keep(l, dl->recipient);
    r->item_id = keep(l, dl->feedback);
    r->signer = keep(l, dl->signer);
    return 0;
}

static int letters_export(db *d, const char *unit, const char *out, char *err, size_t errlen)
{
    reg_list l = {0};
    int rc = db_letter_list(d, unit ? unit : "", reg_cb, &l, err, errlen);
    if (rc == 0) {
        char title[300];
        util_fmt(title, sizeof title, "SỔ ĐĂNG KÝ THƯ XIN LỖI, THƯ CẢM ƠN%s%s", unit ? " - " : "",
                 unit ? unit : "");
        rc = letter_register_xlsx(out, l.rows, l.n, title, err, errlen) ? 1 : 0;
        if (rc == 0)
            fprintf(stderr, "%zu letters written to %s\n", l.n, out);
    }
    for (size_t i = 0; i < l.n_texts; i++)
        free(l.texts[i]);
    free(l.texts);
    free(l.rows);
    return rc;
}

typedef struct {
    const char *id, *kind, *out, *by, *summary, *measures, *officer_text, *salutation, *date,
        *templates, *assets;
} letter_args;

static int make_letter(db *d, const letter_args *a, int64_t now, char *err, size_t errlen)
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
                 it.unit, CMD_PROG, it.unit);
        return 2;
    }
    int y, m, dd;
    local_date(now, &y, &m, &dd);
    if (a->date && sscanf(a->date, "%d-%d-%d", &y, &m, &dd) != 3)
        return util_fmt(err, errlen, "--date: a date as YYYY-MM-DD"), 2;
    int fy, fm, fd;
    local_date(it.placed_at, &fy, &fm, &fd);
    char fdate[16], recipient[WIRE_CONTACT_BYTES + 32], symbol[64], assets[PATH_MAX],
        fonts[PATH_MAX], tpath[PATH_MAX];
    util_fmt(fdate, sizeof fdate, "%02d/%02d/%04d", fd, fm, fy);
    const char *sal = a->salutation ? a->salutation : "Ông/Bà";
    util_fmt(recipient, sizeof recipient, "%s %s", sal, it.name);
    util_fmt(symbol, sizeof symbol, "%s-%s", k == LETTER_XIN_LOI ? "TXL" : "TCO", p.symbol);
    if (a->assets)
        util_strlcpy(assets, a->assets, sizeof assets);
    else
        default_assets(assets, sizeof assets);
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
    l.issued_at = now;
    if ((rc = db_letter_add(d, &l, err, errlen)) != 0) {
        unlink(a->out);
        return rc;
    }
    char note[200];
    util_fmt(note, sizeof note, "%s số %02d/%s", letter_kind_name(k), l.number, symbol);
    if ((rc = db_feedback_update(d, it.uuid, NULL, NULL, -1, a->by, note, now, err, errlen)))
        return rc;
    fprintf(stderr, "%s %02d/%s for item %.8s written to %s\n", letter_kind_name(k), l.number,
            symbol, it.uuid, a->out);
    return 0;
}

int cmd_letter(int argc, char **argv)
{
    const char *url = NULL, *config = NULL;
    letter_args a = {0};
    cmd_opt opts[] = {{"--db", &url},
                      {"--config", &config},
                      {"--kind", &a.kind},
                      {"--out", &a.out},
                      {"--by", &a.by},
                      {"--summary", &a.summary},
                      {"--measures", &a.measures},
                      {"--officer-text", &a.officer_text},
                      {"--salutation", &a.salutation},
                      {"--date", &a.date},
                      {"--templates", &a.templates},
                      {"--assets", &a.assets},
                      {NULL, NULL}};
    const char *pos[1];
    int n_pos, rc = cmd_parse_args("letter", argc, argv, opts, pos, 1, &n_pos, usage_letter);
    if (rc)
        return rc < 0 ? 0 : rc;
    a.id = n_pos ? pos[0] : NULL;
    const char *why =
        !a.id ? "name the feedback item (its id, or its first 8 characters)"
        : !a.kind || (strcmp(a.kind, "xin-loi") && strcmp(a.kind, "cam-on"))
            ? "--kind: xin-loi (an apology) or cam-on (thanks)"
        : !a.out || !*a.out ? "--out: the PDF file to write"
        : !a.by || !*a.by   ? "--by: who makes the letter (it goes in the register)"
        : !a.summary || !cmd_valid_unit(a.summary)
            ? "--summary: what the feedback was about (NFC text, up to 200 bytes)"
        : a.measures && !cmd_valid_unit(a.measures) ? "--measures: NFC text, up to 200 bytes"
        : a.officer_text && !cmd_valid_unit(a.officer_text)
            ? "--officer-text: NFC text, up to 200 bytes"
        : a.salutation && !cmd_valid_unit(a.salutation) ? "--salutation: Ông, Bà or Ông/Bà"
                                                        : NULL;
    if (why) {
        log_plain(LOG_ERROR, "%s letter: %s\n", CMD_PROG, why);
        return HL_EXIT_USAGE;
    }
    if ((rc = cmd_resolve_db("letter", url, config, &url)) != 0)
        return rc;
    db *d = NULL;
    if ((rc = cmd_open_db("letter", url, &d)) != 0)
        return rc;
    char err[HL_ERR_MAX] = "";
    hl_clock clk = clk_real();
    rc = make_letter(d, &a, clk_wall_ms(&clk), err, sizeof err);
    if (rc)
        log_plain(LOG_ERROR, "%s letter %s: %s\n", CMD_PROG, a.id, err);
    db_close(d);
    return rc == 2 ? HL_EXIT_USAGE : rc;
}

int cmd_letters(int argc, char **argv)
{
    const char *url = NULL, *config = NULL, *out = NULL, *unit = NULL;
    cmd_opt opts[] = {
        {"--db", &url}, {"--config", &config}, {"--out", &out}, {"--unit", &unit}, {NULL, NULL}};
    const char *pos[1];
    int n_pos, rc = cmd_parse_args("letters", argc, argv, opts, pos, 1, &n_pos, usage_letter);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *why = n_pos != 1 || strcmp(pos[0], "export") != 0 ? "say `letters export`"
                      : !out || !*out                             ? "--out: the XLSX file to write"
                      : unit && !cmd_valid_unit(unit) ? "--unit: UTF-8 text in NFC, up to 200 bytes"
                                                      : NULL;
    if (why) {
        log_plain(LOG_ERROR, "%s letters: %s\n", CMD_PROG, why);
        return HL_EXIT_USAGE;
    }
    if ((rc = cmd_resolve_db("letters", url, config, &url)) != 0)
        return rc;
    db *d = NULL;
    if ((rc = cmd_open_db("letters", url, &d)) != 0)
        return rc;
    char err[HL_ERR_MAX] = "";
    rc = letters_export(d, unit, out, err, sizeof err);
    if (rc)
        log_plain(LOG_ERROR, "%s letters export: %s\n", CMD_PROG, err);
    db_close(d);
    return rc;
}
