/* test_golden_admin: the admin screens at 1280x800 and 1080x1920 against tests/golden/admin-*.png.
 * Update on purpose: HAILONG_UPDATE_GOLDEN=1 ctest -R test_golden_admin, then look at each PNG. */
#include <SDL.h>
#include <ftw.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "app.h"
#include "screens.h"
#include "golden.h"
#include "test.h"
#include "util.h"

static char root[PATH_MAX];
static int dir_counter;
static int64_t t0; /* 2026-11-26T09:30 Vietnam time: a Thursday */

static const struct {
    int w, h;
} sizes[] = {{1280, 800}, {1080, 1920}};

static app *open_app(hl_clock *clock, int w, int h, char *dir, size_t dircap)
{
    cfg c;
    cfg_defaults(&c);
    if (util_fmt(dir, dircap, "%s/k%d", root, ++dir_counter) != 0 || mkdir(dir, 0755) != 0) {
        perror(dir);
        return NULL;
    }
    util_strlcpy(c.data_dir, dir, sizeof c.data_dir);
    c.mode = CFG_MODE_DESK;
    util_strlcpy(c.counter, "1", sizeof c.counter);
    /* Sync configured, but no thread (the state shown is the one recorded in votes.db). */
    util_strlcpy(c.sync_url, "https://thu-thap.example.vn", sizeof c.sync_url);
    c.width = w;
    c.height = h;
    *clock = clk_fake(t0);
    app_opts o = {.clock = clock, .headless = 1, .screens = scr_table};
    char err[HL_ERR_MAX];
    app *a = NULL;
    if (app_create(&a, &c, &o, err, sizeof err) != 0) {
        fprintf(stderr, "app_create: %s\n", err);
        return NULL;
    }
    app_update(a);
    app_render(a);
    return a;
}

static void sql(const char *dir, const char *text)
{
    char path[PATH_MAX + 16];
    util_fmt(path, sizeof path, "%s/votes.db", dir);
    sqlite3 *db = NULL;
    char *msg = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sql: %s\n", msg ? msg : sqlite3_errmsg(db));
        t_cur_failed = 1;
    }
    sqlite3_free(msg);
    sqlite3_close(db);
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
    int p = a->m.u * 4;
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.x = p;
    ev.button.y = p;
    app_handle_event(a, &ev);
    app_advance(a, ADMIN_HOLD_MS);
    ev.type = SDL_MOUSEBUTTONUP;
    app_handle_event(a, &ev);
    app_update(a);
    app_render(a);
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

/* Votes today (every 10 min back from 09:20) and earlier this month (hourly back from
 * yesterday), a few flagged as misuse, some waiting, and a sync that stopped on a 401. */
static void seed(const char *dir)
{
    char text[4096];
    util_fmt(text, sizeof text,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)"
             " INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons,"
             " created_at, misuse, sync_state)"
             " SELECT printf('%%08d-0000-4000-8000-000000000001', i), 'demo-01', i, 'b',"
             " CASE i %% 5 WHEN 0 THEN 'vp-lan' WHEN 1 THEN 'tp-hung' WHEN 2 THEN 'tp-ha'"
             " WHEN 3 THEN 'dc-minh' ELSE 'vh-mai' END,"
             " CASE WHEN i %% 7 = 0 THEN 1 WHEN i %% 4 = 0 THEN 2 ELSE 3 END, '[]',"
             " %lld - i * 600000, i %% 13 = 0, CASE WHEN i < 12 THEN 'unsent' ELSE 'sent' END"
             " FROM n;"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
             " INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons,"
             " created_at, misuse, sync_state)"
             " SELECT printf('%%08d-0000-4000-8000-000000000002', i), 'demo-01', 100 + i, 'b',"
             " CASE i %% 6 WHEN 0 THEN 'vp-lan' WHEN 1 THEN 'tp-hung' WHEN 2 THEN 'tp-ha'"
             " WHEN 3 THEN 'dc-minh' WHEN 4 THEN 'vh-mai' ELSE 'tc-tuan' END,"
             " CASE WHEN i %% 9 = 0 THEN 1 WHEN i %% 3 = 0 THEN 2 ELSE 3 END, '[]',"
             " %lld - 86400000 - i * 3600000, i %% 37 = 0, 'sent' FROM n;"
             "UPDATE votes SET sync_state = 'quarantined', sync_error = 'officer: unknown'"
             " WHERE seq IN (150, 151);"
             "UPDATE sync_status SET state = 'stopped-auth', auth_failed = 1,"
             " last_error = 'HTTP 401: the token is not valid for this kiosk',"
             " last_error_at = %lld, last_success_at = %lld, updated_at = %lld WHERE id = 1;",
             (long long)(t0 - 600000), (long long)t0, (long long)(t0 - 300000),
             (long long)(t0 - 7200000), (long long)(t0 - 300000));
    sql(dir, text);
}

static atomic_int held, release; /* the export held mid-way (hold_export) */

typedef const char *(*setup_fn)(app *a, const char *dir);

static void shoot(const char *name, setup_fn setup)
{
    for (size_t i = 0; i < HL_ARRAY_LEN(sizes); i++) {
        hl_clock clock;
        char dir[PATH_MAX];
        app *a = open_app(&clock, sizes[i].w, sizes[i].h, dir, sizeof dir);
        REQUIRE(a != NULL);
        const char *want = setup(a, dir);
        CHECK_STR(app_screen_name(a), want);
        char full[96];
        util_fmt(full, sizeof full, "%s-%dx%d", name, sizes[i].w, sizes[i].h);
        SDL_Surface *s = app_snapshot(a);
        if (!golden_check(s, full)) {
            fprintf(stderr, "  golden mismatch: %s\n", full);
            t_cur_failed = 1;
        }
        SDL_FreeSurface(s);
        /* Let a held export go on: app_destroy cancels it and waits for its thread. */
        atomic_store(&release, 1);
        admin_set_export_hook(NULL, NULL);
        app_destroy(a);
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
    seed(dir);
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
    sql(dir, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)"
             " INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons,"
             " created_at, misuse, sync_state)"
             " SELECT printf('%08d-0000-4000-8000-000000000003', i), 'demo-01', i, 'b', 'vp-lan',"
             " 1 + i % 3, '[]', 1795000000000 + i * 1000, 0, 'sent' FROM n");
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
    sql(dir, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)"
             " INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons,"
             " created_at, misuse, sync_state)"
             " SELECT printf('%08d-0000-4000-8000-000000000004', i), 'demo-01', i, 'b', 'vp-lan',"
             " 1 + i % 3, '[]', 1795000000000 + i * 1000, 0, 'sent' FROM n");
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
    char tmpl[] = "/tmp/hl-test-golden-admin-XXXXXX";
    if (test_tmpdir(tmpl, root) != 0)
        return 1;
    if (clk_parse_local("2026-11-26T09:30", &t0) != 0)
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
    test_cleanup(root);
    TEST_END();
}
