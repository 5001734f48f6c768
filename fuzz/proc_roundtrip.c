/* proc_roundtrip: a parsed procedure set written as procedures.json and read back must be the
 * same set: proc_import writes that file, and a kiosk that cannot load it does not start. */
#include "proc_roundtrip.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int same_strs(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (!a[i] || !b[i] || strcmp(a[i], b[i]) != 0)
            return 0;
    return 1;
}

static int same_item(const proc_item *a, const proc_item *b)
{
    if (!same(a->id, b->id) || !same(a->code, b->code) || !same(a->name, b->name) ||
        a->field != b->field || !same(a->level, b->level) || !same(a->time_limit, b->time_limit) ||
        !same(a->fees, b->fees) || !same(a->where, b->where) || a->online != b->online ||
        !same(a->url, b->url) || a->n_docs != b->n_docs ||
        !same_strs(a->steps, a->n_steps, b->steps, b->n_steps) ||
        !same_strs(a->legal, a->n_legal, b->legal, b->n_legal))
        return 0;
    for (size_t k = 0; k < a->n_docs; k++)
        if (!same(a->docs[k].name, b->docs[k].name) || !same(a->docs[k].copies, b->docs[k].copies))
            return 0;
    return 1;
}

/* What the screens index without checking. */
static void check_set(const proc_set *s)
{
    if (s->n_items < 1 || s->n_fields < 1)
        abort();
    size_t counted = 0;
    for (size_t f = 0; f < s->n_fields; f++)
        counted += s->fields[f].n_items;
    if (counted != s->n_items)
        abort();
    for (size_t i = 0; i < s->n_items; i++) {
        const proc_item *it = &s->items[i];
        if (it->field >= s->n_fields || !it->id[0] || !it->name[0] || it->n_docs < 1 ||
            it->n_steps < 1 || (unsigned)it->online > PROC_ONLINE_FULL ||
            proc_find(s, it->id) != it)
            abort();
        /* The search folds every name; a name of letters folds to something. */
        char *f = proc_fold(it->name);
        free(f);
    }
}

void proc_roundtrip(const proc_set *s)
{
    check_set(s);
    char *text = proc_to_json(s);
    if (!text)
        abort();
    proc_set *back = NULL;
    char err[HL_ERR_MAX];
    if (proc_parse_json(&back, text, strlen(text), "roundtrip.json", err, sizeof err) != 0) {
        fprintf(stderr, "proc_roundtrip: written file refused: %s\n", err);
        abort();
    }
    if (back->n_items != s->n_items || back->n_fields != s->n_fields || !same(back->note, s->note))
        abort();
    for (size_t f = 0; f < s->n_fields; f++)
        if (!same(back->fields[f].id, s->fields[f].id) ||
            !same(back->fields[f].name, s->fields[f].name) ||
            back->fields[f].n_items != s->fields[f].n_items)
            abort();
    for (size_t i = 0; i < s->n_items; i++)
        if (!same_item(&s->items[i], &back->items[i])) {
            fprintf(stderr, "proc_roundtrip: procedures[%zu] changed\n", i);
            abort();
        }
    /* Written again, the same bytes: an import of its own output changes nothing. */
    char *again = proc_to_json(back);
    if (!again || strcmp(again, text) != 0)
        abort();
    free(again);
    free(text);
    proc_free(back);
}
