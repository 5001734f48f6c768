/* admin: the admin session behind the PIN: the state the admin screens draw and the actions they
 * take; slow work (PIN check, counting, export) runs as jobs the screens' update polls, so the UI
 * thread never waits. Screens do their I/O only through these functions. */
#ifndef HL_ADMIN_H
#define HL_ADMIN_H

#include <stdint.h>

#include "export.h"
#include "pin.h"
#include "sender.h"
#include "store.h"
#include "usb.h"
#include "util.h"

typedef struct app app;

/* The admin screens close themselves after this long without a touch (not while exporting). */
#define ADMIN_IDLE_MS 60000
/* How long the corner must be held to open the PIN pad. */
#define ADMIN_HOLD_MS 5000
/* The long-press target's id (scr_header registers it). */
#define ADMIN_HOLD_ID "admin-corner"

typedef enum { ADMIN_RANGE_THIS_MONTH, ADMIN_RANGE_LAST_MONTH, ADMIN_RANGE_DAYS } admin_range;
typedef enum { ADMIN_X_IDLE, ADMIN_X_RUNNING, ADMIN_X_DONE, ADMIN_X_FAILED } admin_xstate;
typedef enum { ADMIN_CONFIRM_NONE, ADMIN_CONFIRM_QUIT, ADMIN_CONFIRM_RESTART } admin_confirm;

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
    int sync_ok;
    sync_status live; /* the running sender's own view */
    int live_ok;
    uint64_t disk_free, disk_total; /* of the data directory; 0 = unknown */
    int64_t db_bytes;               /* votes.db with its -wal */
    char store_error[HL_ERR_MAX];   /* the store's last error (a vote not recorded), "" if none */
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
    export_format format;
    admin_xstate xstate;
    char xfile[160];          /* the file written (its name in the drive) */
    char xmsg[256];           /* the result, in Vietnamese */
    char xdetail[HL_ERR_MAX]; /* the technical reason of a failure */
    int64_t xrows;

    pin_work *pin_w;
    stats_work *stats_w;
    export_work *export_w;
} admin;

admin *admin_new(void);
/* Cancels and waits for running jobs, frees everything. NULL is a no-op. */
void admin_free(admin *ad);

/* Called by app_go for every screen change: leaving the admin screens locks them again. */
void admin_screen_changed(app *a, int next_is_admin);
/* The corner was held: opens the PIN pad. */
void admin_open_pin(app *a);

/* PIN pad */
void admin_pin_enter(app *a); /* reads the PIN's state, clears the digits */
void admin_pin_digit(app *a, char d);
void admin_pin_delete(app *a);
/* Starts checking the digits entered (on a worker thread); the result arrives in admin_poll. */
void admin_pin_submit(app *a);
/* Lock-out left now (ms), 0 when not locked. */
int64_t admin_pin_locked_ms(app *a);

/* Polls the jobs (PIN check, figures, export), applying what finished (a right PIN opens the
 * overview). Returns when to poll again: soon while a job runs, else CLK_NEVER. */
int64_t admin_poll(app *a, int64_t now);
/* The admin screens' update: admin_poll, then the idle rule (ADMIN_IDLE_MS, not while an export
 * runs) back Home. Returns the next deadline. */
int64_t admin_update(app *a, int64_t now);

/* Overview: the sync state, disk, database size and last store error now (fast reads), and the
 * vote figures of today and this month on a worker thread. */
void admin_overview_enter(app *a);
void admin_refresh_status(app *a);

/* Desk mode: the officer at this counter from now on (kept in the store, so it survives a
 * restart and overrides the config's officer); NULL goes back to the config's. 0, or -1 with
 * the reason logged (the screen says it could not be saved). */
int admin_set_desk_officer(app *a, const char *code);
/* The settings key of the officer chosen on the admin screen. */
#define ADMIN_KEY_DESK_OFFICER "desk_officer"
/* Reads which officer was chosen here (desk_code), clears desk_failed. */
void admin_officer_enter(app *a);

/* Export */
void admin_export_enter(app *a);
void admin_usb_scan(app *a);
void admin_set_range(app *a, admin_range r);
/* Moves the first (which = 0) or last (which = 1) day by delta days, keeping from <= to <=
 * today. */
void admin_shift_day(app *a, int which, int delta);
void admin_export_start(app *a);
void admin_export_cancel(app *a);
/* Rows written so far and the total of the running export. */
void admin_export_progress(app *a, int64_t *done, int64_t *total);

/* Leave the kiosk (exit code 0) or restart it (main re-executes the program). */
void admin_quit(app *a, int restart);

/* Tests: waits (real time) up to timeout_ms for every running job, then polls. 1 if none is
 * left running. */
int admin_wait(app *a, int64_t timeout_ms);
/* Tests: called on the export thread with every progress report, before the export goes on. */
typedef void (*admin_export_hook)(void *ctx, int64_t done, int64_t total);
void admin_set_export_hook(admin_export_hook fn, void *ctx);

/* "12.345" (Vietnamese thousands separator). */
void admin_fmt_count(char *out, size_t cap, int64_t n);
/* "1,2 GB", "350 MB", "12 kB". */
void admin_fmt_bytes(char *out, size_t cap, uint64_t bytes);

#endif
