/* test_gfx: drawing on a hidden window with the software renderer, checked by reading pixels back:
 * Vietnamese text, wrapping and ellipsis, fitting, shapes, the face and icon artwork, images,
 * the placeholder avatar, the cache. HL_GFX_PREVIEW=out.png also saves a picture to look at. */
#include <SDL.h>
#include <SDL_image.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gfx.h"
#include "log.h"
#include "test.h"
#include "util.h"

#define W 640
#define H 400

static SDL_Window *win;
static SDL_Renderer *ren;
static gfx *g;
static const char *assets;
static Uint32 *px_buf;

static const SDL_Color WHITE = {255, 255, 255, 255};
static const SDL_Color BLACK = {0, 0, 0, 255};
static const SDL_Color BLUE = {0x1F, 0x4E, 0x9E, 255};

static const char *LONG_TEXT =
    "Công dân có thể phản ánh, kiến nghị về thái độ phục vụ của cán bộ, công chức tại Bộ phận "
    "Một cửa của Ủy ban nhân dân xã bằng cách chọn một trong ba mức đánh giá trên màn hình.";

/* Reads the whole window back (ARGB8888) into px_buf. */
static void grab(void)
{
    SDL_RenderReadPixels(ren, NULL, SDL_PIXELFORMAT_ARGB8888, px_buf, W * 4);
}

static SDL_Color at(int x, int y)
{
    Uint32 p = px_buf[y * W + x];
    SDL_Color c = {(Uint8)(p >> 16), (Uint8)(p >> 8), (Uint8)p, (Uint8)(p >> 24)};
    return c;
}

static int near(SDL_Color a, SDL_Color b, int tol)
{
    return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

/* Pixels that differ from bg inside r (in) and outside it (out). */
static void count_ink(SDL_Rect r, SDL_Color bg, int *in, int *out)
{
    *in = *out = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            if (near(at(x, y), bg, 0))
                continue;
            if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h)
                (*in)++;
            else
                (*out)++;
        }
}

static void test_text_draws(void)
{
    gfx_clear(g, WHITE);
    const char *s = "Rất hài lòng";
    int w = gfx_text(g, GFX_REGULAR, 32, BLACK, 20, 30, GFX_LEFT, s);
    int lh = gfx_line_height(g, GFX_REGULAR, 32);
    grab();
    CHECK(w > 0);
    CHECK(lh > 32);
    CHECK_INT(gfx_text_width(g, GFX_REGULAR, 32, s), w);
    CHECK(gfx_text_width(g, GFX_REGULAR, 32, s) > gfx_text_width(g, GFX_REGULAR, 32, "Rất"));
    CHECK(gfx_text_width(g, GFX_BOLD, 32, s) > gfx_text_width(g, GFX_REGULAR, 32, s));
    int in, out;
    count_ink((SDL_Rect){20, 30, w, lh}, WHITE, &in, &out);
    CHECK(in > 200);
    CHECK_INT(out, 0);
    /* The tone marks above "ấ" reach into the top part of the line. */
    int top = 0;
    for (int y = 30; y < 30 + lh / 3; y++)
        for (int x = 20; x < 20 + w; x++)
            top += !near(at(x, y), WHITE, 0);
    CHECK(top > 0);

    /* Centre and right alignment put the same width around x. */
    gfx_clear(g, WHITE);
    CHECK_INT(gfx_text(g, GFX_BOLD, 24, BLACK, 320, 10, GFX_CENTER, s),
              gfx_text_width(g, GFX_BOLD, 24, s));
    gfx_text(g, GFX_BOLD, 24, BLACK, 600, 100, GFX_RIGHT, s);
    grab();
    int bw = gfx_text_width(g, GFX_BOLD, 24, s);
    count_ink((SDL_Rect){320 - bw / 2 - 1, 10, bw + 2, 40}, WHITE, &in, &out);
    CHECK(in > 0);
    int right_in = 0;
    for (int y = 100; y < 140; y++)
        for (int x = 600 - bw; x < 600; x++)
            right_in += !near(at(x, y), WHITE, 0);
    CHECK(right_in > 0);
    CHECK_INT(in + right_in, in + out);
    CHECK_INT(gfx_text(g, GFX_REGULAR, 24, BLACK, 0, 0, GFX_LEFT, ""), 0);
}

static void test_wrap(void)
{
    gfx_clear(g, WHITE);
    SDL_Rect box = {100, 10, 220, 380};
    int lh = gfx_line_height(g, GFX_REGULAR, 22);
    int h = gfx_text_wrap(g, GFX_REGULAR, 22, BLACK, box, GFX_LEFT, LONG_TEXT, 1);
    grab();
    CHECK(h >= 5 * lh);
    CHECK_INT(h % lh, 0);
    CHECK(h <= box.h);
    CHECK_INT(gfx_text_wrap(g, GFX_REGULAR, 22, BLACK, box, GFX_LEFT, LONG_TEXT, 0), h);
    int in, out;
    count_ink((SDL_Rect){box.x, box.y, box.w, h}, WHITE, &in, &out);
    CHECK(in > 1000);
    CHECK_INT(out, 0);

    /* Centred and right-aligned lines stay inside the box as well. */
    for (int a = GFX_CENTER; a <= GFX_RIGHT; a++) {
        gfx_clear(g, WHITE);
        gfx_text_wrap(g, GFX_BOLD, 22, BLACK, box, (gfx_align)a, LONG_TEXT, 1);
        grab();
        count_ink(box, WHITE, &in, &out);
        CHECK(in > 1000);
        CHECK_INT(out, 0);
    }

    /* Explicit newlines, and an empty line between paragraphs. */
    CHECK_INT(gfx_text_wrap(g, GFX_REGULAR, 22, BLACK, box, GFX_LEFT, "Một\nHai", 0), 2 * lh);
    CHECK_INT(gfx_text_wrap(g, GFX_REGULAR, 22, BLACK, box, GFX_LEFT, "Một\n\nHai", 0), 3 * lh);
    CHECK_INT(gfx_text_wrap(g, GFX_REGULAR, 22, BLACK, box, GFX_LEFT, "Một\n", 0), lh);
    CHECK_INT(gfx_text_wrap(g, GFX_REGULAR, 22, BLACK, box, GFX_LEFT, "", 1), 0);
}

static void test_wrap_long_word(void)
{
    /* A word wider than the box is broken between characters (all multibyte here). */
    gfx_clear(g, WHITE);
    SDL_Rect box = {50, 20, 90, 360};
    const char *word = "Đườngđườngđườngđườngđườngđườngđường";
    int lh = gfx_line_height(g, GFX_REGULAR, 20);
    int h = gfx_text_wrap(g, GFX_REGULAR, 20, BLACK, box, GFX_LEFT, word, 1);
    grab();
    CHECK(h >= 3 * lh);
    int in, out;
    count_ink((SDL_Rect){box.x, box.y, box.w, h}, WHITE, &in, &out);
    CHECK(in > 300);
    CHECK_INT(out, 0);
}

static void test_ellipsis(void)
{
    gfx_clear(g, WHITE);
    int lh = gfx_line_height(g, GFX_REGULAR, 22);
    SDL_Rect box = {100, 50, 220, 2 * lh + lh / 2};
    int h = gfx_text_wrap(g, GFX_REGULAR, 22, BLACK, box, GFX_LEFT, LONG_TEXT, 1);
    grab();
    CHECK(h > box.h);
    int in, out;
    count_ink((SDL_Rect){box.x, box.y, box.w, 2 * lh}, WHITE, &in, &out);
    CHECK(in > 300);
    CHECK_INT(out, 0);
    /* The second line differs from the same line drawn uncut: it ends in "…". */
    static Uint32 cut_row[W * 64];
    int rows = lh < 64 ? lh : 64;
    memcpy(cut_row, px_buf + (box.y + lh) * W, (size_t)rows * W * 4);
    gfx_clear(g, WHITE);
    gfx_text_wrap(g, GFX_REGULAR, 22, BLACK, (SDL_Rect){box.x, box.y, box.w, 400}, GFX_LEFT,
                  LONG_TEXT, 1);
    grab();
    CHECK(memcmp(cut_row, px_buf + (box.y + lh) * W, (size_t)rows * W * 4) != 0);
    /* A box lower than one line draws nothing but still reports the height. */
    gfx_clear(g, WHITE);
    CHECK(gfx_text_wrap(g, GFX_REGULAR, 22, BLACK, (SDL_Rect){0, 0, 200, lh - 1}, GFX_LEFT,
                        "Rất hài lòng", 1) == lh);
    grab();
    count_ink((SDL_Rect){0, 0, 0, 0}, WHITE, &in, &out);
    CHECK_INT(out, 0);
}

static void test_fit_px(void)
{
    SDL_Rect box = {0, 0, 300, 120};
    int a = gfx_fit_px(g, GFX_BOLD, 12, 96, box, "Hài lòng");
    int b = gfx_fit_px(g, GFX_BOLD, 12, 96, box, LONG_TEXT);
    CHECK(a > b);
    CHECK(b >= 12);
    CHECK(gfx_text_wrap(g, GFX_BOLD, a, BLACK, box, GFX_LEFT, "Hài lòng", 0) <= box.h);
    CHECK(gfx_text_wrap(g, GFX_BOLD, a + 1, BLACK, box, GFX_LEFT, "Hài lòng", 0) > box.h ||
          gfx_text_width(g, GFX_BOLD, a + 1, "Hài lòng") > box.w || a == 96);
    if (b > 12)
        CHECK(gfx_text_wrap(g, GFX_BOLD, b, BLACK, box, GFX_LEFT, LONG_TEXT, 0) <= box.h);
    /* Nothing fits: the minimum. Cached answers are the same. */
    CHECK_INT(gfx_fit_px(g, GFX_BOLD, 12, 96, (SDL_Rect){0, 0, 40, 10}, LONG_TEXT), 12);
    CHECK_INT(gfx_fit_px(g, GFX_BOLD, 12, 96, box, "Hài lòng"), a);
}

static void test_shapes(void)
{
    SDL_Color red = {0xD8, 0x43, 0x15, 255};
    gfx_clear(g, WHITE);
    gfx_fill_rrect(g, (SDL_Rect){40, 40, 200, 100}, 30, red);
    gfx_stroke_rrect(g, (SDL_Rect){300, 40, 200, 100}, 24, 6, BLUE);
    gfx_fill_circle(g, 150, 280, 60, red);
    grab();
    CHECK(near(at(140, 90), red, 0));  /* inside */
    CHECK(near(at(40, 90), red, 0));   /* straight left edge: crisp, full colour */
    CHECK(near(at(140, 40), red, 0));  /* top edge */
    CHECK(near(at(139, 139), red, 0)); /* bottom edge */
    CHECK(near(at(39, 90), WHITE, 0)); /* just outside */
    CHECK(near(at(140, 140), WHITE, 0));
    CHECK(near(at(41, 41), WHITE, 8));  /* the rounded corner is cut away */
    CHECK(near(at(400, 90), WHITE, 0)); /* the stroke is hollow */
    CHECK(near(at(302, 90), BLUE, 0));  /* and has its thickness */
    CHECK(near(at(400, 137), BLUE, 0));
    CHECK(near(at(400, 146), WHITE, 0));
    CHECK(near(at(150, 280), red, 0));
    CHECK(near(at(150 + 58, 280), red, 0));
    CHECK(near(at(150 + 63, 280), WHITE, 0));
    CHECK(near(at(150 + 44, 280 + 44), WHITE, 0)); /* 62 px from the centre */
    CHECK(near(at(150 + 40, 280 + 40), red, 0));   /* 56.6 px */
    /* An anti-aliased edge: some pixels on the rim are between the two colours. */
    int mixed = 0;
    for (int x = 150; x < 220; x++) {
        SDL_Color c = at(x, 280 - 45);
        mixed += !near(c, red, 2) && !near(c, WHITE, 2);
    }
    CHECK(mixed > 0);

    /* The same round mask twice in one frame in two colours: each keeps its own. */
    gfx_clear(g, WHITE);
    gfx_fill_circle(g, 100, 100, 40, red);
    gfx_fill_circle(g, 300, 100, 40, BLUE);
    gfx_fill_rrect(g, (SDL_Rect){400, 60, 100, 80}, 40, red);
    gfx_fill_rrect(g, (SDL_Rect){520, 60, 100, 80}, 40, BLUE);
    grab();
    CHECK(near(at(100, 100), red, 0));
    CHECK(near(at(300, 100), BLUE, 0));
    CHECK(near(at(450, 100), red, 0));
    CHECK(near(at(570, 100), BLUE, 0));

    /* Translucent stroke with a radius under its thickness: the band is one even tint, no
     * darker spots where pieces would overlap. */
    SDL_Color half = {0, 0, 0, 128};
    gfx_clear(g, WHITE);
    gfx_stroke_rrect(g, (SDL_Rect){40, 200, 120, 80}, 4, 12, half);
    grab();
    SDL_Color band = at(100, 206);
    CHECK(band.r > 100 && band.r < 150);
    CHECK(near(at(46, 206), band, 0)); /* corner square */
    CHECK(near(at(42, 210), band, 0)); /* beside it */
    CHECK(near(at(50, 210), band, 0));
    CHECK(near(at(46, 240), band, 0));  /* left band */
    CHECK(near(at(154, 274), band, 0)); /* bottom-right */
    CHECK(near(at(100, 240), WHITE, 0));
    CHECK(near(at(40, 200), WHITE, 60) && !near(at(40, 200), band, 0)); /* rounded corner */
}

static void test_faces(void)
{
    static const SDL_Color disc[4] = {
        {0}, {0xD8, 0x43, 0x15, 255}, {0x7C, 0xB3, 0x42, 255}, {0x1B, 0x87, 0x3F, 255}};
    gfx_clear(g, WHITE);
    for (int r = 1; r <= 3; r++) {
        char name[16];
        util_fmt(name, sizeof name, "face-%d", r);
        SDL_Rect dst = {20 + (r - 1) * 200, 40, 180, 180};
        CHECK_INT(gfx_icon(g, name, dst), 0);
    }
    grab();
    for (int r = 1; r <= 3; r++) {
        int x0 = 20 + (r - 1) * 200;
        /* Forehead (above the features), and the side of the face between eye and edge. */
        CHECK(near(at(x0 + 90, 40 + 30), disc[r], 3));
        CHECK(near(at(x0 + 90, 40 + 90), disc[r], 3) || r == 3);
        CHECK(near(at(x0 + 22, 40 + 70), disc[r], 3));
        /* Corners stay transparent (background shows). */
        CHECK(near(at(x0 + 2, 42), WHITE, 0));
        /* Dark features: somewhere in the face there is a dark pixel. */
        int dark = 0;
        for (int y = 40; y < 220; y++)
            for (int x = x0; x < x0 + 180; x++) {
                SDL_Color c = at(x, y);
                dark += c.r < 60 && c.g < 60 && c.b < 60;
            }
        CHECK(dark > 400);
    }
    /* The grin of the very happy face shows teeth: white inside the mouth. */
    CHECK(near(at(20 + 400 + 90, 40 + 101), WHITE, 10));

    /* Rasterised at the size asked, so a small face is still a disc of the right colour. */
    gfx_clear(g, WHITE);
    CHECK_INT(gfx_icon(g, "face-2", (SDL_Rect){10, 10, 48, 48}), 0);
    grab();
    CHECK(near(at(10 + 24, 10 + 8), disc[2], 3));
}

static void test_icons(void)
{
    static const char *names[] = {"back", "check", "home", "person"};
    gfx_clear(g, BLUE);
    for (int i = 0; i < 4; i++) {
        SDL_Rect dst = {20 + i * 100, 20, 64, 64};
        CHECK_INT(gfx_icon(g, names[i], dst), 0);
    }
    grab();
    for (int i = 0; i < 4; i++) {
        int white = 0, out_white = 0;
        for (int y = 0; y < 120; y++)
            for (int x = 10 + i * 100; x < 100 + i * 100; x++) {
                int wpx = near(at(x, y), WHITE, 0);
                if (x >= 20 + i * 100 && x < 84 + i * 100 && y >= 20 && y < 84)
                    white += wpx;
                else
                    out_white += wpx;
            }
        CHECK(white > 100);
        CHECK_INT(out_white, 0);
    }
}

static int warns;
static void count_warn(log_level level, const char *msg, void *ctx)
{
    (void)ctx;
    if (level == LOG_WARN && strstr(msg, "no-such"))
        warns++;
}

static void test_missing_image(void)
{
    warns = 0;
    log_set_hook(count_warn, NULL);
    CHECK_INT(gfx_image(g, "/nonexistent/no-such.png", (SDL_Rect){0, 0, 50, 50}), -1);
    CHECK_INT(gfx_image(g, "/nonexistent/no-such.png", (SDL_Rect){0, 0, 60, 60}), -1);
    CHECK_INT(gfx_icon(g, "no-such-icon", (SDL_Rect){0, 0, 50, 50}), -1);
    CHECK_INT(gfx_icon(g, "no-such-icon", (SDL_Rect){0, 0, 50, 50}), -1);
    log_set_hook(NULL, NULL);
    CHECK_INT(warns, 2); /* once per path */
    /* A file that exists but is not an image. */
    char path[256];
    util_fmt(path, sizeof path, "%s/fonts/OFL.txt", assets);
    CHECK_INT(gfx_image(g, path, (SDL_Rect){0, 0, 50, 50}), -1);
}

static void test_image_cover(void)
{
    /* 300x100: red | green | blue thirds. Covering a 100x100 box keeps the green middle. */
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 300, 100, 32, SDL_PIXELFORMAT_ARGB8888);
    REQUIRE(s);
    SDL_FillRect(s, &(SDL_Rect){0, 0, 100, 100}, SDL_MapRGB(s->format, 255, 0, 0));
    SDL_FillRect(s, &(SDL_Rect){100, 0, 100, 100}, SDL_MapRGB(s->format, 0, 255, 0));
    SDL_FillRect(s, &(SDL_Rect){200, 0, 100, 100}, SDL_MapRGB(s->format, 0, 0, 255));
    char path[64];
    util_fmt(path, sizeof path, "/tmp/hl_test_gfx_%d.png", (int)getpid());
    REQUIRE(IMG_SavePNG(s, path) == 0);
    SDL_FreeSurface(s);

    gfx_clear(g, WHITE);
    CHECK_INT(gfx_image(g, path, (SDL_Rect){10, 10, 100, 100}), 0);
    CHECK_INT(gfx_image(g, path, (SDL_Rect){200, 10, 150, 50}), 0); /* wider: all three bands */
    grab();
    SDL_Color green = {0, 255, 0, 255}, red = {255, 0, 0, 255}, blue = {0, 0, 255, 255};
    CHECK(near(at(12, 12), green, 4));
    CHECK(near(at(107, 107), green, 4));
    CHECK(near(at(9, 50), WHITE, 0));
    CHECK(near(at(110, 50), WHITE, 0));
    CHECK(near(at(205, 30), red, 4));
    CHECK(near(at(275, 30), green, 4));
    CHECK(near(at(345, 30), blue, 4));
    /* Downscaled by more than 2x through the box filter. */
    gfx_clear(g, WHITE);
    CHECK_INT(gfx_image(g, path, (SDL_Rect){0, 0, 30, 10}), 0);
    grab();
    CHECK(near(at(2, 5), red, 8));
    CHECK(near(at(15, 5), green, 8));
    CHECK(near(at(27, 5), blue, 8));
    remove(path);

    /* SVG through gfx_image, cover-cropped into a wide box: the disc's middle fills it. */
    char svg[512];
    util_fmt(svg, sizeof svg, "%s/ui/face-2.svg", assets);
    gfx_clear(g, WHITE);
    CHECK_INT(gfx_image(g, svg, (SDL_Rect){0, 0, 300, 60}), 0);
    grab();
    CHECK(near(at(150, 8), (SDL_Color){0x7C, 0xB3, 0x42, 255}, 3));
}

static void test_avatar(void)
{
    SDL_Rect dst = {20, 20, 160, 200};
    gfx_clear(g, WHITE);
    gfx_placeholder_avatar(g, dst, "Đặng Văn Ánh");
    grab();
    int in, out;
    count_ink(dst, WHITE, &in, &out);
    CHECK_INT(out, 0);
    CHECK_INT(in, dst.w * dst.h); /* the background fills the frame */
    static Uint32 a[W * H];
    memcpy(a, px_buf, sizeof a);
    /* Initials are upper-cased, also for multibyte first letters: same picture. */
    gfx_clear(g, WHITE);
    gfx_placeholder_avatar(g, dst, "đặng văn ánh");
    grab();
    CHECK(memcmp(a, px_buf, sizeof a) == 0);
    /* And they are drawn: a different name changes the picture, no name leaves only the figure. */
    gfx_clear(g, WHITE);
    gfx_placeholder_avatar(g, dst, "Nguyễn Thị Lan");
    grab();
    CHECK(memcmp(a, px_buf, sizeof a) != 0);
    gfx_clear(g, WHITE);
    gfx_placeholder_avatar(g, dst, "Đặng Minh Ánh"); /* same first and last: "ĐÁ" */
    grab();
    CHECK(memcmp(a, px_buf, sizeof a) == 0);
    gfx_placeholder_avatar(g, dst, "");
    gfx_placeholder_avatar(g, dst, NULL);
    gfx_placeholder_avatar(g, (SDL_Rect){0, 0, 3, 3}, "A B");
}

static void test_cache_trim(void)
{
    gfx_cache_trim(g);
    gfx_cache_trim(g);
    CHECK_INT(gfx_cache_count(g), 0);
    CHECK_INT(gfx_cache_bytes(g), 0);
    gfx_clear(g, WHITE);
    gfx_text(g, GFX_REGULAR, 24, BLACK, 0, 0, GFX_LEFT, "Rất hài lòng");
    gfx_icon(g, "face-3", (SDL_Rect){0, 40, 100, 100});
    CHECK_INT(gfx_cache_count(g), 2);
    CHECK(gfx_cache_bytes(g) > 100 * 100 * 4);
    /* Used since the previous trim: kept once, then freed when not used again. */
    gfx_cache_trim(g);
    CHECK_INT(gfx_cache_count(g), 2);
    gfx_text(g, GFX_REGULAR, 24, BLACK, 0, 0, GFX_LEFT, "Rất hài lòng");
    gfx_cache_trim(g);
    CHECK_INT(gfx_cache_count(g), 1);
    gfx_cache_trim(g);
    CHECK_INT(gfx_cache_count(g), 0);

    /* A long run on one screen that never trims: the caps hold. */
    size_t max_bytes = 0;
    int max_count = 0;
    for (int i = 0; i < 8000; i++) {
        char s[64];
        util_fmt(s, sizeof s, "Thủ tục số %d: đăng ký khai sinh", i);
        gfx_text(g, GFX_BOLD, 28 + i % 5, BLACK, 0, 0, GFX_LEFT, s);
        if (gfx_cache_bytes(g) > max_bytes)
            max_bytes = gfx_cache_bytes(g);
        if (gfx_cache_count(g) > max_count)
            max_count = gfx_cache_count(g);
    }
    CHECK(max_count <= 3072);
    CHECK(max_bytes <= 16u * 1024 * 1024);
    /* The most recent text survived eviction. */
    int before = gfx_cache_count(g);
    gfx_text(g, GFX_BOLD, 28 + 7999 % 5, BLACK, 0, 0, GFX_LEFT,
             "Thủ tục số 7999: đăng ký khai sinh");
    CHECK_INT(gfx_cache_count(g), before);
    gfx_cache_trim(g);
    gfx_cache_trim(g);
    CHECK_INT(gfx_cache_count(g), 0);
}

static void test_missing_fonts(void)
{
    char err[HL_ERR_MAX];
    gfx *bad = gfx_create(ren, "/nonexistent/hl-assets", err, sizeof err);
    CHECK(bad == NULL);
    CHECK_CONTAINS(err, "/nonexistent/hl-assets/fonts/NotoSans-Regular.ttf");
    CHECK_CONTAINS(err, "cannot open font");
}

/* A picture of the artwork for people to look at (not compared). */
static void save_preview(const char *out)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1040, 560, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    char err[HL_ERR_MAX];
    gfx *pg = r ? gfx_create(r, assets, err, sizeof err) : NULL;
    if (!pg) {
        fprintf(stderr, "preview: cannot set up\n");
        return;
    }
    static const char *labels[] = {"", "Chưa hài lòng", "Hài lòng", "Rất hài lòng"};
    static const SDL_Color tint[] = {
        {0}, {0xFD, 0xEC, 0xE7, 255}, {0xF1, 0xF8, 0xE6, 255}, {0xE6, 0xF4, 0xEA, 255}};
    static const SDL_Color fg[] = {
        {0}, {0xB7, 0x35, 0x0F, 255}, {0x4A, 0x7C, 0x1F, 255}, {0x14, 0x6C, 0x31, 255}};
    gfx_clear(pg, (SDL_Color){0xF3, 0xF5, 0xF9, 255});
    for (int i = 0; i < 3; i++) {
        int rating = 3 - i;
        SDL_Rect card = {30 + i * 330, 30, 310, 330};
        gfx_fill_rrect(pg, card, 28, tint[rating]);
        gfx_stroke_rrect(pg, card, 28, 4, fg[rating]);
        char name[16];
        util_fmt(name, sizeof name, "face-%d", rating);
        gfx_icon(pg, name, (SDL_Rect){card.x + 55, card.y + 20, 200, 200});
        SDL_Rect lb = {card.x + 10, card.y + 235, card.w - 20, 80};
        int fpx = gfx_fit_px(pg, GFX_BOLD, 18, 40, lb, labels[rating]);
        gfx_text_wrap(pg, GFX_BOLD, fpx, fg[rating], lb, GFX_CENTER, labels[rating], 1);
    }
    static const char *icons[] = {"back", "check", "home", "person"};
    for (int i = 0; i < 4; i++) {
        SDL_Rect b = {30 + i * 110, 390, 96, 96};
        gfx_fill_rrect(pg, b, 20, (SDL_Color){0x1F, 0x4E, 0x9E, 255});
        gfx_icon(pg, icons[i], (SDL_Rect){b.x + 18, b.y + 18, b.w - 36, b.h - 36});
    }
    gfx_placeholder_avatar(pg, (SDL_Rect){500, 380, 120, 150}, "Nguyễn Thị Lan");
    gfx_placeholder_avatar(pg, (SDL_Rect){640, 380, 120, 150}, "Đặng Văn Ánh");
    gfx_fill_circle(pg, 850, 450, 50, (SDL_Color){0xD8, 0x43, 0x15, 255});
    gfx_text_wrap(pg, GFX_REGULAR, 16, (SDL_Color){0x1C, 0x23, 0x30, 255},
                  (SDL_Rect){910, 390, 120, 110}, GFX_LEFT, LONG_TEXT, 1);
    SDL_RenderPresent(r);
    if (IMG_SavePNG(s, out) != 0)
        fprintf(stderr, "preview: %s\n", IMG_GetError());
    gfx_destroy(pg);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

static const test_case cases[] = {
    TEST(test_text_draws),   TEST(test_wrap),   TEST(test_wrap_long_word),
    TEST(test_ellipsis),     TEST(test_fit_px), TEST(test_shapes),
    TEST(test_faces),        TEST(test_icons),  TEST(test_missing_image),
    TEST(test_image_cover),  TEST(test_avatar), TEST(test_cache_trim),
    TEST(test_missing_fonts)};

int main(void)
{
    assets = getenv("HAILONG_ASSETS");
    if (!assets)
        assets = HL_SOURCE_ASSETS_DIR;
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    win = SDL_CreateWindow("test_gfx", 0, 0, W, H, SDL_WINDOW_HIDDEN);
    ren = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    if (!ren) {
        fprintf(stderr, "window/renderer: %s\n", SDL_GetError());
        return 1;
    }
    char err[HL_ERR_MAX];
    g = gfx_create(ren, assets, err, sizeof err);
    if (!g) {
        fprintf(stderr, "gfx_create: %s\n", err);
        return 1;
    }
    px_buf = xmalloc((size_t)W * H * 4);

    test_run_all(cases, HL_ARRAY_LEN(cases));

    const char *preview = getenv("HL_GFX_PREVIEW");
    if (preview)
        save_preview(preview);

    free(px_buf);
    gfx_destroy(g);
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return test_summary();
}
