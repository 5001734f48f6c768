/* test_proc_import: procedures from the IT staff's CSV: the all-or-nothing import into
 * procedures.json (written, loaded back equal, nothing left behind on failure), the JSON round
 * trip, and the real `hailong-kiosk import-procedures`. The CSV reader itself: test_proc. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfx.h"
#include "proc.h"
#include "test.h"
#include "util.h"

static int same_str(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Deep equality of two sets (the note aside). */
static int sets_equal(const proc_set *a, const proc_set *b)
{
    if (a->n_items != b->n_items || a->n_fields != b->n_fields)
        return 0;
    for (size_t i = 0; i < a->n_fields; i++)
        if (!same_str(a->fields[i].id, b->fields[i].id) ||
            !same_str(a->fields[i].name, b->fields[i].name) ||
            a->fields[i].n_items != b->fields[i].n_items)
            return 0;
    for (size_t i = 0; i < a->n_items; i++) {
        const proc_item *x = &a->items[i], *y = &b->items[i];
        if (!same_str(x->id, y->id) || !same_str(x->code, y->code) || !same_str(x->name, y->name) ||
            x->field != y->field || !same_str(x->level, y->level) ||
            !same_str(x->time_limit, y->time_limit) || !same_str(x->fees, y->fees) ||
            !same_str(x->where, y->where) || x->online != y->online || !same_str(x->url, y->url) ||
            x->n_docs != y->n_docs || x->n_steps != y->n_steps || x->n_legal != y->n_legal)
            return 0;
        for (size_t k = 0; k < x->n_docs; k++)
            if (!same_str(x->docs[k].name, y->docs[k].name) ||
                !same_str(x->docs[k].copies, y->docs[k].copies))
                return 0;
        for (size_t k = 0; k < x->n_steps; k++)
            if (!same_str(x->steps[k], y->steps[k]))
                return 0;
        for (size_t k = 0; k < x->n_legal; k++)
            if (!same_str(x->legal[k], y->legal[k]))
                return 0;
    }
    return 1;
}

/* Files in dir other than keep: a failed import must leave no temporary file behind. */
static int stray_files(const char *dir, const char *keep)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, keep)) {
            fprintf(stderr, "  stray file %s/%s\n", dir, e->d_name);
            n++;
        }
    if (d)
        closedir(d);
    return n;
}

static void test_import(void)
{
    char dir[PATH_MAX], dest[PATH_MAX * 2], src[PATH_MAX * 2], err[HL_ERR_MAX] = "";
    test_new_dir(dir, sizeof dir);
    util_fmt(dest, sizeof dest, "%s/procedures.json", dir);

    /* A good CSV: written, loads, and equals what the CSV says. */
    size_t n = 0;
    int rc = proc_import(pfx_sample_csv(), dest, &n, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    REQUIRE(rc == 0);
    CHECK_INT(n, 3);
    CHECK_INT(stray_files(dir, "procedures.json"), 0);
    proc_set *from_csv = pfx_load_sample(), *loaded = NULL;
    REQUIRE(from_csv);
    rc = proc_load(&loaded, dest, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    REQUIRE(rc == 0);
    CHECK(sets_equal(from_csv, loaded));
    CHECK_CONTAINS(loaded->note, "Imported from procedures-sample.csv");
    proc_free(from_csv);
    proc_free(loaded);

    /* A bad row: exit 2, nothing written, the existing file byte for byte the same. */
    size_t before_len;
    char *before = util_read_file(dest, &before_len);
    REQUIRE(before);
    util_fmt(src, sizeof src, "%s/bad.csv", test_root);
    const char *bad = PFX_CSV_HDR "a" PFX_CSV_ROW_REST "b" PFX_CSV_ROW_REST
                                  "c,,Kết hôn,ho-tich,Hộ tịch,Cấp xã,Trong ngày,"
                                  "Miễn phí,Tờ khai,Nộp,Một cửa,,maybe,\n";
    test_write_file(src, bad, strlen(bad));
    n = 99;
    rc = proc_import(src, dest, &n, err, sizeof err);
    CHECK_INT(rc, HL_EXIT_USAGE);
    CHECK_INT(n, 0);
    CHECK_CONTAINS(err, "bad.csv:4: column online: \"maybe\"");
    size_t after_len;
    char *after = util_read_file(dest, &after_len);
    REQUIRE(after);
    CHECK(after_len == before_len && memcmp(before, after, before_len) == 0);
    CHECK_INT(stray_files(dir, "procedures.json"), 0);
    free(after);

    /* A bad JSON source likewise. */
    util_fmt(src, sizeof src, "%s/bad.json", test_root);
    const char *badj =
        "  \n{\"format\": 1, " PFX_FIELDS ", \"procedures\": [" PFX_PROC("a", "") "]}";
    test_write_file(src, badj, strlen(badj));
    rc = proc_import(src, dest, &n, err, sizeof err);
    CHECK_INT(rc, HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "bad.json: procedures[0] (a).name: empty");
    after = util_read_file(dest, &after_len);
    REQUIRE(after);
    CHECK(after_len == before_len && memcmp(before, after, before_len) == 0);
    free(after);

    /* A JSON source is recognised by its '{' and written out again; its note is kept. */
    util_fmt(src, sizeof src, "%s/good.json", test_root);
    const char *goodj = "\xEF\xBB\xBF\n{\"format\": 1, \"_note\": \"Sở Tư pháp\", " PFX_FIELDS
                        ", \"procedures\": [" PFX_PROC("a", "Khai sinh") "]}";
    test_write_file(src, goodj, strlen(goodj));
    rc = proc_import(src, dest, &n, err, sizeof err);
    CHECK_INT(rc, 0);
    CHECK_INT(n, 1);
    rc = proc_load(&loaded, dest, err, sizeof err);
    REQUIRE(rc == 0);
    CHECK_STR(loaded->note, "Sở Tư pháp");
    CHECK_STR(loaded->items[0].name, "Khai sinh");
    proc_free(loaded);

    /* Missing source: usage error. Destination folder missing: runtime error, nothing made. */
    util_fmt(src, sizeof src, "%s/none.csv", test_root);
    CHECK_INT(proc_import(src, dest, &n, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "none.csv: cannot open: No such file or directory");
    char nodest[PATH_MAX * 3];
    util_fmt(nodest, sizeof nodest, "%s/no-such-dir/procedures.json", dir);
    CHECK_INT(proc_import(pfx_sample_csv(), nodest, &n, err, sizeof err), HL_EXIT_RUNTIME);
    CHECK_CONTAINS(err, "no-such-dir/procedures.json: cannot write");
    free(before);
}

/* proc_write_json -> proc_load gives the same set, and writing that again gives the same bytes. */
static void test_round_trip(void)
{
    char dir[PATH_MAX], p1[PATH_MAX * 2], p2[PATH_MAX * 2], err[HL_ERR_MAX] = "";
    test_new_dir(dir, sizeof dir);
    util_fmt(p1, sizeof p1, "%s/one.json", dir);
    util_fmt(p2, sizeof p2, "%s/two.json", dir);
    proc_set *a = pfx_load_sample(), *b = NULL;
    REQUIRE(a);
    a->note = xstrdup("ghi chú \"trích dẫn\"");
    CHECK_INT(proc_write_json(a, p1, err, sizeof err), 0);
    int rc = proc_load(&b, p1, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    REQUIRE(rc == 0);
    CHECK(sets_equal(a, b));
    CHECK_STR(b->note, a->note);
    CHECK_INT(proc_write_json(b, p2, err, sizeof err), 0);
    size_t l1, l2;
    char *t1 = util_read_file(p1, &l1), *t2 = util_read_file(p2, &l2);
    REQUIRE(t1 && t2);
    CHECK(l1 == l2 && memcmp(t1, t2, l1) == 0);
    CHECK(l1 > 0 && t1[l1 - 1] == '\n');
    free(t1);
    free(t2);
    proc_free(a);
    proc_free(b);
}

/* ---- the real binary ---- */

/* Runs the kiosk binary with args through the shell; returns its exit code, output in out. */
static int run_kiosk(const char *args, char *out, size_t cap)
{
    char cmd[PATH_MAX * 5];
    test_kiosk_cmd(cmd, sizeof cmd, args);
    return test_capture_to(cmd, out, cap);
}

static void test_import_command(void)
{
    char dir[PATH_MAX], args[PATH_MAX * 4], out[4096], dest[PATH_MAX * 2], bad[PATH_MAX * 2];
    test_new_dir(dir, sizeof dir);
    util_fmt(dest, sizeof dest, "%s/procedures.json", dir);

    CHECK_INT(run_kiosk("import-procedures --help", out, sizeof out), 0);
    CHECK_CONTAINS(out, "import-procedures FILE");
    CHECK_INT(run_kiosk("import-procedures", out, sizeof out), 2);

    util_fmt(args, sizeof args, "import-procedures '%s' --content-dir '%s'", pfx_sample_csv(), dir);
    CHECK_INT(run_kiosk(args, out, sizeof out), 0);
    char want[PATH_MAX * 3];
    util_fmt(want, sizeof want, "Imported 3 procedures into %s", dest);
    CHECK_CONTAINS(out, want);
    proc_set *s = NULL;
    char err[HL_ERR_MAX];
    CHECK_INT(proc_load(&s, dest, err, sizeof err), 0);
    proc_free(s);

    /* A bad file: exit 2 with the message; the file imported before stays. */
    size_t before_len, after_len;
    char *before = util_read_file(dest, &before_len);
    REQUIRE(before);
    util_fmt(bad, sizeof bad, "%s/bad-cmd.csv", test_root);
    const char *text =
        PFX_CSV_HDR "a,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,,Nộp,Một cửa,,"
                    "full,\n";
    test_write_file(bad, text, strlen(text));
    util_fmt(args, sizeof args, "import-procedures '%s' --content-dir '%s'", bad, dir);
    CHECK_INT(run_kiosk(args, out, sizeof out), 2);
    CHECK_CONTAINS(out, "bad-cmd.csv:2: column documents: empty");
    char *after = util_read_file(dest, &after_len);
    REQUIRE(after);
    CHECK(after_len == before_len && memcmp(before, after, before_len) == 0);
    free(before);
    free(after);

    /* --config: content_dir comes from the config file. */
    char ini[PATH_MAX * 2], sub[PATH_MAX * 2];
    util_fmt(sub, sizeof sub, "%s/content", dir);
    REQUIRE(util_mkdirs(sub) == 0);
    util_fmt(ini, sizeof ini, "%s/kiosk.ini", dir);
    const char *conf = "[kiosk]\ncontent_dir = content\n";
    test_write_file(ini, conf, strlen(conf));
    util_fmt(args, sizeof args, "import-procedures '%s' --config '%s'", pfx_sample_csv(), ini);
    CHECK_INT(run_kiosk(args, out, sizeof out), 0);
    util_fmt(dest, sizeof dest, "%s/procedures.json", sub);
    CHECK(util_file_exists(dest));
}

static const test_case cases[] = {TEST(test_import), TEST(test_round_trip),
                                  TEST(test_import_command)};

int main(void)
{
    return test_main("proc-import", TEST_KEEP_FAILED, cases, HL_ARRAY_LEN(cases));
}
