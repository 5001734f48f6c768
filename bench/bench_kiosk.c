/* bench_kiosk: measures hailong-kiosk against the numbers in design.md §5 on this machine: tap ->
 * committed vote -> thank-you frame (in-process), start -> first frame, idle CPU and PSS (the real
 * binary). Run by `cmake --build build --target bench`; results go to docs/PERFORMANCE.md. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "screens.h"
#include "log.h"
#include "util.h"

#ifndef HL_KIOSK_BIN
#define HL_KIOSK_BIN "hailong-kiosk"
#endif

/* design.md §5 */
#define TARGET_TAP_P99_MS     16.0
#define TARGET_FIRST_FRAME_MS 100.0
#define TARGET_IDLE_CPU_PCT   0.3
#define TARGET_PSS_MB         30.0

typedef struct {
    const char *kiosk; /* the real binary */
    const char *work;  /* temp data dirs go here: on the disk the kiosk would use */
    int smoke;         /* few samples, short idle, not on the attract screen: only "it runs" */
    int taps, starts, fsyncs;
    int idle_wait_s, idle_s; /* wait before sampling (idle_timeout + margin), sample length */
    int use_x;               /* also under $DISPLAY with a real window */
} bench_opts;

typedef struct {
    double p50, p99, max;
    int n;
} stats;

/* ---- small helpers ---- */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Nearest-rank percentiles; sorts v. */
static stats stats_of(double *v, int n)
{
    stats s = {0, 0, 0, n};
    if (n <= 0)
        return s;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int k50 = (int)ceil(0.50 * n) - 1, k99 = (int)ceil(0.99 * n) - 1;
    s.p50 = v[k50 < 0 ? 0 : k50];
    s.p99 = v[k99 < 0 ? 0 : k99];
    s.max = v[n - 1];
    return s;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int make_tmp(const bench_opts *bo, const char *tag, char *out, size_t cap)
{
    if (util_fmt(out, cap, "%s/hl-bench-%s-XXXXXX", bo->work, tag) != 0 || !mkdtemp(out)) {
        fprintf(stderr, "bench: cannot make a temp dir under %s: %s\n", bo->work, strerror(errno));
        return -1;
    }
    return 0;
}

/* First line of path starting with key, value after the ':' and blanks, into out. */
static int procfs_field(const char *path, const char *key, char *out, size_t cap)
{
    char *buf = util_read_file(path, NULL);
    if (!buf)
        return -1;
    int rc = -1;
    size_t kl = strlen(key);
    for (char *line = buf; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strncmp(line, key, kl) == 0) {
            const char *v = line + kl;
            while (*v == ' ' || *v == '\t' || *v == ':')
                v++;
            rc = util_strlcpy(out, v, cap) == 0 ? 0 : -1;
            break;
        }
        line = nl ? nl + 1 : NULL;
    }
    free(buf);
    return rc;
}

/* Other work on the machine skews every figure; the report shows the load before and after. */
static void print_load(const char *when)
{
    char *l = util_read_file("/proc/loadavg", NULL);
    if (l) {
        l[strcspn(l, "\n")] = '\0';
        printf("  load average %s: %s\n", when, l);
        free(l);
    }
}

static const char *fs_name(long type)
{
    switch ((unsigned long)type) {
    case 0xEF53:
        return "ext2/3/4";
    case 0x58465342:
        return "xfs";
    case 0x9123683E:
        return "btrfs";
    case 0x01021994:
        return "tmpfs (RAM: fsync costs nothing; not representative)";
    case 0x794C7630:
        return "overlayfs";
    case 0x2FC12FC1:
        return "zfs";
    case 0xF2F52010:
        return "f2fs";
    default:
        return "other";
    }
}

static void print_machine(const bench_opts *bo)
{
    char cpu[256] = "unknown", mem[64] = "0";
    procfs_field("/proc/cpuinfo", "model name", cpu, sizeof cpu);
    procfs_field("/proc/meminfo", "MemTotal", mem, sizeof mem);
    struct utsname u;
    if (uname(&u) != 0)
        memset(&u, 0, sizeof u);
    SDL_version v;
    SDL_GetVersion(&v);
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    struct statfs sf;
    long fstype = statfs(bo->work, &sf) == 0 ? (long)sf.f_type : 0;
    char work[PATH_MAX];
    if (!realpath(bo->work, work))
        util_strlcpy(work, bo->work, sizeof work);
    printf("Hài lòng kiosk benchmark (design.md §5), %s%s\n", when,
           bo->smoke ? "  [SMOKE RUN: few samples, figures not meaningful]" : "");
    printf("  cpu:     %s, %ld cores online\n", cpu, sysconf(_SC_NPROCESSORS_ONLN));
    printf("  memory:  %.1f GiB\n", (double)strtoull(mem, NULL, 10) / (1024.0 * 1024.0));
    printf("  kernel:  %s %s %s\n", u.sysname, u.release, u.machine);
    printf("  SDL:     %d.%d.%d\n", v.major, v.minor, v.patch);
    printf("  data on: %s (%s)\n", work, fs_name(fstype));
    printf("  kiosk:   %s\n", bo->kiosk);
    print_load("at start");
    printf("\n");
}

/* ---- a. tap -> vote committed -> thank-you frame presented (in-process) ---- */

typedef struct {
    int ran;
    char driver[32], renderer[64];
    int vsync;
    char synchronous[16];
    stats total, commit, frame, redraw;
} tap_result;

static int load_desk_cfg(cfg *c, const char *data_dir)
{
    char ini[PATH_MAX], err[HL_ERR_MAX];
    cfg_defaults(c);
    if (util_fmt(ini, sizeof ini, "%s/demo/desk.ini", c->assets_dir) != 0 ||
        cfg_load(c, ini, err, sizeof err) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        return -1;
    }
    c->fullscreen = 0;
    c->width = 1280;
    c->height = 800;
    util_strlcpy(c->data_dir, data_dir, sizeof c->data_dir);
    return 0;
}

static int bench_taps(const bench_opts *bo, const char *driver, int headless, tap_result *r)
{
    memset(r, 0, sizeof *r);
    char dir[PATH_MAX], err[HL_ERR_MAX];
    if (make_tmp(bo, "taps", dir, sizeof dir) != 0)
        return -1;
    setenv("SDL_VIDEODRIVER", driver, 1);
    cfg c;
    hl_clock clock = clk_real();
    app_opts o = {.clock = &clock, .headless = headless, .screens = scr_table};
    app *a = NULL;
    int rc = -1, n = bo->taps;
    double *tot = xcalloc((size_t)n, sizeof *tot), *com = xcalloc((size_t)n, sizeof *com),
           *frm = xcalloc((size_t)n, sizeof *frm), *red = xcalloc((size_t)n, sizeof *red);
    if (load_desk_cfg(&c, dir) != 0)
        goto out;
    if (app_create(&a, &c, &o, err, sizeof err) != 0) {
        fprintf(stderr, "bench: %s: %s\n", driver, err);
        goto out;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(a->ren, &info) == 0) {
        util_strlcpy(r->renderer, info.name, sizeof r->renderer);
        r->vsync = (info.flags & SDL_RENDERER_PRESENTVSYNC) != 0;
    }
    util_strlcpy(r->driver, SDL_GetCurrentVideoDriver(), sizeof r->driver);
    store_pragma(a->store, "synchronous", r->synchronous, sizeof r->synchronous);
    app_update(a);
    app_render(a);
    SDL_Rect b;
    if (!ui_target_find(&a->ui, "rate-3", &b)) {
        fprintf(stderr, "bench: no rate-3 on the desk Home screen\n");
        goto out;
    }
    int x = b.x + b.w / 2, y = b.y + b.h / 2;
    for (int i = 0; i < n; i++) {
        /* The real loop handles window events between taps; here they are only dropped. */
        SDL_PumpEvents();
        SDL_FlushEvents(SDL_FIRSTEVENT, SDL_LASTEVENT);
        int64_t t0 = mono_ns();
        app_tap_xy(a, x, y); /* release -> app_vote -> store_add_vote commits -> thanks */
        int64_t t1 = mono_ns();
        app_update(a);
        int presented = app_render(a); /* draws the thank-you screen, SDL_RenderPresent */
        int64_t t2 = mono_ns();
        if (!presented || a->cur != SCR_THANKS || !a->vote_ok) {
            fprintf(stderr, "bench: tap %d did not give a thank-you frame (screen %s)\n", i,
                    app_screen_name(a));
            goto out;
        }
        tot[i] = (double)(t2 - t0) / 1e6;
        com[i] = (double)(t1 - t0) / 1e6;
        frm[i] = (double)(t2 - t1) / 1e6;
        /* Not part of the latency: the same frame drawn again with every cache warm, to show
         * how much of the frame is text and images rasterised anew after the screen change. */
        a->dirty = 1;
        int64_t t3 = mono_ns();
        app_render(a);
        red[i] = (double)(mono_ns() - t3) / 1e6;
        if (app_tap(a, "done") != 0 || a->cur != SCR_HOME) {
            fprintf(stderr, "bench: \"done\" did not return Home\n");
            goto out;
        }
    }
    store_counts sc;
    memset(&sc, 0, sizeof sc);
    if (store_counts_get(a->store, &sc) != 0 || sc.total != n) {
        fprintf(stderr, "bench: votes.db has %lld votes, expected %d\n", (long long)sc.total, n);
        goto out;
    }
    r->total = stats_of(tot, n);
    r->commit = stats_of(com, n);
    r->frame = stats_of(frm, n);
    r->redraw = stats_of(red, n);
    r->ran = 1;
    rc = 0;
out:
    app_destroy(a);
    free(tot);
    free(com);
    free(frm);
    free(red);
    rm_tree(dir);
    return rc;
}

/* The disk's own cost of a durable append, which synchronous=FULL pays on every vote. */
static int bench_fsync(const bench_opts *bo, stats *out)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    if (make_tmp(bo, "fsync", dir, sizeof dir) != 0)
        return -1;
    util_fmt(path, sizeof path, "%s/append", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = -1, n = bo->fsyncs;
    double *v = xcalloc((size_t)n, sizeof *v);
    char block[4096];
    memset(block, 'v', sizeof block);
    if (fd < 0)
        goto out;
    for (int i = 0; i < n; i++) {
        int64_t t0 = mono_ns();
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block || fdatasync(fd) != 0)
            goto out;
        v[i] = (double)(mono_ns() - t0) / 1e6;
    }
    *out = stats_of(v, n);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    free(v);
    rm_tree(dir);
    return rc;
}

/* ---- the real binary: b. start -> first frame; c. idle CPU; d. PSS ---- */

static int write_config(const char *dir, char *path, size_t cap)
{
    if (util_fmt(path, cap, "%s/bench.ini", dir) != 0)
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "; bench_kiosk: desk mode, a 1280x800 window, the shortest idle timeout\n"
               "[kiosk]\nid = bench-01\nmode = desk\ncounter = 1\ndata_dir = data\n"
               "[display]\nfullscreen = false\nwidth = 1280\nheight = 800\n"
               "[timing]\nidle_timeout = 10\n");
    return fclose(f) == 0 ? 0 : -1;
}

/* Starts the kiosk with stderr to /dev/null and stdout to a pipe (*out_fd) or /dev/null. */
static pid_t spawn_kiosk(const bench_opts *bo, const char *config, const char *driver,
                         int first_frame, int *out_fd)
{
    int fds[2] = {-1, -1};
    if (out_fd && pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    setenv("SDL_VIDEODRIVER", driver, 1);
    if (first_frame)
        setenv("HAILONG_BENCH_FIRST_FRAME", "1", 1);
    else
        unsetenv("HAILONG_BENCH_FIRST_FRAME");
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(out_fd ? fds[1] : null, 1);
        dup2(null, 2);
        execl(bo->kiosk, "hailong-kiosk", "--config", config, (char *)NULL);
        _exit(127);
    }
    unsetenv("HAILONG_BENCH_FIRST_FRAME");
    if (out_fd) {
        close(fds[1]);
        if (pid < 0)
            close(fds[0]);
        else
            *out_fd = fds[0];
    }
    return pid;
}

static int exit_ok(pid_t pid, const char *what)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    fprintf(stderr, "bench: %s: kiosk ended with %s %d\n", what,
            WIFEXITED(status) ? "exit code" : "signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return -1;
}

/* One start; returns ms from just before fork/exec to the first presented frame, or -1. */
static double one_start(const bench_opts *bo, const char *config, const char *driver)
{
    int fd = -1;
    int64_t t0 = mono_ns();
    pid_t pid = spawn_kiosk(bo, config, driver, 1, &fd);
    if (pid < 0)
        return -1;
    char buf[256];
    size_t len = 0;
    while (len < sizeof buf - 1) {
        ssize_t got = read(fd, buf + len, sizeof buf - 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    buf[len] = '\0';
    close(fd);
    if (exit_ok(pid, "first frame") != 0)
        return -1;
    const char *p = strstr(buf, "first-frame ");
    if (!p)
        return -1;
    char *end;
    errno = 0;
    long long ns = strtoll(p + 12, &end, 10);
    if (errno || end == p + 12 || ns < t0)
        return -1;
    return (double)(ns - t0) / 1e6;
}

static int bench_starts(const bench_opts *bo, const char *config, const char *driver, stats *out)
{
    /* One start first, not counted: it creates votes.db (migration) and warms the page cache, as
     * on a kiosk that has run before. */
    if (one_start(bo, config, driver) < 0) {
        fprintf(stderr, "bench: %s: the kiosk did not present a first frame\n", driver);
        return -1;
    }
    double *v = xcalloc((size_t)bo->starts, sizeof *v);
    int rc = 0;
    for (int i = 0; i < bo->starts && rc == 0; i++)
        if ((v[i] = one_start(bo, config, driver)) < 0)
            rc = -1;
    if (rc == 0)
        *out = stats_of(v, bo->starts);
    free(v);
    return rc;
}

/* CPU of every thread of pid: clock ticks from stat (utime+stime), ns from schedstat, and
 * context switches (each one is a wake-up or a preemption). */
typedef struct {
    unsigned long long ticks, sched_ns, switches;
} cpu_sample;

static int sample_cpu(pid_t pid, cpu_sample *s)
{
    memset(s, 0, sizeof *s);
    char path[64];
    util_fmt(path, sizeof path, "/proc/%d/stat", (int)pid);
    char *buf = util_read_file(path, NULL);
    if (!buf)
        return -1;
    const char *p = strrchr(buf, ')');
    unsigned long long ut = 0, st = 0;
    int ok =
        p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2;
    free(buf);
    if (!ok)
        return -1;
    s->ticks = ut + st;
    util_fmt(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char tp[300], val[64];
        unsigned long long ns = 0;
        util_fmt(tp, sizeof tp, "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
        char *ss = util_read_file(tp, NULL);
        if (ss && sscanf(ss, "%llu", &ns) == 1)
            s->sched_ns += ns;
        free(ss);
        util_fmt(tp, sizeof tp, "/proc/%d/task/%s/status", (int)pid, e->d_name);
        if (procfs_field(tp, "voluntary_ctxt_switches", val, sizeof val) == 0)
            s->switches += strtoull(val, NULL, 10);
        if (procfs_field(tp, "nonvoluntary_ctxt_switches", val, sizeof val) == 0)
            s->switches += strtoull(val, NULL, 10);
    }
    closedir(d);
    return 0;
}

typedef struct {
    int ran;
    double seconds, cpu_pct, cpu_pct_sched, wakeups_s, pss_mb, rss_mb;
} idle_result;

static double kb_field_mb(const char *path, const char *key)
{
    char v[64];
    if (procfs_field(path, key, v, sizeof v) != 0)
        return -1;
    return (double)strtoull(v, NULL, 10) / 1024.0;
}

/* 1 while pid runs; does not reap it (waitid with WNOWAIT), so its exit status stays readable. */
static int alive(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0;
}

static int bench_idle(const bench_opts *bo, const char *config, const char *driver, idle_result *r)
{
    memset(r, 0, sizeof *r);
    pid_t pid = spawn_kiosk(bo, config, driver, 0, NULL);
    if (pid < 0)
        return -1;
    int rc = -1;
    for (int s = 0; s < bo->idle_wait_s; s++) {
        sleep_ms(1000);
        if (!alive(pid)) {
            fprintf(stderr, "bench: %s: the kiosk ended while waiting for idle\n", driver);
            waitpid(pid, NULL, 0);
            return -1;
        }
    }
    cpu_sample a, b;
    int64_t t0 = mono_ns();
    if (sample_cpu(pid, &a) != 0)
        goto stop;
    sleep_ms((int64_t)bo->idle_s * 1000);
    if (sample_cpu(pid, &b) != 0)
        goto stop;
    double secs = (double)(mono_ns() - t0) / 1e9;
    char path[64];
    util_fmt(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    r->pss_mb = kb_field_mb(path, "Pss:");
    r->rss_mb = kb_field_mb(path, "Rss:");
    r->seconds = secs;
    r->cpu_pct = (double)(b.ticks - a.ticks) / (double)sysconf(_SC_CLK_TCK) / secs * 100.0;
    r->cpu_pct_sched = (double)(b.sched_ns - a.sched_ns) / 1e9 / secs * 100.0;
    r->wakeups_s = (double)(b.switches - a.switches) / secs;
    r->ran = 1;
    rc = 0;
stop:
    /* SIGTERM arrives as SDL_QUIT: the kiosk closes its database and exits 0. */
    kill(pid, SIGTERM);
    for (int i = 0; i < 100 && alive(pid); i++)
        sleep_ms(50);
    int status;
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fprintf(stderr, "bench: %s: the kiosk did not stop on SIGTERM\n", driver);
        return -1;
    }
    if (w == pid && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        fprintf(stderr, "bench: %s: after SIGTERM the kiosk ended with status %d\n", driver,
                status);
        return -1;
    }
    return rc;
}

/* ---- report ---- */

typedef struct {
    char label[48];
    tap_result taps;
    stats starts;
    int starts_ran;
    idle_result idle;
} run_set;

static const char *verdict(const bench_opts *bo, double got, double target)
{
    if (bo->smoke)
        return "(smoke)";
    return got <= target ? "PASS" : "MISS";
}

static void print_set(const bench_opts *bo, const run_set *s)
{
    char m[96];
    if (s->taps.ran) {
        util_fmt(m, sizeof m, "p50 %.2f / p99 %.2f / max %.2f ms", s->taps.total.p50,
                 s->taps.total.p99, s->taps.total.max);
        printf("  tap->vote->frame, %-26.26s %-10s %-42s %s\n", s->taps.renderer, "p99<=16ms", m,
               verdict(bo, s->taps.total.p99, TARGET_TAP_P99_MS));
    }
    if (s->starts_ran) {
        util_fmt(m, sizeof m, "p50 %.1f / max %.1f ms (n=%d)", s->starts.p50, s->starts.max,
                 s->starts.n);
        printf("  start->first frame %-25s %-10s %-42s %s\n", "(max)", "<=100ms", m,
               verdict(bo, s->starts.max, TARGET_FIRST_FRAME_MS));
    }
    if (s->idle.ran) {
        util_fmt(m, sizeof m, "%.3f %% (sched %.3f %%, %.1f wakeups/s)", s->idle.cpu_pct,
                 s->idle.cpu_pct_sched, s->idle.wakeups_s);
        printf("  idle CPU %-35s %-10s %-42s %s\n", bo->smoke ? "(home, smoke)" : "(attract)",
               "<=0.3%", m, verdict(bo, s->idle.cpu_pct, TARGET_IDLE_CPU_PCT));
        util_fmt(m, sizeof m, "%.1f MB (RSS %.1f MB)", s->idle.pss_mb, s->idle.rss_mb);
        printf("  memory PSS %-33s %-10s %-42s %s\n", "(idle process)", "<=30MB", m,
               verdict(bo, s->idle.pss_mb, TARGET_PSS_MB));
    }
}

/* software: 0 lets SDL choose as the kiosk does (an accelerated renderer if the display has one);
 * 1 forces SDL's software renderer and turns off SDL's GL-backed window framebuffer, which
 * SDL_RENDER_DRIVER=software alone would still initialise on X11. */
static int run_driver(const bench_opts *bo, const char *driver, int software, const char *config,
                      run_set *s)
{
    int rc = 0;
    memset(s, 0, sizeof *s);
    if (software) {
        setenv("SDL_RENDER_DRIVER", "software", 1);
        setenv("SDL_FRAMEBUFFER_ACCELERATION", "0", 1);
        util_fmt(s->label, sizeof s->label, "%s, software only", driver);
    } else {
        unsetenv("SDL_RENDER_DRIVER");
        unsetenv("SDL_FRAMEBUFFER_ACCELERATION");
        util_fmt(s->label, sizeof s->label, "%s", driver);
    }
    const char *label = s->label;
    printf("[%s] a. %d taps in desk mode (tap rate-3, then done)...\n", label, bo->taps);
    fflush(stdout);
    /* Dummy: the software renderer on a hidden window, as the tests use. Otherwise a real window,
     * created exactly as the kiosk creates it (accelerated + vsync if the display offers it). */
    int headless = strcmp(driver, "dummy") == 0;
    if (bench_taps(bo, driver, headless, &s->taps) != 0) {
        rc = -1;
    } else {
        const tap_result *t = &s->taps;
        printf("     driver %s, renderer %s%s, synchronous=%s\n", t->driver, t->renderer,
               t->vsync ? " (vsync)" : "", t->synchronous);
        printf("     total  p50 %.2f  p99 %.2f  max %.2f ms\n", t->total.p50, t->total.p99,
               t->total.max);
        printf("     commit p50 %.2f  p99 %.2f  max %.2f ms   (tap -> store_add_vote "
               "committed)\n",
               t->commit.p50, t->commit.p99, t->commit.max);
        printf("     frame  p50 %.2f  p99 %.2f  max %.2f ms   (draw thank-you + present)\n",
               t->frame.p50, t->frame.p99, t->frame.max);
        printf("     redraw p50 %.2f  p99 %.2f  max %.2f ms   (not timed above: the same frame "
               "again, caches warm)\n",
               t->redraw.p50, t->redraw.p99, t->redraw.max);
    }
    printf("[%s] b. start -> first frame, %d starts of the real binary...\n", label, bo->starts);
    fflush(stdout);
    if (bench_starts(bo, config, driver, &s->starts) != 0) {
        rc = -1;
    } else {
        s->starts_ran = 1;
        printf("     p50 %.1f  max %.1f ms\n", s->starts.p50, s->starts.max);
    }
    printf("[%s] c/d. idle: %d s to reach attract, then %d s sampled...\n", label, bo->idle_wait_s,
           bo->idle_s);
    fflush(stdout);
    if (bench_idle(bo, config, driver, &s->idle) != 0) {
        rc = -1;
    } else {
        const idle_result *i = &s->idle;
        printf("     CPU %.3f %% of one core (utime+stime), %.3f %% (schedstat), %.1f "
               "wakeups/s; PSS %.1f MB, RSS %.1f MB\n",
               i->cpu_pct, i->cpu_pct_sched, i->wakeups_s, i->pss_mb, i->rss_mb);
    }
    printf("\n");
    unsetenv("SDL_RENDER_DRIVER");
    unsetenv("SDL_FRAMEBUFFER_ACCELERATION");
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: bench_kiosk [--kiosk PATH] [--work-dir DIR] [--quick | --smoke]\n"
            "Measures hailong-kiosk against docs/PERFORMANCE.md's targets on this machine.\n"
            "  --kiosk PATH     the hailong-kiosk binary (default: the one built with this)\n"
            "  --work-dir DIR   temp data dirs go here; use the disk the kiosk writes to\n"
            "                   (default: the current directory)\n"
            "  --quick          idle sampled for 10 s instead of 60 s\n"
            "  --smoke          a few samples, 2 s idle on Home, no X: checks that it runs\n"
            "With DISPLAY set (and not --smoke) it also runs everything in a real X window.\n");
}

int main(int argc, char **argv)
{
    bench_opts bo = {HL_KIOSK_BIN, ".", 0, 1000, 20, 200, 13, 60, 0};
    /* The real binary runs on the dummy driver here: without this it would exit 1 ("no
     * display"), as the kiosk must on a PC whose graphical session is missing. */
    setenv("HAILONG_ALLOW_HEADLESS", "1", 1);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--kiosk") == 0 && i + 1 < argc) {
            bo.kiosk = argv[++i];
        } else if (strcmp(argv[i], "--work-dir") == 0 && i + 1 < argc) {
            bo.work = argv[++i];
        } else if (strcmp(argv[i], "--quick") == 0) {
            bo.idle_s = 10;
        } else if (strcmp(argv[i], "--smoke") == 0) {
            bo.smoke = 1;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (bo.smoke) {
        bo.taps = 20, bo.starts = 3, bo.fsyncs = 20, bo.idle_wait_s = 1, bo.idle_s = 2;
    } else {
        const char *d = getenv("DISPLAY");
        bo.use_x = d && *d;
    }
    if (access(bo.kiosk, X_OK) != 0) {
        fprintf(stderr, "bench: %s: %s\n", bo.kiosk, strerror(errno));
        return 1;
    }
    log_set_level(LOG_WARN);
    print_machine(&bo);

    int rc = 0;
    stats fs = {0, 0, 0, 0};
    if (bench_fsync(&bo, &fs) != 0) {
        fprintf(stderr, "bench: fdatasync baseline failed: %s\n", strerror(errno));
        rc = 1;
    } else {
        printf("disk: 4 KiB append + fdatasync, n=%d: p50 %.2f  p99 %.2f  max %.2f ms\n\n", fs.n,
               fs.p50, fs.p99, fs.max);
    }

    char dir[PATH_MAX], config[PATH_MAX + 16];
    if (make_tmp(&bo, "kiosk", dir, sizeof dir) != 0)
        return 1;
    if (write_config(dir, config, sizeof config) != 0) {
        fprintf(stderr, "bench: cannot write %s\n", config);
        rm_tree(dir);
        return 1;
    }
    /* The X runs: first as the kiosk would choose (an accelerated renderer if the display has
     * one; under Xvfb that is Mesa's llvmpipe), then software only, as on a PC without GL. */
    run_set sets[3];
    int n_sets = 0;
    if (run_driver(&bo, "dummy", 0, config, &sets[n_sets++]) != 0)
        rc = 1;
    if (bo.use_x && run_driver(&bo, "x11", 0, config, &sets[n_sets++]) != 0)
        rc = 1;
    if (bo.use_x && run_driver(&bo, "x11", 1, config, &sets[n_sets++]) != 0)
        rc = 1;
    rm_tree(dir);

    print_load("at end");
    printf("\n%-46s %-10s %-42s %s\n", "  what", "target", "measured", "verdict");
    for (int i = 0; i < n_sets; i++) {
        printf("  -- SDL video driver %s --\n", sets[i].label);
        print_set(&bo, &sets[i]);
    }
    if (bo.smoke)
        printf("\nSmoke run: too few samples and no attract screen; the figures mean nothing.\n");
    if (rc != 0)
        printf("\nSome measurements failed (see the messages above).\n");
    return rc;
}
