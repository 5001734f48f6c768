/* export: votes to CSV/XLSX and the monthly per-officer report, read through a read-only SQLite
 * connection row by row and written to a temp file that is renamed into place only when complete.
 * docs/EXPORT.md describes every column and sheet. */
#include "export.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>
#include <xlsxwriter.h>

#include "clock.h"
#include "util.h"

#define UNKNOWN_OFFICER " (không còn trong danh sách)"
#define MISUSE_LINE                                                                                \
    "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không tính: "
#define NOTE_FORMULA                                                                                                      \
    "Ghi chú: Tỷ lệ hài lòng = (Rất hài lòng + Hài lòng) / Tổng số phiếu được tính (không kể " \
    "lượt bấm bất thường)."
#define REPORT_TITLE "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG"
/* Rows between progress calls (and checks that the output folder is still there). */
#define PROGRESS_EVERY 4096

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- dates and numbers ---- */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int export_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int export_parse_month(const char *s, int *year, int *month)
{
    int y, m;
    if (!s || strlen(s) != 7 || s[4] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) ||
        y < 1970 || m < 1 || m > 12)
        return -1;
    *year = y;
    *month = m;
    return 0;
}

int export_parse_date(const char *s, export_date *out)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || s[7] != '-')
        return -1;
    char ym[8];
    memcpy(ym, s, 7);
    ym[7] = '\0';
    if (export_parse_month(ym, &y, &m) || digits(s + 8, 2, &d) || d < 1 ||
        d > export_days_in_month(y, m))
        return -1;
    out->year = y;
    out->month = m;
    out->day = d;
    return 0;
}

int export_parse_format(const char *s, export_format *out)
{
    if (!s)
        return -1;
    if (strcmp(s, "text") == 0)
        *out = EXPORT_FMT_TEXT;
    else if (strcmp(s, "csv") == 0)
        *out = EXPORT_FMT_CSV;
    else if (strcmp(s, "xlsx") == 0)
        *out = EXPORT_FMT_XLSX;
    else
        return -1;
    return 0;
}

int export_format_from_name(const char *path, export_format *out)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return -1;
    if (strcasecmp(dot, ".csv") == 0)
        *out = EXPORT_FMT_CSV;
    else if (strcasecmp(dot, ".xlsx") == 0)
        *out = EXPORT_FMT_XLSX;
    else if (strcasecmp(dot, ".txt") == 0)
        *out = EXPORT_FMT_TEXT;
    else
        return -1;
    return 0;
}

int export_date_cmp(export_date a, export_date b)
{
    long ka = a.year * 10000L + a.month * 100L + a.day,
         kb = b.year * 10000L + b.month * 100L + b.day;
    return ka < kb ? -1 : ka > kb;
}

int64_t export_date_start_ms(export_date d)
{
    char s[32];
    int64_t ms = 0;
    snprintf(s, sizeof s, "%04d-%02d-%02dT00:00", d.year % 10000, d.month % 100, d.day % 100);
    clk_parse_local(s, &ms);
    return ms;
}

void export_pct(int64_t num, int64_t den, char *out, size_t cap)
{
    if (den <= 0) {
        if (cap)
            out[0] = '\0';
        return;
    }
    int64_t pm = (num * 2000 + den) / (2 * den); /* tenths of a percent, rounded half up */
    snprintf(out, cap, "%lld,%lld%%", (long long)(pm / 10), (long long)(pm % 10));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Excel's serial date-time (days since 1899-12-30) of the Vietnam local time, whole seconds so it
 * shows the same second as the CSV. */
static double excel_serial(int64_t utc_ms)
{
    int64_t s = floor_div(utc_ms + CLK_VN_OFFSET_MS, 1000);
    int64_t days = floor_div(s, 86400);
    return (double)(days + 25569) + (double)(s - days * 86400) / 86400.0;
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

/* "dd/mm/yyyy HH:MM:SS" in Vietnam time. */
static void fmt_local_dt(int64_t utc_ms, char out[20])
{
    clk_local l = clk_to_local(utc_ms);
    memcpy(out, "00/00/0000 00:00:00", 20);
    put2(out, l.day);
    put2(out + 3, l.month);
    put2(out + 6, l.year / 100);
    put2(out + 8, l.year % 100);
    put2(out + 11, l.hour);
    put2(out + 14, l.minute);
    put2(out + 17, l.second);
}

static void fmt_date(export_date d, char out[11])
{
    memcpy(out, "00/00/0000", 11);
    put2(out, d.day);
    put2(out + 3, d.month);
    put2(out + 6, d.year / 100);
    put2(out + 8, d.year % 100);
}

static const char *rating_label(int r)
{
    switch (r) {
    case 3:
        return "Rất hài lòng";
    case 2:
        return "Hài lòng";
    case 1:
        return "Chưa hài lòng";
    default:
        return "";
    }
}

/* ---- a growable string ---- */

typedef struct {
    char *p;
    size_t len, cap;
} dstr;

static void ds_put(dstr *d, const char *s, size_t n)
{
    if (d->len + n + 1 > d->cap) {
        size_t cap = d->cap ? d->cap : 256;
        while (d->len + n + 1 > cap)
            cap *= 2;
        d->p = xrealloc(d->p, cap);
        d->cap = cap;
    }
    memcpy(d->p + d->len, s, n);
    d->len += n;
    d->p[d->len] = '\0';
}

static void ds_puts(dstr *d, const char *s)
{
    ds_put(d, s, strlen(s));
}

static void ds_printf(dstr *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ds_printf(dstr *d, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof buf) {
        ds_put(d, buf, (size_t)n);
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    ds_put(d, big, (size_t)n);
    free(big);
}

/* ---- atomic output: <out>.tmp-XXXXXX in the same folder, fsync, rename, fsync the folder ---- */

typedef struct {
    char out[PATH_MAX];
    char dir[PATH_MAX];
    char tmp[PATH_MAX + 16];
    const char *tmp_base; /* the temp file's name inside dir */
    int dirfd, fd;
    dev_t dir_dev, f_dev;
    ino_t dir_ino, f_ino;
} atomic_out;

static int ao_begin(atomic_out *a, const char *out, char *err, size_t errlen)
{
    a->fd = a->dirfd = -1;
    if (!out || !out[0])
        return fail(err, errlen, HL_EXIT_USAGE,
                    "no output file given; name one, e.g. "
                    "/media/usb/phieu-danh-gia.csv");
    size_t n = strlen(out);
    if (util_strlcpy(a->out, out, sizeof a->out) || n + 16 >= sizeof a->tmp)
        return fail(err, errlen, HL_EXIT_USAGE, "%s: output path too long; choose a shorter one",
                    out);
    struct stat st;
    if (out[n - 1] == '/' || (stat(out, &st) == 0 && S_ISDIR(st.st_mode)))
        return fail(err, errlen, HL_EXIT_USAGE,
                    "%s is a folder; give a file name in it, e.g. %s%sbao-cao.xlsx", out, out,
                    out[n - 1] == '/' ? "" : "/");
    util_strlcpy(a->dir, out, sizeof a->dir);
    char *slash = strrchr(a->dir, '/');
    if (!slash)
        util_strlcpy(a->dir, ".", sizeof a->dir);
    else if (slash == a->dir)
        a->dir[1] = '\0';
    else
        *slash = '\0';
    a->dirfd = open(a->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (a->dirfd < 0) {
        int e = errno;
        if (e == ENOENT)
            return fail(err, errlen, HL_EXIT_USAGE,
                        "folder %s does not exist; create it (or plug in the USB stick) or "
                        "choose another output file",
                        a->dir);
        if (e == ENOTDIR)
            return fail(err, errlen, HL_EXIT_USAGE, "%s: a part of this path is not a folder",
                        a->dir);
        return fail(err, errlen, e == EACCES ? HL_EXIT_USAGE : HL_EXIT_RUNTIME,
                    "cannot open folder %s: %s; choose a folder you can write to", a->dir,
                    strerror(e));
    }
    if (fstat(a->dirfd, &st) != 0) {
        int e = errno;
        close(a->dirfd);
        a->dirfd = -1;
        return fail(err, errlen, HL_EXIT_RUNTIME, "%s: %s", a->dir, strerror(e));
    }
    a->dir_dev = st.st_dev;
    a->dir_ino = st.st_ino;
    util_fmt(a->tmp, sizeof a->tmp, "%s.tmp-XXXXXX", out);
    a->fd = mkostemp(a->tmp, O_CLOEXEC);
    if (a->fd < 0) {
        int e = errno;
        close(a->dirfd);
        a->dirfd = -1;
        int usage = e == EACCES || e == EPERM || e == EROFS || e == ENOENT;
        return fail(err, errlen, usage ? HL_EXIT_USAGE : HL_EXIT_RUNTIME,
                    "cannot create a file in folder %s: %s; %s", a->dir, strerror(e),
                    e == ENOSPC || e == EDQUOT
                        ? "free some space or use another disk"
                        : "choose a folder you can write to (or run as a user who can)");
    }
    fchmod(a->fd, 0644);
    if (fstat(a->fd, &st) == 0) {
        a->f_dev = st.st_dev;
        a->f_ino = st.st_ino;
    }
    const char *b = strrchr(a->tmp, '/');
    a->tmp_base = b ? b + 1 : a->tmp;
    return 0;
}

/* The folder is still the same one at the same path and the temp file is still in it: a USB
 * stick pulled out (or pulled and plugged in again) fails this. */
static int ao_check(const atomic_out *a, char *err, size_t errlen)
{
    struct stat st, ft;
    if (stat(a->dir, &st) != 0 || st.st_dev != a->dir_dev || st.st_ino != a->dir_ino ||
        fstatat(a->dirfd, a->tmp_base, &ft, AT_SYMLINK_NOFOLLOW) != 0 || ft.st_dev != a->f_dev ||
        ft.st_ino != a->f_ino)
        return fail(err, errlen, HL_EXIT_RUNTIME,
                    "folder %s disappeared while %s was being written (USB stick removed?); "
                    "nothing was saved; plug it in again and repeat the export",
                    a->dir, a->out);
    return 0;
}

/* A write failed: say why, preferring "the folder vanished" when that is the cause. */
static int ao_write_error(const atomic_out *a, int e, char *err, size_t errlen)
{
    if (ao_check(a, err, errlen) != 0)
        return HL_EXIT_RUNTIME;
    return fail(err, errlen, HL_EXIT_RUNTIME, "could not write %s: %s; nothing was saved; %s",
                a->out, strerror(e),
                e == ENOSPC || e == EDQUOT ? "free some space on that disk or use another one"
                                           : "check the disk (USB stick) and repeat the export");
}

static int ao_commit(atomic_out *a, char *err, size_t errlen)
{
    if (fsync(a->fd) != 0)
        return ao_write_error(a, errno, err, errlen);
    int rc = close(a->fd);
    a->fd = -1;
    if (rc != 0)
        return ao_write_error(a, errno, err, errlen);
    if (ao_check(a, err, errlen) != 0)
        return HL_EXIT_RUNTIME;
    if (rename(a->tmp, a->out) != 0)
        return ao_write_error(a, errno, err, errlen);
    /* From here the file at out is complete; only its durability is in question. */
    if (fsync(a->dirfd) != 0 && errno != EINVAL && errno != EROFS) {
        int e = errno;
        close(a->dirfd);
        a->dirfd = -1;
        return fail(err, errlen, HL_EXIT_RUNTIME,
                    "%s was written but folder %s could not be synced (%s); check the disk and "
                    "repeat the export before removing it",
                    a->out, a->dir, strerror(e));
    }
    close(a->dirfd);
    a->dirfd = -1;
    return 0;
}

/* Removes the temp file (through the folder's descriptor, so also from a folder that was moved)
 * unless it was renamed into place. */
static void ao_abort(atomic_out *a)
{
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    if (a->dirfd >= 0) {
        struct stat ft;
        if (fstatat(a->dirfd, a->tmp_base, &ft, AT_SYMLINK_NOFOLLOW) == 0 &&
            ft.st_dev == a->f_dev && ft.st_ino == a->f_ino)
            unlinkat(a->dirfd, a->tmp_base, 0);
        close(a->dirfd);
    }
    a->dirfd = -1;
}

/* The name libxlsxwriter opens to write the workbook: our temp file's descriptor through /proc,
 * so it writes into the very file we created and will sync and rename, even if the folder was
 * moved or replaced meanwhile (then ao_check refuses it); the path itself without /proc. */
static const char *ao_open_name(const atomic_out *a, char *buf, size_t cap)
{
    if (util_fmt(buf, cap, "/proc/self/fd/%d", a->fd) == 0 && access(buf, W_OK) == 0)
        return buf;
    return a->tmp;
}

/* ---- buffered output to a descriptor or a FILE, remembering the first error ---- */

typedef struct {
    int fd;
    FILE *fp;
    char *buf;
    size_t len, cap;
    int err; /* errno of the first failure, 0 if none */
} wbuf;

static void wb_init(wbuf *w, int fd, FILE *fp)
{
    w->fd = fd;
    w->fp = fp;
    w->cap = 1 << 18;
    w->buf = xmalloc(w->cap);
    w->len = 0;
    w->err = 0;
}

static void wb_flush(wbuf *w)
{
    size_t off = 0;
    while (!w->err && off < w->len) {
        if (w->fp) {
            size_t n = fwrite(w->buf + off, 1, w->len - off, w->fp);
            if (n < w->len - off)
                w->err = errno ? errno : EIO;
            off += n;
        } else {
            ssize_t n = write(w->fd, w->buf + off, w->len - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                w->err = n < 0 ? errno : EIO;
            else
                off += (size_t)n;
        }
    }
    w->len = 0;
    if (w->fp && !w->err && fflush(w->fp) != 0)
        w->err = errno ? errno : EIO;
}

static void wb_put(wbuf *w, const char *s, size_t n)
{
    while (n) {
        if (w->len == w->cap)
            wb_flush(w);
        size_t k = w->cap - w->len < n ? w->cap - w->len : n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

static void wb_puts(wbuf *w, const char *s)
{
    wb_put(w, s, strlen(s));
}

static void wb_free(wbuf *w)
{
    free(w->buf);
    w->buf = NULL;
}

/* One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
static void csv_field(wbuf *w, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        wb_puts(w, s);
        return;
    }
    wb_put(w, "\"", 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        wb_put(w, s, (size_t)(q - s) + 1);
        wb_put(w, "\"", 1);
    }
    wb_puts(w, s);
    wb_put(w, "\"", 1);
}

static void csv_row(wbuf *w, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            wb_put(w, ",", 1);
        csv_field(w, cells[i] ? cells[i] : "");
    }
    wb_put(w, "\r\n", 2);
}

static void fmt_i64(char *out, size_t cap, int64_t v)
{
    snprintf(out, cap, "%lld", (long long)v);
}

/* ---- the database ---- */

static int db_open(const char *db, sqlite3 **out, char *err, size_t errlen)
{
    *out = NULL;
    char path[PATH_MAX + 16];
    struct stat st;
    if (!db || !db[0])
        return fail(err, errlen, HL_EXIT_USAGE,
                    "no data folder given; use --data-dir DIR or "
                    "--config FILE");
    if (stat(db, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (util_fmt(path, sizeof path, "%s/votes.db", db) != 0)
            return fail(err, errlen, HL_EXIT_USAGE, "%s: path too long", db);
    } else {
        util_strlcpy(path, db, sizeof path);
    }
    if (stat(path, &st) != 0)
        return fail(err, errlen, HL_EXIT_RUNTIME,
                    "%s: %s; no votes recorded there yet? Give the kiosk's data folder with "
                    "--data-dir DIR or --config FILE",
                    path, strerror(errno));
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(h, 5000);
        sqlite3_extended_result_codes(h, 1);
        rc = sqlite3_exec(h, "SELECT 1 FROM votes LIMIT 0", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        fail(err, errlen, HL_EXIT_RUNTIME,
             "%s: %s; is it the kiosk's votes.db, and can this user read it and its -wal/-shm "
             "files (run as the kiosk's user or root)?",
             path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return HL_EXIT_RUNTIME;
    }
    /* One read transaction: the count, the summary and the rows see the same snapshot while
     * the kiosk goes on writing (WAL readers never block it). */
    if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        fail(err, errlen, HL_EXIT_RUNTIME, "%s: %s", path, sqlite3_errmsg(h));
        sqlite3_close(h);
        return HL_EXIT_RUNTIME;
    }
    *out = h;
    return 0;
}

static void db_close(sqlite3 *h)
{
    if (!h)
        return;
    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(h);
}

static int db_error(sqlite3 *h, char *err, size_t errlen)
{
    return fail(err, errlen, HL_EXIT_RUNTIME, "reading %s: %s", sqlite3_db_filename(h, "main"),
                sqlite3_errmsg(h));
}

static int db_count(sqlite3 *h, int64_t from_ms, int64_t to_ms, int64_t *n, char *err,
                    size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h,
                           "SELECT count(*) FROM votes WHERE created_at >= ?1 AND "
                           "created_at < ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(h, err, errlen);
    sqlite3_bind_int64(st, 1, from_ms);
    sqlite3_bind_int64(st, 2, to_ms);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_error(h, err, errlen);
}

/* ---- the summary ---- */

static int cmp_row_code(const void *a, const void *b)
{
    return strcmp(((const export_officer_row *)a)->code, ((const export_officer_row *)b)->code);
}

static char *own(export_summary *s, char *str)
{
    s->owned = xrealloc(s->owned, (s->n_owned + 1) * sizeof *s->owned);
    s->owned[s->n_owned++] = str;
    return str;
}

static int summary_query(sqlite3 *h, const content *c, int64_t from_ms, int64_t to_ms,
                         export_summary *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->from_ms = from_ms;
    s->to_ms = to_ms;
    size_t n_known = c ? c->n_officers : 0, cap = n_known + 8;
    s->rows = xcalloc(cap, sizeof *s->rows);
    for (size_t i = 0; i < n_known; i++) {
        export_officer_row *r = &s->rows[i];
        r->code = c->officers[i].code;
        r->name = c->officers[i].name;
        r->title = c->officers[i].title ? c->officers[i].title : "";
        r->in_content = 1;
    }
    s->n_rows = n_known;
    s->total.code = "";
    s->total.name = "Tổng cộng";
    s->total.title = "";

    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h,
                           "SELECT officer_code, rating, misuse, count(*) FROM votes "
                           "WHERE created_at >= ?1 AND created_at < ?2 "
                           "GROUP BY officer_code, rating, misuse",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(h, err, errlen);
    sqlite3_bind_int64(st, 1, from_ms);
    sqlite3_bind_int64(st, 2, to_ms);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        int rating = sqlite3_column_int(st, 1), misuse = sqlite3_column_int(st, 2);
        int64_t n = sqlite3_column_int64(st, 3);
        if (!code)
            code = "";
        export_officer_row *r = NULL;
        for (size_t i = 0; i < s->n_rows && !r; i++)
            if (strcmp(s->rows[i].code, code) == 0)
                r = &s->rows[i];
        if (!r) {
            if (s->n_rows == cap) {
                cap *= 2;
                s->rows = xrealloc(s->rows, cap * sizeof *s->rows);
            }
            r = &s->rows[s->n_rows++];
            memset(r, 0, sizeof *r);
            r->code = own(s, xstrdup(code));
            dstr d = {0};
            ds_puts(&d, code);
            ds_puts(&d, UNKNOWN_OFFICER);
            r->name = own(s, d.p);
            r->title = "";
        }
        if (misuse) {
            r->misuse += n;
            s->total.misuse += n;
        } else if (rating >= 1 && rating <= 3) {
            r->n[rating] += n;
            r->counted += n;
            s->total.n[rating] += n;
            s->total.counted += n;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(h, err, errlen);
    if (s->n_rows > n_known)
        qsort(s->rows + n_known, s->n_rows - n_known, sizeof *s->rows, cmp_row_code);
    return 0;
}

void export_summary_free(export_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_owned; i++)
        free(s->owned[i]);
    free(s->owned);
    free(s->rows);
    memset(s, 0, sizeof *s);
}

int export_summary_get(const char *db, const content *c, int64_t from_ms, int64_t to_ms,
                       export_summary *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    sqlite3 *h;
    int rc = db_open(db, &h, err, errlen);
    if (rc)
        return rc;
    rc = summary_query(h, c, from_ms, to_ms, out, err, errlen);
    db_close(h);
    if (rc)
        export_summary_free(out);
    return rc;
}

/* ---- one vote row, as text ---- */

typedef struct {
    const content *c;
    char last_code[64];
    const char *last_name;
    dstr unknown;     /* the last unknown officer's name */
    dstr reasons;     /* labels of the last reasons JSON */
    dstr last_json;   /* that JSON */
    int have_reasons; /* last_json/reasons are valid */
} row_ctx;

static const char *officer_name(row_ctx *x, const char *code)
{
    if (x->last_name && strcmp(x->last_code, code) == 0)
        return x->last_name;
    const content_officer *o = content_find_officer(x->c, code);
    const char *name;
    if (o) {
        name = o->name;
    } else {
        x->unknown.len = 0;
        ds_puts(&x->unknown, code);
        ds_puts(&x->unknown, UNKNOWN_OFFICER);
        name = x->unknown.p;
    }
    if (util_strlcpy(x->last_code, code, sizeof x->last_code) == 0)
        x->last_name = name;
    else
        x->last_name = NULL;
    return name;
}

/* Reason codes (a JSON array) as their labels from the content, joined with "; ". A code the
 * content no longer has is shown as it is; anything that is not an array of strings, raw. */
static const char *reasons_text(row_ctx *x, const char *json)
{
    if (!json || strcmp(json, "[]") == 0)
        return "";
    if (x->have_reasons && strcmp(x->last_json.p, json) == 0)
        return x->reasons.p;
    x->reasons.len = 0;
    ds_puts(&x->reasons, "");
    cJSON *arr = cJSON_Parse(json);
    if (!cJSON_IsArray(arr)) {
        ds_puts(&x->reasons, json);
    } else {
        int first = 1;
        for (const cJSON *it = arr->child; it; it = it->next) {
            const char *code = cJSON_IsString(it) ? it->valuestring : NULL;
            if (!code)
                continue;
            const content_reason *r = content_find_reason(x->c, code);
            if (!first)
                ds_puts(&x->reasons, "; ");
            ds_puts(&x->reasons, r ? r->label : code);
            first = 0;
        }
    }
    cJSON_Delete(arr);
    x->last_json.len = 0;
    ds_puts(&x->last_json, json);
    x->have_reasons = 1;
    return x->reasons.p;
}

static void row_ctx_free(row_ctx *x)
{
    free(x->unknown.p);
    free(x->reasons.p);
    free(x->last_json.p);
}

enum {
    V_UUID,
    V_KIOSK,
    V_SEQ,
    V_CODE,
    V_NAME,
    V_RATING,
    V_LABEL,
    V_REASONS,
    V_TIME,
    V_MISUSE,
    V_SYNC,
    V_NCOLS
};

static const char *const vote_headers[V_NCOLS] = {
    "Mã phiếu",
    "Mã máy",
    "Số thứ tự trên máy",
    "Mã cán bộ",
    "Họ và tên cán bộ",
    "Mức đánh giá (số)",
    "Mức đánh giá",
    "Lý do chưa hài lòng",
    "Thời gian (giờ Việt Nam)",
    "Bất thường (1 = bấm lặp, không tính)",
    "Trạng thái đồng bộ",
};

static const double vote_widths[V_NCOLS] = {38, 18, 10, 12, 26, 10, 14, 36, 20, 14, 12};

typedef struct {
    const char *uuid, *kiosk, *code, *reasons_json, *sync;
    int64_t seq, created_at;
    int rating, misuse;
} vote_row;

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t ? t : "";
}

static void read_vote(sqlite3_stmt *st, vote_row *v)
{
    v->uuid = col_text(st, 0);
    v->kiosk = col_text(st, 1);
    v->seq = sqlite3_column_int64(st, 2);
    v->code = col_text(st, 3);
    v->rating = sqlite3_column_int(st, 4);
    v->reasons_json = col_text(st, 5);
    v->created_at = sqlite3_column_int64(st, 6);
    v->misuse = sqlite3_column_int(st, 7);
    v->sync = col_text(st, 8);
}

/* ---- the export ---- */

typedef struct {
    const export_votes_opts *o;
    atomic_out ao;
    sqlite3 *db;
    sqlite3_stmt *rows;
    int64_t from_ms, to_ms, total, done;
    row_ctx rx;
    export_result res;
} export_job;

/* Calls the progress callback and checks that the output folder is still there. */
static int job_tick(export_job *j, export_progress_fn progress, void *ctx, char *err, size_t errlen)
{
    if (progress && progress(ctx, j->done, j->total) != 0) {
        j->res.cancelled = 1;
        return fail(err, errlen, HL_EXIT_RUNTIME, "cancelled; nothing was written to %s",
                    j->ao.out);
    }
    return ao_check(&j->ao, err, errlen);
}

static int job_prepare_rows(export_job *j, char *err, size_t errlen)
{
    if (sqlite3_prepare_v2(j->db,
                           "SELECT uuid, kiosk_id, seq, officer_code, rating, reasons, created_at, "
                           "misuse, sync_state FROM votes "
                           "WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, rowid",
                           -1, &j->rows, NULL) != SQLITE_OK)
        return db_error(j->db, err, errlen);
    sqlite3_bind_int64(j->rows, 1, j->from_ms);
    sqlite3_bind_int64(j->rows, 2, j->to_ms);
    return 0;
}

static int export_csv(export_job *j, char *err, size_t errlen)
{
    const export_votes_opts *o = j->o;
    wbuf w;
    wb_init(&w, j->ao.fd, NULL);
    wb_put(&w, "\xEF\xBB\xBF", 3); /* BOM: Excel then reads the file as UTF-8 */
    csv_row(&w, vote_headers, V_NCOLS);
    int rc = 0, step;
    char seq[24], rating[4], when[20], misuse[2];
    while ((step = sqlite3_step(j->rows)) == SQLITE_ROW) {
        vote_row v;
        read_vote(j->rows, &v);
        j->done++;
        if (v.misuse)
            j->res.misuse++;
        else
            j->res.counted++;
        if (!v.misuse || o->include_misuse) {
            fmt_i64(seq, sizeof seq, v.seq);
            snprintf(rating, sizeof rating, "%d", v.rating % 10);
            fmt_local_dt(v.created_at, when);
            misuse[0] = v.misuse ? '1' : '0';
            misuse[1] = '\0';
            const char *cells[V_NCOLS] = {v.uuid,
                                          v.kiosk,
                                          seq,
                                          v.code,
                                          officer_name(&j->rx, v.code),
                                          rating,
                                          rating_label(v.rating),
                                          reasons_text(&j->rx, v.reasons_json),
                                          when,
                                          misuse,
                                          v.sync};
            csv_row(&w, cells, V_NCOLS);
            j->res.rows++;
        }
        if (w.err)
            break;
        if (j->done % PROGRESS_EVERY == 0 &&
            (rc = job_tick(j, o->progress, o->progress_ctx, err, errlen)) != 0)
            break;
    }
    if (!rc && !w.err && step != SQLITE_DONE)
        rc = db_error(j->db, err, errlen);
    if (!rc)
        wb_flush(&w);
    if (!rc && w.err)
        rc = ao_write_error(&j->ao, w.err, err, errlen);
    wb_free(&w);
    return rc;
}

/* ---- XLSX ---- */

typedef struct {
    lxw_workbook *wb;
    lxw_format *title, *subtitle, *header, *date, *text, *num, *pct, *tot_text, *tot_num, *tot_pct,
        *note, *vheader;
} xl_book;

static lxw_format *xl_fmt(lxw_workbook *wb, int bold, int border, const char *num_format)
{
    lxw_format *f = workbook_add_format(wb);
    if (bold)
        format_set_bold(f);
    if (border)
        format_set_border(f, LXW_BORDER_THIN);
    if (num_format)
        format_set_num_format(f, num_format);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    return f;
}

static void xl_formats(xl_book *x)
{
    lxw_workbook *wb = x->wb;
    x->title = xl_fmt(wb, 1, 0, NULL);
    format_set_font_size(x->title, 14);
    x->subtitle = xl_fmt(wb, 1, 0, NULL);
    x->header = xl_fmt(wb, 1, 1, NULL);
    format_set_text_wrap(x->header);
    format_set_align(x->header, LXW_ALIGN_CENTER);
    format_set_align(x->header, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bg_color(x->header, 0xE8EEF4);
    x->vheader = xl_fmt(wb, 1, 0, NULL);
    format_set_text_wrap(x->vheader);
    format_set_bottom(x->vheader, LXW_BORDER_THIN);
    format_set_bg_color(x->vheader, 0xE8EEF4);
    x->date = workbook_add_format(wb);
    format_set_num_format(x->date, "dd/mm/yyyy hh:mm:ss");
    x->text = xl_fmt(wb, 0, 1, NULL);
    format_set_text_wrap(x->text);
    x->num = xl_fmt(wb, 0, 1, "0");
    x->pct = xl_fmt(wb, 0, 1, "0.0%");
    x->tot_text = xl_fmt(wb, 1, 1, NULL);
    x->tot_num = xl_fmt(wb, 1, 1, "0");
    x->tot_pct = xl_fmt(wb, 1, 1, "0.0%");
    x->note = workbook_add_format(wb);
    format_set_italic(x->note);
}

static int xl_open(xl_book *x, const atomic_out *ao, int constant_memory, char *err, size_t errlen)
{
    /* constant_memory: each row goes to a temp file as it is written, so 1M votes take a few
     * MB; rows must come in order, which they do. */
    lxw_workbook_options opt = {.constant_memory = (uint8_t)(constant_memory ? 1 : 0),
                                .tmpdir = getenv("TMPDIR"),
                                .use_zip64 = 0};
    char name[64];
    x->wb = workbook_new_opt(ao_open_name(ao, name, sizeof name), &opt);
    if (!x->wb)
        return fail(err, errlen, HL_EXIT_RUNTIME,
                    "could not start the workbook %s (out of memory or no temporary space)",
                    ao->out);
    workbook_set_properties(x->wb, &(lxw_doc_properties){.title = "Đánh giá mức độ hài lòng",
                                                         .author = "Hài lòng",
                                                         .company = ""});
    xl_formats(x);
    return 0;
}

/* Writes the workbook into the temp file; the temp file is then synced and renamed. */
static int xl_close(xl_book *x, atomic_out *ao, char *err, size_t errlen)
{
    errno = 0;
    lxw_error e = workbook_close(x->wb);
    x->wb = NULL;
    if (e == LXW_NO_ERROR)
        return 0;
    int saved = errno;
    if (ao_check(ao, err, errlen) != 0)
        return HL_EXIT_RUNTIME;
    return fail(err, errlen, HL_EXIT_RUNTIME,
                "could not write %s: %s%s%s; nothing was saved; check free space on that disk and "
                "in the temporary folder (%s) and repeat the export",
                ao->out, lxw_strerror(e), saved ? ": " : "", saved ? strerror(saved) : "",
                getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
}

static void xl_discard(xl_book *x)
{
    if (x->wb)
        lxw_workbook_free(x->wb);
    x->wb = NULL;
}

static size_t text_width(const char *s);

/* The summary sheet in the layout one-stop offices use: per officer the counted votes, the count
 * and share of each level, the tỷ lệ hài lòng; a total row; the misuse count; a note; a chart. */
static void xl_summary_sheet(xl_book *x, const char *sheet_name, const char *title,
                             const content *c, const char *period, const export_summary *s,
                             int64_t made_at_ms)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, sheet_name);
    if (!ws)
        return;
    double widths[11] = {5, 24, 24, 10, 8, 8, 8, 8, 8, 8, 12};
    for (size_t k = 0; k < s->n_rows; k++) { /* names and titles fit, within reason */
        double wn = (double)text_width(s->rows[k].name) + 2,
               wt = (double)text_width(s->rows[k].title) + 2;
        widths[1] = wn > widths[1] ? (wn < 50 ? wn : 50) : widths[1];
        widths[2] = wt > widths[2] ? (wt < 45 ? wt : 45) : widths[2];
    }
    for (int i = 0; i < 11; i++)
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, widths[i], NULL);
    char line[512];
    worksheet_write_string(ws, 0, 0, title, x->title);
    util_fmt(line, sizeof line, "%s — %s", c && c->commune_name ? c->commune_name : "",
             c && c->desk_name ? c->desk_name : "");
    worksheet_write_string(ws, 1, 0, line, x->subtitle);
    worksheet_write_string(ws, 2, 0, period, NULL);

    /* Two header rows: the level names over their SL and % columns. */
    static const char *const head[11] = {
        "STT", "Họ và tên",     "Chức danh", "Tổng số phiếu", "Rất hài lòng", NULL, "Hài lòng",
        NULL,  "Chưa hài lòng", NULL,        "Tỷ lệ hài lòng"};
    worksheet_set_row(ws, 3, 30, NULL);
    for (int i = 0; i < 11; i++) {
        if (i >= 4 && i <= 8 && i % 2 == 0)
            worksheet_merge_range(ws, 3, (lxw_col_t)i, 3, (lxw_col_t)(i + 1), head[i], x->header);
        else if (head[i])
            worksheet_write_string(ws, 3, (lxw_col_t)i, head[i], x->header);
    }
    for (int i = 0; i < 11; i++) {
        if (i >= 4 && i <= 9)
            worksheet_write_string(ws, 4, (lxw_col_t)i, i % 2 ? "%" : "SL", x->header);
        else
            worksheet_write_blank(ws, 4, (lxw_col_t)i, x->header);
    }
    lxw_row_t r = 5;
    for (size_t k = 0; k <= s->n_rows; k++, r++) {
        int is_total = k == s->n_rows;
        const export_officer_row *o = is_total ? &s->total : &s->rows[k];
        lxw_format *ft = is_total ? x->tot_text : x->text, *fn = is_total ? x->tot_num : x->num,
                   *fp = is_total ? x->tot_pct : x->pct;
        if (is_total)
            worksheet_write_blank(ws, r, 0, fn);
        else
            worksheet_write_number(ws, r, 0, (double)(k + 1), fn);
        worksheet_write_string(ws, r, 1, o->name, ft);
        worksheet_write_string(ws, r, 2, o->title, ft);
        worksheet_write_number(ws, r, 3, (double)o->counted, fn);
        for (int lvl = 3, col = 4; lvl >= 1; lvl--, col += 2) {
            worksheet_write_number(ws, r, (lxw_col_t)col, (double)o->n[lvl], fn);
            if (o->counted)
                worksheet_write_number(ws, r, (lxw_col_t)(col + 1),
                                       (double)o->n[lvl] / (double)o->counted, fp);
            else
                worksheet_write_blank(ws, r, (lxw_col_t)(col + 1), fp);
        }
        if (o->counted)
            worksheet_write_number(ws, r, 10, (double)(o->n[3] + o->n[2]) / (double)o->counted, fp);
        else
            worksheet_write_blank(ws, r, 10, fp);
    }
    r++;
    util_fmt(line, sizeof line, MISUSE_LINE "%lld", (long long)s->total.misuse);
    worksheet_write_string(ws, r++, 0, line, NULL);
    worksheet_write_string(ws, r++, 0, NOTE_FORMULA, x->note);
    util_fmt(line, sizeof line,
             "Số liệu nội bộ từ máy đánh giá tại %s; không phải chỉ số chính thức.",
             c && c->desk_name ? c->desk_name : "Bộ phận Một cửa");
    worksheet_write_string(ws, r++, 0, line, x->note);
    if (made_at_ms) {
        char d[11];
        clk_format_date(made_at_ms, d);
        util_fmt(line, sizeof line, "Ngày lập: %s", d);
        worksheet_write_string(ws, r++, 0, line, NULL);
    }
    worksheet_freeze_panes(ws, 5, 0);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);

    /* Each officer's bar split into the three levels, as shares of that officer's votes. */
    if (s->n_rows == 0)
        return;
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_BAR_STACKED_PERCENT);
    if (!ch)
        return;
    static const char *const names[3] = {"Rất hài lòng", "Hài lòng", "Chưa hài lòng"};
    static const lxw_color_t colors[3] = {0x2E7D32, 0x9CCC65, 0xEF6C00};
    lxw_row_t first = 5, last = (lxw_row_t)(5 + s->n_rows - 1);
    for (int i = 0; i < 3; i++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(se, sheet_name, first, 1, last, 1);
        chart_series_set_values(se, sheet_name, first, (lxw_col_t)(4 + 2 * i), last,
                                (lxw_col_t)(4 + 2 * i));
        chart_series_set_name(se, names[i]);
        lxw_chart_fill fill = {.color = colors[i]};
        chart_series_set_fill(se, &fill);
    }
    chart_title_set_name(ch, "Tỷ lệ các mức đánh giá theo cán bộ");
    /* In a bar chart x_axis is the horizontal value axis and y_axis the officers. */
    chart_axis_set_num_format(ch->x_axis, "0%");
    chart_axis_set_reverse(ch->y_axis);      /* first officer at the top ... */
    chart_axis_set_crossing_max(ch->y_axis); /* ... and the percentages still at the bottom */
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options co = {.x_offset = 0,
                            .y_offset = 10,
                            .x_scale = 1.9,
                            .y_scale = 0.6 + 0.1 * (double)(s->n_rows > 20 ? 20 : s->n_rows)};
    worksheet_insert_chart_opt(ws, r + 1, 1, ch, &co);
}

static lxw_worksheet *xl_votes_sheet(xl_book *x, int part, const char *title)
{
    char name[64];
    if (part == 1)
        util_strlcpy(name, "Phiếu đánh giá", sizeof name);
    else
        util_fmt(name, sizeof name, "Phiếu đánh giá (%d)", part);
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        return NULL;
    for (int i = 0; i < V_NCOLS; i++)
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, vote_widths[i],
                             i == V_TIME ? x->date : NULL);
    worksheet_write_string(ws, 0, 0, title, x->title);
    worksheet_set_row(ws, 1, 30, NULL);
    for (int i = 0; i < V_NCOLS; i++)
        worksheet_write_string(ws, 1, (lxw_col_t)i, vote_headers[i], x->vheader);
    worksheet_freeze_panes(ws, 2, 0);
    return ws;
}

static void period_text(export_date from, export_date to, char *out, size_t cap)
{
    char a[11], b[11];
    fmt_date(from, a);
    fmt_date(to, b);
    util_fmt(out, cap, "Thời gian: từ %s đến %s (giờ Việt Nam)", a, b);
}

static int export_xlsx(export_job *j, char *err, size_t errlen)
{
    const export_votes_opts *o = j->o;
    const content *c = o->content;
    export_summary s;
    int rc = summary_query(j->db, c, j->from_ms, j->to_ms, &s, err, errlen);
    if (rc) {
        export_summary_free(&s);
        return rc;
    }
    xl_book x = {0};
    if ((rc = xl_open(&x, &j->ao, 1, err, errlen)) != 0) {
        export_summary_free(&s);
        return rc;
    }
    char period[128], title[512], a[11], b[11];
    period_text(o->from, o->to, period, sizeof period);
    fmt_date(o->from, a);
    fmt_date(o->to, b);
    util_fmt(title, sizeof title, "Phiếu đánh giá — %s — từ %s đến %s%s",
             c && c->commune_name ? c->commune_name : "", a, b,
             o->include_misuse ? " (gồm cả lượt bấm bất thường)" : "");

    /* The votes first (the sheet a reader opens), then the summary. */
    lxw_row_t per_sheet = LXW_ROW_MAX - 2; /* Excel's rows less the title and header */
    if (o->xlsx_rows_per_sheet > 0 && o->xlsx_rows_per_sheet < (int64_t)per_sheet)
        per_sheet = (lxw_row_t)o->xlsx_rows_per_sheet;
    int part = 1;
    lxw_worksheet *ws = xl_votes_sheet(&x, part, title);
    lxw_row_t r = 2;
    int step = SQLITE_DONE;
    while (ws && (step = sqlite3_step(j->rows)) == SQLITE_ROW) {
        vote_row v;
        read_vote(j->rows, &v);
        j->done++;
        if (v.misuse)
            j->res.misuse++;
        else
            j->res.counted++;
        if (!v.misuse || o->include_misuse) {
            if (r - 2 >= per_sheet) {
                worksheet_autofilter(ws, 1, 0, r - 1, V_NCOLS - 1);
                ws = xl_votes_sheet(&x, ++part, title);
                r = 2;
                if (!ws)
                    break;
            }
            worksheet_write_string(ws, r, V_UUID, v.uuid, NULL);
            worksheet_write_string(ws, r, V_KIOSK, v.kiosk, NULL);
            worksheet_write_number(ws, r, V_SEQ, (double)v.seq, NULL);
            worksheet_write_string(ws, r, V_CODE, v.code, NULL);
            worksheet_write_string(ws, r, V_NAME, officer_name(&j->rx, v.code), NULL);
            worksheet_write_number(ws, r, V_RATING, v.rating, NULL);
            worksheet_write_string(ws, r, V_LABEL, rating_label(v.rating), NULL);
            const char *reasons = reasons_text(&j->rx, v.reasons_json);
            if (reasons[0])
                worksheet_write_string(ws, r, V_REASONS, reasons, NULL);
            worksheet_write_number(ws, r, V_TIME, excel_serial(v.created_at), x.date);
            worksheet_write_number(ws, r, V_MISUSE, v.misuse, NULL);
            worksheet_write_string(ws, r, V_SYNC, v.sync, NULL);
            r++;
            j->res.rows++;
        }
        if (j->done % PROGRESS_EVERY == 0 &&
            (rc = job_tick(j, o->progress, o->progress_ctx, err, errlen)) != 0)
            break;
    }
    if (!ws && !rc)
        rc =
            fail(err, errlen, HL_EXIT_RUNTIME,
                 "could not add a sheet to %s (no temporary space?); nothing was saved", j->ao.out);
    if (!rc && step != SQLITE_DONE)
        rc = db_error(j->db, err, errlen);
    if (!rc) {
        worksheet_autofilter(ws, 1, 0, r > 2 ? r - 1 : 2, V_NCOLS - 1);
        xl_summary_sheet(&x, "Tổng hợp", REPORT_TITLE, c, period, &s, 0);
        rc = xl_close(&x, &j->ao, err, errlen);
    }
    xl_discard(&x);
    export_summary_free(&s);
    return rc;
}

static int check_content(const content *c, char *err, size_t errlen)
{
    if (!c)
        return fail(err, errlen, HL_EXIT_USAGE, "export: no content given (officer names)");
    return 0;
}

int export_votes(const export_votes_opts *o, export_result *res, char *err, size_t errlen)
{
    export_job j;
    memset(&j, 0, sizeof j);
    j.o = o;
    j.ao.fd = j.ao.dirfd = -1;
    if (res)
        memset(res, 0, sizeof *res);
    int rc = check_content(o->content, err, errlen);
    if (rc)
        return rc;
    if (o->format != EXPORT_FMT_CSV && o->format != EXPORT_FMT_XLSX)
        return fail(err, errlen, HL_EXIT_USAGE, "export: the format must be csv or xlsx");
    if (export_date_cmp(o->from, o->to) > 0)
        return fail(err, errlen, HL_EXIT_USAGE,
                    "export: the first day is after the last day; swap them");
    j.from_ms = export_date_start_ms(o->from);
    j.to_ms = export_date_start_ms(o->to) + 86400000LL; /* Vietnam has no DST */
    j.rx.c = o->content;
    if ((rc = ao_begin(&j.ao, o->out, err, errlen)) != 0)
        return rc;
    rc = db_open(o->db, &j.db, err, errlen);
    if (!rc)
        rc = db_count(j.db, j.from_ms, j.to_ms, &j.total, err, errlen);
    if (!rc)
        rc = job_prepare_rows(&j, err, errlen);
    if (!rc)
        rc = job_tick(&j, o->progress, o->progress_ctx, err, errlen);
    if (!rc)
        rc = o->format == EXPORT_FMT_CSV ? export_csv(&j, err, errlen)
                                         : export_xlsx(&j, err, errlen);
    if (!rc && j.done % PROGRESS_EVERY != 0)
        rc = job_tick(&j, o->progress, o->progress_ctx, err, errlen);
    sqlite3_finalize(j.rows);
    db_close(j.db);
    if (!rc)
        rc = ao_commit(&j.ao, err, errlen);
    if (rc)
        ao_abort(&j.ao);
    row_ctx_free(&j.rx);
    if (res)
        *res = j.res;
    return rc;
}

/* ---- the report ---- */

/* Display width of UTF-8 text in a terminal (Vietnamese letters are one column each). */
static size_t text_width(const char *s)
{
    size_t w = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0) {
            p++;
            w++;
            continue;
        }
        int cw = utf8proc_charwidth(cp);
        w += cw > 0 ? (size_t)cw : 0;
        p += n;
    }
    return w;
}

/* A cell for the text table: line breaks and other control characters become spaces. */
static char *one_line(const char *s)
{
    char *t = xstrdup(s ? s : "");
    for (char *p = t; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return t;
}

enum { R_STT, R_NAME, R_TITLE, R_TOTAL, R_N3, R_P3, R_N2, R_P2, R_N1, R_P1, R_SHARE, R_NCOLS };

/* The table as text cells: rows[k][col]; the last row is the total. */
typedef struct {
    char *(*cells)[R_NCOLS];
    size_t n;
} report_table;

static void table_build(const export_summary *s, int one_line_names, report_table *t)
{
    t->n = s->n_rows + 1;
    t->cells = xcalloc(t->n, sizeof *t->cells);
    for (size_t k = 0; k < t->n; k++) {
        const export_officer_row *o = k < s->n_rows ? &s->rows[k] : &s->total;
        char **c = t->cells[k], buf[32];
        if (k < s->n_rows)
            fmt_i64(buf, sizeof buf, (int64_t)k + 1);
        else
            buf[0] = '\0';
        c[R_STT] = xstrdup(buf);
        c[R_NAME] = one_line_names ? one_line(o->name) : xstrdup(o->name);
        c[R_TITLE] = one_line_names ? one_line(o->title) : xstrdup(o->title);
        fmt_i64(buf, sizeof buf, o->counted);
        c[R_TOTAL] = xstrdup(buf);
        for (int lvl = 3, col = R_N3; lvl >= 1; lvl--, col += 2) {
            fmt_i64(buf, sizeof buf, o->n[lvl]);
            c[col] = xstrdup(buf);
            export_pct(o->n[lvl], o->counted, buf, sizeof buf);
            c[col + 1] = xstrdup(buf);
        }
        export_pct(o->n[3] + o->n[2], o->counted, buf, sizeof buf);
        c[R_SHARE] = xstrdup(buf);
    }
}

static void table_free(report_table *t)
{
    for (size_t k = 0; k < t->n; k++)
        for (int i = 0; i < R_NCOLS; i++)
            free(t->cells[k][i]);
    free(t->cells);
}

static const char *const report_head[R_NCOLS] = {
    "STT", "Họ và tên",     "Chức danh", "Tổng số phiếu", "Rất hài lòng", NULL, "Hài lòng",
    NULL,  "Chưa hài lòng", NULL,        "Tỷ lệ hài lòng"};

static void pad(dstr *d, const char *s, size_t width, int align /* -1 left, 0 centre, 1 right */)
{
    size_t w = text_width(s), gap = width > w ? width - w : 0;
    size_t before = align > 0 ? gap : align == 0 ? gap / 2 : 0;
    for (size_t i = 0; i < before; i++)
        ds_put(d, " ", 1);
    ds_puts(d, s);
    for (size_t i = before; i < gap; i++)
        ds_put(d, " ", 1);
}

static void rule(dstr *d, const size_t *w)
{
    ds_puts(d, "+");
    for (int i = 0; i < R_NCOLS; i++) {
        for (size_t k = 0; k < w[i] + 2; k++)
            ds_put(d, "-", 1);
        ds_puts(d, "+");
    }
    ds_puts(d, "\n");
}

static void report_header_lines(dstr *d, const export_report_opts *o, const char *title,
                                const char *period)
{
    const content *c = o->content;
    ds_printf(d, "%s\n%s — %s\n%s\n", title, c->commune_name ? c->commune_name : "",
              c->desk_name ? c->desk_name : "", period);
    if (o->made_at_ms) {
        char date[11];
        clk_format_date(o->made_at_ms, date);
        ds_printf(d, "Ngày lập: %s\n", date);
    }
}

static void report_footer_lines(const export_report_opts *o, const export_summary *s,
                                char *lines[3])
{
    dstr a = {0}, b = {0}, c = {0};
    ds_printf(&a, MISUSE_LINE "%lld", (long long)s->total.misuse);
    ds_puts(&b, NOTE_FORMULA);
    ds_printf(&c, "Số liệu nội bộ từ máy đánh giá tại %s; không phải chỉ số chính thức.",
              o->content->desk_name ? o->content->desk_name : "Bộ phận Một cửa");
    lines[0] = a.p;
    lines[1] = b.p;
    lines[2] = c.p;
}

static void report_text(dstr *d, const export_report_opts *o, const export_summary *s,
                        const char *title, const char *period)
{
    report_table t;
    table_build(s, 1, &t);
    size_t w[R_NCOLS];
    for (int i = 0; i < R_NCOLS; i++) {
        w[i] = report_head[i] && (i < R_N3 || i == R_SHARE) ? text_width(report_head[i]) : 0;
        if (i >= R_N3 && i <= R_P1)
            w[i] = text_width(i % 2 == R_N3 % 2 ? "SL" : "%");
        for (size_t k = 0; k < t.n; k++) {
            size_t cw = text_width(t.cells[k][i]);
            w[i] = cw > w[i] ? cw : w[i];
        }
    }
    for (int i = R_N3; i <= R_N1; i += 2) { /* the level's name spans its SL and % columns */
        size_t need = text_width(report_head[i]), have = w[i] + 3 + w[i + 1];
        if (need > have) {
            w[i] += (need - have) / 2;
            w[i + 1] += need - have - (need - have) / 2;
        }
    }
    report_header_lines(d, o, title, period);
    ds_puts(d, "\n");
    rule(d, w);
    /* Header row 1: column names, the levels centred over their two columns. */
    ds_puts(d, "|");
    for (int i = 0; i < R_NCOLS; i++) {
        ds_puts(d, " ");
        if (i >= R_N3 && i <= R_N1 && i % 2 == R_N3 % 2) {
            pad(d, report_head[i], w[i] + 3 + w[i + 1], 0);
            i++;
        } else {
            pad(d, report_head[i], w[i], -1);
        }
        ds_puts(d, " |");
    }
    ds_puts(d, "\n|");
    for (int i = 0; i < R_NCOLS; i++) {
        ds_puts(d, " ");
        pad(d, i >= R_N3 && i <= R_P1 ? (i % 2 == R_N3 % 2 ? "SL" : "%") : "", w[i], 1);
        ds_puts(d, " |");
    }
    ds_puts(d, "\n");
    rule(d, w);
    for (size_t k = 0; k < t.n; k++) {
        if (k == t.n - 1)
            rule(d, w);
        ds_puts(d, "|");
        for (int i = 0; i < R_NCOLS; i++) {
            ds_puts(d, " ");
            pad(d, t.cells[k][i], w[i], i == R_NAME || i == R_TITLE ? -1 : 1);
            ds_puts(d, " |");
        }
        ds_puts(d, "\n");
    }
    rule(d, w);
    char *foot[3];
    report_footer_lines(o, s, foot);
    ds_printf(d, "\n%s\n%s\n%s\n", foot[0], foot[1], foot[2]);
    for (int i = 0; i < 3; i++)
        free(foot[i]);
    table_free(&t);
}

/* The report as CSV: the same rows as the text, one cell per column. */
static void report_csv(wbuf *w, const export_report_opts *o, const export_summary *s,
                       const char *title, const char *period)
{
    report_table t;
    table_build(s, 0, &t);
    const content *c = o->content;
    char line[512];
    wb_put(w, "\xEF\xBB\xBF", 3);
    const char *one[1] = {title};
    csv_row(w, one, 1);
    util_fmt(line, sizeof line, "%s — %s", c->commune_name ? c->commune_name : "",
             c->desk_name ? c->desk_name : "");
    one[0] = line;
    csv_row(w, one, 1);
    one[0] = period;
    csv_row(w, one, 1);
    if (o->made_at_ms) {
        char date[11];
        clk_format_date(o->made_at_ms, date);
        util_fmt(line, sizeof line, "Ngày lập: %s", date);
        one[0] = line;
        csv_row(w, one, 1);
    }
    wb_put(w, "\r\n", 2);
    csv_row(w, report_head, R_NCOLS);
    const char *sub[R_NCOLS] = {NULL, NULL, NULL, NULL, "SL", "%", "SL", "%", "SL", "%", NULL};
    csv_row(w, sub, R_NCOLS);
    for (size_t k = 0; k < t.n; k++)
        csv_row(w, (const char *const *)t.cells[k], R_NCOLS);
    wb_put(w, "\r\n", 2);
    char *foot[3];
    report_footer_lines(o, s, foot);
    for (int i = 0; i < 3; i++) {
        one[0] = foot[i];
        csv_row(w, one, 1);
        free(foot[i]);
    }
    table_free(&t);
}

int export_report(const export_report_opts *o, export_result *res, char *err, size_t errlen)
{
    if (res)
        memset(res, 0, sizeof *res);
    int rc = check_content(o->content, err, errlen);
    if (rc)
        return rc;
    if (o->year < 1970 || o->year > 9999 || o->month < 1 || o->month > 12)
        return fail(err, errlen, HL_EXIT_USAGE,
                    "report: the month must be 1..12 of a year "
                    "from 1970");
    if (o->format == EXPORT_FMT_XLSX && !o->out)
        return fail(err, errlen, HL_EXIT_USAGE,
                    "report: an XLSX report needs an output file, e.g. --out bao-cao.xlsx");
    export_date from = {o->year, o->month, 1},
                to = {o->year, o->month, export_days_in_month(o->year, o->month)};
    int64_t from_ms = export_date_start_ms(from), to_ms = export_date_start_ms(to) + 86400000LL;
    char title[160], period[128];
    util_fmt(title, sizeof title, REPORT_TITLE " — Tháng %02d/%04d", o->month, o->year);
    period_text(from, to, period, sizeof period);

    atomic_out ao = {.fd = -1, .dirfd = -1};
    if (o->out && (rc = ao_begin(&ao, o->out, err, errlen)) != 0)
        return rc;
    sqlite3 *db = NULL;
    export_summary s = {0};
    int64_t total = 0;
    rc = db_open(o->db, &db, err, errlen);
    if (!rc)
        rc = db_count(db, from_ms, to_ms, &total, err, errlen);
    if (!rc && o->progress && o->progress(o->progress_ctx, 0, total) != 0) {
        if (res)
            res->cancelled = 1;
        rc = fail(err, errlen, HL_EXIT_RUNTIME, "cancelled; nothing was written");
    }
    if (!rc)
        rc = summary_query(db, o->content, from_ms, to_ms, &s, err, errlen);
    db_close(db);
    if (!rc && o->format == EXPORT_FMT_XLSX) {
        xl_book x = {0};
        rc = xl_open(&x, &ao, 0, err, errlen);
        if (!rc) {
            char sheet[32];
            util_fmt(sheet, sizeof sheet, "Tháng %02d-%04d", o->month, o->year);
            xl_summary_sheet(&x, sheet, title, o->content, period, &s, o->made_at_ms);
            rc = xl_close(&x, &ao, err, errlen);
        }
        xl_discard(&x);
    } else if (!rc) {
        wbuf w;
        wb_init(&w, o->out ? ao.fd : -1, o->out ? NULL : (o->stream ? o->stream : stdout));
        if (o->format == EXPORT_FMT_CSV) {
            report_csv(&w, o, &s, title, period);
        } else {
            dstr d = {0};
            report_text(&d, o, &s, title, period);
            wb_put(&w, d.p, d.len);
            free(d.p);
        }
        wb_flush(&w);
        if (w.err)
            rc = o->out ? ao_write_error(&ao, w.err, err, errlen)
                        : fail(err, errlen, HL_EXIT_RUNTIME, "could not write the report: %s",
                               strerror(w.err));
        wb_free(&w);
    }
    if (!rc && o->progress && o->progress(o->progress_ctx, total, total) != 0) {
        if (res)
            res->cancelled = 1;
        rc = fail(err, errlen, HL_EXIT_RUNTIME, "cancelled; nothing was written");
    }
    if (o->out) {
        if (!rc)
            rc = ao_commit(&ao, err, errlen);
        if (rc)
            ao_abort(&ao);
    }
    if (res) {
        res->rows = (int64_t)s.n_rows;
        res->counted = s.total.counted;
        res->misuse = s.total.misuse;
    }
    export_summary_free(&s);
    return rc;
}
