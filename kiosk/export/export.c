/* export: the entry points: votes to CSV/XLSX and the per-officer report of a period, read through
 * a read-only view of votes.db (store_read.h) row by row and written to a temp file that is renamed
 * into place only when complete (atomic_file.h). docs/EXPORT.md describes every column and sheet.
 */
#include "export_int.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

int export_job_tick(export_job *j, char *err, size_t errlen)
{
    const export_votes_opts *o = j->o;
    if (o->progress && o->progress(o->progress_ctx, j->done, j->total) != 0) {
        j->res.cancelled = 1;
        return util_fail(err, errlen, HL_EXIT_RUNTIME, "cancelled; nothing was written to %s",
                         j->af.out);
    }
    return af_check(&j->af, err, errlen);
}

int export_job_take(export_job *j, const store_read_vote *v)
{
    j->done++;
    if (v->misuse)
        j->res.misuse++;
    else
        j->res.counted++;
    return !v->misuse || j->o->include_misuse;
}

int export_walk_tick(export_walk *w)
{
    if (w->j->done % EXPORT_PROGRESS_EVERY == 0)
        w->rc = export_job_tick(w->j, w->err, w->errlen);
    return w->rc;
}

static int check_content(const content *c, char *err, size_t errlen)
{
    if (!c)
        return util_fail(err, errlen, HL_EXIT_USAGE, "export: no content given (officer names)");
    return 0;
}

int export_votes(const export_votes_opts *o, export_result *res, char *err, size_t errlen)
{
    export_job j;
    memset(&j, 0, sizeof j);
    j.o = o;
    j.af.fd = j.af.dirfd = -1;
    if (res)
        memset(res, 0, sizeof *res);
    int rc = check_content(o->content, err, errlen);
    if (rc)
        return rc;
    if (o->format != EXPORT_FMT_CSV && o->format != EXPORT_FMT_XLSX)
        return util_fail(err, errlen, HL_EXIT_USAGE, "export: the format must be csv or xlsx");
    if (export_date_cmp(o->from, o->to) > 0)
        return util_fail(err, errlen, HL_EXIT_USAGE,
                         "export: the first day is after the last day; swap them");
    j.from_ms = export_date_start_ms(o->from);
    j.to_ms = export_date_start_ms(o->to) + 86400000LL; /* Vietnam has no DST */
    j.rx.c = o->content;
    if ((rc = af_begin(&j.af, o->out, EXPORT_REDO, err, errlen)) != 0)
        return rc;
    rc = export_db_open(&j.db, o->db, j.from_ms, j.to_ms, &j.total, err, errlen);
    if (!rc)
        rc = export_job_tick(&j, err, errlen);
    if (!rc)
        rc = o->format == EXPORT_FMT_CSV ? export_csv_votes(&j, err, errlen)
                                         : export_xlsx_votes(&j, err, errlen);
    if (!rc && j.done % EXPORT_PROGRESS_EVERY != 0)
        rc = export_job_tick(&j, err, errlen);
    store_reader_close(j.db);
    if (!rc)
        rc = af_commit(&j.af, err, errlen);
    if (rc)
        af_abort(&j.af);
    export_names_free(&j.rx);
    if (res)
        *res = j.res;
    return rc;
}

int export_report(const export_report_opts *o, export_result *res, char *err, size_t errlen)
{
    if (res)
        memset(res, 0, sizeof *res);
    int rc = check_content(o->content, err, errlen);
    if (rc)
        return rc;
    export_period per = o->period;
    if (per.year == 0)
        per = (export_period){EXPORT_PERIOD_MONTH, o->year, o->month};
    export_date from, to;
    if (export_period_days(per, &from, &to) != 0)
        return util_fail(err, errlen, HL_EXIT_USAGE,
                         "report: not a valid period (a month 1..12, a quarter 1..4, of a year "
                         "from 1970)");
    if (o->format == EXPORT_FMT_XLSX && !o->out)
        return util_fail(err, errlen, HL_EXIT_USAGE,
                         "report: an XLSX report needs an output file, e.g. --out bao-cao.xlsx");
    int64_t from_ms = export_date_start_ms(from), to_ms = export_date_start_ms(to) + 86400000LL;
    char title[200], period[200], name[64];
    export_period_name(per, name, sizeof name);
    util_fmt(title, sizeof title, EXPORT_REPORT_TITLE " — %s", name);
    export_period_text(from, to, period, sizeof period);
    if (export_period_is_nd09(per))
        util_fmt(period + strlen(period), sizeof period - strlen(period),
                 "; kỳ báo cáo theo Nghị định 09/2019/NĐ-CP");

    atomic_file af = {.fd = -1, .dirfd = -1};
    if (o->out && (rc = af_begin(&af, o->out, EXPORT_REDO, err, errlen)) != 0)
        return rc;
    store_reader *db = NULL;
    export_summary s = {0};
    int64_t total = 0;
    rc = export_db_open(&db, o->db, from_ms, to_ms, &total, err, errlen);
    if (!rc && o->progress && o->progress(o->progress_ctx, 0, total) != 0) {
        if (res)
            res->cancelled = 1;
        rc = util_fail(err, errlen, HL_EXIT_RUNTIME, "cancelled; nothing was written");
    }
    if (!rc)
        rc = export_summary_read(db, o->content, from_ms, to_ms, &s, err, errlen);
    if (!rc)
        rc = export_reasons_read(db, o->content, &s, err, errlen);
    store_reader_close(db);
    if (!rc && o->format == EXPORT_FMT_XLSX) {
        char sheet[64]; /* Excel refuses '/' in a sheet's name */
        util_strlcpy(sheet, name, sizeof sheet);
        for (char *p = sheet; *p; p++)
            if (*p == '/')
                *p = '-';
        rc = export_xlsx_report(&af, sheet, title, o->content, period, &s, o->made_at_ms, err,
                                errlen);
    } else if (!rc) {
        export_wbuf w;
        export_wb_init(&w, o->out ? af_fd(&af) : -1,
                       o->out ? NULL : (o->stream ? o->stream : stdout));
        if (o->format == EXPORT_FMT_CSV) {
            export_report_csv(&w, o, &s, title, period);
        } else {
            buf d = {0};
            export_report_text(&d, o, &s, title, period);
            export_wb_put(&w, buf_cstr(&d), d.len);
            buf_free(&d);
        }
        export_wb_flush(&w);
        if (w.err)
            rc = o->out ? af_write_error(&af, w.err, err, errlen)
                        : util_fail(err, errlen, HL_EXIT_RUNTIME, "could not write the report: %s",
                                    strerror(w.err));
        export_wb_free(&w);
    }
    if (!rc && o->progress && o->progress(o->progress_ctx, total, total) != 0) {
        if (res)
            res->cancelled = 1;
        rc = util_fail(err, errlen, HL_EXIT_RUNTIME, "cancelled; nothing was written");
    }
    if (o->out) {
        if (!rc)
            rc = af_commit(&af, err, errlen);
        if (rc)
            af_abort(&af);
    }
    if (res) {
        res->rows = (int64_t)s.n_rows;
        res->counted = s.total.counted;
        res->misuse = s.total.misuse;
    }
    export_summary_free(&s);
    return rc;
}
