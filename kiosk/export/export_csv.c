/* export_csv: the votes as CSV (UTF-8 with a BOM, RFC 4180), one row per vote in time order,
 * streamed from the reader into the temp file through a buffer. */
#include "export_int.h"

#include <stdio.h>

#include "rating.h"
#include "util.h"

typedef struct {
    export_walk walk;
    export_wbuf w;
} csv_out;

static int csv_vote(void *ctx, const store_read_vote *v)
{
    csv_out *x = ctx;
    export_job *j = x->walk.j;
    if (export_job_take(j, v)) {
        char seq[24], rating[4], when[20], misuse[2];
        export_fmt_i64(seq, sizeof seq, v->seq);
        snprintf(rating, sizeof rating, "%d", v->rating % 10);
        export_fmt_local_dt(v->created_at, when);
        misuse[0] = v->misuse ? '1' : '0';
        misuse[1] = '\0';
        const char *cells[V_NCOLS] = {v->uuid,
                                      v->kiosk_id,
                                      seq,
                                      v->officer_code,
                                      export_officer_name(&j->rx, v->officer_code),
                                      rating,
                                      rating_label(v->rating),
                                      export_reasons_text(&j->rx, v->reasons),
                                      when,
                                      misuse,
                                      export_sync_label(v->sync_state)};
        export_csv_row(&x->w, cells, V_NCOLS);
        j->res.rows++;
    }
    if (x->w.err)
        return 1; /* stop: the write error is in the buffer, reported after the walk */
    return export_walk_tick(&x->walk);
}

int export_csv_votes(export_job *j, char *err, size_t errlen)
{
    csv_out x = {.walk = {.j = j, .err = err, .errlen = errlen}};
    export_wb_init(&x.w, af_fd(&j->af), NULL);
    export_wb_put(&x.w, "\xEF\xBB\xBF", 3); /* BOM: Excel then reads the file as UTF-8 */
    export_csv_row(&x.w, export_vote_headers, V_NCOLS);
    store_range range = {j->from_ms, j->to_ms};
    int rc = HL_EXIT_RUNTIME;
    if (store_reader_votes(j->db, range, csv_vote, &x, err, errlen) == STORE_OK)
        rc = x.walk.rc;
    if (!rc)
        export_wb_flush(&x.w);
    if (!rc && x.w.err)
        rc = af_write_error(&j->af, x.w.err, err, errlen);
    export_wb_free(&x.w);
    return rc;
}
