/* cmd_letter: `hailong-collector letter ID --kind xin-loi|cam-on --out FILE.pdf` (the Chairman's
 * letter answering a feedback item, numbered in the unit's register) and `letters export`
 * (that register as XLSX). The layout and templates are sync/collector/letter/. */
#include "buf.h"
#include "cmds.h"
#include "clock.h"
#include "letter.h"
#include "letter_make.h"
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
    letter_local_date(dl->issued_at, &r->year, &r->month, &r->day);
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

int cmd_letter(int argc, char **argv)
{
    const char *url = NULL, *config = NULL;
    letter_request a = {0};
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
    a.now_ms = clk_wall_ms(&clk);
    char number[64];
    rc = letter_make(d, &a, number, sizeof number, err, sizeof err);
    if (rc == 0)
        fprintf(stderr, "%s written to %s\n", number, a.out);
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
