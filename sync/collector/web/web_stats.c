/* web_stats: the figures a page shows beyond counting: the satisfied share with its 95 % Wilson
 * score interval (right at small counts and near 100 %, where the normal approximation is not),
 * and the day, week and month a day falls in. Pure functions. */
#include "web_int.h"

#include "clock.h"
#include "util.h"

#include <math.h>

int64_t web_counted(const web_counts *c)
{
    return c->r3 + c->r2 + c->r1;
}

int web_rate(const web_counts *c, double *rate, double *lo, double *hi)
{
    int64_t n = web_counted(c);
    *rate = *lo = *hi = 0;
    if (n <= 0)
        return 0;
    const double z = 1.959963984540054; /* the 97.5th percentile of the normal distribution */
    double p = (double)(c->r3 + c->r2) / (double)n, nn = (double)n;
    double den = 1 + z * z / nn, mid = (p + z * z / (2 * nn)) / den;
    double half = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / den;
    *rate = p;
    *lo = mid - half < 0 ? 0 : mid - half;
    *hi = mid + half > 1 ? 1 : mid + half;
    return 1;
}

/* Day 0 (1 January 1970) was a Thursday: (day + 3) % 7 is 0 on a Monday. */
int64_t web_bucket(int64_t day, char group)
{
    if (group == 'w')
        return day - (day + 3) % 7;
    if (group == 'm') {
        clk_local l = clk_to_local(day * 86400000LL);
        return day - (l.day - 1);
    }
    return day;
}

void web_bucket_label(int64_t first_day, char group, char *out, size_t cap)
{
    clk_local l = clk_to_local(first_day * 86400000LL);
    if (group == 'm')
        util_fmt(out, cap, "%d/%d", l.month % 100, l.year % 10000);
    else
        util_fmt(out, cap, "%02d/%02d", l.day % 100, l.month % 100);
}
