/* screen: the one interface every screen implements. The app owns which screen is current and
 * switches in one place (app_go); a screen asks for a switch by calling app_go, it never calls
 * another screen. */
#ifndef HL_SCREEN_H
#define HL_SCREEN_H

#include <stdint.h>

typedef struct app app;

typedef enum {
    SCR_HOME,    /* commune, date/time, slogans; desk mode: officer + three faces */
    SCR_PICK,    /* lobby mode: grid of officers */
    SCR_RATE,    /* lobby mode: the picked officer + three faces */
    SCR_REASONS, /* after "Chưa hài lòng": optional reason chips */
    SCR_THANKS,  /* thank-you, apology, or "could not record" */
    SCR_ATTRACT, /* idle: full-screen slogans, moving slowly against burn-in */
    SCR_COUNT
} scr_id;

typedef struct {
    const char *name; /* "home", "pick", ... (scripts and tests name screens by it) */
    /* 1 if the screen ends itself (update returns its own deadline); 0 if the app's idle rule
     * applies: Home goes to the attract screen after idle_timeout, inner screens go Home after
     * screen_timeout. */
    int own_timeout;
    void (*enter)(app *a);
    void (*leave)(app *a);
    void (*tap)(app *a, const char *target_id);
    /* Called when time passed (and after every event); may call app_go. Returns the next
     * monotonic deadline at which it wants to be called, or CLK_NEVER. */
    int64_t (*update)(app *a, int64_t now_mono);
    /* Draws the whole screen and registers its touch targets. */
    void (*draw)(app *a);
} screen;

extern const screen scr_home, scr_pick, scr_rate, scr_reasons, scr_thanks, scr_attract;

#endif
