/* test: the counters behind test.h's macros and the scratch folders and files every test program
 * uses, so that no test carries its own copy. */
#include "test.h"

#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "buf.h"
#include "util.h"

int t_passed, t_failed, t_cur_failed;
char test_root[PATH_MAX];

static int test_dirs; /* folders test_new_dir made */

void test_check_int(const char *file, int line, const char *a_text, long long a, const char *b_text,
                    long long b)
{
    if (a != b) {
        fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", file, line, a_text, a, b_text,
                b);
        t_cur_failed = 1;
    }
}

void test_check_str(const char *file, int line, const char *a_text, const char *a, const char *b)
{
    if (!a || !b || strcmp(a, b) != 0) {
        fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", file, line, a_text,
                a ? a : "(null)", b ? b : "(null)");
        t_cur_failed = 1;
    }
}

void test_check_contains(const char *file, int line, const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle)) {
        fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", file, line, hay ? hay : "(null)",
                needle);
        t_cur_failed = 1;
    }
}

void test_run(const char *name, void (*fn)(void))
{
    t_cur_failed = 0;
    fn();
    if (t_cur_failed) {
        t_failed++;
        fprintf(stderr, "FAIL %s\n", name);
    } else {
        t_passed++;
        fprintf(stderr, "ok   %s\n", name);
    }
}

static const void *cur_arg; /* test_arg's answer */

const void *test_arg(void)
{
    return cur_arg;
}

void test_run_all(const test_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (cases[i].only_if_set && !getenv(cases[i].only_if_set))
            continue;
        cur_arg = cases[i].arg;
        test_run(cases[i].name, cases[i].fn);
        cur_arg = NULL;
    }
}

int test_summary(void)
{
    printf("%d passed, %d failed\n", t_passed, t_failed);
    return t_failed ? 1 : 0;
}

int test_main(const char *name, test_keep keep, const test_case *cases, size_t n)
{
    if (test_begin(name) != 0)
        return 1;
    test_run_all(cases, n);
    if (keep == TEST_REMOVE || !t_failed)
        test_cleanup(test_root);
    return test_summary();
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

void test_rmtree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int test_tmpdir(char *tmpl, char *out)
{
    if (!mkdtemp(tmpl) || !realpath(tmpl, out)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

void test_cleanup(const char *dir)
{
    if (getenv("HL_TEST_KEEP"))
        fprintf(stderr, "kept %s\n", dir);
    else
        test_rmtree(dir);
}

int64_t test_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void test_nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int test_begin(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    char tmpl[PATH_MAX];
    if (util_fmt(tmpl, sizeof tmpl, "%s/hl-test-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name) !=
        0) {
        fprintf(stderr, "TMPDIR is too long\n");
        return -1;
    }
    return test_tmpdir(tmpl, test_root);
}

void test_new_dir(char *out, size_t cap)
{
    if (util_fmt(out, cap, "%s/t%d", test_root, ++test_dirs) != 0 || mkdir(out, 0755) != 0) {
        perror(out);
        abort();
    }
}

void test_path(char *out, size_t cap, const char *dir, const char *name)
{
    if (util_fmt(out, cap, "%s/%s", dir, name) != 0) {
        fprintf(stderr, "path too long: %s/%s\n", dir, name);
        abort();
    }
}

void test_write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

int test_count_files(const char *dir, const char *suffix, int *n_suffix)
{
    if (n_suffix)
        *n_suffix = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    size_t sl = suffix ? strlen(suffix) : 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        size_t l = strlen(e->d_name);
        if (suffix && n_suffix && l >= sl && !strcmp(e->d_name + l - sl, suffix))
            (*n_suffix)++;
    }
    closedir(d);
    return n;
}

void test_write_text(const char *path, const char *text)
{
    test_write_file(path, text, strlen(text));
}

char *test_capture(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    buf out = {0};
    buf_add(&out, "", 0); /* "" when it writes nothing */
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_add(&out, chunk, n);
    int st = pclose(p);
    if (status)
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return buf_take(&out);
}

int test_capture_to(const char *cmd, char *out, size_t cap)
{
    int st = -1;
    char *text = test_capture(cmd, &st);
    util_strlcpy(out, text ? text : "", cap);
    if (!text)
        return -1;
    free(text);
    return st;
}

void test_kiosk_cmd(char *cmd, size_t cap, const char *args)
{
    const char *bin = getenv("HL_BIN_DIR");
    if (util_fmt(cmd, cap, "'%s/hailong-kiosk' %s 2>&1", bin ? bin : "bin", args) != 0) {
        fprintf(stderr, "command too long: %s\n", args);
        abort();
    }
}
