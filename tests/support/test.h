/* test: a minimal test helper. Each test binary lists its test functions in a table of TEST
 * entries that test_main (or test_run_all) runs, then prints "N passed, N failed" and sets the exit
 * code. Below them, the scratch folders, files and commands every test program shares (test.c). */
#ifndef HL_TEST_H
#define HL_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The counts the runner keeps (test.c): support code may CHECK too. */
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

/* The checks behind CHECK_INT, CHECK_STR and CHECK_CONTAINS: each compares, and on a mismatch
 * prints where and what and fails the running test. The macros pass the place and the source
 * text of the arguments, which are evaluated once each. */
void test_check_int(const char *file, int line, const char *a_text, long long a, const char *b_text,
                    long long b);
void test_check_str(const char *file, int line, const char *a_text, const char *a, const char *b);
void test_check_contains(const char *file, int line, const char *hay, const char *needle);

#define CHECK_INT(a, b) test_check_int(__FILE__, __LINE__, #a, (long long)(a), #b, (long long)(b))
#define CHECK_STR(a, b) test_check_str(__FILE__, __LINE__, #a, (a), (b))
/* Substring check, for error messages. */
#define CHECK_CONTAINS(hay, needle) test_check_contains(__FILE__, __LINE__, (hay), (needle))

/* A row of a table of inputs that must be refused: the input, and a piece of the message. */
typedef struct {
    const char *in, *want;
} test_bad;

/* One test of a program's table: the name it is reported by, the function, NULL or an
 * environment variable without which it is skipped (neither run nor counted), and what test_arg
 * returns while it runs (for one function run as several tests, e.g. kfx_golden_main). */
typedef struct {
    const char *name;
    void (*fn)(void);
    const char *only_if_set;
    const void *arg;
} test_case;

/* A table entry named after its function. */
#define TEST(f)                                                                                    \
    {                                                                                              \
        .name = #f, .fn = f                                                                        \
    }
/* One that runs only when the environment variable var is set (it needs a tool few machines
 * have). */
#define TEST_IF_SET(var, f)                                                                        \
    {                                                                                              \
        .name = #f, .fn = f, .only_if_set = var                                                    \
    }
/* The arg of the running test's table entry (NULL outside a table or without one). */
const void *test_arg(void);

/* Runs fn as one test and reports it on stderr: "ok   name" or "FAIL name". RUN(fn) and
 * TEST_END() are the same one test at a time, for a main that lists RUN lines. */
void test_run(const char *name, void (*fn)(void));
#define RUN(fn) test_run(#fn, fn)
/* Runs the n tests of a table in order. */
void test_run_all(const test_case *cases, size_t n);
/* Prints "N passed, N failed" on stdout; returns the exit code, 1 when a test failed. */
int test_summary(void);
#define TEST_END() return test_summary()

/* What becomes of test_root at the end of a run (HL_TEST_KEEP keeps it in any case). */
typedef enum { TEST_REMOVE, TEST_KEEP_FAILED } test_keep;
/* A whole test program that works in a folder of its own: test_begin(name), the table,
 * test_cleanup(test_root) unless keep is TEST_KEEP_FAILED and a test failed, test_summary. Its
 * return value is the program's exit code. */
int test_main(const char *name, test_keep keep, const test_case *cases, size_t n);

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
/* The same into out (cut to cap bytes); returns the exit code, -1 when it did not start or exit. */
int test_capture_to(const char *cmd, char *out, size_t cap);
/* The shell command that runs the hailong-kiosk binary ($HL_BIN_DIR, else bin/) with args (shell
 * words), its stderr joined to stdout, in cmd; aborts when it does not fit. */
void test_kiosk_cmd(char *cmd, size_t cap, const char *args);

/* Removes dir and everything below it. */
void test_rmtree(const char *dir);
/* Makes a fresh directory from tmpl (ending in XXXXXX) and writes its real path to out
 * (PATH_MAX bytes). 0, or -1 after printing why. */
int test_tmpdir(char *tmpl, char *out);
/* The end of a run: remove the tree, or keep it when HL_TEST_KEEP is set. */
void test_cleanup(const char *dir);

#endif
