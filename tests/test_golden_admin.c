/* test_golden_admin: the admin screens at 1280x800 and 1080x1920 against tests/golden/admin-*.png.
 * The clock is shown synchronised except in admin-overview-unsynced (admin_set_clock_probe).
 * Update on purpose: HAILONG_UPDATE_GOLDEN=1 ctest -R test_golden_admin, then look at each PNG. */
#include <SDL.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "admin.h"
#include "app.h"
#include "kfx.h"
#include "seed.h"
#include "test.h"
#include "util.h"

static int64_t t0; /* 2026-11-26T09:30 Vietnam time: a Thursday */

static const kfx_size sizes[] = {{1280, 800}, {1080, 1920}};

/* A kiosk with sync configured, but no thread (the state shown is the one in votes.db). */
static int open_shot(kfx *f, const kfx_shot *s, int w, int h)
{
    kfx_config(f, s->mode, w, h);
    util_strlcpy(f->c.sync_url, "https://thu-thap.example.vn", sizeof f->c.sync_url);
    return kfx_start(f);
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
    kfx_set_pin(a, "2468");
    kfx_open_admin(a, "2468");
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
static void seed(app *a)
{
    seed_spec spec = {.n = 340, .vote = month_vote, .synced_at = t0 - 7200000};
    CHECK_INT(seed_votes(a->cfg.data_dir, &spec), 0);
    CHECK_INT(
        store_sync_note_failure(a->store, NULL, 401,
                                "the collector refused this kiosk's token (HTTP 401); check [sync] "
                                "token_file and that kiosk demo-01 is enrolled, then "
                                "restart the kiosk",
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

static void pin_pad(app *a)
{
    kfx_set_pin(a, "2468");
    kfx_hold_corner(a, ADMIN_HOLD_MS);
}

static void pin_locked(app *a)
{
    kfx_set_pin(a, "2468");
    char until[32];
    util_fmt(until, sizeof until, "%lld", (long long)(t0 + 30000));
    const char *keys[] = {PIN_KEY_FAILURES, PIN_KEY_LOCKED_UNTIL};
    const char *vals[] = {"5", until};
    CHECK_INT(store_settings_put(a->store, keys, vals, 2, t0), 0);
    kfx_hold_corner(a, ADMIN_HOLD_MS); /* 5 s of the 30 s pass */
}

static void corner(app *a)
{
    kfx_hold_corner(a, ADMIN_HOLD_MS);
}

static void overview(app *a)
{
    seed(a);
    open_admin(a);
}

/* Whether the clock is synchronised depends on the machine: the pictures choose it. */
static clk_sync clock_synced(void)
{
    return CLK_SYNC_YES;
}

static clk_sync clock_unsynced(void)
{
    return CLK_SYNC_NO;
}

/* The overview of a kiosk whose clock no time server sets: the clock line is an alert. */
static void overview_unsynced(app *a)
{
    admin_set_clock_probe(clock_unsynced);
    seed(a);
    open_admin(a);
    admin_set_clock_probe(clock_synced);
}

/* Vote i of a kiosk whose RTC battery died: 1..6 stamped 2000-01-01 from 08:00 (marked
 * clock_suspect by the store's own rule), waiting; 7..20 sent earlier this month. */
static void y2000_vote(int i, seed_vote *v, void *ctx)
{
    (void)ctx;
    v->officer = "vp-lan";
    v->rating = 3 - i % 2;
    if (i <= 6) {
        v->created_at = 946684800000LL + (int64_t)i * 600000;
        return;
    }
    v->created_at = t0 - 86400000 - (int64_t)i * 3600000;
    v->state = STORE_SYNC_SENT;
}

/* The overview while the PC's clock reads 2000-01-01: the clock line says it cannot be right, the
 * sync part counts the votes recorded with a doubtful clock. */
static void overview_clock_wrong(app *a)
{
    seed_spec spec = {.n = 20, .vote = y2000_vote, .synced_at = t0 - 7200000};
    CHECK_INT(seed_votes(a->cfg.data_dir, &spec), 0);
    a->clock->wall_ms = 946684800000LL + 2 * 3600000;
    open_admin(a);
}

/* The export screen with n votes to export (none: n = 0) and a stick plugged in (its folder in
 * usb). */
static void to_export(app *a, int n, char *usb, size_t cap)
{
    kfx_plug_usb(a->cfg.data_dir, usb, cap);
    if (n)
        seed_export(a->cfg.data_dir, n);
    open_admin(a);
    CHECK_INT(app_tap(a, "export"), 0);
}

static void export_held(app *a, int finish)
{
    char usb[PATH_MAX];
    to_export(a, 10000, usb, sizeof usb);
    fix_machine(a);
    kfx_export_hold();
    CHECK_INT(app_tap(a, "export"), 0);
    CHECK(kfx_export_reached(30000));
    app_advance(a, 100);
    if (finish) {
        kfx_export_release();
        CHECK(app_wait_jobs(a, 30000));
        fix_machine(a);
    }
    /* Otherwise the picture is taken with the export held; kfx_golden_main lets it go. */
    unsetenv("HAILONG_USB_DIR");
}

static void export_progress(app *a)
{
    export_held(a, 0);
}

static void export_done(app *a)
{
    export_held(a, 1);
}

static void export_days(app *a)
{
    char usb[PATH_MAX];
    to_export(a, 0, usb, sizeof usb);
    unsetenv("HAILONG_USB_DIR");
    fix_machine(a);
    CHECK_INT(app_tap(a, "range-days"), 0);
    CHECK_INT(app_tap(a, "from-dec"), 0);
    CHECK_INT(app_tap(a, "fmt-csv"), 0);
}

static void export_pulled(app *a)
{
    char usb[PATH_MAX];
    to_export(a, 5000, usb, sizeof usb);
    kfx_export_pull(usb); /* at the first block of rows */
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
}

/* Each picture: {test, reference, setup, taps, screen, mode, VFS}. */
static const kfx_shot shots[] = {
    {"t_pin", "admin-pin", pin_pad, "key-2 key-4", "pin", CFG_MODE_DESK, NULL},
    {"t_locked", "admin-pin-locked", pin_locked, NULL, "pin", CFG_MODE_DESK, NULL},
    {"t_no_pin", "admin-pin-none", corner, NULL, "pin", CFG_MODE_DESK, NULL},
    {"t_overview", "admin-overview", overview, NULL, "admin", CFG_MODE_DESK, NULL},
    {"t_overview_month", "admin-overview-month", overview, "period-month", "admin", CFG_MODE_DESK,
     NULL},
    {"t_overview_unsynced", "admin-overview-unsynced", overview_unsynced, NULL, "admin",
     CFG_MODE_DESK, NULL},
    {"t_overview_clock_wrong", "admin-overview-clock-wrong", overview_clock_wrong, NULL, "admin",
     CFG_MODE_DESK, NULL},
    {"t_confirm", "admin-confirm-quit", overview, "quit", "admin", CFG_MODE_DESK, NULL},
    {"t_officer", "admin-officer", open_admin, "officer officer-tp-hung", "admin-officer",
     CFG_MODE_DESK, NULL},
    {"t_export_progress", "admin-export-progress", export_progress, NULL, "admin-export",
     CFG_MODE_DESK, NULL},
    {"t_export_done", "admin-export-done", export_done, NULL, "admin-export", CFG_MODE_DESK, NULL},
    {"t_export_days", "admin-export-days", export_days, NULL, "admin-export", CFG_MODE_DESK, NULL},
    {"t_export_pulled", "admin-export-pulled", export_pulled, NULL, "admin-export", CFG_MODE_DESK,
     NULL},
};

int main(void)
{
    admin_set_clock_probe(clock_synced);
    return kfx_golden_main("golden-admin", &t0, sizes, HL_ARRAY_LEN(sizes), open_shot, shots,
                           HL_ARRAY_LEN(shots));
}
