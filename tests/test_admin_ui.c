/* test_admin_ui: the admin screens headless on a fake clock: corner gesture, PIN and lock-out,
 * idle close, desk officer across a restart, USB export (read back, stick pulled mid-way, cancel),
 * quit and restart, finding USB sticks in /proc/mounts and sysfs, and USB export through udisks2
 * (a private bus and tests/fake_udisks.py). */
#include <SDL.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "admin.h"
#include "app.h"
#include "kfx.h"
#include "seed.h"
#include "test.h"
#include "udisks.h"
#include "usb.h"
#include "util.h"

static int64_t t0; /* 2026-11-26T09:30 Vietnam time */

/* Opens a desk-mode kiosk on dir (a new one when dir is NULL), its clock at wall time start. */
static int fx_open_in(kfx *f, const char *dir, int64_t start)
{
    kfx_config(f, CFG_MODE_DESK, 1280, 800);
    if (dir)
        util_strlcpy(f->c.data_dir, dir, sizeof f->c.data_dir);
    f->clock = clk_fake(start);
    return kfx_start(f);
}

/* A new one at t0 with the admin PIN 2468. */
static int fx_open(kfx *f)
{
    if (fx_open_in(f, NULL, t0) != 0)
        return -1;
    kfx_set_pin(f->a, "2468");
    return 0;
}

static void open_admin(kfx *f)
{
    kfx_open_admin(f->a, "2468");
}

/* Vote i of n (add_votes): one a second back from t0 - 1 h, every 50th flagged as misuse but the
 * oldest (the store flags a vote only after another). */
static void vote_i(int i, seed_vote *v, void *ctx)
{
    static const char *const officers[] = {"vp-lan", "tp-hung", "tp-ha"};
    v->officer = officers[i % 3];
    v->rating = 1 + i % 3;
    v->created_at = t0 - 3600000 - (int64_t)i * 1000;
    v->misuse = i % 50 == 0 && i < *(const int *)ctx;
}

/* Adds n unsent votes to the kiosk's votes.db through the store; uuids (n entries, may be NULL)
 * gets their uuids. */
static void add_votes(const kfx *f, int n, char (*uuids)[37])
{
    seed_spec spec = {.n = n, .vote = vote_i, .ctx = &n, .uuids = uuids};
    CHECK_INT(seed_votes(f->c.data_dir, &spec), 0);
}

/* ---- tests ---- */

static void t_gesture(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    int p = a->m.u * 4;

    /* Two seconds is not enough, and taps nothing. */
    kfx_hold_corner(a, 2000);
    CHECK_STR(app_screen_name(a), "home");
    /* A finger that moves while holding does nothing. */
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, p, p);
    app_advance(a, 1000);
    kfx_mouse(a, SDL_MOUSEMOTION, p + a->m.u * 8, p);
    app_advance(a, 6000);
    CHECK_STR(app_screen_name(a), "home");
    kfx_mouse(a, SDL_MOUSEBUTTONUP, p + a->m.u * 8, p);
    /* Held elsewhere on the header: nothing. */
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, a->m.w / 2, p);
    app_advance(a, 6000);
    CHECK_STR(app_screen_name(a), "home");
    kfx_mouse(a, SDL_MOUSEBUTTONUP, a->m.w / 2, p);
    /* Two fingers: nothing. */
    kfx_finger(a, SDL_FINGERDOWN, 1, p, p);
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_FINGERDOWN;
    ev.tfinger.fingerId = 2;
    ev.tfinger.x = 0.5f;
    ev.tfinger.y = 0.5f;
    app_handle_event(a, &ev);
    app_advance(a, 6000);
    CHECK_STR(app_screen_name(a), "home");
    ev.type = SDL_FINGERUP;
    app_handle_event(a, &ev);
    kfx_finger(a, SDL_FINGERUP, 1, p, p);
    app_update(a);
    app_render(a);

    /* 5 s still, by mouse: the PIN pad, before the finger is lifted. */
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, p, p);
    kfx_switches_at(a, ADMIN_HOLD_MS, "home", "pin");
    kfx_mouse(a, SDL_MOUSEBUTTONUP, p, p);
    app_update(a);
    CHECK_STR(app_screen_name(a), "pin");
    kfx_tap_to(a, "cancel", "home");

    /* And by touch. */
    kfx_finger(a, SDL_FINGERDOWN, 1, p, p);
    app_advance(a, ADMIN_HOLD_MS);
    CHECK_STR(app_screen_name(a), "pin");
    kfx_finger(a, SDL_FINGERUP, 1, p, p);
    app_update(a);
    CHECK_STR(app_screen_name(a), "pin");
    /* The pad is an inner screen: back Home when left alone. */
    app_advance(a, (int64_t)f.c.screen_timeout_s * 1000);
    CHECK_STR(app_screen_name(a), "home");

    /* None of this voted. */
    CHECK_INT(a->frames > 0, 1);
    store_counts counts;
    REQUIRE(store_counts_get(a->store, &counts) == 0);
    CHECK_INT(counts.total, 0);
    kfx_close(&f);
}

static void t_no_pin(void)
{
    kfx f;
    REQUIRE(fx_open_in(&f, NULL, t0) == 0);
    app *a = f.a;
    kfx_hold_corner(a, ADMIN_HOLD_MS);
    CHECK_STR(app_screen_name(a), "pin");
    CHECK(!kfx_has(a, "key-1"));
    CHECK(!kfx_has(a, "ok"));
    CHECK(kfx_has(a, "back"));
    kfx_tap_to(a, "back", "home");
    kfx_close(&f);
}

static void t_pin_right_and_wrong(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    kfx_hold_corner(a, ADMIN_HOLD_MS);
    REQUIRE(strcmp(app_screen_name(a), "pin") == 0);
    /* Xóa removes the last digit; OK is off until four digits are in. */
    kfx_tap_all(a, "key-2 key-4 key-9");
    CHECK(!kfx_has(a, "ok"));
    CHECK_INT(app_tap(a, "del"), 0);
    CHECK_STR(a->admin->digits, "24");
    kfx_tap_all(a, "key-6 key-8 ok");
    /* The check runs off the UI thread: keys are off meanwhile. */
    if (a->admin->pin_checking)
        CHECK(!kfx_has(a, "key-1"));
    CHECK(app_wait_jobs(a, 20000));
    CHECK_STR(app_screen_name(a), "admin");
    CHECK_INT(a->admin->unlocked, 1);
    kfx_tap_to(a, "close", "home");
    CHECK_INT(a->admin->unlocked, 0);

    /* Wrong four times: a message with the attempts left, still on the pad. */
    kfx_hold_corner(a, ADMIN_HOLD_MS);
    for (int i = 1; i <= 4; i++) {
        kfx_enter_pin(a, "1111");
        CHECK_STR(app_screen_name(a), "pin");
        CHECK_INT(a->admin->pin_wrong, 1);
        CHECK_INT(pin_attempts_left(&a->admin->pin), 5 - i);
        CHECK_INT(admin_pin_locked_ms(a->admin), 0);
    }
    /* The fifth locks: no key answers until the lock-out ends. */
    kfx_enter_pin(a, "1111");
    CHECK_STR(app_screen_name(a), "pin");
    CHECK_INT(admin_pin_locked_ms(a->admin), 30000);
    CHECK(!kfx_has(a, "key-2"));
    CHECK(!kfx_has(a, "ok"));
    CHECK(kfx_has(a, "cancel"));
    SDL_Rect key2;
    admin_pin_digit(a->admin, '2'); /* even straight in */
    CHECK_STR(a->admin->digits, "");
    app_advance(a, 29000);
    CHECK_STR(app_screen_name(a), "pin");
    CHECK(!ui_target_find(&a->ui, "key-2", &key2));
    app_advance(a, 1000);
    CHECK_INT(admin_pin_locked_ms(a->admin), 0);
    CHECK(kfx_has(a, "key-2"));
    /* The lock-out survives leaving the pad and a restart. */
    kfx_enter_pin(a, "1111");
    CHECK_INT(admin_pin_locked_ms(a->admin), 60000);
    char dir[PATH_MAX];
    util_strlcpy(dir, f.c.data_dir, sizeof dir);
    int64_t now = clk_wall_ms(&f.clock);
    kfx_close(&f);
    REQUIRE(fx_open_in(&f, dir, now) == 0);
    a = f.a;
    kfx_hold_corner(a, ADMIN_HOLD_MS);
    CHECK_STR(app_screen_name(a), "pin");
    CHECK_INT(admin_pin_locked_ms(a->admin), 60000 - ADMIN_HOLD_MS);
    CHECK(!kfx_has(a, "key-2"));
    app_advance(a, 60000 - ADMIN_HOLD_MS);
    CHECK_STR(app_screen_name(a), "home"); /* the pad's own idle rule */
    open_admin(&f);
    CHECK_INT(a->admin->pin.failures, 0);
    kfx_close(&f);
}

/* Hủy while a PIN is being checked: the check still counts, and never opens anything later. */
static void t_pin_cancel_while_checking(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    kfx_hold_corner(a, ADMIN_HOLD_MS);
    kfx_tap_to(a, "key-1 key-1 key-1 key-1 ok cancel", "home");
    CHECK(app_wait_jobs(a, 20000));
    CHECK_INT(a->admin->pin.failures, 1);

    kfx_hold_corner(a, ADMIN_HOLD_MS);
    kfx_tap_to(a, "key-2 key-4 key-6 key-8 ok cancel", "home");
    CHECK_INT(a->admin->pin.failures, 0);
    /* Whoever opens the pad next still needs the PIN. */
    kfx_hold_corner(a, ADMIN_HOLD_MS);
    CHECK(app_wait_jobs(a, 20000));
    app_advance(a, 1000);
    CHECK_STR(app_screen_name(a), "pin");
    CHECK_INT(a->admin->unlocked, 0);
    kfx_close(&f);
}

static void t_idle_closes(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    open_admin(&f);
    app_advance(a, ADMIN_IDLE_MS - 1000);
    CHECK_STR(app_screen_name(a), "admin");
    CHECK_INT(app_tap(a, "period-month"), 0); /* a touch starts the time again */
    app_advance(a, ADMIN_IDLE_MS - 1000);
    CHECK_STR(app_screen_name(a), "admin");
    app_advance(a, 1000);
    CHECK_STR(app_screen_name(a), "home");
    CHECK_INT(a->admin->unlocked, 0);
    /* Sub-screens close too. */
    open_admin(&f);
    kfx_tap_to(a, "export", "admin-export");
    app_advance(a, ADMIN_IDLE_MS);
    CHECK_STR(app_screen_name(a), "home");
    kfx_close(&f);
}

static void t_desk_officer(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    REQUIRE(a->desk_officer);
    CHECK_STR(a->desk_officer->code, "vp-lan"); /* counter 1 in the config */
    open_admin(&f);
    CHECK(kfx_has(a, "officer"));
    kfx_tap_to(a, "officer", "admin-officer");
    CHECK(!kfx_has(a, "officer-config")); /* nothing chosen here yet */
    CHECK_INT(app_tap(a, "officer-dc-minh"), 0);
    CHECK_STR(a->desk_officer->code, "dc-minh");
    CHECK(kfx_has(a, "officer-config"));
    kfx_tap_to(a, "back", "admin");
    kfx_tap_to(a, "close", "home");
    REQUIRE(a->officer);
    CHECK_STR(a->officer->code, "dc-minh");

    /* After a restart Home still shows (and rates) the officer chosen. */
    char dir[PATH_MAX];
    util_strlcpy(dir, f.c.data_dir, sizeof dir);
    kfx_close(&f);
    REQUIRE(fx_open_in(&f, dir, t0) == 0);
    a = f.a;
    CHECK_STR(a->desk_officer->code, "dc-minh");
    CHECK_STR(a->officer->code, "dc-minh");
    kfx_tap_to(a, "rate-3", "thanks");
    CHECK_STR(a->vote.officer_code, "dc-minh");
    app_advance(a, 10000);

    /* Back to the config's officer. */
    open_admin(&f);
    kfx_tap_all(a, "officer officer-config");
    CHECK_STR(a->desk_officer->code, "vp-lan");
    kfx_close(&f);
    REQUIRE(fx_open_in(&f, dir, t0) == 0);
    CHECK_STR(f.a->desk_officer->code, "vp-lan");
    kfx_close(&f);
}

/* The export screen of a kiosk with n unsent votes (their uuids in uuids, which may be NULL) and
 * a stick plugged in (its folder in usb). */
static void to_export(kfx *f, int n, char (*uuids)[37], char *usb, size_t cap)
{
    add_votes(f, n, uuids);
    kfx_plug_usb(f->c.data_dir, usb, cap);
    open_admin(f);
    CHECK_INT(app_tap(f->a, "export"), 0);
}

static void t_export_csv(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    static char uuids[300][37];
    char usb[PATH_MAX];
    to_export(&f, 300, uuids, usb, sizeof usb);
    CHECK_STR(app_screen_name(a), "admin-export");
    CHECK_INT(a->admin->n_drives, 1);
    CHECK(kfx_has(a, "usb-0"));
    kfx_tap_all(a, "fmt-csv range-this export");
    CHECK(app_wait_jobs(a, 30000));
    CHECK_INT(a->admin->xstate, ADMIN_X_DONE);
    CHECK_STR(a->admin->xfile, "hailong-demo-01-2026-11.csv");
    CHECK_INT(a->admin->xrows, 300);
    char path[PATH_MAX * 2];
    util_fmt(path, sizeof path, "%s/%s", usb, a->admin->xfile);
    size_t n = 0;
    char *csv = util_read_file(path, &n);
    REQUIRE(csv);
    CHECK(n > 3 && memcmp(csv, "\xEF\xBB\xBF", 3) == 0);
    CHECK_CONTAINS(csv, "Mã phiếu");
    CHECK_CONTAINS(csv, uuids[6]);
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += csv[i] == '\n';
    CHECK_INT(lines, 301);
    free(csv);
    int csvs = 0;
    CHECK_INT(test_count_files(usb, ".csv", &csvs), 1); /* no temp file left beside it */
    CHECK_INT(csvs, 1);

    /* Days chosen with - / +: never past today, first day never after the last. */
    CHECK_INT(app_tap(a, "range-days"), 0);
    CHECK_INT(a->admin->range, ADMIN_RANGE_DAYS);
    CHECK_INT(a->admin->to.day, 26);
    CHECK_INT(a->admin->from.day, 20);
    CHECK_INT(app_tap(a, "to-inc"), 0);
    CHECK_INT(a->admin->to.day, 26);
    for (int i = 0; i < 10; i++)
        app_tap(a, "from-inc");
    CHECK_INT(a->admin->from.day, 26);
    CHECK_INT(app_tap(a, "to-dec"), 0);
    CHECK_INT(a->admin->to.day, 26);
    kfx_tap_all(a, "from-dec from-dec");
    CHECK_INT(a->admin->from.day, 24);
    kfx_tap_all(a, "fmt-xlsx export");
    CHECK(app_wait_jobs(a, 30000));
    CHECK_INT(a->admin->xstate, ADMIN_X_DONE);
    CHECK_STR(a->admin->xfile, "hailong-demo-01-2026-11-24_2026-11-26.xlsx");

    /* The reporting period of Nghị định 09/2019 that ends on the 14th of this month, in the
     * workbook's summary title. */
    CHECK_INT(app_tap(a, "range-nd09"), 0);
    CHECK_INT(a->admin->range, ADMIN_RANGE_ND09);
    CHECK(a->admin->from.year == 2026 && a->admin->from.month == 10 && a->admin->from.day == 15);
    CHECK(a->admin->to.year == 2026 && a->admin->to.month == 11 && a->admin->to.day == 14);
    CHECK_STR(a->admin->period_name, "Kỳ báo cáo tháng 11/2026");
    kfx_tap_all(a, "export");
    CHECK(app_wait_jobs(a, 30000));
    CHECK_INT(a->admin->xstate, ADMIN_X_DONE);
    CHECK_STR(a->admin->xfile, "hailong-demo-01-nd09-2026-11.xlsx");
    unsetenv("HAILONG_USB_DIR");
    kfx_close(&f);
}

static void t_export_pulled(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    char usb[PATH_MAX];
    to_export(&f, 10000, NULL, usb, sizeof usb);
    kfx_export_pull(usb); /* at the first block of rows */
    kfx_tap_all(a, "fmt-csv export");
    CHECK(app_wait_jobs(a, 30000));
    CHECK_INT(kfx_export_reached(0), 1);
    CHECK_INT(a->admin->xstate, ADMIN_X_FAILED);
    CHECK_CONTAINS(a->admin->xmsg, "USB đã bị rút ra");
    CHECK_CONTAINS(a->admin->xmsg, "Không có tệp nào được lưu");
    CHECK_STR(app_screen_name(a), "admin-export");
    /* Nothing that looks like a finished export, wherever the stick's folder went. */
    int csvs = 0;
    CHECK(test_count_files(usb, ".csv", &csvs) <= 0);
    CHECK_INT(csvs, 0);
    CHECK_INT(a->admin->n_drives, 0); /* looked again: no stick */
    CHECK(!kfx_has(a, "export"));

    /* The stick is back (a new, empty folder at the same place): found, and the export works. */
    kfx_export_unhook();
    mkdir(usb, 0755);
    app_advance(a, 2500);
    CHECK_INT(a->admin->n_drives, 1);
    CHECK_INT(app_tap(a, "export"), 0);
    CHECK(app_wait_jobs(a, 30000));
    CHECK_INT(a->admin->xstate, ADMIN_X_DONE);
    CHECK_INT(a->admin->xrows, 10000);
    CHECK_INT(test_count_files(usb, ".csv", &csvs), 1);
    CHECK_INT(csvs, 1);
    unsetenv("HAILONG_USB_DIR");
    kfx_close(&f);
}

static void t_export_progress_cancel(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    char usb[PATH_MAX];
    to_export(&f, 10000, NULL, usb, sizeof usb);
    kfx_export_hold(); /* at the first block of rows */
    kfx_tap_all(a, "fmt-csv export");
    REQUIRE(kfx_export_reached(30000));
    /* The export is held mid-way; the UI goes on: it draws the progress, time passes, and the
     * admin screen does not close under a running export. */
    uint64_t frames = a->frames;
    app_advance(a, ADMIN_IDLE_MS + 5000);
    CHECK(a->frames > frames);
    CHECK_STR(app_screen_name(a), "admin-export");
    CHECK_INT(a->admin->xstate, ADMIN_X_RUNNING);
    int64_t done, total;
    admin_export_progress(a->admin, &done, &total);
    CHECK_INT(done, 4096);
    CHECK_INT(total, 10000);
    CHECK(!kfx_has(a, "back"));
    CHECK(!kfx_has(a, "fmt-xlsx"));
    CHECK_INT(app_tap(a, "cancel"), 0);
    kfx_export_release();
    CHECK(app_wait_jobs(a, 30000));
    CHECK_INT(a->admin->xstate, ADMIN_X_FAILED);
    CHECK_CONTAINS(a->admin->xmsg, "Đã hủy");
    int csvs = 0;
    CHECK_INT(test_count_files(usb, ".csv", &csvs), 0);
    kfx_export_unhook();
    /* The result stays up for the whole idle time. */
    app_advance(a, ADMIN_IDLE_MS - 1000);
    CHECK_STR(app_screen_name(a), "admin-export");
    unsetenv("HAILONG_USB_DIR");
    kfx_close(&f);
}

static void t_quit_restart(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    open_admin(&f);
    CHECK_INT(app_tap(a, "quit"), 0);
    CHECK(kfx_has(a, "confirm-yes"));
    app_tap(a, "export"); /* under the veil: the tap lands on it, not on the button */
    CHECK_STR(app_screen_name(a), "admin");
    CHECK_INT(app_tap(a, "confirm-no"), 0);
    CHECK_INT(a->quit, 0);
    kfx_tap_all(a, "quit confirm-yes");
    CHECK_INT(a->quit, 1);
    CHECK_INT(a->restart, 0);
    a->quit = 0;
    kfx_tap_all(a, "restart confirm-yes");
    CHECK_INT(a->quit, 1);
    CHECK_INT(a->restart, 1);
    kfx_close(&f);
}

static void t_usb_find(void)
{
    char sys[PATH_MAX], p[PATH_MAX * 2], mounts[PATH_MAX + 16];
    util_fmt(sys, sizeof sys, "%s/sys", test_root);
    /* sdb: a USB stick (removable); sdc: a USB hard disk (not removable, but on USB); sda: the
     * internal disk; mmcblk0: an SD card reader (removable). */
    const char *mk[] = {"devices/pci0/usb1/1-1/block/sdb/sdb1",
                        "devices/pci0/usb2/2-1/block/sdc/sdc1", "devices/pci0/ata1/block/sda/sda1",
                        "devices/platform/mmc0/block/mmcblk0/mmcblk0p1", "class/block"};
    for (size_t i = 0; i < HL_ARRAY_LEN(mk); i++) {
        char cmd[PATH_MAX * 2 + 16];
        util_fmt(cmd, sizeof cmd, "mkdir -p '%s/%s'", sys, mk[i]);
        CHECK(system(cmd) == 0);
    }
    util_fmt(p, sizeof p, "%s/devices/pci0/usb1/1-1/block/sdb/removable", sys);
    test_write_text(p, "1\n");
    util_fmt(p, sizeof p, "%s/devices/pci0/usb2/2-1/block/sdc/removable", sys);
    test_write_text(p, "0\n");
    util_fmt(p, sizeof p, "%s/devices/pci0/ata1/block/sda/removable", sys);
    test_write_text(p, "0\n");
    util_fmt(p, sizeof p, "%s/devices/platform/mmc0/block/mmcblk0/removable", sys);
    test_write_text(p, "1\n");
    const char *parts[][2] = {{"sdb1", "pci0/usb1/1-1/block/sdb/sdb1"},
                              {"sdc1", "pci0/usb2/2-1/block/sdc/sdc1"},
                              {"sda1", "pci0/ata1/block/sda/sda1"},
                              {"mmcblk0p1", "platform/mmc0/block/mmcblk0/mmcblk0p1"}};
    for (size_t i = 0; i < HL_ARRAY_LEN(parts); i++) {
        char target[PATH_MAX], link[PATH_MAX * 2];
        util_fmt(p, sizeof p, "%s/devices/%s/partition", sys, parts[i][1]);
        test_write_text(p, "1\n");
        util_fmt(target, sizeof target, "../../devices/%s", parts[i][1]);
        util_fmt(link, sizeof link, "%s/class/block/%s", sys, parts[i][0]);
        CHECK(symlink(target, link) == 0);
    }
    util_fmt(mounts, sizeof mounts, "%s/mounts", test_root);
    test_write_text(mounts, "sysfs /sys sysfs rw 0 0\n"
                            "/dev/sda1 / ext4 rw,relatime 0 0\n"
                            "/dev/sda1 /mnt/backup ext4 rw 0 0\n"
                            "/dev/sdb1 /media/kiosk/USB\\040DISK vfat rw,nosuid 0 0\n"
                            "/dev/sdc1 /run/media/kiosk/BACKUP exfat ro,nosuid 0 0\n"
                            "/dev/mmcblk0p1 /mnt/sd vfat rw 0 0\n"
                            "tmpfs /media/ram tmpfs rw 0 0\n"
                            "/dev/sdb1 /home/kiosk/usb vfat rw 0 0\n");
    usb_drive d[USB_MAX_DRIVES];
    int n = usb_find_in(mounts, sys, d, USB_MAX_DRIVES);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(d[0].path, "/media/kiosk/USB DISK");
        CHECK_STR(d[0].label, "USB DISK");
        CHECK_STR(d[0].device, "/dev/sdb1");
        CHECK_INT(d[0].readonly, 0);
        CHECK_STR(d[1].path, "/run/media/kiosk/BACKUP");
        CHECK_INT(d[1].readonly, 1);
        CHECK_STR(d[2].path, "/mnt/sd");
    }
    CHECK_INT(usb_find_in(mounts, sys, d, 1), 1);
    CHECK_INT(usb_find_in("/nonexistent/mounts", sys, d, USB_MAX_DRIVES), 0);

    /* HAILONG_USB_DIR replaces the search. */
    setenv("HAILONG_USB_DIR", test_root, 1);
    CHECK_INT(usb_find(d, USB_MAX_DRIVES), 1);
    CHECK_STR(d[0].path, test_root);
    CHECK(d[0].total_bytes > 0);
    setenv("HAILONG_USB_DIR", "/nonexistent/usb", 1);
    CHECK_INT(usb_find(d, USB_MAX_DRIVES), 0);
    unsetenv("HAILONG_USB_DIR");
}

static void t_format(void)
{
    char b[32];
    admin_fmt_count(b, sizeof b, 0);
    CHECK_STR(b, "0");
    admin_fmt_count(b, sizeof b, 999);
    CHECK_STR(b, "999");
    admin_fmt_count(b, sizeof b, 1000);
    CHECK_STR(b, "1.000");
    admin_fmt_count(b, sizeof b, 1234567);
    CHECK_STR(b, "1.234.567");
    admin_fmt_bytes(b, sizeof b, 512);
    CHECK_STR(b, "512 B");
    admin_fmt_bytes(b, sizeof b, 1234567);
    CHECK_STR(b, "1,2 MB");
    admin_fmt_bytes(b, sizeof b, 250000000000ull);
    CHECK_STR(b, "250 GB");
}

/* ---- USB export through udisks2 (the locked kiosk session) ----
 * A private dbus-daemon stands for the system bus (DBUS_SYSTEM_BUS_ADDRESS) and
 * tests/fake_udisks.py for udisks2 (one USB stick, one system disk; every call it gets is written
 * down). The udisks module alone (list, mount without a password prompt, unmount, power off),
 * then the admin export end to end: the stick is mounted by the export, the file lands on it
 * complete, and only then is it unmounted and powered off and "có thể rút USB ra" said; a busy
 * stick is never called safe; a polkit refusal says what is missing; without udisks2 on the bus
 * the old search is used. */

static char bus_dir[PATH_MAX], bus_addr[PATH_MAX + 16];
static pid_t bus_pid = -1, fake_pid = -1;

/* Runs argv in the background; quiet: its stderr too goes to /dev/null (dbus-daemon warns that
 * it cannot raise its fd limit; the fake's Python errors are kept). */
static pid_t spawn(char *const argv[], int quiet)
{
    pid_t p = fork();
    if (p == 0) {
        if (!freopen("/dev/null", "w", stdout) || (quiet && !freopen("/dev/null", "w", stderr)))
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    return p;
}

static void stop(pid_t *p)
{
    if (*p > 0) {
        kill(*p, SIGTERM);
        waitpid(*p, NULL, 0);
    }
    *p = -1;
}

/* A private bus; DBUS_SYSTEM_BUS_ADDRESS points at it. 0 when it listens. */
static int start_bus(void)
{
    test_new_dir(bus_dir, sizeof bus_dir);
    char sock[PATH_MAX + 8];
    util_fmt(sock, sizeof sock, "%s/bus", bus_dir);
    util_fmt(bus_addr, sizeof bus_addr, "unix:path=%s", sock);
    char *argv[] = {"dbus-daemon", "--session", "--nofork", "--address", bus_addr, NULL};
    bus_pid = spawn(argv, 1);
    int64_t end = test_mono_ms() + 10000;
    while (access(sock, F_OK) != 0 && test_mono_ms() < end) /* a socket, not a regular file */
        test_nap_ms(10);
    setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_addr, 1);
    return access(sock, F_OK) == 0 ? 0 : -1;
}

/* fake_udisks.py on the bus, its state (calls, mnt/) in state; flag NULL, "--busy" or "--deny". */
static int start_fake(char *state, size_t cap, const char *flag)
{
    test_new_dir(state, cap);
    char script[PATH_MAX], ready[PATH_MAX];
    const char *src = getenv("HL_TEST_SRC");
    util_fmt(script, sizeof script, "%s/fake_udisks.py", src ? src : "tests");
    test_path(ready, sizeof ready, state, "ready");
    /* Debian's python3: a python3 earlier on PATH (pyenv) may lack dbus and gi. */
    char *argv[] = {"/usr/bin/python3", script, bus_addr, state, (char *)flag, NULL};
    fake_pid = spawn(argv, 0);
    int64_t end = test_mono_ms() + 15000;
    while (!util_file_exists(ready) && test_mono_ms() < end)
        test_nap_ms(10);
    return util_file_exists(ready) ? 0 : -1;
}

static void stop_all(void)
{
    stop(&fake_pid);
    stop(&bus_pid);
    unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

/* The calls the fake got, one per line ("Mount auth.no_user_interaction=True"). */
static void calls(const char *state, char *out, size_t cap)
{
    char path[PATH_MAX];
    test_path(path, sizeof path, state, "calls");
    size_t n = 0;
    char *text = util_read_file(path, &n);
    util_strlcpy(out, text ? text : "", cap);
    free(text);
}

static void t_udisks_module(void)
{
    char state[PATH_MAX], mnt[PATH_MAX], err[512], got[2048];
    REQUIRE(start_bus() == 0);
    CHECK_INT(udisks_available(), 0); /* a bus without udisks2 */
    REQUIRE(start_fake(state, sizeof state, NULL) == 0);
    CHECK_INT(udisks_available(), 1);
    udisks_fs fs[4];
    int n = udisks_list(fs, 4, err, sizeof err);
    CHECK_INT(n, 1); /* the stick, not the system disk */
    if (n == 1) {
        CHECK_STR(fs[0].label, "KINGSTON");
        CHECK_STR(fs[0].device, "/dev/sdb1");
        CHECK_STR(fs[0].mount, "");
        CHECK(fs[0].size == 16006512640ULL);
        CHECK_CONTAINS(fs[0].drive, "Kingston");
        CHECK_INT(udisks_mount(&fs[0], mnt, sizeof mnt, err, sizeof err), UDISKS_OK);
        char want[PATH_MAX];
        test_path(want, sizeof want, state, "mnt/KINGSTON");
        CHECK_STR(mnt, want);
        /* listed again: mounted there */
        CHECK_INT(udisks_list(fs, 4, err, sizeof err), 1);
        CHECK_STR(fs[0].mount, want);
        CHECK_INT(udisks_unmount(&fs[0], err, sizeof err), UDISKS_OK);
        CHECK_INT(udisks_power_off(&fs[0], err, sizeof err), UDISKS_OK);
    }
    calls(state, got, sizeof got);
    CHECK_STR(got, "Mount auth.no_user_interaction=True\n"
                   "Unmount auth.no_user_interaction=True\n"
                   "PowerOff auth.no_user_interaction=True\n");
    stop_all();
}

static int fx_open_udisks(kfx *f)
{
    kfx_config(f, CFG_MODE_DESK, 1280, 800);
    f->clock = clk_fake(t0);
    if (kfx_start(f) != 0)
        return -1;
    kfx_set_pin(f->a, "2468");
    unsetenv("HAILONG_USB_DIR");
    return 0;
}

static void vote_udisks(int i, seed_vote *v, void *ctx)
{
    (void)ctx;
    v->officer = i % 2 ? "vp-lan" : "tp-hung";
    v->rating = 1 + i % 3;
    v->created_at = t0 - 3600000 - (int64_t)i * 1000;
}

/* The export screen of a kiosk with 120 votes, the fake's stick offered; exports it as CSV. */
static void export_to_stick(kfx *f)
{
    seed_spec spec = {.n = 120, .vote = vote_udisks};
    CHECK_INT(seed_votes(f->c.data_dir, &spec), 0);
    kfx_open_admin(f->a, "2468");
    CHECK_INT(app_tap(f->a, "export"), 0);
    CHECK_STR(app_screen_name(f->a), "admin-export");
    CHECK_INT(f->a->admin->n_drives, 1);
    if (f->a->admin->n_drives == 1) {
        CHECK(f->a->admin->drives[0].via_udisks);
        CHECK_STR(f->a->admin->drives[0].label, "KINGSTON");
        CHECK_STR(f->a->admin->drives[0].path, ""); /* not mounted until the export */
    }
    kfx_tap_all(f->a, "fmt-csv range-this export");
    CHECK(app_wait_jobs(f->a, 60000));
}

static void t_udisks_export(void)
{
    char state[PATH_MAX], got[2048], path[PATH_MAX * 2];
    REQUIRE(start_bus() == 0);
    REQUIRE(start_fake(state, sizeof state, NULL) == 0);
    kfx f;
    REQUIRE(fx_open_udisks(&f) == 0);
    export_to_stick(&f);
    admin *ad = f.a->admin;
    CHECK_INT(ad->xstate, ADMIN_X_DONE);
    CHECK_INT(ad->xrows, 120);
    CHECK_CONTAINS(ad->xmsg, "Đã tháo USB an toàn: có thể rút USB ra.");
    util_fmt(path, sizeof path, "%s/mnt/KINGSTON/%s", state, ad->xfile);
    size_t n = 0;
    char *csv = util_read_file(path, &n);
    CHECK(csv != NULL);
    int lines = 0;
    for (size_t i = 0; csv && i < n; i++)
        lines += csv[i] == '\n';
    CHECK_INT(lines, 121); /* complete: the header and every vote */
    free(csv);
    /* released only after the file was written, and in that order */
    calls(state, got, sizeof got);
    CHECK_STR(got, "Mount auth.no_user_interaction=True\n"
                   "Unmount auth.no_user_interaction=True\n"
                   "PowerOff auth.no_user_interaction=True\n");
    kfx_close(&f);
    stop_all();
}

static void t_udisks_busy(void)
{
    char state[PATH_MAX], got[2048];
    REQUIRE(start_bus() == 0);
    REQUIRE(start_fake(state, sizeof state, "--busy") == 0);
    kfx f;
    REQUIRE(fx_open_udisks(&f) == 0);
    export_to_stick(&f);
    admin *ad = f.a->admin;
    CHECK_INT(ad->xstate, ADMIN_X_DONE); /* the file is there */
    CHECK(strstr(ad->xmsg, "có thể rút") == NULL);
    CHECK_CONTAINS(ad->xmsg, "chưa tháo được USB an toàn (USB đang bận)");
    CHECK_CONTAINS(ad->xdetail, "DeviceBusy");
    calls(state, got, sizeof got);
    CHECK(strstr(got, "PowerOff") == NULL); /* never powered off while mounted */
    kfx_close(&f);
    stop_all();
}

static void t_udisks_denied(void)
{
    char state[PATH_MAX];
    REQUIRE(start_bus() == 0);
    REQUIRE(start_fake(state, sizeof state, "--deny") == 0);
    kfx f;
    REQUIRE(fx_open_udisks(&f) == 0);
    export_to_stick(&f);
    admin *ad = f.a->admin;
    CHECK_INT(ad->xstate, ADMIN_X_FAILED);
    CHECK_CONTAINS(ad->xmsg, "thiếu quy tắc polkit của gói hailong-kiosk");
    CHECK_CONTAINS(ad->xdetail, "NotAuthorized");
    kfx_close(&f);
    stop_all();
}

/* No udisks2 on the bus (a developer's desktop): the mounted sticks of /proc/mounts, as before. */
static void t_udisks_fallback(void)
{
    REQUIRE(start_bus() == 0);
    unsetenv("HAILONG_USB_DIR");
    usb_drive a[USB_MAX_DRIVES], b[USB_MAX_DRIVES];
    int n = usb_find(a, USB_MAX_DRIVES);
    CHECK_INT(n, usb_find_in("/proc/mounts", "/sys", b, USB_MAX_DRIVES));
    for (int i = 0; i < n; i++)
        CHECK(!a[i].via_udisks);
    stop_all();
}

/* Issue 13: every word on the admin screen is Vietnamese; the sender's and the store's technical
 * English stays in the log and in `hailong-kiosk status`. */
static void t_vietnamese_errors(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    CHECK_INT(store_sync_note_failure(f.a->store, NULL, 0,
                                      "network: Could not resolve host: thu-thap.tinh.gov.vn", t0,
                                      STORE_SYNC_STATE_BACKOFF, t0 + 60000),
              0);
    open_admin(&f);
    CHECK(kfx_says(f.a, "Không kết nối được máy chủ tổng hợp"));
    CHECK(!kfx_says(f.a, "network") && !kfx_says(f.a, "Could not"));
    CHECK_INT(store_sync_note_failure(f.a->store, NULL, 500, "the collector answered HTTP 500",
                                      t0 + 1000, STORE_SYNC_STATE_BACKOFF, t0 + 60000),
              0);
    admin_refresh_status(f.a->admin);
    CHECK(kfx_says(f.a, "Máy chủ tổng hợp đang bận hoặc gặp sự cố (mã 500)"));
    CHECK(!kfx_says(f.a, "the collector"));
    kfx_close(&f);
}

static const test_case cases[] = {TEST(t_vietnamese_errors),
                                  TEST(t_format),
                                  TEST(t_usb_find),
                                  TEST(t_gesture),
                                  TEST(t_no_pin),
                                  TEST(t_pin_right_and_wrong),
                                  TEST(t_pin_cancel_while_checking),
                                  TEST(t_idle_closes),
                                  TEST(t_desk_officer),
                                  TEST(t_export_csv),
                                  TEST(t_export_pulled),
                                  TEST(t_export_progress_cancel),
                                  TEST(t_quit_restart),
                                  TEST(t_udisks_module),
                                  TEST(t_udisks_export),
                                  TEST(t_udisks_busy),
                                  TEST(t_udisks_denied),
                                  TEST(t_udisks_fallback)};

int main(void)
{
    atexit(stop_all); /* a failed REQUIRE must not leave the bus or the fake running */
    return kfx_main("admin", &t0, cases, HL_ARRAY_LEN(cases));
}
