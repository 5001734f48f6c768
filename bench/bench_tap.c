/* bench_tap: the real hailong-kiosk as a person meets it, measured from outside the process under
 * an X server (Xvfb, started here when DISPLAY is unset): start -> first frame on screen, PSS, CPU
 * while idle on the attract screen, and tap -> thank-you on screen (an XTest click, then a pixel of
 * the screen polled with XGetImage until the thank-you shows). Once per renderer (--renderers,
 * default "auto,accelerated": [display] renderer in the kiosk's config). Part of the `bench`
 * target; results and how to read them in docs/PERFORMANCE.md. */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XTest.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "log.h"
#include "screens.h"
#include "util.h"

/* design.md §5 */
#define TARGET_FIRST_FRAME_MS 100.0
#define TARGET_PSS_MB         30.0
#define TARGET_IDLE_CPU_PCT   0.3
#define TARGET_TAP_P99_MS     16.0
#define WIN_W                 1280
#define WIN_H                 800

typedef struct {
    const char *kiosk, *work, *renderers;
    int starts, taps, idle_s, smoke;
} opts;

/* What the bench looks for on the screen: one pixel whose colour differs between Home and the
 * thank-you, in a flat area of both (no text edge, so any renderer draws it the same). */
typedef struct {
    int px, py;          /* in window coordinates */
    Uint32 home, thanks; /* 0xRRGGBB */
    SDL_Rect rate, done; /* the rate-3 face on Home, "done" on the thank-you */
    int ox, oy;          /* the window's place on the screen */
} layout;

typedef struct {
    double p50, p99, max;
} stats;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double ms_since(int64_t t0)
{
    return (double)(mono_ns() - t0) / 1e6;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static stats stats_of(double *v, int n)
{
    stats s = {0, 0, 0};
    if (n <= 0)
        return s;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int k99 = (99 * n + 99) / 100 - 1; /* nearest rank */
    s.p50 = v[(n - 1) / 2];
    s.p99 = v[k99 < 0 ? 0 : k99];
    s.max = v[n - 1];
    return s;
}

/* ---- the X server ---- */

static pid_t xvfb_pid = -1;

static int start_xvfb(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    xvfb_pid = fork();
    if (xvfb_pid == 0) {
        dup2(fds[1], 3);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 2);
        execlp("Xvfb", "Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp",
               "-br", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[32] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    if (xvfb_pid < 0 || n <= 0) {
        fprintf(stderr, "bench_tap: Xvfb did not start (scripts/deps.sh --test installs it)\n");
        return -1;
    }
    buf[strcspn(buf, "\n")] = '\0';
    char disp[40];
    snprintf(disp, sizeof disp, ":%s", buf);
    setenv("DISPLAY", disp, 1);
    printf("bench_tap: started Xvfb on %s (1280x800x24)\n", disp);
    return 0;
}

static Uint32 screen_pixel(Display *dpy, int x, int y)
{
    XImage *im = XGetImage(dpy, DefaultRootWindow(dpy), x, y, 1, 1, AllPlanes, ZPixmap);
    if (!im)
        return 0xFFFFFFFFu;
    unsigned long p = XGetPixel(im, 0, 0);
    XDestroyImage(im);
    return (Uint32)(p & 0xFFFFFFu); /* TrueColor 24: 0xRRGGBB */
}

static int near(Uint32 a, Uint32 b)
{
    for (int sh = 0; sh < 24; sh += 8) {
        int d = (int)((a >> sh) & 0xFF) - (int)((b >> sh) & 0xFF);
        if (d > 12 || d < -12)
            return 0;
    }
    return 1;
}

/* Polls the probe pixel until it shows want (0) or timeout_ms passes (-1). */
static int wait_pixel(Display *dpy, const layout *l, Uint32 want, int timeout_ms)
{
    int64_t t0 = mono_ns();
    while (!near(screen_pixel(dpy, l->ox + l->px, l->oy + l->py), want)) {
        if (ms_since(t0) > timeout_ms)
            return -1;
        sleep_us(200);
    }
    return 0;
}

static void click(Display *dpy, const layout *l, SDL_Rect r, int64_t *t0)
{
    XTestFakeMotionEvent(dpy, -1, l->ox + r.x + r.w / 2, l->oy + r.y + r.h / 2, CurrentTime);
    XSync(dpy, False);
    *t0 = mono_ns();
    XTestFakeButtonEvent(dpy, 1, True, CurrentTime);
    XTestFakeButtonEvent(dpy, 1, False, CurrentTime);
    XFlush(dpy);
}

/* ---- where to click and what to look at: the same layout drawn in this process ---- */

static Uint32 snap_rgb(SDL_Surface *s, int x, int y)
{
    const Uint8 *p = (const Uint8 *)s->pixels + (size_t)y * s->pitch + (size_t)x * 4;
    return (Uint32)p[0] << 16 | (Uint32)p[1] << 8 | p[2]; /* RGBA32 bytes */
}

static int flat(SDL_Surface *s, int x, int y)
{
    Uint32 c = snap_rgb(s, x, y);
    for (int dy = -3; dy <= 3; dy++)
        for (int dx = -3; dx <= 3; dx++)
            if (snap_rgb(s, x + dx, y + dy) != c)
                return 0;
    return 1;
}

static int find_layout(const char *config, layout *l)
{
    char err[HL_ERR_MAX];
    cfg c;
    cfg_defaults(&c);
    if (cfg_load(&c, config, err, sizeof err) != 0) {
        fprintf(stderr, "bench_tap: %s\n", err);
        return -1;
    }
    hl_clock clock = clk_real();
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    app_opts o = {.clock = &clock, .headless = 1, .screens = scr_table};
    app *a;
    int rc = app_create(&a, &c, &o, err, sizeof err);
    unsetenv("SDL_VIDEODRIVER");
    if (rc != 0) {
        fprintf(stderr, "bench_tap: %s\n", err);
        return -1;
    }
    SDL_Surface *home = app_snapshot(a), *thanks = NULL;
    rc = -1;
    if (home && ui_target_find(&a->ui, "rate-3", &l->rate) && app_tap(a, "rate-3") == 0 &&
        strcmp(app_screen_name(a), "thanks") == 0 && (thanks = app_snapshot(a)) != NULL &&
        ui_target_find(&a->ui, "done", &l->done)) {
        int best = -1;
        for (int y = 8; y < WIN_H - 8; y += 4)
            for (int x = 8; x < WIN_W - 8; x += 4) {
                Uint32 h = snap_rgb(home, x, y), t = snap_rgb(thanks, x, y);
                int d = 0;
                for (int sh = 0; sh < 24; sh += 8) {
                    int e = (int)((h >> sh) & 0xFF) - (int)((t >> sh) & 0xFF);
                    d += e < 0 ? -e : e;
                }
                if (d > best && flat(home, x, y) && flat(thanks, x, y)) {
                    best = d;
                    l->px = x, l->py = y, l->home = h, l->thanks = t;
                }
            }
        rc = best >= 60 ? 0 : -1;
    }
    if (rc != 0)
        fprintf(stderr, "bench_tap: no rate-3 face, thank-you or telling pixel in the layout\n");
    SDL_FreeSurface(home);
    SDL_FreeSurface(thanks);
    app_destroy(a);
    return rc;
}

/* ---- the real kiosk ---- */

static pid_t spawn(const opts *op, const char *config, const char *data, const char *logpath)
{
    pid_t pid = fork();
    if (pid == 0) {
        int lf = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(lf, 1);
        dup2(lf, 2);
        execl(op->kiosk, "hailong-kiosk", "--config", config, "--data-dir", data, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void stop(pid_t pid)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static long pss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    FILE *f = fopen(path, "r");
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "Pss:", 4) == 0)
            v = strtol(line + 4, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static long cpu_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    unsigned long ut = 0, st = 0;
    /* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
     */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (long)(ut + st);
}

static void renderer_line(const char *logpath, char *out, size_t cap)
{
    FILE *f = fopen(logpath, "r");
    char line[512];
    util_strlcpy(out, "(no 'renderer:' line in the kiosk's log)", cap);
    while (f && fgets(line, sizeof line, f)) {
        char *r = strstr(line, "renderer: ");
        if (r) {
            r[strcspn(r, "\n")] = '\0';
            util_strlcpy(out, r, cap);
        }
    }
    if (f)
        fclose(f);
}

static int write_config(const opts *op, const char *renderer, char *path, size_t cap)
{
    if (util_fmt(path, cap, "%s/bench_tap-%s.ini", op->work, renderer) != 0)
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    /* The demo's desk mode (Home is the rating screen), a window the size of the screen, the
     * shortest idle timeout; response_interval 0 so that quick votes are not flagged. */
    fprintf(f,
            "; bench_tap\n[kiosk]\nid = bench-tap\nmode = desk\ncounter = 1\n"
            "[display]\nfullscreen = false\nwidth = %d\nheight = %d\nrenderer = %s\n"
            "[timing]\nidle_timeout = 10\nresponse_interval = 0\nthanks_duration = 6\n",
            WIN_W, WIN_H, renderer);
    return fclose(f) == 0 ? 0 : -1;
}

static int run_one(const opts *op, Display *dpy, layout *l, const char *renderer)
{
    char config[PATH_MAX], data[PATH_MAX], logpath[PATH_MAX], rline[512];
    if (write_config(op, renderer, config, sizeof config) != 0 ||
        util_fmt(data, sizeof data, "%s/bench_tap-XXXXXX", op->work) != 0 || !mkdtemp(data) ||
        util_fmt(logpath, sizeof logpath, "%s/kiosk.log", data) != 0) {
        fprintf(stderr, "bench_tap: cannot prepare %s\n", op->work);
        return -1;
    }
    if (find_layout(config, l) != 0)
        return -1;
    printf("\n[renderer = %s] probe pixel (%d,%d): Home #%06x, thank-you #%06x\n", renderer, l->px,
           l->py, (unsigned)l->home, (unsigned)l->thanks);

    /* a. start -> first frame: one uncounted start creates votes.db. */
    double *ff = calloc((size_t)op->starts, sizeof *ff);
    int nff = 0;
    for (int i = -1; i < op->starts; i++) {
        if (wait_pixel(dpy, l, 0x000000, 0) != 0) /* the previous window must be gone */
            sleep_us(50000);
        int64_t t0 = mono_ns();
        pid_t pid = spawn(op, config, data, logpath);
        int seen = wait_pixel(dpy, l, l->home, 10000) == 0;
        double ms = ms_since(t0);
        stop(pid);
        if (!seen) {
            fprintf(stderr, "bench_tap: Home never showed (log: %s)\n", logpath);
            free(ff);
            return -1;
        }
        if (i >= 0)
            ff[nff++] = ms;
        sleep_us(100000);
    }
    stats sff = stats_of(ff, nff);
    free(ff);
    renderer_line(logpath, rline, sizeof rline);

    /* b. PSS after start, c. taps, d. idle CPU and PSS on the attract screen: one process. */
    pid_t pid = spawn(op, config, data, logpath);
    if (wait_pixel(dpy, l, l->home, 10000) != 0) {
        stop(pid);
        return -1;
    }
    sleep_us(1000000);
    long pss_start = pss_kb(pid);
    double *tap = calloc((size_t)op->taps, sizeof *tap);
    int ntap = 0, lost = 0;
    for (int i = 0; i < op->taps; i++) {
        int64_t t0;
        click(dpy, l, l->rate, &t0);
        if (wait_pixel(dpy, l, l->thanks, 2000) != 0) {
            lost++;
            continue;
        }
        tap[ntap++] = ms_since(t0);
        sleep_us(30000);
        click(dpy, l, l->done, &t0);
        if (wait_pixel(dpy, l, l->home, 2000) != 0)
            lost++;
        sleep_us(30000);
    }
    stats stap = stats_of(tap, ntap);
    free(tap);
    long pss_taps = pss_kb(pid);
    /* Attract comes idle_timeout (10 s) after the last touch. */
    int wait_s = op->smoke ? 1 : 12;
    sleep_us((long)wait_s * 1000000L);
    long c0 = cpu_ticks(pid);
    int64_t s0 = mono_ns();
    sleep_us((long)op->idle_s * 1000000L);
    long c1 = cpu_ticks(pid);
    double idle_pct =
        (double)(c1 - c0) / (double)sysconf(_SC_CLK_TCK) * 1000.0 / ms_since(s0) * 100.0;
    long pss_idle = pss_kb(pid);
    stop(pid);

    printf("  %s\n", rline);
    printf("  %-44s %-10s %s\n", "what", "target", "measured");
    printf("  %-44s %-10s p50 %.1f / max %.1f ms (n = %d) %s\n", "start -> first frame on screen",
           "<=100ms", sff.p50, sff.max, nff, sff.max <= TARGET_FIRST_FRAME_MS ? "PASS" : "MISS");
    printf("  %-44s %-10s %.1f MB %s\n", "PSS 1 s after start", "<=30MB", pss_start / 1024.0,
           pss_start / 1024.0 <= TARGET_PSS_MB ? "PASS" : "MISS");
    printf("  %-44s %-10s %.1f MB after the taps, %.1f MB idle on attract\n", "PSS later", "",
           pss_taps / 1024.0, pss_idle / 1024.0);
    printf("  %-44s %-10s %.2f %% of a core over %d s %s\n", "CPU idle on attract", "<=0.3%",
           idle_pct, op->idle_s, idle_pct <= TARGET_IDLE_CPU_PCT ? "PASS" : "MISS");
    printf("  %-44s %-10s p50 %.1f / p99 %.1f / max %.1f ms (n = %d, lost %d) %s\n",
           "tap -> thank-you on screen (XTest, XGetImage)", "p99<=16ms", stap.p50, stap.p99,
           stap.max, ntap, lost, stap.p99 <= TARGET_TAP_P99_MS ? "PASS" : "MISS");
    fflush(stdout);
    return ntap > 0 ? 0 : -1;
}

static int int_arg(const char *v)
{
    long n;
    return util_parse_int(v, 1, 100000, &n) == 0 ? (int)n : 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_tap [--kiosk PATH] [--work-dir DIR] [--renderers LIST]\n"
                    "                 [--starts N] [--taps N] [--idle SECONDS] [--smoke]\n");
}

int main(int argc, char **argv)
{
    opts op = {.kiosk = HL_KIOSK_BIN,
               .work = ".",
               .renderers = "auto,accelerated",
               .starts = 20,
               .taps = 100,
               .idle_s = 10};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--kiosk") == 0 && v)
            op.kiosk = argv[++i];
        else if (strcmp(argv[i], "--work-dir") == 0 && v)
            op.work = argv[++i];
        else if (strcmp(argv[i], "--renderers") == 0 && v)
            op.renderers = argv[++i];
        else if (strcmp(argv[i], "--starts") == 0 && v)
            op.starts = int_arg(argv[++i]);
        else if (strcmp(argv[i], "--taps") == 0 && v)
            op.taps = int_arg(argv[++i]);
        else if (strcmp(argv[i], "--idle") == 0 && v)
            op.idle_s = int_arg(argv[++i]);
        else if (strcmp(argv[i], "--smoke") == 0) {
            op.smoke = 1;
            op.starts = 2, op.taps = 3, op.idle_s = 1;
        } else {
            usage();
            return 2;
        }
    }
    if (op.starts < 1 || op.taps < 1 || op.idle_s < 1) {
        usage();
        return 2;
    }
    log_set_level(LOG_WARN);
    signal(SIGPIPE, SIG_IGN);
    unsetenv("SDL_VIDEODRIVER");
    unsetenv("WAYLAND_DISPLAY");
    unsetenv("HAILONG_BENCH_FIRST_FRAME");
    if (!getenv("DISPLAY") && start_xvfb() != 0)
        return 1;
    Display *dpy = XOpenDisplay(NULL);
    int ev, er, maj, min;
    if (!dpy || !XTestQueryExtension(dpy, &ev, &er, &maj, &min)) {
        fprintf(stderr, "bench_tap: no X display with XTest at %s\n", getenv("DISPLAY"));
        return 1;
    }
    layout l = {0};
    l.ox = (DisplayWidth(dpy, DefaultScreen(dpy)) - WIN_W) / 2;
    l.oy = (DisplayHeight(dpy, DefaultScreen(dpy)) - WIN_H) / 2;
    if (l.ox < 0 || l.oy < 0) {
        fprintf(stderr, "bench_tap: the screen must be at least %dx%d\n", WIN_W, WIN_H);
        return 1;
    }
    char cpu[256] = "?", line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
            util_strlcpy(cpu, strchr(line, ':') + 2, sizeof cpu);
            cpu[strcspn(cpu, "\n")] = '\0';
            break;
        }
    if (f)
        fclose(f);
    printf("bench_tap: %s, %ld CPUs (%s), DISPLAY %s%s\n", op.kiosk, sysconf(_SC_NPROCESSORS_ONLN),
           cpu, getenv("DISPLAY"), op.smoke ? "; --smoke: figures mean nothing" : "");
    int rc = 0;
    char list[128];
    util_strlcpy(list, op.renderers, sizeof list);
    for (char *save = NULL, *r = strtok_r(list, ",", &save); r; r = strtok_r(NULL, ",", &save))
        if (run_one(&op, dpy, &l, r) != 0)
            rc = 1;
    XCloseDisplay(dpy);
    if (xvfb_pid > 0) {
        kill(xvfb_pid, SIGTERM);
        waitpid(xvfb_pid, NULL, 0);
    }
    return rc;
}
