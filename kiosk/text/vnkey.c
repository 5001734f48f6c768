/* vnkey: Vietnamese text entry (see vnkey.h). The syllable being typed is taken apart into
 * letters, each a base letter with at most one vowel mark (circumflex, breve, horn) and one tone
 * (from utf8proc's canonical decomposition, NFD), changed there, and put back together as NFC.
 * Working on letters rather than on precomposed characters keeps one rule for the tone's place
 * instead of a table of 134 vowels. */
#include "vnkey.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "util.h"

enum { M_NONE, M_CIRC, M_BREVE, M_HORN };

/* The combining marks of Vietnamese: vowel marks, then the five tones in vk_tone order. */
static const utf8proc_int32_t mod_cp[] = {0, 0x0302, 0x0306, 0x031B};
static const utf8proc_int32_t tone_cp[] = {0, 0x0301, 0x0300, 0x0309, 0x0303, 0x0323};

#define WORD_MAX 32 /* letters in one syllable; a longer run of letters is left as it is */

typedef struct {
    utf8proc_int32_t base;
    int mod, tone;
} letter;

static int is_mark(utf8proc_int32_t c)
{
    return c >= 0x0300 && c <= 0x036F;
}

static utf8proc_int32_t lower(utf8proc_int32_t c)
{
    return utf8proc_tolower(c);
}

static int is_vowel_base(utf8proc_int32_t c)
{
    c = lower(c);
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* A letter of a word: an ASCII letter, đ, or a character whose decomposition starts with one. */
static int is_word_cp(utf8proc_int32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c == 0x0111 || c == 0x0110 || is_mark(c))
        return 1;
    utf8proc_int32_t d[4];
    utf8proc_ssize_t n = utf8proc_decompose_char(c, d, 4, UTF8PROC_DECOMPOSE, NULL);
    return n > 0 && d[0] < 0x80 && is_word_cp(d[0]);
}

/* Byte offset where the syllable being typed (the trailing run of letters) starts. */
static size_t word_start(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0) {
        size_t j = i - 1;
        while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80)
            j--;
        utf8proc_int32_t c;
        if (utf8proc_iterate((const utf8proc_uint8_t *)s + j, (utf8proc_ssize_t)(i - j), &c) < 0 ||
            !is_word_cp(c))
            break;
        i = j;
    }
    return i;
}

/* The word s[0, len) as letters; the number, or -1 when it is not a Vietnamese syllable's
 * shape (too long, a mark we do not know, two marks of a kind). */
static int parse(const char *s, size_t len, letter *out)
{
    utf8proc_int32_t cps[WORD_MAX * 3];
    utf8proc_ssize_t n = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t used =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &c);
        if (used <= 0)
            return -1;
        i += (size_t)used;
        utf8proc_ssize_t got = utf8proc_decompose_char(
            c, cps + n, (utf8proc_ssize_t)(WORD_MAX * 3) - n, UTF8PROC_DECOMPOSE, NULL);
        if (got < 0 || n + got > WORD_MAX * 3)
            return -1;
        n += got;
    }
    int k = -1;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        utf8proc_int32_t c = cps[i];
        if (!is_mark(c)) {
            if (++k >= WORD_MAX)
                return -1;
            out[k] = (letter){c, M_NONE, VK_TONE_NONE};
            continue;
        }
        if (k < 0)
            return -1;
        int found = 0;
        for (int m = 1; m < 4; m++)
            if (c == mod_cp[m]) {
                if (out[k].mod)
                    return -1;
                out[k].mod = m, found = 1;
            }
        for (int t = 1; t < 6; t++)
            if (c == tone_cp[t]) {
                if (out[k].tone)
                    return -1;
                out[k].tone = t, found = 1;
            }
        if (!found)
            return -1;
    }
    return k + 1;
}

/* The letters as NFC UTF-8 into out (cap bytes); its length, or -1 when it does not fit. */
static int compose(const letter *l, int n, char *out, size_t cap)
{
    utf8proc_int32_t cps[WORD_MAX * 3];
    utf8proc_ssize_t m = 0;
    for (int i = 0; i < n; i++) {
        cps[m++] = l[i].base;
        if (l[i].mod)
            cps[m++] = mod_cp[l[i].mod];
        if (l[i].tone)
            cps[m++] = tone_cp[l[i].tone];
    }
    /* NFC: utf8proc orders the marks canonically (a dot below before a circumflex) and
     * composes. */
    utf8proc_uint8_t raw[WORD_MAX * 3 * 4 + 1];
    size_t o = 0;
    for (utf8proc_ssize_t i = 0; i < m; i++)
        o += (size_t)utf8proc_encode_char(cps[i], raw + o);
    raw[o] = '\0';
    utf8proc_uint8_t *nfc = utf8proc_NFC(raw);
    if (!nfc)
        return -1;
    size_t len = strlen((const char *)nfc);
    int rc = len + 1 <= cap ? (int)len : -1;
    if (rc >= 0)
        memcpy(out, nfc, len + 1);
    free(nfc);
    return rc;
}

/* The vowels of a syllable: the first run of vowel letters after its initial consonants, where
 * the u of "qu" and the i of "gi" (when a vowel follows it) belong to the consonant. Sets
 * [*from, *to) and returns 1, or 0 without a vowel. */
static int vowels(const letter *l, int n, int *from, int *to)
{
    int i = 0;
    while (i < n && !is_vowel_base(l[i].base))
        i++;
    if (i == 1 && i + 1 < n && is_vowel_base(l[i + 1].base) &&
        ((lower(l[0].base) == 'q' && lower(l[1].base) == 'u') ||
         (lower(l[0].base) == 'g' && lower(l[1].base) == 'i')))
        i++;
    if (i >= n)
        return 0;
    int j = i;
    while (j < n && is_vowel_base(l[j].base))
        j++;
    *from = i;
    *to = j;
    return 1;
}

/* Where the syllable's tone goes (see vnkey.h), or -1 without a vowel. */
static int tone_place(const letter *l, int n)
{
    int s, e;
    if (!vowels(l, n, &s, &e))
        return -1;
    for (int i = e - 1; i >= s; i--) /* a vowel with a mark carries it; in ươ the ơ */
        if (l[i].mod)
            return i;
    int count = e - s, final = e < n;
    if (count >= 3)
        return s + 1;
    if (count == 2 && final)
        return s + 1;
    return s;
}

static vk_tone word_tone(const letter *l, int n)
{
    for (int i = 0; i < n; i++)
        if (l[i].tone)
            return (vk_tone)l[i].tone;
    return VK_TONE_NONE;
}

static void set_tone(letter *l, int n, vk_tone t)
{
    for (int i = 0; i < n; i++)
        l[i].tone = VK_TONE_NONE;
    int at = t ? tone_place(l, n) : -1;
    if (at >= 0)
        l[at].tone = t;
}

static size_t count_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Replaces the syllable being typed with letters l[0, n); 0, or -1 when the text would be too
 * long (nothing changed). */
static int put_word(vk *k, size_t start, const letter *l, int n)
{
    char w[WORD_MAX * 12 + 1];
    int len = compose(l, n, w, sizeof w);
    if (len < 0 || start + (size_t)len >= sizeof k->text)
        return -1;
    char keep = k->text[start];
    k->text[start] = '\0';
    size_t chars = count_chars(k->text) + count_chars(w);
    k->text[start] = keep;
    if (chars > VK_MAX_CHARS)
        return -1;
    memcpy(k->text + start, w, (size_t)len + 1);
    k->chars = chars;
    return 0;
}

/* The syllable being typed, parsed: its start in *start and its letters; -1 when there is none
 * or it is no syllable. */
static int current(const vk *k, size_t *start, letter *l)
{
    size_t len = strlen(k->text);
    *start = word_start(k->text, len);
    if (*start == len)
        return -1;
    return parse(k->text + *start, len - *start, l);
}

void vk_init(vk *k, int telex)
{
    memset(k, 0, sizeof *k);
    k->telex = telex;
}

void vk_clear(vk *k)
{
    vk_init(k, k->telex);
}

/* Appends the character c (one code point) as it is; then the syllable's tone moves to where its
 * letters now put it ("hoà" + n -> "hoàn"). */
static int append(vk *k, utf8proc_int32_t c)
{
    utf8proc_uint8_t b[4];
    utf8proc_ssize_t w = utf8proc_encode_char(c, b);
    size_t len = strlen(k->text);
    if (k->chars + 1 > VK_MAX_CHARS || len + (size_t)w + 1 > sizeof k->text)
        return -1;
    memcpy(k->text + len, b, (size_t)w);
    k->text[len + (size_t)w] = '\0';
    k->chars++;
    size_t start;
    letter l[WORD_MAX];
    int n = current(k, &start, l);
    if (n > 0) { /* NFC again, and the tone where the letters now put it */
        set_tone(l, n, word_tone(l, n));
        put_word(k, start, l, n);
    }
    return 0;
}

static int telex_tone(char c)
{
    switch (c) {
    case 's':
        return VK_TONE_ACUTE;
    case 'f':
        return VK_TONE_GRAVE;
    case 'r':
        return VK_TONE_HOOK;
    case 'x':
        return VK_TONE_TILDE;
    case 'j':
        return VK_TONE_DOT;
    case 'z':
        return VK_TONE_NONE;
    default:
        return -1;
    }
}

/* Telex: what key c (lower case) does to the syllable l[0, n); 1 when it changed it. */
static int telex_change(letter *l, int n, char c)
{
    int t = telex_tone(c);
    if (t >= 0) {
        int s, e;
        if (!vowels(l, n, &s, &e) || (t == VK_TONE_NONE && !word_tone(l, n)))
            return 0;
        set_tone(l, n, (vk_tone)t);
        return 1;
    }
    if (n == 0)
        return 0;
    letter *last = &l[n - 1];
    utf8proc_int32_t b = lower(last->base);
    if ((c == 'a' || c == 'e' || c == 'o') && b == (utf8proc_int32_t)c && !last->mod) {
        last->mod = M_CIRC; /* aa ee oo */
        return 1;
    }
    if (c == 'd' && b == 'd') { /* dd */
        last->base = last->base == 'D' ? 0x0110 : 0x0111;
        return 1;
    }
    if (c == 'w') {
        int s, e;
        if (!vowels(l, n, &s, &e))
            return 0;
        for (int i = s; i + 1 < e; i++) /* uo: both take the horn, ươ */
            if (lower(l[i].base) == 'u' && lower(l[i + 1].base) == 'o' && !l[i].mod &&
                !l[i + 1].mod) {
                l[i].mod = l[i + 1].mod = M_HORN;
                return 1;
            }
        for (int i = e - 1; i >= s; i--) {
            utf8proc_int32_t v = lower(l[i].base);
            if (!l[i].mod && (v == 'a' || v == 'o' || v == 'u')) {
                l[i].mod = v == 'a' ? M_BREVE : M_HORN;
                return 1;
            }
        }
    }
    return 0;
}

int vk_key(vk *k, char c)
{
    unsigned char uc = (unsigned char)c;
    if (uc < 0x20 || uc >= 0x7f)
        return -1;
    char lc = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (k->telex && k->last_was_change && lc == k->last_key) {
        /* The same key again undoes what it did and types itself: "ss" -> "s", "aaa" -> "aa". */
        memcpy(k->text, k->prev, sizeof k->text);
        k->chars = count_chars(k->text);
        k->last_was_change = 0;
        k->last_key = 0;
        return append(k, (utf8proc_int32_t)uc);
    }
    k->last_key = lc;
    k->last_was_change = 0;
    if (k->telex && strchr("sfrxjzaeodw", lc)) {
        size_t start;
        letter l[WORD_MAX];
        int n = current(k, &start, l);
        memcpy(k->prev, k->text, sizeof k->text);
        if (n > 0 && telex_change(l, n, lc)) {
            if (put_word(k, start, l, n) != 0)
                return -1;
            k->last_was_change = 1;
            return 0;
        }
        if (lc == 'w') { /* no a, o, u to take it: w is ư ("thw" -> "thư") */
            int rc = append(k, c == 'W' ? 0x01AF : 0x01B0);
            k->last_was_change = rc == 0;
            return rc;
        }
    }
    return append(k, (utf8proc_int32_t)uc);
}

int vk_type(vk *k, const char *utf8)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)utf8;
    int rc = 0;
    while (*p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t used = utf8proc_iterate(p, -1, &c);
        if (used <= 0)
            return -1;
        p += used;
        if (c < 0x80) {
            rc |= vk_key(k, (char)c);
            continue;
        }
        /* A whole character (an on-screen vowel key, or text already composed); append puts
         * the syllable back in NFC. */
        k->last_key = 0;
        k->last_was_change = 0;
        rc |= append(k, c);
    }
    return rc;
}

int vk_tone_key(vk *k, vk_tone t)
{
    size_t start;
    letter l[WORD_MAX];
    int n = current(k, &start, l);
    int s, e;
    if (n <= 0 || !vowels(l, n, &s, &e))
        return -1;
    set_tone(l, n, word_tone(l, n) == t ? VK_TONE_NONE : t);
    k->last_key = 0;
    k->last_was_change = 0;
    return put_word(k, start, l, n);
}

void vk_backspace(vk *k)
{
    size_t len = strlen(k->text);
    while (len > 0) {
        size_t j = len - 1;
        while (j > 0 && ((unsigned char)k->text[j] & 0xC0) == 0x80)
            j--;
        utf8proc_int32_t c = 0;
        utf8proc_iterate((const utf8proc_uint8_t *)k->text + j, (utf8proc_ssize_t)(len - j), &c);
        k->text[j] = '\0';
        k->chars--;
        len = j;
        if (!is_mark(c))
            break; /* a mark left alone goes with the letter before it */
    }
    k->last_key = 0;
    k->last_was_change = 0;
}

vk_tone vk_current_tone(const vk *k)
{
    size_t start;
    letter l[WORD_MAX];
    int n = current(k, &start, l);
    return n > 0 ? word_tone(l, n) : VK_TONE_NONE;
}
