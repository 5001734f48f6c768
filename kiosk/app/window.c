/* window: the kiosk's SDL window and the renderer it draws with. [display] renderer = auto takes
 * SDL's software renderer when the only OpenGL is a software rasteriser (Mesa's llvmpipe, softpipe,
 * swrast): on a PC without a GPU driver that starts faster, takes a third of the memory and draws
 * faster than OpenGL emulated on the CPU (docs/PERFORMANCE.md). The check costs nothing where no
 * GPU device exists (GL is never loaded); elsewhere the accelerated renderer is created as it
 * would be anyway and its GL_RENDERER string is read. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_int.h"
#include "log.h"
#include "util.h"

/* A GPU with a kernel driver shows a DRM render node (/dev/dri/renderD128...); NVIDIA's own
 * driver /dev/nvidiactl. Without either, Mesa's OpenGL can only rasterise on the CPU.
 * HAILONG_DRI_DIR (tests only) names another folder to look in. */
static int gpu_device_present(const char **dir_out)
{
    const char *dir = getenv("HAILONG_DRI_DIR");
    int own = dir && *dir;
    if (!own)
        dir = "/dev/dri";
    *dir_out = dir;
    DIR *d = opendir(dir);
    int found = 0;
    if (d) {
        struct dirent *e;
        while (!found && (e = readdir(d)) != NULL)
            found = strncmp(e->d_name, "renderD", 7) == 0;
        closedir(d);
    }
    return found || (!own && access("/dev/nvidiactl", F_OK) == 0);
}

/* Creates the software renderer. On X11 SDL would otherwise present the software frames through
 * an OpenGL texture ("texture framebuffer"), loading the very GL this avoids; its own X11
 * framebuffer (XShm) is used instead. Other back-ends (Wayland in SDL 2.26) have no framebuffer
 * of their own, so they keep SDL's default. An SDL_FRAMEBUFFER_ACCELERATION set in the
 * environment still wins. */
static SDL_Renderer *software_renderer(SDL_Window *win, const char *driver)
{
    if (strcmp(driver, "x11") == 0)
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    return SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
}

static int want_software_gl(void)
{
    const char *v = getenv("LIBGL_ALWAYS_SOFTWARE");
    return v && *v && strcmp(v, "0") != 0;
}

/* The renderer for [display] renderer; why says in a few words why it is the one. */
static SDL_Renderer *choose_renderer(app *a, const app_opts *o, const char *driver, char *why,
                                     size_t cap)
{
    cfg_renderer want = a->cfg.renderer;
    const char *dir;
    if (o->headless) {
        util_fmt(why, cap, "hidden window: tests and scripted runs");
        return SDL_CreateRenderer(a->win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (want == CFG_RENDERER_SOFTWARE) {
        util_fmt(why, cap, "[display] renderer = software");
        return software_renderer(a->win, driver);
    }
    if (want == CFG_RENDERER_AUTO && want_software_gl()) {
        util_fmt(why, cap, "LIBGL_ALWAYS_SOFTWARE is set: OpenGL would be a software rasteriser");
        return software_renderer(a->win, driver);
    }
    if (want == CFG_RENDERER_AUTO && !gpu_device_present(&dir)) {
        util_fmt(why, cap, "no GPU device in %s: OpenGL would be a software rasteriser", dir);
        return software_renderer(a->win, driver);
    }
    SDL_Renderer *ren =
        SDL_CreateRenderer(a->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!ren) {
        util_fmt(why, cap, "no accelerated renderer: %s", SDL_GetError());
        return software_renderer(a->win, driver);
    }
    const char *gl = gfx_gl_renderer(ren);
    char gl_name[128];
    util_strlcpy(gl_name, gl ? gl : "", sizeof gl_name);
    if (want == CFG_RENDERER_AUTO && gfx_gl_is_software(gl_name)) {
        SDL_DestroyRenderer(ren);
        util_fmt(why, cap,
                 "OpenGL is %s; set [display] renderer = software to skip this check at start",
                 gl_name);
        return software_renderer(a->win, driver);
    }
    if (want == CFG_RENDERER_ACCELERATED)
        util_fmt(why, cap, "[display] renderer = accelerated%s%s", gl ? "; OpenGL is " : "",
                 gl_name);
    else if (gl)
        util_fmt(why, cap, "OpenGL is %s", gl_name);
    else
        util_fmt(why, cap, "a GPU device is present");
    return ren;
}

int app_create_window(app *a, const app_opts *o, char *err, size_t errlen)
{
    /* Touch and mouse are handled separately; without these SDL would report every touch twice
     * (once as a synthetic mouse click). */
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    /* A kiosk must not close or minimise because a citizen pressed Alt+F4 or Alt+Tab; SIGTERM
     * still arrives as SDL_QUIT. */
    SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    /* Under cage (Wayland, no decorations wanted) Debian 12's SDL 2.26 swaps its xdg toplevel for
     * libdecor, whose missing plugins leave the surface without a role: a black screen. The kiosk
     * is fullscreen and needs no window frame, so libdecor is never used. */
    SDL_SetHint(SDL_HINT_VIDEO_WAYLAND_ALLOW_LIBDECOR, "0");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        util_fmt(err, errlen, "cannot start SDL video: %s", SDL_GetError());
        return HL_EXIT_RUNTIME;
    }
    const char *driver = SDL_GetCurrentVideoDriver();
    if (!driver)
        driver = "?";
    if (o->require_display && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0)) {
        util_fmt(err, errlen,
                 "no display: SDL picked the '%s' video driver (nothing would be shown); check "
                 "that the kiosk runs inside its graphical session (cage/X/Wayland) and that "
                 "SDL_VIDEODRIVER is not set to it - exiting so the service restarts",
                 driver);
        return HL_EXIT_RUNTIME;
    }
    Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
    if (o->headless)
        flags |= SDL_WINDOW_HIDDEN;
    else if (a->cfg.fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    /* Fullscreen starts at the screen's own size: a window made at the configured size and resized
     * by the compositor afterwards (cage) would show its first frames stretched. */
    int win_w = a->cfg.width, win_h = a->cfg.height;
    SDL_DisplayMode dm;
    if ((flags & SDL_WINDOW_FULLSCREEN_DESKTOP) && SDL_GetDesktopDisplayMode(0, &dm) == 0 &&
        dm.w > 0 && dm.h > 0) {
        win_w = dm.w;
        win_h = dm.h;
    }
    /* A window that may get an OpenGL renderer is made for OpenGL at once: SDL would otherwise
     * destroy and create it again when the renderer comes. The software renderer never loads GL. */
    const char *dir;
    int may_gl = !o->headless && a->cfg.renderer != CFG_RENDERER_SOFTWARE &&
                 !(a->cfg.renderer == CFG_RENDERER_AUTO &&
                   (want_software_gl() || !gpu_device_present(&dir)));
    a->win = SDL_CreateWindow("Hài lòng", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, win_w,
                              win_h, flags | (may_gl ? SDL_WINDOW_OPENGL : 0));
    if (!a->win && may_gl) /* no OpenGL at all: the renderer falls back to software */
        a->win = SDL_CreateWindow("Hài lòng", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, win_w,
                                  win_h, flags);
    if (!a->win) {
        util_fmt(err, errlen, "cannot open a window: %s", SDL_GetError());
        return HL_EXIT_RUNTIME;
    }
    char why[256];
    a->ren = choose_renderer(a, o, driver, why, sizeof why);
    if (!a->ren) {
        util_fmt(err, errlen, "cannot create a renderer: %s", SDL_GetError());
        return HL_EXIT_RUNTIME;
    }
    SDL_RendererInfo ri = {0};
    SDL_GetRendererInfo(a->ren, &ri);
    int accel = (ri.flags & SDL_RENDERER_ACCELERATED) != 0;
    log_info("renderer: %s (%s)", accel ? "accelerated" : "software", why);
    log_info("video: driver %s, renderer %s (%s%s)", driver, ri.name ? ri.name : "?",
             accel ? "accelerated" : "software",
             ri.flags & SDL_RENDERER_PRESENTVSYNC ? ", vsync" : "");
    /* SDL turns text input on at start; on Wayland that may open the compositor's on-screen
     * keyboard over the kiosk. Only a screen that takes typed text turns it on (app_go). */
    SDL_StopTextInput();
    SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_BLEND);
    if (a->cfg.fullscreen && !o->headless)
        SDL_ShowCursor(SDL_DISABLE);
    int w, h;
    SDL_GetRendererOutputSize(a->ren, &w, &h);
    a->m = ui_metrics_for(w, h);
    return 0;
}
