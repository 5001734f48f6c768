/* test: a minimal test helper. Each test binary defines TEST functions, lists them in main with
 * RUN, and ends with TEST_END, which prints "N passed, N failed" and sets the exit code. Below
 * them, the scratch folders, files and commands every test program shares (test.c). */
#ifndef HL_TEST_H
#define HL_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The counts RUN keeps (test.c): support code may CHECK too. */
extern int t_passed, t_failed, t_cur_failed;

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

/* Real time, for tests of threads and sockets (the UI tests advance a fake clock instead). */
int64_t test_mono_ms(void);
void test_nap_ms(int ms);

/* Polls cond every few ms for up to timeout_ms; a failed check if it never became true. */
#define CHECK_WITHIN(cond, timeout_ms)                                                             \
    do {                                                                                           \
        int64_t end_ = test_mono_ms() + (timeout_ms);                                              \
        int ok_;                                                                                   \
        while (!(ok_ = (cond)) && test_mono_ms() < end_)                                           \
            test_nap_ms(5);                                                                        \
        if (!ok_) {                                                                                \
            fprintf(stderr, "%s:%d: not true within %d ms: %s\n", __FILE__, __LINE__,              \
                    (int)(timeout_ms), #cond);                                                     \
            t_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

/* Files and folders. Every test program works in one folder it makes at start and removes at
 * the end, unless HL_TEST_KEEP is set (then it says where the files are). */

/* The run's folder, made by test_begin. */
extern char test_root[PATH_MAX];
/* Makes test_root, $TMPDIR (or /tmp)/hl-test-<name>-XXXXXX. 0, or -1 after printing why. */
int test_begin(const char *name);
/* A fresh, empty folder under test_root, its path in out; aborts when it cannot. */
void test_new_dir(char *out, size_t cap);
/* dir/name into out; aborts when it does not fit. */
void test_path(char *out, size_t cap, const char *dir, const char *name);
/* Writes len bytes of text to path (created or truncated); exits when it cannot. */
void test_write_file(const char *path, const char *text, size_t len);
/* The same for a string. */
void test_write_text(const char *path, const char *text);

/* The entries of dir (not . and ..), -1 when it cannot be read; *n_suffix (may be NULL) gets how
 * many of them end in suffix (may be NULL). */
int test_count_files(const char *dir, const char *suffix, int *n_suffix);
/* Runs cmd with the shell and returns what it wrote on stdout (malloc'ed; NULL if it could not
 * start); *status (may be NULL) gets its exit code, -1 when it did not exit. */
char *test_capture(const char *cmd, int *status);

/* Removes dir and everything below it. */
void test_rmtree(const char *dir);
/* Makes a fresh directory from tmpl (ending in XXXXXX) and writes its real path to out
 * (PATH_MAX bytes). 0, or -1 after printing why. */
int test_tmpdir(char *tmpl, char *out);
/* The end of a run: remove the tree, or keep it when HL_TEST_KEEP is set. */
void test_cleanup(const char *dir);

#endif
