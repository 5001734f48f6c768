/* test: a minimal test helper. Each test binary defines TEST functions, lists them in main with
 * RUN, and ends with TEST_END, which prints "N passed, N failed" and sets the exit code. */
#ifndef HL_TEST_H
#define HL_TEST_H

#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_passed, t_failed, t_cur_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            t_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond);             \
            t_cur_failed = 1;                                                                      \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) {                                                                            \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a,    \
                    a_, #b, b_);                                                                   \
            t_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                   \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,      \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                       \
            t_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

/* Substring check, for error messages. */
#define CHECK_CONTAINS(hay, needle)                                                                \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        if (!h_ || !strstr(h_, n_)) {                                                              \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__,         \
                    h_ ? h_ : "(null)", n_);                                                       \
            t_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        t_cur_failed = 0;                                                                          \
        fn();                                                                                      \
        if (t_cur_failed) {                                                                        \
            t_failed++;                                                                            \
            fprintf(stderr, "FAIL %s\n", #fn);                                                     \
        } else {                                                                                   \
            t_passed++;                                                                            \
            fprintf(stderr, "ok   %s\n", #fn);                                                     \
        }                                                                                          \
    } while (0)

#define TEST_END()                                                                                 \
    do {                                                                                           \
        printf("%d passed, %d failed\n", t_passed, t_failed);                                      \
        return t_failed ? 1 : 0;                                                                   \
    } while (0)

/* Temporary trees: every test program works in one directory it makes at start and removes at
 * the end, unless HL_TEST_KEEP is set (then it says where the files are). */

static inline int test_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

/* Removes dir and everything below it. */
static inline void test_rmtree(const char *dir)
{
    nftw(dir, test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Makes a fresh directory from tmpl (ending in XXXXXX) and writes its real path to out
 * (PATH_MAX bytes). 0, or -1 after printing why. */
static inline int test_tmpdir(char *tmpl, char *out)
{
    if (!mkdtemp(tmpl) || !realpath(tmpl, out)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

/* The end of a run: remove the tree, or keep it when HL_TEST_KEEP is set. */
static inline void test_cleanup(const char *dir)
{
    if (getenv("HL_TEST_KEEP"))
        fprintf(stderr, "kept %s\n", dir);
    else
        test_rmtree(dir);
}

#endif
