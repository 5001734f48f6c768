/* admin: the admin session: PIN checks, figures, desk officer, USB export and leaving, with the
 * slow parts on worker threads (job.c) that the admin screens poll. */
#include "admin.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "desk.h"
#include "job.h"
#include "log.h"

/* How often the screens look at a running job (its progress bar moves at this rate). */
#define ADMIN_POLL_MS 50

struct pin_work {
    job *j;
    char hash[PIN_HASH_MAX];
    char pin[PIN_MAX_LEN + 1];
    int right;
};

struct stats_work {
    job *j;
    char db[PATH_MAX];
    const content *c;
    int64_t day_from, day_to, month_from, month_to;
    export_summary today, month;
    int rc;
    char err[HL_ERR_MAX];
};

struct export_work {
    job *j;
    export_votes_opts o;
    char db[PATH_MAX], out[PATH_MAX], period_name[64];
    dev_t dir_dev;
    ino_t dir_ino;
    char dir[PATH_MAX];
    atomic_llong done, total;
    atomic_int cancel;
    int rc;
    export_result res;
    char err[HL_ERR_MAX];
    /* A stick found through udisks2: mounted by the job if it is not yet (dir is "" until then),
     * then unmounted and powered off after the file is complete (udisks.h). */
    int via_udisks;
    udisks_fs ud;
    char xfile[PATH_MAX];
    atomic_int phase; /* ADMIN_PHASE_* */
    udisks_rc mount_rc, unmount_rc, power_rc;
    char ud_err[HL_ERR_MAX];
};

static admin_event pin_finish(admin *ad, int right, int open);

static admin_export_hook test_hook;
static void *test_hook_ctx;

void admin_set_export_hook(admin_export_hook fn, void *ctx)
{
    test_hook = fn;
    test_hook_ctx = ctx;
}

admin *admin_new(const admin_env *env)
{
    admin *ad = xcalloc(1, sizeof *ad);
    ad->env = *env;
    ad->format = EXPORT_FMT_XLSX;
    return ad;
}

static void pin_work_free(pin_work *w)
{
    if (!w)
        return;
    job_join(w->j);
    memset(w, 0, sizeof *w); /* the PIN and its hash do not linger in freed memory */
    free(w);
}

static void stats_work_free(stats_work *w)
{
    if (!w)
        return;
    job_join(w->j);
    export_summary_free(&w->today);
    export_summary_free(&w->month);
    free(w);
}

static void export_work_free(export_work *w)
{
    if (!w)
        return;
    atomic_store(&w->cancel, 1);
    job_join(w->j);
    free(w);
}

static void clear_stats(admin *ad)
{
    export_summary_free(&ad->today);
    export_summary_free(&ad->month);
    ad->stats_ok = 0;
}

void admin_free(admin *ad)
{
    if (!ad)
        return;
    pin_work_free(ad->pin_w);
    stats_work_free(ad->stats_w);
    export_work_free(ad->export_w);
    clear_stats(ad);
    free(ad);
}

void admin_leave(admin *ad, int from_pin, int to_admin)
{
    if (ad->pin_w && from_pin) {
        /* The pad is left while a PIN is being checked (Hủy): wait for it (a fraction of a
         * second) and count it, so that leaving cannot dodge the wrong-PIN count, and so that a
         * right PIN checked here cannot open the admin screens later for someone else. */
        job_wait(ad->pin_w->j, 60000);
        int right = ad->pin_w->right;
        pin_work_free(ad->pin_w);
        ad->pin_w = NULL;
        pin_finish(ad, right, 0);
    }
    if (to_admin)
        return;
    /* Closing the admin screens (Đóng, idle, Home) locks them: the next visit asks for the PIN
     * again. A running export is left to finish (it cannot be seen from here, so it is
     * cancelled rather than left writing to a stick someone may pull). */
    ad->unlocked = 0;
    ad->confirm = ADMIN_CONFIRM_NONE;
    memset(ad->digits, 0, sizeof ad->digits);
    if (ad->export_w) {
        export_work_free(ad->export_w);
        ad->export_w = NULL;
        ad->xstate = ADMIN_X_IDLE;
    }
    clear_stats(ad);
}

/* ---- PIN ---- */

void admin_pin_enter(admin *ad)
{
    memset(ad->digits, 0, sizeof ad->digits);
    ad->pin_wrong = 0;
    ad->pin_error[0] = '\0';
    ad->pin_read_ok = pin_load(ad->env.st, &ad->pin, ad->pin_error, sizeof ad->pin_error) == 0;
}

int64_t admin_pin_locked_ms(const admin *ad)
{
    return pin_lock_remaining(&ad->pin, clk_wall_ms(ad->env.clock));
}

/* Keys do nothing while a check runs or the pad is locked. */
static int pad_busy(const admin *ad)
{
    return ad->pin_checking || admin_pin_locked_ms(ad) > 0;
}

admin_event admin_pin_digit(admin *ad, char d)
{
    size_t n = strlen(ad->digits);
    if (pad_busy(ad) || d < '0' || d > '9' || n >= PIN_MAX_LEN)
        return ADMIN_EV_NONE;
    ad->digits[n] = d;
    ad->pin_wrong = 0;
    return ADMIN_EV_DIRTY;
}

admin_event admin_pin_delete(admin *ad)
{
    size_t n = strlen(ad->digits);
    if (pad_busy(ad) || n == 0)
        return ADMIN_EV_NONE;
    ad->digits[n - 1] = '\0';
    return ADMIN_EV_DIRTY;
}

static void pin_job(void *arg)
{
    pin_work *w = arg;
    w->right = pin_verify(w->hash, w->pin);
}

/* The check's outcome, on the UI thread: recorded in the store before anything is shown. open = 0
 * when the pad was left meanwhile: the outcome still counts (a wrong PIN is never forgotten), but
 * nothing opens. */
static admin_event pin_finish(admin *ad, int right, int open)
{
    char err[HL_ERR_MAX];
    ad->pin_checking = 0;
    memset(ad->digits, 0, sizeof ad->digits);
    if (pin_record(ad->env.st, &ad->pin, right, clk_wall_ms(ad->env.clock), err, sizeof err) != 0) {
        log_error("admin: %s", err);
        util_strlcpy(ad->pin_error, err, sizeof ad->pin_error);
        /* A wrong PIN whose count could not be kept still counts in memory. */
        if (!right) {
            ad->pin.failures++;
            int64_t lock = pin_lock_ms(ad->pin.failures);
            ad->pin.locked_until = lock ? clk_wall_ms(ad->env.clock) + lock : 0;
        }
    }
    if (right && !open)
        return ADMIN_EV_DIRTY;
    if (right) {
        log_info("admin: admin screen opened");
        ad->unlocked = 1;
        return ADMIN_EV_DIRTY | ADMIN_EV_OPENED;
    }
    ad->pin_wrong = 1;
    return ADMIN_EV_DIRTY;
}

admin_event admin_pin_submit(admin *ad)
{
    if (pad_busy(ad) || ad->pin_w)
        return ADMIN_EV_NONE;
    /* set-pin may have run at a terminal since the pad opened. */
    ad->pin_read_ok = pin_load(ad->env.st, &ad->pin, ad->pin_error, sizeof ad->pin_error) == 0;
    if (!ad->pin_read_ok || !ad->pin.has_pin || admin_pin_locked_ms(ad) > 0 ||
        strlen(ad->digits) < PIN_MIN_LEN) {
        if (ad->pin_read_ok && ad->pin.has_pin && admin_pin_locked_ms(ad) == 0 && ad->digits[0])
            ad->pin_wrong = 1; /* too short to be any PIN: wrong, but not counted */
        return ADMIN_EV_DIRTY;
    }
    pin_work *w = xcalloc(1, sizeof *w);
    util_strlcpy(w->hash, ad->pin.hash, sizeof w->hash);
    util_strlcpy(w->pin, ad->digits, sizeof w->pin);
    ad->pin_checking = 1;
    ad->pin_wrong = 0;
    /* argon2id takes ~0.1 s and 64 MiB: on a worker, so the clock and touch stay alive and the
     * "checking" frame is drawn. Without a thread, check here: a short freeze beats no way in. */
    w->j = job_start(pin_job, w);
    if (!w->j) {
        pin_job(w);
        int right = w->right;
        pin_work_free(w);
        return pin_finish(ad, right, 1);
    }
    ad->pin_w = w;
    return ADMIN_EV_DIRTY;
}

/* ---- figures and status ---- */

static void stats_job(void *arg)
{
    stats_work *w = arg;
    w->rc =
        export_summary_get(w->db, w->c, w->day_from, w->day_to, &w->today, w->err, sizeof w->err);
    if (w->rc == 0)
        w->rc = export_summary_get(w->db, w->c, w->month_from, w->month_to, &w->month, w->err,
                                   sizeof w->err);
}

static export_date today_local(admin *ad)
{
    clk_local l = clk_to_local(clk_wall_ms(ad->env.clock));
    export_date d = {l.year, l.month, l.day};
    return d;
}

static void start_stats(admin *ad)
{
    if (ad->stats_w)
        return;
    stats_work *w = xcalloc(1, sizeof *w);
    util_strlcpy(w->db, ad->env.cfg->data_dir, sizeof w->db);
    w->c = ad->env.content;
    export_date d = today_local(ad);
    w->day_from = export_date_start_ms(d);
    w->day_to = w->day_from + 86400000LL;
    export_date first = {d.year, d.month, 1};
    w->month_from = export_date_start_ms(first);
    w->month_to =
        w->month_from + (int64_t)export_days_in_month(d.year, d.month) * 86400000LL; /* no DST */
    ad->stats_loading = 1;
    w->j = job_start(stats_job, w);
    if (!w->j)
        stats_job(w);
    ad->stats_w = w;
}

static void stats_finish(admin *ad)
{
    stats_work *w = ad->stats_w;
    ad->stats_w = NULL;
    job_join(w->j);
    w->j = NULL;
    clear_stats(ad);
    ad->stats_loading = 0;
    if (w->rc == 0) {
        ad->today = w->today;
        ad->month = w->month;
        memset(&w->today, 0, sizeof w->today);
        memset(&w->month, 0, sizeof w->month);
        ad->stats_ok = 1;
        ad->stats_error[0] = '\0';
    } else {
        util_strlcpy(ad->stats_error, w->err, sizeof ad->stats_error);
        log_error("admin: cannot count the votes: %s", w->err);
    }
    stats_work_free(w);
}

static admin_clock_probe clock_probe;

void admin_set_clock_probe(admin_clock_probe fn)
{
    clock_probe = fn;
}

void admin_refresh_status(admin *ad)
{
    ad->clock_sync = clock_probe ? clock_probe() : clk_sync_state();
    ad->sync_ok = store_sync_status_get(ad->env.st, ad->env.cfg->kiosk_id, &ad->sync) == STORE_OK;
    sync_error_vi(ad->sync_ok ? ad->sync.last_error : "", ad->sync_error, sizeof ad->sync_error);
    ad->live_ok = 0;
    if (ad->env.sync) {
        sync_get_status(ad->env.sync, &ad->live);
        ad->live_ok = 1;
    }
    struct statvfs v;
    ad->disk_free = ad->disk_total = 0;
    if (statvfs(ad->env.cfg->data_dir, &v) == 0) {
        ad->disk_free = (uint64_t)v.f_bavail * v.f_frsize;
        ad->disk_total = (uint64_t)v.f_blocks * v.f_frsize;
    }
    ad->db_bytes = 0;
    char path[PATH_MAX + 8];
    struct stat st;
    if (stat(store_path(ad->env.st), &st) == 0)
        ad->db_bytes += st.st_size;
    if (util_fmt(path, sizeof path, "%s-wal", store_path(ad->env.st)) == 0 && stat(path, &st) == 0)
        ad->db_bytes += st.st_size;
    util_strlcpy(ad->store_error, store_last_error(ad->env.st), sizeof ad->store_error);
}

void admin_overview_enter(admin *ad)
{
    ad->confirm = ADMIN_CONFIRM_NONE;
    admin_refresh_status(ad);
    start_stats(ad);
}

/* ---- desk officer ---- */

int admin_set_desk_officer(admin *ad, const char *code, const content_officer **now)
{
    return desk_choose(ad->env.st, ad->env.content, ad->env.cfg, code, clk_wall_ms(ad->env.clock),
                       now);
}

void admin_officer_enter(admin *ad)
{
    ad->desk_failed = 0;
    desk_chosen_code(ad->env.st, ad->desk_code, sizeof ad->desk_code);
}

/* ---- export ---- */

static export_date add_days(export_date d, int delta)
{
    clk_local l = clk_to_local(export_date_start_ms(d) + (int64_t)delta * 86400000LL);
    export_date r = {l.year, l.month, l.day};
    return r;
}

void admin_set_range(admin *ad, admin_range r)
{
    export_date t = today_local(ad);
    ad->range = r;
    ad->period_name[0] = '\0';
    if (r != ADMIN_RANGE_DAYS) {
        export_period p = {EXPORT_PERIOD_MONTH, t.year, t.month};
        if (r == ADMIN_RANGE_LAST_MONTH) {
            p.year = t.month == 1 ? t.year - 1 : t.year;
            p.n = t.month == 1 ? 12 : t.month - 1;
        } else if (r == ADMIN_RANGE_ND09) {
            /* The period that ends on the 14th of this month: after the 14th the one just
             * closed, to be filed; before it the one running. */
            p.kind = EXPORT_PERIOD_ND09_MONTH;
        }
        export_period_days(p, &ad->from, &ad->to);
        export_period_name(p, ad->period_name, sizeof ad->period_name);
    } else if (export_date_cmp(ad->to, t) > 0 || ad->from.year == 0) {
        /* Days: start from the last seven days up to today. */
        ad->to = t;
        ad->from = add_days(t, -6);
    }
    if (ad->xstate != ADMIN_X_RUNNING)
        ad->xstate = ADMIN_X_IDLE;
}

void admin_shift_day(admin *ad, int which, int delta)
{
    export_date t = today_local(ad);
    export_date *d = which ? &ad->to : &ad->from;
    export_date n = add_days(*d, delta);
    if (export_date_cmp(n, t) > 0)
        return;
    if (which == 0 && export_date_cmp(n, ad->to) > 0)
        return;
    if (which == 1 && export_date_cmp(n, ad->from) < 0)
        return;
    *d = n;
    ad->range = ADMIN_RANGE_DAYS;
    ad->period_name[0] = '\0';
    if (ad->xstate != ADMIN_X_RUNNING)
        ad->xstate = ADMIN_X_IDLE;
}

void admin_usb_scan(admin *ad)
{
    char was[PATH_MAX] = "";
    if (ad->drive < ad->n_drives)
        util_strlcpy(was, ad->drives[ad->drive].path, sizeof was);
    ad->n_drives = usb_find(ad->drives, USB_MAX_DRIVES);
    ad->drive = 0;
    for (int i = 0; i < ad->n_drives; i++)
        if (strcmp(ad->drives[i].path, was) == 0)
            ad->drive = i;
    ad->scanned_at = clk_mono_ms(ad->env.clock);
}

void admin_export_enter(admin *ad)
{
    if (ad->xstate != ADMIN_X_RUNNING) {
        ad->xstate = ADMIN_X_IDLE;
        admin_set_range(ad, ADMIN_RANGE_THIS_MONTH);
    }
    admin_usb_scan(ad);
}

static int progress(void *ctx, int64_t done, int64_t total)
{
    export_work *w = ctx;
    atomic_store(&w->done, done);
    atomic_store(&w->total, total);
    if (test_hook)
        test_hook(test_hook_ctx, done, total);
    return atomic_load(&w->cancel);
}

/* Mounts a udisks2 stick that is not mounted yet, and fills in where the file goes. */
static int export_mount(export_work *w)
{
    atomic_store(&w->phase, ADMIN_PHASE_MOUNT);
    w->mount_rc = udisks_mount(&w->ud, w->dir, sizeof w->dir, w->ud_err, sizeof w->ud_err);
    struct stat st;
    if (w->mount_rc == UDISKS_OK &&
        (util_fmt(w->out, sizeof w->out, "%s/%s", w->dir, w->xfile) != 0 ||
         stat(w->dir, &st) != 0)) {
        util_fmt(w->ud_err, sizeof w->ud_err, "%s: %s", w->dir, strerror(errno));
        w->mount_rc = UDISKS_FAILED;
    }
    if (w->mount_rc != UDISKS_OK) {
        util_strlcpy(w->err, w->ud_err, sizeof w->err);
        w->rc = HL_EXIT_RUNTIME;
        return -1;
    }
    w->dir_dev = st.st_dev;
    w->dir_ino = st.st_ino;
    return 0;
}

static void export_job(void *arg)
{
    export_work *w = arg;
    if (w->via_udisks && !w->dir[0] && export_mount(w) != 0)
        return;
    atomic_store(&w->phase, ADMIN_PHASE_WRITE);
    w->rc = export_votes(&w->o, &w->res, w->err, sizeof w->err);
    if (!w->via_udisks)
        return;
    /* Written (or not, or cancelled): either way the stick is released so it can be pulled.
     * The file was fsynced and renamed by the export; unmounting flushes the rest. */
    atomic_store(&w->phase, ADMIN_PHASE_EJECT);
    w->unmount_rc = udisks_unmount(&w->ud, w->ud_err, sizeof w->ud_err);
    if (w->unmount_rc == UDISKS_OK)
        w->power_rc = udisks_power_off(&w->ud, w->ud_err, sizeof w->ud_err);
}

void admin_export_start(admin *ad)
{
    if (ad->export_w || ad->drive >= ad->n_drives)
        return;
    const usb_drive *d = &ad->drives[ad->drive];
    export_work *w = xcalloc(1, sizeof *w);
    const char *ext = ad->format == EXPORT_FMT_CSV ? "csv" : "xlsx";
    int bad;
    if (ad->range == ADMIN_RANGE_DAYS)
        bad = util_fmt(ad->xfile, sizeof ad->xfile, "hailong-%s-%04d-%02d-%02d_%04d-%02d-%02d.%s",
                       ad->env.cfg->kiosk_id, ad->from.year, ad->from.month, ad->from.day,
                       ad->to.year, ad->to.month, ad->to.day, ext);
    else if (ad->range == ADMIN_RANGE_ND09) /* named by the month its period ends in */
        bad = util_fmt(ad->xfile, sizeof ad->xfile, "hailong-%s-nd09-%04d-%02d.%s",
                       ad->env.cfg->kiosk_id, ad->to.year, ad->to.month, ext);
    else
        bad = util_fmt(ad->xfile, sizeof ad->xfile, "hailong-%s-%04d-%02d.%s",
                       ad->env.cfg->kiosk_id, ad->from.year, ad->from.month, ext);
    w->via_udisks = d->via_udisks;
    w->ud = d->ud;
    util_strlcpy(w->xfile, ad->xfile, sizeof w->xfile);
    util_strlcpy(w->period_name, ad->period_name, sizeof w->period_name);
    /* A udisks2 stick not mounted yet is mounted by the job, which then knows where to write. */
    int mount_later = d->via_udisks && !d->path[0];
    if (!bad && !mount_later)
        bad = util_fmt(w->out, sizeof w->out, "%s/%s", d->path, ad->xfile);
    util_strlcpy(w->dir, d->path, sizeof w->dir);
    util_strlcpy(w->db, ad->env.cfg->data_dir, sizeof w->db);
    struct stat st;
    if (bad || (!mount_later && stat(d->path, &st) != 0)) {
        free(w);
        ad->xstate = ADMIN_X_FAILED;
        util_strlcpy(ad->xmsg, "Không thấy USB nữa. Hãy cắm lại USB rồi thử lại.", sizeof ad->xmsg);
        util_fmt(ad->xdetail, sizeof ad->xdetail, "%s: %s", d->path,
                 bad ? "path too long" : strerror(errno));
        admin_usb_scan(ad);
        return;
    }
    if (!mount_later) {
        w->dir_dev = st.st_dev;
        w->dir_ino = st.st_ino;
    }
    w->o = (export_votes_opts){.db = w->db,
                               .content = ad->env.content,
                               .from = ad->from,
                               .to = ad->to,
                               .format = ad->format,
                               .out = w->out,
                               .include_misuse = 1,
                               .period_name = w->period_name[0] ? w->period_name : NULL,
                               .progress = progress,
                               .progress_ctx = w};
    ad->xstate = ADMIN_X_RUNNING;
    ad->xmsg[0] = ad->xdetail[0] = '\0';
    ad->xrows = 0;
    log_info("admin: exporting %04d-%02d-%02d..%04d-%02d-%02d to %s", ad->from.year, ad->from.month,
             ad->from.day, ad->to.year, ad->to.month, ad->to.day,
             mount_later ? d->ud.device : w->out);
    w->j = job_start(export_job, w);
    if (!w->j)
        export_job(w);
    ad->export_w = w;
}

void admin_export_cancel(admin *ad)
{
    if (ad->export_w)
        atomic_store(&ad->export_w->cancel, 1);
}

void admin_export_progress(const admin *ad, int64_t *done, int64_t *total)
{
    export_work *w = ad->export_w;
    *done = w ? (int64_t)atomic_load(&w->done) : 0;
    *total = w ? (int64_t)atomic_load(&w->total) : 0;
}

admin_phase admin_export_phase(const admin *ad)
{
    return ad->export_w ? (admin_phase)atomic_load(&ad->export_w->phase) : ADMIN_PHASE_NONE;
}

/* After a udisks2 export: the message says whether the stick may be pulled, and never says so
 * when it was not released. Returns 1 when it said something (the outcome replaced xmsg). */
static int udisks_outcome(admin *ad, const export_work *w, const char *n)
{
    if (!w->via_udisks)
        return 0;
    if (w->mount_rc == UDISKS_NOT_AUTHORIZED) {
        ad->xstate = ADMIN_X_FAILED;
        util_strlcpy(ad->xmsg,
                     "Máy không được phép gắn USB: thiếu quy tắc polkit của gói hailong-kiosk. "
                     "Báo cán bộ CNTT.",
                     sizeof ad->xmsg);
        util_strlcpy(ad->xdetail, w->ud_err, sizeof ad->xdetail);
        log_error("admin: USB stick not mounted: polkit refused "
                  "org.freedesktop.udisks2.filesystem-mount to this user; is "
                  "/usr/share/polkit-1/rules.d/50-hailong-kiosk.rules installed? (%s)",
                  w->ud_err);
        return 1;
    }
    if (w->mount_rc != UDISKS_OK) {
        ad->xstate = ADMIN_X_FAILED;
        util_strlcpy(ad->xmsg, "Không gắn được USB. Hãy rút ra, cắm lại rồi thử lại.",
                     sizeof ad->xmsg);
        util_strlcpy(ad->xdetail, w->ud_err, sizeof ad->xdetail);
        log_error("admin: USB stick not mounted: %s", w->ud_err);
        return 1;
    }
    int released = w->unmount_rc == UDISKS_OK;
    if (!released)
        log_error("admin: USB stick not unmounted after the export: %s", w->ud_err);
    else if (w->power_rc != UDISKS_OK)
        log_warn("admin: USB stick unmounted but not powered off: %s", w->ud_err);
    if (w->rc != 0)
        return 0; /* the export's own failure message stands: it never says "pull it" */
    if (released) {
        util_fmt(ad->xmsg, sizeof ad->xmsg,
                 "Đã lưu %s phiếu vào USB. Đã tháo USB an toàn: có thể rút USB ra.", n);
    } else {
        util_fmt(ad->xmsg, sizeof ad->xmsg,
                 "Đã lưu %s phiếu vào USB nhưng chưa tháo được USB an toàn (%s). Chưa rút USB; "
                 "thử xuất lại sau ít phút.",
                 n, w->unmount_rc == UDISKS_BUSY ? "USB đang bận" : "lỗi khi tháo");
        util_strlcpy(ad->xdetail, w->ud_err, sizeof ad->xdetail);
    }
    return 1;
}

static void export_finish(admin *ad)
{
    export_work *w = ad->export_w;
    ad->export_w = NULL;
    job_join(w->j);
    w->j = NULL;
    char n[32];
    admin_fmt_count(n, sizeof n, w->res.rows);
    if (udisks_outcome(ad, w, n)) {
        if (w->rc == 0) {
            ad->xstate = ADMIN_X_DONE;
            ad->xrows = w->res.rows;
            log_info("admin: exported %lld votes to %s", (long long)w->res.rows, w->out);
        } else {
            ad->xfile[0] = '\0';
        }
    } else if (w->rc == 0) {
        ad->xstate = ADMIN_X_DONE;
        ad->xrows = w->res.rows;
        util_fmt(ad->xmsg, sizeof ad->xmsg, "Đã lưu %s phiếu vào USB. Có thể rút USB ra.", n);
        log_info("admin: exported %lld votes to %s", (long long)w->res.rows, w->out);
    } else {
        ad->xstate = ADMIN_X_FAILED;
        ad->xfile[0] = '\0';
        struct stat st;
        int gone = stat(w->dir, &st) != 0 || st.st_dev != w->dir_dev || st.st_ino != w->dir_ino;
        if (w->res.cancelled && !gone)
            util_strlcpy(ad->xmsg, "Đã hủy. Không có tệp nào được lưu.", sizeof ad->xmsg);
        else if (gone)
            util_strlcpy(ad->xmsg,
                         "USB đã bị rút ra khi đang ghi. Không có tệp nào được lưu. Hãy cắm lại "
                         "USB và xuất lại.",
                         sizeof ad->xmsg);
        else
            util_strlcpy(ad->xmsg,
                         "Không xuất được dữ liệu. Không có tệp nào được lưu. Xem chi tiết bên "
                         "dưới.",
                         sizeof ad->xmsg);
        util_strlcpy(ad->xdetail, w->err, sizeof ad->xdetail);
        log_error("admin: export to %s failed: %s", w->out, w->err);
        if (gone)
            admin_usb_scan(ad);
    }
    free(w);
}

/* ---- polling, idle, leaving ---- */

int64_t admin_poll(admin *ad, int64_t now, int pin_shown, admin_event *ev)
{
    *ev = ADMIN_EV_NONE;
    if (ad->pin_w && job_done(ad->pin_w->j)) {
        int right = ad->pin_w->right;
        pin_work_free(ad->pin_w);
        ad->pin_w = NULL;
        *ev |= pin_finish(ad, right, pin_shown);
    }
    if (ad->stats_w && job_done(ad->stats_w->j)) {
        stats_finish(ad);
        *ev |= ADMIN_EV_DIRTY;
    }
    if (ad->export_w && job_done(ad->export_w->j)) {
        export_finish(ad);
        *ev |= ADMIN_EV_DIRTY | ADMIN_EV_EXPORT_DONE;
    }
    if (admin_busy(ad)) {
        if (ad->export_w)
            *ev |= ADMIN_EV_DIRTY; /* the progress bar */
        return now + ADMIN_POLL_MS;
    }
    return CLK_NEVER;
}

int admin_busy(const admin *ad)
{
    return ad->pin_w || ad->stats_w || ad->export_w;
}

int admin_exporting(const admin *ad)
{
    return ad->export_w != NULL;
}

int64_t admin_usb_rescan_at(const admin *ad)
{
    if (ad->n_drives > 0)
        return CLK_NEVER;
    return ad->scanned_at + ADMIN_USB_RESCAN_MS;
}

int admin_wait(admin *ad, int64_t timeout_ms)
{
    job *js[3] = {ad->pin_w ? ad->pin_w->j : NULL, ad->stats_w ? ad->stats_w->j : NULL,
                  ad->export_w ? ad->export_w->j : NULL};
    for (int i = 0; i < 3; i++)
        if (js[i] && !job_wait(js[i], timeout_ms))
            return 0;
    return 1;
}

/* ---- formatting ---- */

void admin_fmt_count(char *out, size_t cap, int64_t n)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", (long long)(n < 0 ? -n : n));
    size_t len = strlen(digits), o = 0;
    char buf[48];
    if (n < 0)
        buf[o++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = '.';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    util_strlcpy(out, buf, cap);
}

void admin_fmt_bytes(char *out, size_t cap, uint64_t b)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)b;
    int u = 0;
    while (v >= 1000.0 && u < 4) {
        v /= 1000.0;
        u++;
    }
    if (u == 0 || v >= 100.0)
        snprintf(out, cap, "%.0f %s", v, units[u]);
    else
        snprintf(out, cap, "%.1f %s", v, units[u]);
    /* Vietnamese decimal comma. */
    char *dot = strchr(out, '.');
    if (dot)
        *dot = ',';
}
