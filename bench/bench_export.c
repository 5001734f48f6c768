/* bench_export: exports 1 000 000 votes as CSV and XLSX (design.md §5: CSV ≤ 2 s, XLSX ≤ 20 s)
 * and the month's report, each in its own forked child so its peak RSS is its own. Run by
 * `cmake --build build --target bench`; results go to docs/PERFORMANCE.md ("Exports"). */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "clock.h"
#include "content.h"
#include "export.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define TARGET_CSV_S  2.0
#define TARGET_XLSX_S 20.0

typedef struct {
    const char *work; /* temp data goes here: on the disk, not a tmpfs /tmp */
    long votes;
    int smoke, keep;
} bench_opts;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void field(const char *path, const char *key, char *out, size_t cap)
{
    char *s = util_read_file(path, NULL);
    const char *p = s ? strstr(s, key) : NULL;
    if (p && (p = strchr(p, ':'))) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        util_fmt(out, cap, "%.*s", (int)strcspn(p, "\n"), p); /* cut to cap */
    }
    free(s);
}

static void print_machine(const bench_opts *bo)
{
    char cpu[256] = "unknown", mem[64] = "0", when[32];
    field("/proc/cpuinfo", "model name", cpu, sizeof cpu);
    field("/proc/meminfo", "MemTotal", mem, sizeof mem);
    struct utsname u;
    if (uname(&u) != 0)
        memset(&u, 0, sizeof u);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    struct statfs sf;
    int tmpfs = statfs(bo->work, &sf) == 0 && (unsigned long)sf.f_type == 0x01021994UL;
    char work[PATH_MAX];
    if (!realpath(bo->work, work))
        util_strlcpy(work, bo->work, sizeof work);
    char *load = util_read_file("/proc/loadavg", NULL);
    if (load)
        load[strcspn(load, "\n")] = '\0';
    printf("Hài lòng export benchmark (design.md §5), %s%s\n", when,
           bo->smoke ? "  [SMOKE RUN: few votes, figures not meaningful]" : "");
    printf("  cpu:     %s, %ld cores online\n", cpu, sysconf(_SC_NPROCESSORS_ONLN));
    printf("  memory:  %.1f GiB\n", (double)strtoull(mem, NULL, 10) / (1024.0 * 1024.0));
    printf("  kernel:  %s %s %s\n", u.sysname, u.release, u.machine);
    printf("  sqlite:  %s, libxlsxwriter %s\n", sqlite3_libversion(), LXW_VERSION);
    printf("  data on: %s%s\n", work, tmpfs ? " (tmpfs: not representative)" : "");
    printf("  load average at start: %s\n\n", load ? load : "?");
    free(load);
}

/* votes.db with n votes over November 2026 (Vietnam time), in one transaction straight through
 * SQLite: 6 officers of the demo content and one code no longer in it; 60 % rất hài lòng, 30 %
 * hài lòng, 10 % chưa hài lòng with two reasons; 2 % flagged as misuse. */
static int make_votes(const char *dir, long n)
{
    char err[HL_ERR_MAX], path[PATH_MAX + 16];
    store *s = NULL;
    store_opts so = {0};
    if (store_open(&s, dir, &so, err, sizeof err) != 0) {
        fprintf(stderr, "bench_export: %s\n", err);
        return -1;
    }
    store_close(s);
    util_fmt(path, sizeof path, "%s/votes.db", dir);
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA synchronous=OFF; BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, "
                           "rating, reasons, created_at, misuse, sync_state) "
                           "VALUES (?1, 'ubnd-xa-bom-bo-01', ?2, "
                           "'0b0e1d2c-5f3a-4c7b-9e2d-1a2b3c4d5e6f', ?3, ?4, ?5, ?6, ?7, 'sent')",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_export: %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    static const char *const officers[] = {"vp-lan", "tp-hung", "tp-ha",  "dc-minh",
                                           "vh-mai", "tc-tuan", "cu-binh"};
    int64_t t0 = 1793466000000LL;            /* 2026-11-01 00:00 Vietnam time */
    int64_t span = 30LL * 86400000LL - 1000; /* the whole month */
    uint32_t x = 12345;
    for (long i = 1; i <= n; i++) {
        x = x * 1664525u + 1013904223u; /* a fixed sequence: every run the same votes */
        char uuid[64];
        snprintf(uuid, sizeof uuid, "%08lx-%04x-4%03x-8%03x-%012llx",
                 (unsigned long)i & 0xffffffffUL, (unsigned)(x >> 16) & 0xffffu,
                 (unsigned)(x & 0xfff), (unsigned)((x >> 4) & 0xfff),
                 ((unsigned long long)i * 2654435761ULL) & 0xffffffffffffULL);
        int r = (x >> 8) % 10;
        int rating = r < 6 ? 3 : r < 9 ? 2 : 1;
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, i);
        sqlite3_bind_text(st, 3, officers[(x >> 12) % 7], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, rating);
        sqlite3_bind_text(st, 5, rating == 1 ? "[\"cham-tre\",\"huong-dan\"]" : "[]", -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, t0 + span * (int64_t)i / n);
        sqlite3_bind_int(st, 7, (x >> 20) % 50 == 0);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fprintf(stderr, "bench_export: insert: %s\n", sqlite3_errmsg(db));
            sqlite3_finalize(st);
            sqlite3_close(db);
            return -1;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    int rc = sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

typedef enum { JOB_SETUP, JOB_CSV, JOB_XLSX, JOB_REPORT } job_kind;

typedef struct {
    double seconds;
    long maxrss_kb;
    int ok;
    long long size;
} job_result;

/* The child's work; returns its exit code. */
static int child(job_kind kind, const bench_opts *bo, const char *dir, const char *out)
{
    if (kind == JOB_SETUP)
        return make_votes(dir, bo->votes) == 0 ? 0 : 1;
    char assets[PATH_MAX], content_dir[PATH_MAX + 16], err[HL_ERR_MAX];
    const char *env = getenv("HAILONG_ASSETS");
    util_strlcpy(assets, env ? env : HL_SOURCE_ASSETS_DIR, sizeof assets);
    util_fmt(content_dir, sizeof content_dir, "%s/content", assets);
    content *c = NULL;
    if (content_load(&c, content_dir, err, sizeof err) != 0) {
        fprintf(stderr, "bench_export: %s\n", err);
        return 1;
    }
    int rc;
    if (kind == JOB_REPORT) {
        export_report_opts o = {.db = dir,
                                .content = c,
                                .year = 2026,
                                .month = 11,
                                .format = EXPORT_FMT_TEXT,
                                .out = out};
        rc = export_report(&o, NULL, err, sizeof err);
    } else {
        export_votes_opts o = {.db = dir,
                               .content = c,
                               .from = {2026, 11, 1},
                               .to = {2026, 11, 30},
                               .format = kind == JOB_CSV ? EXPORT_FMT_CSV : EXPORT_FMT_XLSX,
                               .out = out,
                               .include_misuse = 1};
        rc = export_votes(&o, NULL, err, sizeof err);
    }
    if (rc)
        fprintf(stderr, "bench_export: %s\n", err);
    content_free(c);
    return rc;
}

static job_result run_job(job_kind kind, const bench_opts *bo, const char *dir, const char *out)
{
    job_result r = {0, 0, 0, 0};
    fflush(stdout);
    double t0 = mono_s();
    pid_t pid = fork();
    if (pid == 0)
        _exit(child(kind, bo, dir, out));
    if (pid < 0)
        return r;
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    r.seconds = mono_s() - t0;
    r.maxrss_kb = ru.ru_maxrss;
    r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    struct stat st;
    if (out && stat(out, &st) == 0)
        r.size = (long long)st.st_size;
    return r;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: bench_export [--work-dir DIR] [--votes N] [--smoke] [--keep]\n"
               "Creates N votes (default 1000000) in a temp votes.db under DIR (default .),\n"
               "then exports them as CSV and XLSX and writes the month's report, each in a\n"
               "forked child; prints wall time and the child's peak RSS (ru_maxrss).\n"
               "  --smoke  20000 votes: only checks that the benchmark works\n"
               "  --keep   leave the temp folder (votes.db and the exports) in place\n");
}

int main(int argc, char **argv)
{
    bench_opts bo = {.work = ".", .votes = 1000000};
    for (int i = 1; i < argc; i++) {
        long v;
        if (strcmp(argv[i], "--work-dir") == 0 && i + 1 < argc) {
            bo.work = argv[++i];
        } else if (strcmp(argv[i], "--votes") == 0 && i + 1 < argc &&
                   util_parse_int(argv[i + 1], 1, 50000000, &v) == 0) {
            bo.votes = v;
            i++;
        } else if (strcmp(argv[i], "--smoke") == 0) {
            bo.smoke = 1;
            bo.votes = 20000;
        } else if (strcmp(argv[i], "--keep") == 0) {
            bo.keep = 1;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    log_set_level(LOG_WARN);
    char dir[PATH_MAX], csv[PATH_MAX + 16], xlsx[PATH_MAX + 16], txt[PATH_MAX + 16];
    util_fmt(dir, sizeof dir, "%s/bench-export-XXXXXX", bo.work);
    if (!mkdtemp(dir)) {
        perror(dir);
        return 1;
    }
    util_fmt(csv, sizeof csv, "%s/votes.csv", dir);
    util_fmt(xlsx, sizeof xlsx, "%s/votes.xlsx", dir);
    util_fmt(txt, sizeof txt, "%s/report.txt", dir);
    print_machine(&bo);

    job_result setup = run_job(JOB_SETUP, &bo, dir, NULL);
    printf("setup: %ld votes inserted in %.1f s (one transaction, not part of the figures)\n\n",
           bo.votes, setup.seconds);
    if (!setup.ok)
        return 1;
    struct rusage self;
    getrusage(RUSAGE_SELF, &self);

    const struct {
        job_kind kind;
        const char *name, *out;
        double target;
    } jobs[] = {{JOB_CSV, "export CSV", csv, TARGET_CSV_S},
                {JOB_XLSX, "export XLSX", xlsx, TARGET_XLSX_S},
                {JOB_REPORT, "report (text, month)", txt, 0}};
    int fails = 0;
    printf("| what | votes | target | wall time | peak RSS | output |\n");
    printf("| --- | --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < HL_ARRAY_LEN(jobs); i++) {
        job_result r = run_job(jobs[i].kind, &bo, dir, jobs[i].out);
        char target[32] = "—", verdict[16] = "";
        if (jobs[i].target > 0) {
            snprintf(target, sizeof target, "≤ %.0f s", jobs[i].target);
            snprintf(verdict, sizeof verdict, r.seconds <= jobs[i].target ? " ok" : " **MISS**");
        }
        printf("| %s | %ld | %s | %.2f s%s | %.1f MiB | %.1f MiB |\n", jobs[i].name, bo.votes,
               target, r.seconds, bo.smoke ? "" : verdict, (double)r.maxrss_kb / 1024.0,
               (double)r.size / (1024.0 * 1024.0));
        if (!r.ok) {
            printf("  (%s FAILED)\n", jobs[i].name);
            fails++;
        }
    }
    printf("\nThe benchmark process itself (the children's starting point after fork): peak "
           "RSS %.1f MiB.\n",
           (double)self.ru_maxrss / 1024.0);
    char *load = util_read_file("/proc/loadavg", NULL);
    if (load) {
        load[strcspn(load, "\n")] = '\0';
        printf("load average at end: %s\n", load);
        free(load);
    }
    if (!bo.keep) {
        char cmd[PATH_MAX + 16];
        util_fmt(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_export: could not remove %s\n", dir);
    } else {
        printf("kept: %s\n", dir);
    }
    return fails ? 1 : 0;
}
