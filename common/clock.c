/* clock: real or fake time, and Vietnam local-time formatting (UTC+7, no DST). */
#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>

hl_clock clk_real(void)
{
    hl_clock c = {0, 0, 0};
    return c;
}

hl_clock clk_fake(int64_t wall_start_ms)
{
    /* The fake monotonic clock starts well above zero so "0 = never happened" bugs show up. */
    hl_clock c = {1, wall_start_ms, 1000000};
    return c;
}

void clk_advance(hl_clock *c, int64_t ms)
{
    if (!c->fake || ms <= 0)
        return;
    c->wall_ms += ms;
    c->mono_ms += ms;
}

static int64_t ts_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clk_wall_ms(const hl_clock *c)
{
    return c->fake ? c->wall_ms : ts_ms(CLOCK_REALTIME);
}

int64_t clk_mono_ms(const hl_clock *c)
{
    return c->fake ? c->mono_ms : ts_ms(CLOCK_MONOTONIC);
}

/* Days since 1970-01-01 to civil date (Howard Hinnant's algorithm), so no libc time zone state
 * is involved. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

clk_local clk_to_local(int64_t utc_ms)
{
    clk_local l;
    int64_t ms = utc_ms + CLK_VN_OFFSET_MS;
    int64_t days = floor_div(ms, 86400000);
    int64_t rem = ms - days * 86400000;
    civil_from_days(days, &l.year, &l.month, &l.day);
    l.hour = (int)(rem / 3600000);
    l.minute = (int)(rem / 60000 % 60);
    l.second = (int)(rem / 1000 % 60);
    l.weekday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
    return l;
}

void clk_format_date(int64_t utc_ms, char out[11])
{
    clk_local l = clk_to_local(utc_ms);
    snprintf(out, 11, "%02u/%02u/%04u", (unsigned)l.day % 100u, (unsigned)l.month % 100u,
             (unsigned)l.year % 10000u);
}

void clk_format_time(int64_t utc_ms, char out[6])
{
    clk_local l = clk_to_local(utc_ms);
    snprintf(out, 6, "%02u:%02u", (unsigned)l.hour % 100u, (unsigned)l.minute % 100u);
}

const char *clk_weekday_vi(int weekday)
{
    static const char *names[] = {"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư",
                                  "Thứ Năm",  "Thứ Sáu", "Thứ Bảy"};
    return (weekday >= 0 && weekday < 7) ? names[weekday] : "";
}

int clk_parse_local(const char *s, int64_t *utc_ms_out)
{
    int y, mo, d, h, mi, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5)
        return -1;
    if (s[n] == ':') {
        int n2 = 0;
        if (sscanf(s + n, ":%2d%n", &sec, &n2) != 1)
            return -1;
        n += n2;
    }
    if (s[n] != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 ||
        h < 0 || mi < 0 || sec < 0)
        return -1;
    int64_t days = days_from_civil(y, mo, d);
    *utc_ms_out = ((days * 24 + h) * 60 + mi) * 60000LL + sec * 1000LL - CLK_VN_OFFSET_MS;
    return 0;
}

int clk_plausible(int64_t utc_ms)
{
    return utc_ms >= CLK_PLAUSIBLE_MIN_MS && utc_ms < CLK_PLAUSIBLE_MAX_MS;
}

clk_sync clk_sync_state(void)
{
    /* modes = 0 only reads the kernel's NTP state: no privilege needed. systemd's timedated
     * (NTPSynchronized, which `timedatectl` shows; Debian 12 has systemd 252) counts the clock as
     * synchronised while the kernel's maximum error is under 16 s, the limit at which the kernel
     * itself raises STA_UNSYNC, and ignores the STA_UNSYNC flag, which systemd-timesyncd may set on
     * purpose to keep the kernel from writing the RTC. The same test here, so that the kiosk and
     * timedatectl never disagree. A synchronising daemon keeps the error small; without one it
     * grows by 0.5 ms a second until it reaches the limit. */
    struct timex tx;
    memset(&tx, 0, sizeof tx);
    if (adjtimex(&tx) < 0)
        return CLK_SYNC_UNKNOWN;
    return tx.maxerror < 16000000 ? CLK_SYNC_YES : CLK_SYNC_NO;
}
