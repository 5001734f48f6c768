/* golden: compares a screenshot with its reference PNG under a small per-channel tolerance, writes
 * the actual image and a diff on a mismatch, and rewrites references only when asked. */
#include "golden.h"

#include <SDL_image.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int want_update(void)
{
    const char *v = getenv("HAILONG_UPDATE_GOLDEN");
    return v && strcmp(v, "1") == 0;
}

static SDL_Surface *to_rgba(SDL_Surface *s)
{
    return SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGBA32, 0);
}

/* Screens are opaque: PNGs are written without alpha, which keeps the references smaller. */
static int save_png(SDL_Surface *s, const char *path)
{
    SDL_Surface *rgb = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGB24, 0);
    if (!rgb)
        return -1;
    int rc = IMG_SavePNG(rgb, path);
    SDL_FreeSurface(rgb);
    return rc;
}

static const Uint8 *px_at(const SDL_Surface *s, int x, int y)
{
    return (const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch + (size_t)x * 4;
}

/* Differing pixels in red over a dimmed grey copy of the actual image. */
static SDL_Surface *make_diff(const SDL_Surface *act, const SDL_Surface *ref)
{
    SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, act->w, act->h, 32, SDL_PIXELFORMAT_RGBA32);
    if (!d)
        return NULL;
    for (int y = 0; y < act->h; y++)
        for (int x = 0; x < act->w; x++) {
            const Uint8 *p = px_at(act, x, y), *q = px_at(ref, x, y);
            Uint8 *o = (Uint8 *)d->pixels + (size_t)y * (size_t)d->pitch + (size_t)x * 4;
            int diff = 0;
            for (int c = 0; c < 3; c++)
                if (abs(p[c] - q[c]) > GOLDEN_CHANNEL_TOL)
                    diff = 1;
            if (diff) {
                o[0] = 255, o[1] = 0, o[2] = 0;
            } else {
                int grey = (p[0] * 30 + p[1] * 59 + p[2] * 11) / 100;
                o[0] = o[1] = o[2] = (Uint8)(128 + grey / 4);
            }
            o[3] = 255;
        }
    return d;
}

static void save_failure(SDL_Surface *act, SDL_Surface *ref, const char *name)
{
    char cwd[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        util_strlcpy(cwd, ".", sizeof cwd);
    if (util_fmt(dir, sizeof dir, "%s/golden-fail", cwd) != 0 ||
        (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
        fprintf(stderr, "golden %s: cannot create %s\n", name, dir);
        return;
    }
    if (util_fmt(path, sizeof path, "%s/%s.actual.png", dir, name) == 0 && save_png(act, path) == 0)
        fprintf(stderr, "golden %s: actual image written to %s\n", name, path);
    if (!ref)
        return;
    SDL_Surface *d = make_diff(act, ref);
    if (d && util_fmt(path, sizeof path, "%s/%s.diff.png", dir, name) == 0 &&
        save_png(d, path) == 0)
        fprintf(stderr, "golden %s: diff (differing pixels in red) written to %s\n", name, path);
    SDL_FreeSurface(d);
}

int golden_check(SDL_Surface *actual, const char *name)
{
    if (!actual) {
        fprintf(stderr, "golden %s: no image to compare (snapshot failed: %s)\n", name,
                SDL_GetError());
        return 0;
    }
    const char *src = getenv("HL_TEST_SRC");
    if (!src || !*src) {
        fprintf(stderr, "golden %s: HL_TEST_SRC is not set (run the test through ctest)\n", name);
        return 0;
    }
    char ref_path[PATH_MAX];
    if (util_fmt(ref_path, sizeof ref_path, "%s/golden/%s.png", src, name) != 0) {
        fprintf(stderr, "golden %s: path too long\n", name);
        return 0;
    }
    SDL_Surface *act = to_rgba(actual);
    if (!act) {
        fprintf(stderr, "golden %s: cannot convert the image: %s\n", name, SDL_GetError());
        return 0;
    }
    if (want_update()) {
        char dir[PATH_MAX];
        if (util_fmt(dir, sizeof dir, "%s/golden", src) == 0 && mkdir(dir, 0755) != 0 &&
            errno != EEXIST)
            fprintf(stderr, "golden %s: cannot create %s: %s\n", name, dir, strerror(errno));
        int ok = save_png(act, ref_path) == 0;
        if (ok)
            fprintf(stderr, "golden %s: reference written to %s (HAILONG_UPDATE_GOLDEN=1)\n", name,
                    ref_path);
        else
            fprintf(stderr, "golden %s: cannot write %s: %s\n", name, ref_path, IMG_GetError());
        SDL_FreeSurface(act);
        return ok;
    }
    if (access(ref_path, F_OK) != 0) {
        fprintf(stderr,
                "golden %s: no reference image %s; to create it, look at the screen and run the "
                "test with HAILONG_UPDATE_GOLDEN=1, then review and commit the PNG\n",
                name, ref_path);
        save_failure(act, NULL, name);
        SDL_FreeSurface(act);
        return 0;
    }
    SDL_Surface *loaded = IMG_Load(ref_path);
    SDL_Surface *ref = loaded ? to_rgba(loaded) : NULL;
    SDL_FreeSurface(loaded);
    if (!ref) {
        fprintf(stderr, "golden %s: cannot read %s: %s\n", name, ref_path, IMG_GetError());
        save_failure(act, NULL, name);
        SDL_FreeSurface(act);
        return 0;
    }
    int ok = 1;
    if (ref->w != act->w || ref->h != act->h) {
        fprintf(stderr, "golden %s: size %dx%d, reference %s is %dx%d\n", name, act->w, act->h,
                ref_path, ref->w, ref->h);
        save_failure(act, NULL, name);
        ok = 0;
    } else {
        long long differ = 0, total = (long long)act->w * act->h;
        int max_delta = 0;
        for (int y = 0; y < act->h; y++)
            for (int x = 0; x < act->w; x++) {
                const Uint8 *p = px_at(act, x, y), *q = px_at(ref, x, y);
                int worst = 0;
                for (int c = 0; c < 3; c++) {
                    int dlt = abs(p[c] - q[c]);
                    if (dlt > worst)
                        worst = dlt;
                }
                if (worst > max_delta)
                    max_delta = worst;
                if (worst > GOLDEN_CHANNEL_TOL)
                    differ++;
            }
        if (differ * 1000 > total * GOLDEN_MAX_DIFF_PERMILLE) {
            fprintf(stderr,
                    "golden %s: %lld of %lld pixels differ from %s (more than %d/1000; largest "
                    "channel difference %d)\n",
                    name, differ, total, ref_path, GOLDEN_MAX_DIFF_PERMILLE, max_delta);
            save_failure(act, ref, name);
            ok = 0;
        }
    }
    SDL_FreeSurface(ref);
    SDL_FreeSurface(act);
    return ok;
}
