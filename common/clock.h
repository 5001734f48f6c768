/* clock: wall time (UTC ms) and monotonic time, real or fake. Everything that looks at time takes
 * a clock, so tests advance time instead of sleeping. Local time is Asia/Ho_Chi_Minh. No SDL. */
#ifndef HL_CLOCK_H
#define HL_CLOCK_H

#include <stdint.h>

#define CLK_NEVER INT64_MAX

typedef struct hl_clock {
    int fake;
    int64_t wall_ms; /* fake only: UTC milliseconds since the epoch */
    int64_t mono_ms; /* fake only: monotonic milliseconds */
} hl_clock;

hl_clock clk_real(void);
hl_clock clk_fake(int64_t wall_start_ms);
void clk_advance(hl_clock *c, int64_t ms); /* fake clocks only */

int64_t clk_wall_ms(const hl_clock *c);
int64_t clk_mono_ms(const hl_clock *c);

/* Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact and
 * needs no tzdata on the kiosk. */
#define CLK_VN_OFFSET_MS (7 * 3600 * 1000LL)

typedef struct {
    int year, month, day, hour, minute, second, weekday; /* weekday 0 = Sunday */
} clk_local;

clk_local clk_to_local(int64_t utc_ms);
/* "26/11/2026" */
void clk_format_date(int64_t utc_ms, char out[11]);
/* "09:05" */
void clk_format_time(int64_t utc_ms, char out[6]);
/* "Thứ Năm" (Vietnamese weekday name, NFC UTF-8, static string) */
const char *clk_weekday_vi(int weekday);
/* Parses "YYYY-MM-DDTHH:MM[:SS]" as Vietnam local time; 0 on success. */
int clk_parse_local(const char *s, int64_t *utc_ms_out);

/* The span of wall-clock times a working clock can show: 2020-01-01T00:00:00Z to
 * 2100-01-01T00:00:00Z in ms. Outside it the clock is wrong beyond doubt (a dead RTC battery reads
 * 1970 or 2000). Votes stamped outside it are still recorded and delivered, marked clock_suspect.
 */
#define CLK_PLAUSIBLE_MIN_MS INT64_C(1577836800000)
#define CLK_PLAUSIBLE_MAX_MS INT64_C(4102444800000)
int clk_plausible(int64_t utc_ms);

/* Whether the system clock is synchronised to a time server (systemd-timesyncd, chrony, ntpd), as
 * the kernel's NTP state says: the test timedatectl's NTPSynchronized makes. Votes carry this
 * clock's time, so an unsynchronised kiosk is shown to IT staff (status, admin screen). */
typedef enum { CLK_SYNC_UNKNOWN = -1, CLK_SYNC_NO = 0, CLK_SYNC_YES = 1 } clk_sync;
clk_sync clk_sync_state(void);

#endif
