/* screen: the one interface every screen implements. The app owns which screen is current and
 * switches in one place (app_go); a screen asks for a switch by calling app_go, it never calls
 * another screen. */
#ifndef HL_SCREEN_H
#define HL_SCREEN_H

#include <stdint.h>

typedef struct app app;

typedef enum {
    SCR_HOME,      /* commune, date/time, slogans; desk mode: officer + three faces */
    SCR_PICK,      /* lobby mode: grid of officers */
    SCR_RATE,      /* lobby mode: the picked officer + three faces */
    SCR_REASONS,   /* after "Chưa hài lòng": optional reason chips */
    SCR_THANKS,    /* thank-you, apology, or "could not record" */
    SCR_ATTRACT,   /* idle: full-screen slogans, moving slowly against burn-in */
    SCR_PROCS,     /* procedures: fields as tiles, the way into search */
    SCR_PROC_LIST, /* the procedures of one field */
    SCR_PROC,      /* one procedure, with its QR code */
    SCR_SEARCH,    /* on-screen keyboard and results */
    SCR_FEES,      /* every procedure's fees on one page */
    SCR_DIRECTORY, /* officers, phone numbers, hotline, where to send feedback */
    /* Góp ý – Phản ánh (issue 12): the form, its draft in app.fb (app.h). */
    SCR_FB_KIND,    /* góp ý, phản ánh – kiến nghị or đề nghị biểu dương */
    SCR_FB_OFFICER, /* the officer it is about, or none */
    SCR_FB_TEXT,    /* the text, on the on-screen Vietnamese keyboard */
    SCR_FB_CONSENT, /* leave contact details? why, who sees them, how long they are kept */
    SCR_FB_CONTACT, /* only after yes: name, phone, address */
    /* The admin screens (admin.h), behind the PIN (group SCR_GROUP_ADMIN). */
    SCR_PIN,           /* PIN pad, opened by holding the header's top-left corner */
    SCR_ADMIN,         /* overview: votes per officer, sync, disk, version; actions */
    SCR_ADMIN_OFFICER, /* desk mode: who sits at this counter */
    SCR_ADMIN_EXPORT,  /* votes to a USB stick */
    SCR_COUNT
} scr_id;

/* What happens when nobody touches the screen. */
typedef enum {
    SCR_IDLE_INNER,   /* back Home after screen_timeout */
    SCR_IDLE_OWN,     /* the screen ends itself: its update returns its own deadline */
    SCR_IDLE_HOME,    /* Home: the attract screen after idle_timeout */
    SCR_IDLE_READING, /* texts to read: back Home after reading_timeout */
} scr_idle;

/* Screens come in groups: leaving the admin group locks the admin session again, and the
 * admin corner opens the PIN pad only from a citizen's screen. */
typedef enum {
    SCR_GROUP_CITIZEN, /* what citizens see (the default) */
    SCR_GROUP_ADMIN,   /* behind the PIN */
} scr_group;

/* Things the app tells the current screen about (screen.notify). */
typedef enum {
    APP_NOTE_SYNC, /* the sender's status changed */
} app_note;

typedef struct {
    const char *name; /* "home", "pick", ... (scripts and tests name screens by it) */
    /* How the screen ends when nobody touches it (see scr_idle). */
    scr_idle idle;
    void (*enter)(app *a);
    /* Called before switching to next (a->cur is still this screen). */
    void (*leave)(app *a, scr_id next);
    void (*tap)(app *a, const char *target_id);
    /* Called when time passed (and after every event); may call app_go. Returns the next
     * monotonic deadline at which it wants to be called, or CLK_NEVER. */
    int64_t (*update)(app *a, int64_t now_mono);
    /* Draws the whole screen and registers its touch targets. */
    void (*draw)(app *a);
    scr_group group;
    /* Optional: something the screen may show changed (see app_note). */
    void (*notify)(app *a, app_note note);
    /* Reads typed text (SDL_TEXTINPUT): app_go turns SDL's text input on only while such a
     * screen is current, so that no compositor's on-screen keyboard opens over the kiosk. Only
     * the feedback form's text and contact screens do (search has its own keyboard). */
    int takes_text;
    /* With takes_text: the text of one SDL_TEXTINPUT event, as SDL gave it (the screen checks
     * it). A hardware Backspace reaches the screen as a tap on "key-back". */
    void (*typed)(app *a, const char *utf8);
} screen;

#endif
