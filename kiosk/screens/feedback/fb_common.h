/* fb_common: what the feedback form's screens share (Góp ý – Phản ánh, issue 12): the on-screen
 * Vietnamese keyboard over vnkey, the digit pad, the text box and the kinds' names. The draft
 * itself is app.fb (app.h); storing it is app_fb_send. */
#ifndef HL_FB_COMMON_H
#define HL_FB_COMMON_H

#include "scr_common.h"

/* "Góp ý", "Phản ánh – kiến nghị", "Đề nghị biểu dương" for a STORE_FB_* kind ("" for NULL). */
const char *fb_kind_label(const char *kind);

/* The keyboard in kb, six rows: digits; q-p; a-l; "Hoa" (the next letter a capital), z-m, "Xóa";
 * the vowel keys â ă ê ô ơ ư đ and the five tone keys (the current syllable's tone lit; in
 * portrait a row of their own); ",", ".",
 * the space bar and a large "Gửi" (target "send"; drawn as primary only when can_send). Targets:
 * "key-<c>", "key-space", "key-back", "key-shift", "vow-aa" "vow-aw" "vow-ee" "vow-oo" "vow-ow"
 * "vow-uw" "vow-dd", "tone-s" "tone-f" "tone-r" "tone-x" "tone-j" (Telex's letters). */
void fb_keyboard(app *a, SDL_Rect kb, const vk *k, int can_send);
/* A key of fb_keyboard tapped: typed into k (at most max_chars characters: a key that would
 * pass it is refused and a->fb.note says so). 1 when id was such a key. */
int fb_key_tap(app *a, const char *id, vk *k, size_t max_chars);
/* The text of one SDL_TEXTINPUT event typed into k the Telex way (a hardware keyboard): an event
 * that is not valid UTF-8 is ignored whole, control and format characters are dropped. */
void fb_typed(app *a, vk *k, const char *utf8, size_t max_chars);

/* Digits 0-9 ("key-<d>"), "key-back" and "send" for the phone number. */
void fb_keypad(app *a, SDL_Rect kb, int can_send);
/* A key of fb_keypad tapped: into digits (at most APP_FB_PHONE_MAX). 1 when id was one. */
int fb_keypad_tap(app *a, const char *id, char *digits, size_t cap);

/* A text box: text wrapped at px, with a cursor at its end when active; when it is longer than
 * the box, its end (where the citizen is typing) is shown. */
void fb_text_box(app *a, SDL_Rect r, const char *text, int px, int active);
/* a->fb.note (in red) when set, else hint (muted), one or two lines in r. */
void fb_note_line(app *a, SDL_Rect r, const char *hint);

#endif
