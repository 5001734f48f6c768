/* bench_search: procedure search per keystroke over 2 000 generated procedures (p50/p99), the
 * index build, and opening a procedure: time to its first frame, cold and warm text caches.
 * Run by `cmake --build build --target bench`; figures go to docs/PERFORMANCE.md. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "screens.h"
#include "log.h"
#include "util.h"

#define N_PROCS              2000
#define TARGET_SEARCH_P99_MS 5.0

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void report(const char *what, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i99 = (int)(0.99 * (n - 1) + 0.5);
    printf("  %-44s n=%-5d p50 %7.3f  p99 %7.3f  max %7.3f ms\n", what, n, v[n / 2], v[i99],
           v[n - 1]);
}

/* 2 000 procedures from the 31 real ones: each copy gets its own name words and number, so the
 * index and the text cache see distinct text, and the same size (~1.6 kB) as real records. */
static char *generate(const char *demo_path)
{
    size_t len;
    char *txt = util_read_file(demo_path, &len);
    if (!txt)
        return NULL;
    cJSON *root = cJSON_Parse(txt);
    free(txt);
    if (!root)
        return NULL;
    cJSON *items = cJSON_GetObjectItem(root, "procedures");
    int n_demo = cJSON_GetArraySize(items);
    static const char *const extra[] = {
        "bổ sung", "trực tuyến",         "liên thông",           "lần đầu",
        "cấp lại", "điều chỉnh",         "có yếu tố nước ngoài", "cho người cao tuổi",
        "tại nhà", "thông qua bưu chính"};
    cJSON *out = cJSON_CreateArray();
    for (int i = 0; i < N_PROCS; i++) {
        cJSON *p = cJSON_Duplicate(cJSON_GetArrayItem(items, i % n_demo), 1);
        char buf[512];
        snprintf(buf, sizeof buf, "%s-%d", cJSON_GetObjectItem(p, "id")->valuestring, i);
        cJSON_ReplaceItemInObject(p, "id", cJSON_CreateString(buf));
        snprintf(buf, sizeof buf, "%s %s (mẫu %d)", cJSON_GetObjectItem(p, "name")->valuestring,
                 extra[(i / n_demo) % 10], i);
        cJSON_ReplaceItemInObject(p, "name", cJSON_CreateString(buf));
        snprintf(buf, sizeof buf, "%s (bản %d)", cJSON_GetObjectItem(p, "time_limit")->valuestring,
                 i);
        cJSON_ReplaceItemInObject(p, "time_limit", cJSON_CreateString(buf));
        cJSON_AddItemToArray(out, p);
    }
    cJSON_ReplaceItemInObject(root, "procedures", out);
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return json;
}

/* Types each query one key at a time, as the on-screen keyboard does: one search plus the
 * highlight spans of the rows a screen shows (10) per key. */
static void bench_keystrokes(proc_set *ps, proc_index *ix)
{
    static double t[20000];
    int n = 0;
    srand(7);
    for (int q = 0; q < 300 && n < 19000; q++) {
        const proc_item *p = &ps->items[(size_t)rand() % ps->n_items];
        char *folded = proc_fold(p->name);
        /* the first three words, as someone types them */
        char query[64] = "";
        int words = 0;
        for (size_t i = 0; folded[i] && i < sizeof query - 1; i++) {
            if (folded[i] == ' ' && ++words == 3)
                break;
            query[i] = folded[i];
            query[i + 1] = '\0';
        }
        free(folded);
        char typed[64];
        for (size_t k = 1; k <= strlen(query) && n < 19000; k++) {
            memcpy(typed, query, k);
            typed[k] = '\0';
            size_t res[200], starts[16], lens[16];
            int64_t t0 = mono_ns();
            int got = proc_search(ix, typed, res, 200);
            for (int r = 0; r < got && r < 10; r++)
                proc_match_spans(ps->items[res[r]].name, typed, starts, lens, 16);
            t[n++] = (double)(mono_ns() - t0) / 1e6;
        }
    }
    report("search per keystroke (+ highlight of 10 rows)", t, n);
    printf("  target p99 <= %.0f ms: %s\n", TARGET_SEARCH_P99_MS,
           t[(int)(0.99 * (n - 1) + 0.5)] <= TARGET_SEARCH_P99_MS ? "PASS" : "MISS");
}

static int link_demo(const char *assets, const char *dir)
{
    static const char *const files[] = {"commune.json", "slogans.json", "officers.json",
                                        "reasons.json", "photos"};
    for (size_t i = 0; i < HL_ARRAY_LEN(files); i++) {
        char from[PATH_MAX], to[PATH_MAX];
        util_fmt(from, sizeof from, "%s/content/%s", assets, files[i]);
        util_fmt(to, sizeof to, "%s/%s", dir, files[i]);
        if (symlink(from, to) != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* Opening a procedure from its list: app_go + the first frame drawn and presented. Cold: the
 * text cache emptied first (the first citizen to open it); warm: opened again. */
static void bench_open(const char *content_dir, const char *work)
{
    cfg c;
    cfg_defaults(&c);
    util_strlcpy(c.content_dir, content_dir, sizeof c.content_dir);
    util_fmt(c.data_dir, sizeof c.data_dir, "%s/data", work);
    c.fullscreen = 0;
    hl_clock clock = clk_fake(1764124200000LL);
    app_opts o = {.clock = &clock, .headless = 1, .screens = scr_table};
    app *a;
    char err[HL_ERR_MAX];
    int64_t t0 = mono_ns();
    if (app_create(&a, &c, &o, err, sizeof err) != 0) {
        fprintf(stderr, "bench_search: %s\n", err);
        return;
    }
    printf("  app start with %d procedures (load + index + window): %.1f ms\n", N_PROCS,
           (double)(mono_ns() - t0) / 1e6);
    app_render(a);
    static double cold[200], warm[200];
    for (int i = 0; i < 200; i++) {
        size_t item = (size_t)(i * 9) % a->procs->n_items;
        a->proc_item = item;
        a->detail_back = SCR_PROC_LIST;
        gfx_cache_trim(a->gfx); /* twice: trim drops what was not used since the last trim */
        gfx_cache_trim(a->gfx);
        t0 = mono_ns();
        app_go(a, SCR_PROC);
        app_render(a);
        cold[i] = (double)(mono_ns() - t0) / 1e6;
        app_go(a, SCR_PROCS);
        app_render(a);
        t0 = mono_ns();
        app_go(a, SCR_PROC);
        app_render(a);
        warm[i] = (double)(mono_ns() - t0) / 1e6;
        app_go(a, SCR_PROCS);
        app_render(a);
    }
    report("open a procedure -> first frame, cold cache", cold, 200);
    report("open a procedure -> first frame, warm cache", warm, 200);
    app_destroy(a);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_WARN);
    const char *assets = getenv("HAILONG_ASSETS") ? getenv("HAILONG_ASSETS") : HL_SOURCE_ASSETS_DIR;
    char demo[PATH_MAX], work[] = "/tmp/hl-bench-search-XXXXXX", path[PATH_MAX + 32];
    util_fmt(demo, sizeof demo, "%s/content/procedures.json", assets);
    if (!mkdtemp(work)) {
        perror("mkdtemp");
        return 1;
    }
    char *json = generate(demo);
    if (!json) {
        fprintf(stderr, "bench_search: cannot read %s\n", demo);
        return 1;
    }
    printf("procedure search and detail (%d generated procedures)\n", N_PROCS);
    proc_set *ps;
    proc_index *ix;
    char err[HL_ERR_MAX];
    if (proc_parse_json(&ps, json, strlen(json), "generated", err, sizeof err) != 0) {
        fprintf(stderr, "bench_search: %s\n", err);
        return 1;
    }
    int64_t t0 = mono_ns();
    if (proc_index_build(&ix, ps, err, sizeof err) != 0) {
        fprintf(stderr, "bench_search: %s\n", err);
        return 1;
    }
    printf("  index build: %.1f ms\n", (double)(mono_ns() - t0) / 1e6);
    bench_keystrokes(ps, ix);
    util_fmt(path, sizeof path, "%s/procedures.json", work);
    FILE *f = fopen(path, "w");
    if (!f || fputs(json, f) < 0 || fclose(f) != 0 || link_demo(assets, work) != 0) {
        fprintf(stderr, "bench_search: cannot write %s\n", work);
        return 1;
    }
    bench_open(work, work);
    proc_index_free(ix);
    proc_free(ps);
    free(json);
    char cmd[PATH_MAX + 16];
    util_fmt(cmd, sizeof cmd, "rm -rf '%s'", work);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_search: could not remove %s\n", work);
    return 0;
}
