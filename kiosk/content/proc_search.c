/* proc_search: the diacritic-insensitive search over procedures: folding ("Đăng ký" -> "dang ky"),
 * an in-memory SQLite FTS5 index over folded text with its own ranking, and the spans the UI
 * highlights. */
#include "proc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <utf8proc.h>

#include "buf.h"
#include "util.h"

/* ---- folding ---- */

static int is_word_cat(utf8proc_category_t c)
{
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* Invalid UTF-8 (only from outside the validated files) becomes spaces instead of failing. */
static char *clean_utf8(const char *s)
{
    size_t len = strlen(s), o = 0;
    char *out = xmalloc(len + 1);
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 0) {
            out[o++] = ' ';
            i++;
        } else {
            memcpy(out + o, s + i, (size_t)n);
            o += (size_t)n;
            i += (size_t)n;
        }
    }
    out[o] = '\0';
    return out;
}

char *proc_fold(const char *utf8)
{
    utf8proc_uint8_t *m = NULL;
    const int opts = UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                     UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)utf8, 0, &m, opts);
    if (n < 0) {
        char *clean = clean_utf8(utf8);
        n = utf8proc_map((const utf8proc_uint8_t *)clean, 0, &m, opts);
        free(clean);
        if (n < 0)
            return xstrdup("");
    }
    /* Output is never longer than m: letters and digits are copied, đ shrinks, the rest becomes
     * at most one space. */
    char *out = xmalloc((size_t)n + 1);
    size_t o = 0;
    int space = 0;
    for (utf8proc_ssize_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(m + i, n - i, &cp);
        if (k <= 0)
            break;
        i += k;
        if (cp == 0x0111 || cp == 0x0110) /* đ Đ: a letter of its own, no decomposition */
            cp = 'd';
        if (!is_word_cat(utf8proc_category(cp))) {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = 0;
        o += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out + o);
    }
    out[o] = '\0';
    free(m);
    return out;
}

/* The words of folded text, pointing into it (spaces become NULs). */
static size_t split_words(char *f, char ***words)
{
    size_t n = 0, cap = 1;
    for (const char *s = f; *s; s++)
        cap += *s == ' ';
    *words = xcalloc(cap, sizeof **words);
    for (char *w = f; *w;) {
        char *sp = strchr(w, ' ');
        (*words)[n++] = w;
        if (!sp)
            break;
        *sp = '\0';
        w = sp + 1;
    }
    return n;
}

int proc_match_spans(const char *text, const char *query, size_t *starts, size_t *lens, int max)
{
    if (!text || !query || max <= 0)
        return 0;
    char *fq = proc_fold(query), **qw;
    size_t nq = split_words(fq, &qw);
    int found = 0;
    size_t len = strlen(text), cap = 64;
    char *word = xmalloc(cap);
    for (size_t i = 0; nq && i < len && found < max;) {
        /* A word is a run of letters and digits; combining marks stay with it, so decomposed
         * text highlights whole letters. */
        size_t a = i, b = i;
        while (b < len) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + b,
                                                  (utf8proc_ssize_t)(len - b), &cp);
            if (k < 0) {
                if (b == a)
                    a = b = b + 1; /* skip an invalid byte */
                break;
            }
            utf8proc_category_t c = utf8proc_category(cp);
            int in_word =
                is_word_cat(c) || (b > a && c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME);
            if (!in_word)
                break;
            b += (size_t)k;
        }
        if (b == a) {
            /* a separator: step over one character */
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
                                                  (utf8proc_ssize_t)(len - i), &cp);
            i += k > 0 ? (size_t)k : 1;
            continue;
        }
        if (b - a + 1 > cap) {
            cap = b - a + 1;
            word = xrealloc(word, cap);
        }
        memcpy(word, text + a, b - a);
        word[b - a] = '\0';
        char *fw = proc_fold(word);
        for (size_t q = 0; q < nq; q++) {
            int hit =
                strcmp(fw, qw[q]) == 0 || (q == nq - 1 && strncmp(fw, qw[q], strlen(qw[q])) == 0);
            if (hit) {
                starts[found] = a;
                lens[found] = b - a;
                found++;
                break;
            }
        }
        free(fw);
        i = b;
    }
    free(word);
    free(qw);
    free(fq);
    return found;
}

/* ---- search index ---- */

struct proc_index {
    sqlite3 *db;
    sqlite3_stmt *search;
    buf expr; /* the MATCH expression, reused between keystrokes */
};

void proc_index_free(proc_index *ix)
{
    if (!ix)
        return;
    sqlite3_finalize(ix->search);
    sqlite3_close(ix->db);
    buf_free(&ix->expr);
    free(ix);
}

static int index_fail(proc_index *ix, const char *what, char *err, size_t errlen)
{
    util_fmt(err, errlen, "procedure search: %s: %s", what,
             ix->db ? sqlite3_errmsg(ix->db) : "out of memory");
    proc_index_free(ix);
    return HL_EXIT_RUNTIME;
}

static char *item_body(const proc_item *it)
{
    buf b = {0};
    const char *parts[] = {it->time_limit, it->fees, it->where};
    for (size_t i = 0; i < HL_ARRAY_LEN(parts); i++)
        buf_printf(&b, "%s\n", parts[i]);
    for (size_t k = 0; k < it->n_docs; k++)
        buf_printf(&b, "%s\n%s\n", it->docs[k].name, it->docs[k].copies);
    for (size_t k = 0; k < it->n_steps; k++)
        buf_printf(&b, "%s\n", it->steps[k]);
    for (size_t k = 0; k < it->n_legal; k++)
        buf_printf(&b, "%s\n", it->legal[k]);
    char *f = proc_fold(buf_cstr(&b));
    buf_free(&b);
    return f;
}

/* Column weights for the ranking: a word in the name counts most, then in the code, the field's
 * name, and the rest of the text. */
static const double rank_weight[4] = {10.0, 5.0, 2.0, 1.0};

/* hl_rank(t): minus the sum, over the query's words, of the weights of the columns holding that
 * word. bm25(t, 10, 5, 2, 1) would also weigh term frequency and length, but it reads each row's
 * column sizes and merges every hit: measured 2.1-3.3 ms for a first letter that matches all of
 * 2 000 procedures (7-8 ms with a busy CPU), against 0.5-0.7 ms for this, which only asks which
 * columns hold each word. The 5 ms keystroke budget needs the headroom on a slow kiosk PC. */
static void hl_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                    sqlite3_value **val)
{
    (void)nval;
    (void)val;
    double score = 0;
    int n = api->xPhraseCount(fts);
    for (int i = 0; i < n; i++) {
        Fts5PhraseIter it;
        int col = -1;
        if (api->xPhraseFirstColumn(fts, i, &it, &col) != SQLITE_OK)
            break;
        for (; col >= 0; api->xPhraseNextColumn(fts, &it, &col))
            if (col < (int)HL_ARRAY_LEN(rank_weight))
                score += rank_weight[col];
    }
    sqlite3_result_double(ctx, -score);
}

/* The FTS5 API pointer, as the FTS5 documentation shows how to obtain it. */
static fts5_api *get_fts5_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

int proc_index_build(proc_index **out, const proc_set *s, char *err, size_t errlen)
{
    *out = NULL;
    proc_index *ix = xcalloc(1, sizeof *ix);
    if (sqlite3_open_v2(":memory:", &ix->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        return index_fail(ix, "cannot open an in-memory database", err, errlen);
    /* The text is folded by proc_fold before it gets here, so SQLite's own diacritic removal
     * (which misses đ) stays off; prefix indexes keep the first keystrokes fast. */
    if (sqlite3_exec(ix->db,
                     "CREATE VIRTUAL TABLE t USING fts5(name, code, field, body,"
                     " tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3');"
                     "BEGIN",
                     NULL, NULL, NULL) != SQLITE_OK)
        return index_fail(ix, "cannot create the FTS5 table", err, errlen);
    sqlite3_stmt *ins = NULL;
    if (sqlite3_prepare_v2(ix->db,
                           "INSERT INTO t (rowid, name, code, field, body) VALUES (?, ?, ?, ?, ?)",
                           -1, &ins, NULL) != SQLITE_OK)
        return index_fail(ix, "cannot prepare the insert", err, errlen);
    for (size_t i = 0; i < s->n_items; i++) {
        const proc_item *it = &s->items[i];
        char *cols[4] = {proc_fold(it->name), proc_fold(it->code),
                         proc_fold(s->fields[it->field].name), item_body(it)};
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
        for (int c = 0; c < 4; c++)
            sqlite3_bind_text(ins, c + 2, cols[c], -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        for (int c = 0; c < 4; c++)
            free(cols[c]);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(ins);
            return index_fail(ix, "cannot index a procedure", err, errlen);
        }
    }
    sqlite3_finalize(ins);
    if (sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return index_fail(ix, "cannot commit the index", err, errlen);
    fts5_api *api = get_fts5_api(ix->db);
    if (!api || api->xCreateFunction(api, "hl_rank", NULL, hl_rank, NULL) != SQLITE_OK)
        return index_fail(ix, "cannot register the ranking function", err, errlen);
    /* rowid breaks ties: the file's own order, stable between keystrokes. */
    if (sqlite3_prepare_v3(ix->db,
                           "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY hl_rank(t), rowid", -1,
                           SQLITE_PREPARE_PERSISTENT, &ix->search, NULL) != SQLITE_OK)
        return index_fail(ix, "cannot prepare the search", err, errlen);
    *out = ix;
    return 0;
}

int proc_search(proc_index *ix, const char *query, size_t *out, size_t max)
{
    if (!ix || !query)
        return -1;
    char *f = proc_fold(query), **words;
    size_t n = split_words(f, &words);
    if (n == 0) {
        free(words);
        free(f);
        return 0;
    }
    /* Folded words hold only letters and digits, and each is quoted, so nothing the user types
     * can become FTS5 syntax (", *, NEAR, AND, ^, column filters). The last word may still be
     * being typed, so it matches as a prefix too; written ("w" OR "w"*), a row holding it as a
     * whole word matches both phrases and hl_rank counts it twice: "khai tu" puts "khai tử"
     * above "... tuổi". */
    buf_reset(&ix->expr);
    for (size_t i = 0; i + 1 < n; i++)
        buf_printf(&ix->expr, "\"%s\" AND ", words[i]);
    buf_printf(&ix->expr, "(\"%s\" OR \"%s\"*)", words[n - 1], words[n - 1]);
    free(words);
    free(f);
    sqlite3_stmt *st = ix->search;
    sqlite3_bind_text(st, 1, buf_cstr(&ix->expr), (int)ix->expr.len, SQLITE_STATIC);
    int total = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((size_t)total < max)
            out[total] = (size_t)sqlite3_column_int64(st, 0);
        total++;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? total : -1;
}
