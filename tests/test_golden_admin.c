/* test_golden_admin: the admin screens at 1280x800 and 1080x1920 against tests/golden/admin-*.png.
 * Update on purpose: HAILONG_UPDATE_GOLDEN=1 ctest -R test_golden_admin, then look at each PNG. */
#include <SDL.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "app.h"
#include "kfx.h"
#include "seed.h"
#include "test.h"
#include "util.h"

static int64_t t0; /* 2026-11-26T09:30 Vietnam time: a Thursday */

static const struct {
    int w, h;
} sizes[] = {{1280, 800}, {1080, 1920}};

/* A desk kiosk with sync configured, but no thread (the state shown is the one in votes.db). */
static int open_kiosk(kfx *f, int w, int h)
{
    kfx_config(f, CFG_MODE_DESK, w, h);
    util_strlcpy(f->c.sync_url, "https://thu-thap.example.vn", sizeof f->c.sync_url);
    return kfx_start(f);
}

static void set_pin(app *a)
{
    char err[HL_ERR_MAX];
    if (pin_set(a->store, "2468", clk_wall_ms(a->clock), err, sizeof err) != 0) {
        fprintf(stderr, "pin_set: %s\n", err);
        t_cur_failed = 1;
    }
}

static void hold_corner(app *a)
{
    kfx_hold(a, a->m.u * 4, a->m.u * 4, ADMIN_HOLD_MS);
}

/* Figures that differ from machine to machine, fixed for the picture. */
static void fix_machine(app *a)
{
    a->admin->disk_free = 41200000000ull;
    a->admin->disk_total = 63900000000ull;
    a->admin->db_bytes = 1843200;
    for (int i = 0; i < a->admin->n_drives; i++) {
        a->admin->drives[i].free_bytes = 7310000000ull;
        a->admin->drives[i].total_bytes = 7990000000ull;
    }
    a->dirty = 1;
}

static void open_admin(app *a)
{
    set_pin(a);
    hold_corner(a);
    const char *keys[] = {"key-2", "key-4", "key-6", "key-8", "ok"};
    for (size_t i = 0; i < HL_ARRAY_LEN(keys); i++)
        CHECK_INT(app_tap(a, keys[i]), 0);
    CHECK(app_wait_jobs(a, 20000));
    CHECK(app_wait_jobs(a, 20000)); /* the figures */
    fix_machine(a);
}

/* Vote i of seed: 1..40 today (every 10 min back from 09:20), the 11 newest still waiting;
 * 41..340 earlier this month (hourly back from yesterday), two of them quarantined. */
static void month_vote(int i, seed_vote *v, void *ctx)
{
    (void)ctx;
    static const char *const officers[] = {"vp-lan",  "tp-hung", "tp-ha",
                                           "dc-minh", "vh-mai",  "tc-tuan"};
    if (i <= 40) {
        v->officer = officers[i % 5];
        v->rating = i % 7 == 0 ? 1 : i % 4 == 0 ? 2 : 3;
        v->created_at = t0 - 600000 - (int64_t)i * 600000;
        v->misuse = i % 13 == 0;
        v->state = i < 12 ? STORE_SYNC_UNSENT : STORE_SYNC_SENT;
        return;
    }
    int j = i - 40;
    v->officer = officers[j % 6];
    v->rating = j % 9 == 0 ? 1 : j % 3 == 0 ? 2 : 3;
    v->created_at = t0 - 86400000 - (int64_t)j * 3600000;
    v->misuse = j % 37 == 0;
    v->state = j == 50 || j == 51 ? STORE_SYNC_QUARANTINED : STORE_SYNC_SENT;
    v->error = "officer: unknown";
}

/* Votes today and earlier this month, a few flagged as misuse, some waiting, and a sync that
 * stopped on a 401. */
static void seed(app *a, const char *dir)
{
    seed_spec spec = {.n = 340, .vote = month_vote, .synced_at = t0 - 7200000};
    CHECK_INT(seed_votes(dir, &spec), 0);
    CHECK_INT(store_sync_note_failure(a->store, NULL, 401,
                                      "HTTP 401: the token is not valid for this kiosk",
                                      t0 - 300000, STORE_SYNC_STATE_AUTH, 0),
              0);
}

/* Vote i of an export: officer vp-lan, one a second from 2026-11-18, all sent. */
static void export_vote(int i, seed_vote *v, void *ctx)
{
    (void)ctx;
    v->officer = "vp-lan";
    v->rating = 1 + i % 3;
    v->created_at = 1795000000000 + (int64_t)i * 1000;
    v->state = STORE_SYNC_SENT;
}

static void seed_export(const char *dir, int n)
{
    seed_spec spec = {.n = n, .vote = export_vote, .synced_at = t0};
    CHECK_INT(seed_votes(dir, &spec), 0);
}

static atomic_int held, release; /* the export held mid-way (hold_export) */

typedef const char *(*setup_fn)(app *a, const char *dir);

static void shoot(const char *name, setup_fn setup)
{
    for (size_t i = 0; i < HL_ARRAY_LEN(sizes); i++) {
        kfx f;
        REQUIRE(open_kiosk(&f, sizes[i].w, sizes[i].h) == 0);
        app *a = f.a;
        const char *want = setup(a, f.c.data_dir);
        CHECK_STR(app_screen_name(a), want);
        kfx_golden(a, name, sizes[i].w, sizes[i].h);
        /* Let a held export go on: app_destroy cancels it and waits for its thread. */
        atomic_store(&release, 1);
        admin_set_export_hook(NULL, NULL);
        kfx_close(&f);
    }
}

static const char *go_pin(app *a, const char *dir)
{
    (void)dir;
    set_pin(a);
    hold_corner(a);
    CHECK_INT(app_tap(a, "key-2"), 0);
    CHECK_INT(app_tap(a, "key-4"), 0);
    return "pin";
}

static const char *go_locked(app *a, const char *dir)
{
    (void)dir;
    set_pin(a);
    char until[32];
    util_fmt(until, sizeof until, "%lld", (long long)(t0 + 30000));
    const char *keys[] = {PIN_KEY_FAILURES, PIN_KEY_LOCKED_UNTIL};
    const char *vals[] = {"5", until};
    CHECK_INT(store_settings_put(a->store, keys, vals, 2, t0), 0);
    hold_corner(a); /* 5 s of the 30 s pass */
    return "pin";
}

static const char *go_no_pin(app *a, const char *dir)
{
    (void)dir;
    hold_corner(a);
    return "pin";
}

static const char *go_overview(app *a, const char *dir)
{
    seed(a, dir);
    open_admin(a);
    return "admin";
}

static const char *go_overview_month(app *a, const char *dir)
{
    go_overview(a, dir);
    CHECK_INT(app_tap(a, "period-month"), 0);
    return "admin";
}

static const char *go_confirm(app *a, const char *dir)
{
    go_overview(a, dir);
    CHECK_INT(app_tap(a, "quit"), 0);
    return "admin";
}

static const char *go_officer(app *a, const char *dir)
{
    (void)dir;
    open_admin(a);
    CHECK_INT(app_tap(a, "officer"), 0);
    CHECK_INT(app_tap(a, "officer-tp-hung"), 0);
    return "admin-officer";
}

/* Holds the export at its first block of rows until released. */
static void hold_export(void *ctx, int64_t done, int64_t total)
{
    (void)ctx;
    (void)total;
    if (done == 0 || atomic_load(&held))
        return;
    atomic_store(&held, 1);
    while (!atomic_load(&release)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

static const char *go_export(app *a, const char *dir, int finish)
{
    char usb[PATH_MAX];
    util_fmt(usb, sizeof usb, "%s/USB", dir);
    mkdir(usb, 0755);
    setenv("HAILONG_USB_DIR", usb, 1);
    seed_export(dir, 10000);
    open_admin(a);
    CHECK_INT(app_tap(a, "export"), 0);
    fix_machine(a);
    atomic_store(&held, 0);
    atomic_store(&release, 0);
    admin_set_export_hook(hold_export, NULL);
    CHECK_INT(app_tap(a, "export"), 0);
    for (int i = 0; i < 30000 && !atomic_load(&held); i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    CHECK(atomic_load(&held));
    app_advance(a, 100);
    if (finish) {
        atomic_store(&release, 1);
        CHECK(app_wait_jobs(a, 30000));
        fix_machine(a);
    }
    /* Otherwise the picture is taken with the export held; shoot() lets it go. */
    unsetenv("HAILONG_USB_DIR");
    return "admin-export";
}

static const char *go_export_progress(app *a, const char *dir)
{
    return go_export(a, dir, 0);
}

static const char *go_export_done(app *a, const char *dir)
{
    return go_export(a, dir, 1);
}

static const char *go_export_days(app *a, const char *dir)
{
    char usb[PATH_MAX];
    util_fmt(usb, sizeof usb, "%s/USB", dir);
    mkdir(usb, 0755);
    setenv("HAILONG_USB_DIR", usb, 1);
    open_admin(a);
    CHECK_INT(app_tap(a, "export"), 0);
    unsetenv("HAILONG_USB_DIR");
    fix_machine(a);
    CHECK_INT(app_tap(a, "range-days"), 0);
    CHECK_INT(app_tap(a, "from-dec"), 0);
    CHECK_INT(app_tap(a, "fmt-csv"), 0);
    return "admin-export";
}

static char pulled_dir[PATH_MAX];

/* The stick pulled at the first block of rows: its folder vanishes. */
static void pull_stick(void *ctx, int64_t done, int64_t total)
{
    (void)ctx;
    (void)total;
    if (done > 0 && pulled_dir[0]) {
        test_rmtree(pulled_dir);
        pulled_dir[0] = '\0';
    }
}

static const char *go_export_pulled(app *a, const char *dir)
{
    char usb[PATH_MAX];
    util_fmt(usb, sizeof usb, "%s/USB", dir);
    mkdir(usb, 0755);
    setenv("HAILONG_USB_DIR", usb, 1);
    seed_export(dir, 5000);
    open_admin(a);
    CHECK_INT(app_tap(a, "export"), 0);
    util_strlcpy(pulled_dir, usb, sizeof pulled_dir);
    admin_set_export_hook(pull_stick, NULL);
    CHECK_INT(app_tap(a, "export"), 0);
    CHECK(app_wait_jobs(a, 30000));
    CHECK_INT(a->admin->xstate, ADMIN_X_FAILED);
    unsetenv("HAILONG_USB_DIR");
    /* The technical detail names the temporary folder of this run: keep the picture stable. */
    util_strlcpy(a->admin->xdetail,
                 "folder /media/kiosk/USB disappeared while /media/kiosk/USB/"
                 "hailong-demo-01-2026-11.xlsx was being written (USB stick removed?); nothing "
                 "was saved; plug it in again and repeat the export",
                 sizeof a->admin->xdetail);
    a->dirty = 1;
    return "admin-export";
}

static void t_export_days(void)
{
    shoot("admin-export-days", go_export_days);
}
static void t_export_pulled(void)
{
    shoot("admin-export-pulled", go_export_pulled);
}

static void t_pin(void)
{
    shoot("admin-pin", go_pin);
}
static void t_locked(void)
{
    shoot("admin-pin-locked", go_locked);
}
static void t_no_pin(void)
{
    shoot("admin-pin-none", go_no_pin);
}
static void t_overview(void)
{
    shoot("admin-overview", go_overview);
}
static void t_overview_month(void)
{
    shoot("admin-overview-month", go_overview_month);
}
static void t_confirm(void)
{
    shoot("admin-confirm-quit", go_confirm);
}
static void t_officer(void)
{
    shoot("admin-officer", go_officer);
}
static void t_export_progress(void)
{
    shoot("admin-export-progress", go_export_progress);
}
static void t_export_done(void)
{
    shoot("admin-export-done", go_export_done);
}

int main(void)
{
    if (kfx_begin("golden-admin", &t0) != 0)
        return 1;
    unsetenv("HAILONG_USB_DIR");
    RUN(t_pin);
    RUN(t_locked);
    RUN(t_no_pin);
    RUN(t_overview);
    RUN(t_overview_month);
    RUN(t_confirm);
    RUN(t_officer);
    RUN(t_export_progress);
    RUN(t_export_done);
    RUN(t_export_days);
    RUN(t_export_pulled);
    test_cleanup(test_root);
    TEST_END();
}
