/* fb_common: the feedback form's keyboard, digit pad and text box (fb_common.h). */
#include "fb_common.h"

#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

static const SDL_Color NOTE_RED = {0xB7, 0x1C, 0x1C, 0xFF};

const char *fb_kind_label(const char *kind)
{
    if (!kind)
        return "";
    if (strcmp(kind, STORE_FB_GOP_Y) == 0)
        return "Góp ý";
    if (strcmp(kind, STORE_FB_PHAN_ANH) == 0)
        return "Phản ánh – kiến nghị";
    return "Đề nghị biểu dương";
}

/* The vowel keys: Telex name (the target's tail), small and capital letter. */
static const struct {
    const char *id, *lower, *upper;
} vowels[] = {{"aa", "â", "Â"}, {"aw", "ă", "Ă"}, {"ee", "ê", "Ê"}, {"oo", "ô", "Ô"},
              {"ow", "ơ", "Ơ"}, {"uw", "ư", "Ư"}, {"dd", "đ", "Đ"}};
/* The tone keys, in the order Vietnamese schoolbooks name them. */
static const struct {
    char telex;
    vk_tone tone;
    const char *label;
} tones[] = {{'s', VK_TONE_ACUTE, "Sắc"},
             {'f', VK_TONE_GRAVE, "Huyền"},
             {'r', VK_TONE_HOOK, "Hỏi"},
             {'x', VK_TONE_TILDE, "Ngã"},
             {'j', VK_TONE_DOT, "Nặng"}};

static void key(app *a, const char *id, const char *label, SDL_Rect r, ui_btn_style st)
{
    ui_button(&a->ui, a->gfx, &a->m, id, r, label, st);
}

/* One row of single-character keys from x, each kw wide. */
static void char_row(app *a, const char *chars, int x, int y, int kw, int kh, int gap)
{
    for (int i = 0; chars[i]; i++) {
        char id[16], label[2] = {chars[i], 0};
        if (a->fb.shift && chars[i] >= 'a' && chars[i] <= 'z')
            label[0] = (char)(chars[i] - 'a' + 'A');
        snprintf(id, sizeof id, "key-%c", chars[i]);
        key(a, id, label, ui_rect(x + i * (kw + gap), y, kw, kh), UI_BTN_CHIP);
    }
}

void fb_keyboard(app *a, SDL_Rect kb, const vk *k, int can_send)
{
    /* Portrait is too narrow for vowels and tones in one row ("Huyền" would break): there the
     * tones get a row of their own, under the vowels. */
    int split = !a->m.landscape, rows = split ? 7 : 6;
    int gap = a->m.u;
    int kh = (kb.h - (rows - 1) * gap) / rows, kw = (kb.w - 9 * gap) / 10;
    int unit = kw + gap; /* one key and its gap */
    char_row(a, "1234567890", kb.x, kb.y, kw, kh, gap);
    char_row(a, "qwertyuiop", kb.x, kb.y + (kh + gap), kw, kh, gap);
    char_row(a, "asdfghjkl", kb.x + unit / 2, kb.y + 2 * (kh + gap), kw, kh, gap);
    int y = kb.y + 3 * (kh + gap), wide = kw + unit / 2;
    key(a, "key-shift", a->fb.shift ? "HOA" : "Hoa", ui_rect(kb.x, y, wide, kh),
        a->fb.shift ? UI_BTN_CHIP_ON : UI_BTN_SECONDARY);
    char_row(a, "zxcvbnm", kb.x + wide + gap, y, kw, kh, gap);
    int bx = kb.x + wide + gap + 7 * unit;
    key(a, "key-back", "Xóa", ui_rect(bx, y, kb.x + kb.w - bx, kh), UI_BTN_SECONDARY);
    /* Vowels and tones share a row of twelve narrower keys: the tones act on what was just
     * typed, so they sit right under the letters. */
    y += kh + gap;
    int w12 = (kb.w - 12 * gap) / 12; /* one gap more: the groups stand apart */
    int vw = split ? (kb.w - 6 * gap) / 7 : w12, tw = split ? (kb.w - 4 * gap) / 5 : w12;
    for (size_t i = 0; i < HL_ARRAY_LEN(vowels); i++) {
        char id[16];
        snprintf(id, sizeof id, "vow-%s", vowels[i].id);
        key(a, id, a->fb.shift ? vowels[i].upper : vowels[i].lower,
            ui_rect(kb.x + (int)i * (vw + gap), y, vw, kh), UI_BTN_CHIP);
    }
    if (split)
        y += kh + gap;
    vk_tone cur = vk_current_tone(k);
    int tx = kb.x + kb.w - 5 * tw - 4 * gap;
    for (size_t i = 0; i < HL_ARRAY_LEN(tones); i++) {
        char id[16];
        snprintf(id, sizeof id, "tone-%c", tones[i].telex);
        key(a, id, tones[i].label, ui_rect(tx + (int)i * (tw + gap), y, tw, kh),
            cur == tones[i].tone ? UI_BTN_CHIP_ON : UI_BTN_SECONDARY);
    }
    y += kh + gap;
    char_row(a, ",.", kb.x, y, kw, kh, gap);
    int sx = kb.x + 2 * unit, send_w = 3 * kw + 2 * gap;
    key(a, "key-space", "Dấu cách", ui_rect(sx, y, kb.x + kb.w - send_w - gap - sx, kh),
        UI_BTN_CHIP);
    key(a, "send", "Gửi", ui_rect(kb.x + kb.w - send_w, y, send_w, kh),
        can_send ? UI_BTN_PRIMARY : UI_BTN_SECONDARY);
}

static void note_full(app *a, size_t max_chars)
{
    util_fmt(a->fb.note, sizeof a->fb.note, "Đã đủ %zu ký tự: không viết thêm được.", max_chars);
}

/* Runs one change on k; undone when it failed or passed max_chars. 0, or -1 (refused). */
static int guarded(app *a, vk *k, size_t max_chars, const char *utf8, vk_tone tone, int back)
{
    static vk save; /* vk is 8 KiB: kept off the stack; the UI has one thread */
    save = *k;
    int rc = 0;
    if (back) {
        vk_backspace(k);
    } else if (utf8) {
        rc = vk_type(k, utf8); /* -1 only when the text is full: the UTF-8 was checked */
    } else if (vk_tone_key(k, tone) != 0) {
        *k = save;
        util_strlcpy(a->fb.note, "Xin gõ chữ trước, rồi chạm dấu để thêm dấu cho chữ đó.",
                     sizeof a->fb.note);
        return -1;
    }
    if (rc != 0 || k->chars > max_chars) {
        *k = save;
        note_full(a, max_chars);
        return -1;
    }
    a->fb.note[0] = '\0';
    return 0;
}

int fb_key_tap(app *a, const char *id, vk *k, size_t max_chars)
{
    k->telex = 0; /* on-screen letters are letters: the tone keys set tones */
    if (strcmp(id, "key-shift") == 0) {
        a->fb.shift = !a->fb.shift;
    } else if (strcmp(id, "key-back") == 0) {
        guarded(a, k, max_chars, NULL, VK_TONE_NONE, 1);
    } else if (strcmp(id, "key-space") == 0) {
        guarded(a, k, max_chars, " ", VK_TONE_NONE, 0);
    } else if (strncmp(id, "key-", 4) == 0 && id[4] && !id[5]) {
        char c[2] = {id[4], 0};
        if (a->fb.shift && c[0] >= 'a' && c[0] <= 'z')
            c[0] = (char)(c[0] - 'a' + 'A');
        if (guarded(a, k, max_chars, c, VK_TONE_NONE, 0) == 0 && c[0] != ' ')
            a->fb.shift = 0;
    } else if (strncmp(id, "vow-", 4) == 0) {
        for (size_t i = 0; i < HL_ARRAY_LEN(vowels); i++)
            if (strcmp(id + 4, vowels[i].id) == 0 &&
                guarded(a, k, max_chars, a->fb.shift ? vowels[i].upper : vowels[i].lower,
                        VK_TONE_NONE, 0) == 0)
                a->fb.shift = 0;
    } else if (strncmp(id, "tone-", 5) == 0 && id[5] && !id[6]) {
        for (size_t i = 0; i < HL_ARRAY_LEN(tones); i++)
            if (id[5] == tones[i].telex)
                guarded(a, k, max_chars, NULL, tones[i].tone, 0);
    } else {
        return 0;
    }
    a->dirty = 1;
    return 1;
}

/* Characters a text may not hold: controls (a hardware keyboard's Tab or Escape), format
 * characters (invisible ones, direction marks), surrogates, private use and unassigned ones. */
static int unwanted(utf8proc_int32_t c)
{
    utf8proc_category_t cat = utf8proc_category(c);
    return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF ||
           cat == UTF8PROC_CATEGORY_CS || cat == UTF8PROC_CATEGORY_CO ||
           cat == UTF8PROC_CATEGORY_CN;
}

void fb_typed(app *a, vk *k, const char *utf8, size_t max_chars)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)utf8;
    /* Checked whole first: half an event typed would be worse than none. */
    for (const utf8proc_uint8_t *q = p; *q;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t used = utf8proc_iterate(q, -1, &c);
        if (used <= 0)
            return;
        q += used;
    }
    k->telex = 1; /* a hardware keyboard types Telex: aa -> â, s -> sắc */
    while (*p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t used = utf8proc_iterate(p, -1, &c);
        char one[8];
        memcpy(one, p, (size_t)used);
        one[used] = '\0';
        p += used;
        if (unwanted(c))
            continue;
        if (guarded(a, k, max_chars, one, VK_TONE_NONE, 0) != 0)
            break;
    }
    k->telex = 0;
    a->fb.shift = 0;
}

void fb_keypad(app *a, SDL_Rect kb, int can_send)
{
    int gap = a->m.u * 2;
    /* Four rows of three, at most as wide as tall keys are comfortable for a thumb. */
    int kh = (kb.h - 3 * gap) / 4, kw = kh * 2;
    if (3 * kw + 2 * gap > kb.w * 2 / 3)
        kw = (kb.w * 2 / 3 - 2 * gap) / 3;
    int x0 = kb.x;
    static const char *const rows[] = {"123", "456", "789"};
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < 3; i++) {
            char id[8], label[2] = {rows[r][i], 0};
            snprintf(id, sizeof id, "key-%c", rows[r][i]);
            key(a, id, label, ui_rect(x0 + i * (kw + gap), kb.y + r * (kh + gap), kw, kh),
                UI_BTN_CHIP);
        }
    int y = kb.y + 3 * (kh + gap);
    key(a, "key-back", "Xóa", ui_rect(x0, y, kw, kh), UI_BTN_SECONDARY);
    key(a, "key-0", "0", ui_rect(x0 + kw + gap, y, kw, kh), UI_BTN_CHIP);
    int sx = x0 + 3 * (kw + gap);
    key(a, "send", "Gửi", ui_rect(sx, y, kb.x + kb.w - sx, kh),
        can_send ? UI_BTN_PRIMARY : UI_BTN_SECONDARY);
}

int fb_keypad_tap(app *a, const char *id, char *digits, size_t cap)
{
    size_t n = strlen(digits);
    if (strcmp(id, "key-back") == 0) {
        if (n)
            digits[n - 1] = '\0';
    } else if (strncmp(id, "key-", 4) == 0 && id[4] >= '0' && id[4] <= '9' && !id[5]) {
        if (n + 1 >= cap) {
            util_fmt(a->fb.note, sizeof a->fb.note, "Số điện thoại có tối đa %zu chữ số.", cap - 1);
            a->dirty = 1;
            return 1;
        }
        digits[n] = id[4];
        digits[n + 1] = '\0';
    } else {
        return 0;
    }
    a->fb.note[0] = '\0';
    a->dirty = 1;
    return 1;
}

static int wrap_h(app *a, int px, int w, const char *s)
{
    return gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT, ui_rect(0, 0, w, 1 << 20), GFX_LEFT, s,
                         0);
}

/* The first word start at or after i (or the end). */
static size_t word_from(const char *s, size_t i)
{
    size_t n = strlen(s);
    if (i == 0)
        return 0;
    while (i < n && s[i - 1] != ' ' && s[i - 1] != '\n')
        i++;
    return i;
}

void fb_text_box(app *a, SDL_Rect r, const char *text, int px, int active)
{
    const ui_metrics *m = &a->m;
    gfx_fill_rrect(a->gfx, r, m->u * 2, active ? UI_PRIMARY : UI_BORDER);
    gfx_fill_rrect(a->gfx, ui_inset(r, m->u / 3 + 1), m->u * 2, UI_SURFACE);
    /* A one-line field is not much taller than its text: less room above and below it. */
    int lh = gfx_line_height(a->gfx, GFX_REGULAR, px), pad_y = (r.h - lh) / 2;
    if (pad_y > m->u * 2)
        pad_y = m->u * 2;
    if (pad_y < 1)
        pad_y = 1;
    SDL_Rect in = {r.x + m->u * 2, r.y + pad_y, r.w - m->u * 4, r.h - 2 * pad_y};
    static char s[sizeof((vk *)0)->text + 4];
    util_fmt(s, sizeof s, "%s%s", text, active ? "|" : "");
    /* Too long for the box: the smallest word start from which the rest fits (the height of the
     * rest only shrinks as the start moves on), so the cursor stays in sight. */
    size_t lo = 0, hi = strlen(s);
    if (wrap_h(a, px, in.w, s) > in.h) {
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (wrap_h(a, px, in.w, s + word_from(s, mid)) <= in.h)
                hi = mid;
            else
                lo = mid + 1;
        }
        lo = word_from(s, lo);
    }
    scr_clip(a, &in);
    gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT, in, GFX_LEFT, s + lo, 1);
    scr_clip(a, NULL);
}

void fb_note_line(app *a, SDL_Rect r, const char *hint)
{
    const ui_metrics *m = &a->m;
    const char *t = a->fb.note[0] ? a->fb.note : hint;
    if (!t || !*t)
        return;
    int px = gfx_fit_px(a->gfx, a->fb.note[0] ? GFX_BOLD : GFX_REGULAR, m->u * 2, m->u * 3, r, t);
    gfx_text_wrap(a->gfx, a->fb.note[0] ? GFX_BOLD : GFX_REGULAR, px,
                  a->fb.note[0] ? NOTE_RED : UI_TEXT_MUTED, r, GFX_LEFT, t, 1);
}
