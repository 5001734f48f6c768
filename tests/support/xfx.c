/* xfx: the export tests' fixture: content whose names need quoting, hand-made votes around the
 * edges of November 2026 (Vietnam time), and a bulk set; written once per test program. */
#include "xfx.h"

#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "seed.h"
#include "test.h"
#include "util.h"

xfx_data xfx;

int64_t xfx_ms(const char *s)
{
    int64_t ms = 0;
    if (clk_parse_local(s, &ms) != 0) {
        fprintf(stderr, "bad time %s\n", s);
        exit(1);
    }
    return ms;
}

static void add(store *s, xfx_vote *mv, const char *code, int rating, const char *when)
{
    char err[HL_ERR_MAX];
    mv->when = when;
    if (store_add_vote(s, "test-01", "boot-1", code, rating, xfx_ms(when), 0, &mv->v, err,
                       sizeof err) != 0) {
        fprintf(stderr, "store_add_vote: %s\n", err);
        exit(1);
    }
}

/* Votes around November 2026 in Vietnam time. Order matters for misuse: a vote within 5 s after
 * the latest one is misuse, an earlier one (clock went back) is not. */
static void make_votes(void)
{
    store *s = seed_open(xfx.data_dir, 5000);
    if (!s)
        exit(1);
    char err[HL_ERR_MAX];
    add(s, &xfx.first, "a", 3, "2026-11-01T00:00:00");  /* first second of the period */
    add(s, &xfx.before, "a", 1, "2026-10-31T23:59:59"); /* last second before it */
    add(s, &xfx.misuse, "a", 1, "2026-11-01T00:00:02"); /* 2 s after xfx.first: misuse */
    xfx.c.when = "2026-11-05T09:00:00";
    if (store_add_vote(s, "test-01", "boot-1", "c", 1, xfx_ms(xfx.c.when), 1, &xfx.c.v, err,
                       sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    const char *codes[] = {"cham", "khac"};
    if (store_finish_vote(s, xfx.c.v.uuid, codes, 2, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    add(s, &xfx.b, "b", 2, "2026-11-10T10:00:00");
    add(s, &xfx.gone, "gone", 2, "2026-11-12T08:00:00"); /* an officer no longer in content */
    add(s, &xfx.after, "b", 1, "2026-12-01T00:00:00");   /* first second after the period */
    add(s, &xfx.last, "b", 3, "2026-11-30T23:59:59");    /* last second of the period */
    if (!xfx.misuse.v.misuse || xfx.first.v.misuse || xfx.before.v.misuse || xfx.last.v.misuse) {
        fprintf(stderr, "fixture: misuse flags are not as planned\n");
        exit(1);
    }
    store_close(s);
}

/* Bulk vote i: officer "a", one a minute from 2026-11-01. */
static void bulk_vote(int i, seed_vote *v, void *ctx)
{
    v->officer = "a";
    v->rating = 1 + i % 3;
    v->created_at = *(const int64_t *)ctx + (int64_t)i * 60000;
}

/* 10 000 votes, one a minute from 2026-11-01. */
void xfx_make_bulk(void)
{
    static int made;
    if (made++)
        return;
    int64_t t0 = xfx_ms("2026-11-01T00:00:00");
    seed_spec spec = {.kiosk_id = "bulk", .n = 10000, .vote = bulk_vote, .ctx = &t0};
    if (seed_votes(xfx.bulk_dir, &spec) != 0)
        exit(1);
}

static void make_content(void)
{
    const char *demo = getenv("HAILONG_ASSETS");
    char demo_dir[PATH_MAX], from[PATH_MAX * 2], to[PATH_MAX * 2];
    test_path(demo_dir, sizeof demo_dir, demo ? demo : HL_SOURCE_ASSETS_DIR, "content");
    util_mkdirs(xfx.content_dir);
    const char *copy[] = {"commune.json", "slogans.json"};
    for (size_t i = 0; i < HL_ARRAY_LEN(copy); i++) {
        test_path(from, sizeof from, demo_dir, copy[i]);
        test_path(to, sizeof to, xfx.content_dir, copy[i]);
        size_t n;
        char *s = util_read_file(from, &n);
        if (!s) {
            perror(from);
            exit(1);
        }
        test_write_text(to, s);
        free(s);
    }
    test_path(to, sizeof to, xfx.content_dir, "officers.json");
    test_write_text(to,
                    "{\"format\": 1, \"officers\": [\n"
                    "  {\"code\": \"a\", \"name\": \"Nguyễn Văn \\\"Tư\\\", Jr\", "
                    "\"title\": \"Công chức, \\\"Tư pháp\\\"\"},\n"
                    "  {\"code\": \"b\", \"name\": \"Trần Thị Bình\", \"title\": \"Công chức\"},\n"
                    "  {\"code\": \"c\", \"name\": \"Lê Văn Cường\", \"title\": \"Công chức\"},\n"
                    "  {\"code\": \"d\", \"name\": \"Đỗ Thị Dung\", \"title\": \"Công chức\"}\n"
                    "]}\n");
    test_path(to, sizeof to, xfx.content_dir, "reasons.json");
    test_write_text(to, "{\"format\": 1, \"reasons\": [\n"
                        "  {\"code\": \"cham\", \"label\": \"Chậm, \\\"rất\\\" chậm\"},\n"
                        "  {\"code\": \"khac\", \"label\": \"Khác\"}\n"
                        "]}\n");
    char err[HL_ERR_MAX];
    if (content_load(&xfx.ct, xfx.content_dir, err, sizeof err) != 0) {
        fprintf(stderr, "content_load: %s\n", err);
        exit(1);
    }
    /* Line breaks cannot come from the files; the export must still quote them. */
    content_officer *c = (content_officer *)content_find_officer(xfx.ct, "c");
    free(c->name);
    c->name = xstrdup(XFX_NAME_C);
    content_reason *k = (content_reason *)content_find_reason(xfx.ct, "khac");
    free(k->label);
    k->label = xstrdup(XFX_REASON_KHAC);
}

int xfx_begin(const char *name)
{
    char tmpl[64];
    /* In the build folder, on the disk the exports are written to, not a tmpfs /tmp. */
    if (util_fmt(tmpl, sizeof tmpl, "%s-XXXXXX", name) != 0 || test_tmpdir(tmpl, test_root) != 0)
        return -1;
    test_path(xfx.content_dir, sizeof xfx.content_dir, test_root, "content");
    test_path(xfx.data_dir, sizeof xfx.data_dir, test_root, "data");
    test_path(xfx.bulk_dir, sizeof xfx.bulk_dir, test_root, "bulk");
    make_content();
    make_votes();
    return 0;
}

void xfx_end(void)
{
    content_free(xfx.ct);
    xfx.ct = NULL;
    if (!t_failed) /* a failed run keeps its files to look at */
        test_cleanup(test_root);
}

int xfx_main(const char *name, const test_case *cases, size_t n)
{
    if (xfx_begin(name) != 0)
        return 1;
    test_run_all(cases, n);
    xfx_end();
    return test_summary();
}
