/* web_svg: the charts, drawn on the server as inline SVG: no script, no library, nothing fetched,
 * readable on a phone (a viewBox that scales to the width) and printable. Colours only through
 * attributes: the pages' Content-Security-Policy allows no inline style. */
#include "web_int.h"

#include "util.h"

#include <stdio.h>
#include <string.h>

/* The three levels, from "Rất hài lòng" to "Chưa hài lòng": green, blue, orange (told apart also
 * by people who cannot tell red from green). */
static const char *const level_colour[3] = {"#1a7f37", "#3b82c4", "#e07b1f"};
static const char *const level_name[3] = {"Rất hài lòng", "Hài lòng", "Chưa hài lòng"};

static void share_text(buf *b, const web_counts *c)
{
    double rate, lo, hi;
    if (web_rate(c, &rate, &lo, &hi)) {
        buf_str(b, ", hài lòng ");
        web_pct(b, rate);
    }
}

void web_svg_trend(buf *b, const web_point *p, size_t n, char group)
{
    const int W = 480, H = 250, L = 44, R = 42, T = 12, B = 28;
    int64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (web_counted(&p[i].c) > max)
            max = web_counted(&p[i].c);
    buf_printf(b,
               "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" "
               "aria-label=\"Số phiếu và tỷ lệ hài lòng theo %s\">",
               W, H,
               group == 'd'   ? "ngày"
               : group == 'w' ? "tuần"
                              : "tháng");
    if (n == 0 || max == 0) {
        buf_printf(b,
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\" "
                   "font-size=\"14\">Chưa có phiếu trong kỳ này</text></svg>",
                   W / 2, H / 2);
        return;
    }
    /* A round top for the count axis: 1, 2 or 5 times a power of ten. */
    int64_t top = max;
    for (int64_t m = 1; m < INT64_MAX / 10; m *= 10) {
        if (m >= max) {
            top = m;
            break;
        }
        if (2 * m >= max) {
            top = 2 * m;
            break;
        }
        if (5 * m >= max) {
            top = 5 * m;
            break;
        }
    }
    int pw = W - L - R, ph = H - T - B;
    /* Grid and axes: counts on the left, the satisfied share (0-100 %) on the right. */
    for (int g = 0; g <= 4; g++) {
        int y = T + ph - ph * g / 4;
        buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>", L, y,
                   W - R, y);
        buf_printf(b,
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\" "
                   "fill=\"#444\">",
                   L - 4, y + 4);
        web_int(b, top * g / 4);
        buf_printf(b, "</text><text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#444\">%d%%</text>",
                   W - R + 4, y + 4, g * 25);
    }
    double bw = (double)pw / (double)n;
    size_t every = n <= 7 ? 1 : (n + 6) / 7;
    buf_str(b, "<g>");
    for (size_t i = 0; i < n; i++) {
        const web_counts *c = &p[i].c;
        int64_t v[3] = {c->r3, c->r2, c->r1};
        double x = L + bw * (double)i + (bw > 6 ? bw * 0.15 : 0), w = bw > 6 ? bw * 0.7 : bw;
        double y = T + ph;
        char label[32];
        web_bucket_label(p[i].first_day, group, label, sizeof label);
        buf_str(b, "<g><title>");
        buf_str(b, label);
        buf_str(b, ": ");
        web_int(b, web_counted(c));
        buf_str(b, " phiếu");
        share_text(b, c);
        buf_str(b, "</title>");
        for (int k = 0; k < 3; k++) {
            double h = (double)ph * (double)v[k] / (double)top;
            y -= h;
            if (v[k] > 0)
                buf_printf(b,
                           "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                           "fill=\"%s\"/>",
                           x, y, w, h, level_colour[k]);
        }
        buf_str(b, "</g>");
        if (i % every == 0)
            buf_printf(b,
                       "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\" "
                       "fill=\"#444\">%s</text>",
                       L + bw * ((double)i + 0.5), H - 10, label);
    }
    buf_str(b, "</g><polyline fill=\"none\" stroke=\"#111\" stroke-width=\"2\" points=\"");
    for (size_t i = 0; i < n; i++) {
        double rate, lo, hi;
        if (!web_rate(&p[i].c, &rate, &lo, &hi))
            continue;
        buf_printf(b, "%.1f,%.1f ", L + bw * ((double)i + 0.5), T + ph - ph * rate);
    }
    buf_str(b, "\"/></svg>\n<p class=\"legend\">");
    for (int k = 0; k < 3; k++)
        buf_printf(b,
                   "<span><svg width=\"12\" height=\"12\"><rect width=\"12\" height=\"12\" "
                   "fill=\"%s\"/></svg> %s</span>",
                   level_colour[k], level_name[k]);
    buf_str(b,
            "<span><svg width=\"16\" height=\"12\"><line x1=\"0\" y1=\"6\" x2=\"16\" y2=\"6\" "
            "stroke=\"#111\" stroke-width=\"2\"/></svg> Tỷ lệ hài lòng (trục phải)</span></p>\n");
}

void web_svg_share(buf *b, const web_counts *c)
{
    int64_t n = web_counted(c);
    buf_str(b, "<svg class=\"share\" viewBox=\"0 0 100 6\" preserveAspectRatio=\"none\" "
               "width=\"100%\" height=\"14\" role=\"img\" aria-label=\"Tỷ lệ ba mức\">");
    if (n > 0) {
        int64_t v[3] = {c->r3, c->r2, c->r1};
        double x = 0;
        for (int k = 0; k < 3; k++) {
            double w = 100.0 * (double)v[k] / (double)n;
            if (w > 0)
                buf_printf(b,
                           "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"6\" fill=\"%s\">"
                           "<title>%s: ",
                           x, w, level_colour[k], level_name[k]);
            if (w > 0) {
                web_int(b, v[k]);
                buf_str(b, "</title></rect>");
            }
            x += w;
        }
    } else {
        buf_str(b, "<rect width=\"100\" height=\"6\" fill=\"#eee\"/>");
    }
    buf_str(b, "</svg>");
}

void web_svg_heat(buf *b, int64_t cells[7][24])
{
    static const int order[7] = {1, 2, 3, 4, 5, 6, 0};
    static const char *const names[7] = {"T2", "T3", "T4", "T5", "T6", "T7", "CN"};
    int h0 = 7, h1 = 17;
    int64_t max = 0;
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            if (cells[d][h] > 0) {
                h0 = h < h0 ? h : h0;
                h1 = h > h1 ? h : h1;
                max = cells[d][h] > max ? cells[d][h] : max;
            }
    int cols = h1 - h0 + 1, cw = 30, chh = 24, L = 30, T = 18;
    int W = L + cols * cw, H = T + 7 * chh + 4;
    buf_printf(b,
               "<svg class=\"heat\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" "
               "aria-label=\"Số phiếu theo giờ và thứ trong tuần\">",
               W, H);
    for (int h = h0; h <= h1; h++)
        buf_printf(b,
                   "<text x=\"%d\" y=\"12\" text-anchor=\"middle\" font-size=\"11\" "
                   "fill=\"#444\">%dh</text>",
                   L + (h - h0) * cw + cw / 2, h);
    for (int r = 0; r < 7; r++) {
        int d = order[r], y = T + r * chh;
        buf_printf(b, "<text x=\"0\" y=\"%d\" font-size=\"11\" fill=\"#444\">%s</text>",
                   y + chh / 2 + 4, names[r]);
        for (int h = h0; h <= h1; h++) {
            int64_t v = cells[d][h];
            double a = max > 0 ? 0.08 + 0.92 * (double)v / (double)max : 0;
            buf_printf(b,
                       "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                       "fill-opacity=\"%.2f\"><title>%s, %dh–%dh: ",
                       L + (h - h0) * cw + 1, y + 1, cw - 2, chh - 2, v ? "#1a5f9e" : "#f2f2f2",
                       v ? a : 1.0, names[r], h, h + 1);
            web_int(b, v);
            buf_str(b, " phiếu</title></rect>");
            if (v)
                buf_printf(b,
                           "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" "
                           "fill=\"%s\">%lld</text>",
                           L + (h - h0) * cw + cw / 2, y + chh / 2 + 4, a > 0.55 ? "#fff" : "#111",
                           (long long)v);
        }
    }
    buf_str(b, "</svg>\n");
}
