/* admin: the admin session behind the PIN, as a model: the state the admin screens draw (a
 * read-only view for them) and the actions they take, each returning what happened (an
 * admin_event mask) for the screens to turn into screen changes. Slow work (PIN check, counting,
 * export) runs as jobs the screens' update polls, so the UI thread never waits. It knows no app
 * and no SDL; screens do their I/O only through these functions. */
#ifndef HL_ADMIN_H
#define HL_ADMIN_H

#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "content.h"
#include "export.h"
#include "pin.h"
#include "sender.h"
#include "store.h"
#include "usb.h"
#include "util.h"

/* The admin screens close themselves after this long without a touch (not while exporting). */
#define ADMIN_IDLE_MS 60000
/* How long the corner must be held to open the PIN pad. */
#define ADMIN_HOLD_MS 5000
/* How often the export screen looks for a USB stick plugged in meanwhile. */
#define ADMIN_USB_RESCAN_MS 2000
/* The long-press target's id (scr_header registers it). */
#define ADMIN_HOLD_ID "admin-corner"

/* The export's period: a calendar month, the reporting period of Nghị định 09/2019 that ends on
 * the 14th of this month (15th of last month to the 14th), or days chosen. */
typedef enum {
    ADMIN_RANGE_THIS_MONTH,
    ADMIN_RANGE_LAST_MONTH,
    ADMIN_RANGE_ND09,
    ADMIN_RANGE_DAYS
} admin_range;
typedef enum { ADMIN_X_IDLE, ADMIN_X_RUNNING, ADMIN_X_DONE, ADMIN_X_FAILED } admin_xstate;
/* What a running export is doing (admin_export_phase): a udisks2 stick is mounted first and
 * released (unmounted, powered off) after. */
typedef enum {
    ADMIN_PHASE_NONE,
    ADMIN_PHASE_MOUNT,
    ADMIN_PHASE_WRITE,
    ADMIN_PHASE_EJECT
} admin_phase;
typedef enum { ADMIN_CONFIRM_NONE, ADMIN_CONFIRM_QUIT, ADMIN_CONFIRM_RESTART } admin_confirm;

/* What an action or a poll did, for the screens to act on. */
typedef enum {
    ADMIN_EV_NONE = 0,
    ADMIN_EV_DIRTY = 1 << 0,       /* what the screens show changed: redraw */
    ADMIN_EV_OPENED = 1 << 1,      /* the right PIN was entered: show the overview */
    ADMIN_EV_EXPORT_DONE = 1 << 2, /* an export ended: its result must stay up to be read */
} admin_event;

/* What the session works on; the pointers must outlive it. */
typedef struct {
    store *st;
    const hl_clock *clock;
    const content *content;
    const cfg *cfg;    /* data_dir, kiosk_id, the desk officer of the configuration */
    sync_sender *sync; /* NULL when not syncing */
} admin_env;

typedef struct pin_work pin_work;
typedef struct stats_work stats_work;
typedef struct export_work export_work;

typedef struct admin {
    int unlocked; /* the right PIN was entered; cleared when the admin screens are left */

    /* PIN pad */
    char digits[PIN_MAX_LEN + 1];
    pin_state pin;
    int pin_read_ok;  /* pin was read from the store */
    int pin_checking; /* a check runs on a worker thread */
    int pin_wrong;    /* the last PIN entered was wrong */
    char pin_error[HL_ERR_MAX];

    /* overview */
    int period; /* 0 today, 1 this month */
    int stats_loading, stats_ok;
    export_summary today, month;
    char stats_error[HL_ERR_MAX];
    store_sync_status sync;
    char sync_error[320]; /* sync.last_error in Vietnamese (sync_error_vi) */
    int sync_ok;
    sync_status live; /* the running sender's own view */
    int live_ok;
    uint64_t disk_free, disk_total; /* of the data directory; 0 = unknown */
    int64_t db_bytes;               /* votes.db with its -wal */
    char store_error[HL_ERR_MAX];   /* the store's last error (a vote not recorded), "" if none */
    clk_sync clock_sync;            /* is the system clock synchronised (NTP)? */
    admin_confirm confirm;
    int who_in_title; /* drawing: the desk officer fit beside the title */

    /* desk officer picker */
    int officer_page;
    char desk_code[32]; /* the officer chosen here (settings), "" = the config's */
    int desk_failed;    /* the last choice could not be saved */

    /* export */
    usb_drive drives[USB_MAX_DRIVES];
    int n_drives, drive;
    int64_t scanned_at; /* monotonic ms of the last look for USB sticks */
    admin_range range;
    export_date from, to; /* the days exported (ADMIN_RANGE_DAYS: chosen with +/-) */
    char period_name[64]; /* "Tháng 11/2026", "Kỳ báo cáo tháng 11/2026"; "" for days */
    export_format format;
    admin_xstate xstate;
    char xfile[160];          /* the file written (its name in the drive) */
    char xmsg[256];           /* the result, in Vietnamese */
    char xdetail[HL_ERR_MAX]; /* the technical reason of a failure */
    int64_t xrows;

    pin_work *pin_w;
    stats_work *stats_w;
    export_work *export_w;

    admin_env env;
} admin;

admin *admin_new(const admin_env *env);
/* Cancels and waits for running jobs, frees everything. NULL is a no-op. */
void admin_free(admin *ad);
/* Sets the sender once it runs (it starts after the session is made). */
void admin_set_sync(admin *ad, sync_sender *sync);

/* The admin screens are being left. from_pin: the PIN pad is the one left (a check still running
 * is waited for and counted); to_admin: the next screen is an admin screen too, otherwise the
 * session locks again (PIN, confirmations, figures and a running export are dropped). */
void admin_leave(admin *ad, int from_pin, int to_admin);

/* PIN pad */
void admin_pin_enter(admin *ad); /* reads the PIN's state, clears the digits */
admin_event admin_pin_digit(admin *ad, char d);
admin_event admin_pin_delete(admin *ad);
/* Starts checking the digits entered (on a worker thread); the result arrives in admin_poll. */
admin_event admin_pin_submit(admin *ad);
/* Lock-out left now (ms), 0 when not locked. */
int64_t admin_pin_locked_ms(const admin *ad);

/* Polls the jobs (PIN check, figures, export), applying what finished; pin_shown: the PIN pad is
 * on screen (a right PIN opens the overview only then). Sets *ev. Returns when to poll again:
 * soon while a job runs, else CLK_NEVER. */
int64_t admin_poll(admin *ad, int64_t now, int pin_shown, admin_event *ev);
/* A job runs (the admin screens must not close under an export, tests wait for them). */
int admin_busy(const admin *ad);
int admin_exporting(const admin *ad);
/* Waits (real time) up to timeout_ms for each running job to finish, without applying it (the
 * next admin_poll does). 1 if they all finished. */
int admin_wait(admin *ad, int64_t timeout_ms);

/* Overview: the sync state, disk, database size, clock synchronisation and last store error now
 * (fast reads), and the
 * vote figures of today and this month on a worker thread. */
void admin_overview_enter(admin *ad);
void admin_refresh_status(admin *ad);

/* Desk mode: the officer at this counter from now on (kept in the store by desk.c, so it
 * survives a restart and overrides the config's officer); NULL goes back to the config's. 0 with
 * *now the officer at the counter, or -1 with the reason logged (the screen says it could not be
 * saved). */
int admin_set_desk_officer(admin *ad, const char *code, const content_officer **now);
/* Reads which officer was chosen here (desk_code), clears desk_failed. */
void admin_officer_enter(admin *ad);

/* Export */
void admin_export_enter(admin *ad);
void admin_usb_scan(admin *ad);
void admin_set_range(admin *ad, admin_range r);
/* Moves the first (which = 0) or last (which = 1) day by delta days, keeping from <= to <=
 * today. */
void admin_shift_day(admin *ad, int which, int delta);
void admin_export_start(admin *ad);
void admin_export_cancel(admin *ad);
/* Rows written so far and the total of the running export. */
void admin_export_progress(const admin *ad, int64_t *done, int64_t *total);
/* The running export's phase (ADMIN_PHASE_NONE when none runs). */
admin_phase admin_export_phase(const admin *ad);
/* The USB rescan is due (waiting for a stick): when to look again, CLK_NEVER if not waiting. */
int64_t admin_usb_rescan_at(const admin *ad);

/* Tests: called on the export thread with every progress report, before the export goes on. */
typedef void (*admin_export_hook)(void *ctx, int64_t done, int64_t total);
void admin_set_export_hook(admin_export_hook fn, void *ctx);

/* Tests: how admin_refresh_status reads whether the clock is synchronised (NULL: the real
 * clk_sync_state), so that the admin screens can be shown in each state on any machine. */
typedef clk_sync (*admin_clock_probe)(void);
void admin_set_clock_probe(admin_clock_probe fn);

/* "12.345" (Vietnamese thousands separator). */
void admin_fmt_count(char *out, size_t cap, int64_t n);
/* "1,2 GB", "350 MB", "12 kB". */
void admin_fmt_bytes(char *out, size_t cap, uint64_t bytes);

#endif
