/* db_pool: database connections shared by the server's connection threads. It uses only db.h:
 * a connection is opened on demand up to the maximum, and a broken one is closed on return. */
#include "db.h"
#include "faults.h"

#include "util.h"

#include <pthread.h>
#include <stdlib.h>

struct db_pool {
    char *url;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    db **idle;
    int n_idle, open, max;
};

db_pool *db_pool_new(const char *url, int max_connections)
{
    db_pool *p = xcalloc(1, sizeof *p);
    p->url = xstrdup(url);
    p->max = max_connections > 0 ? max_connections : 1;
    p->idle = xcalloc((size_t)p->max, sizeof *p->idle);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    return p;
}

db *db_pool_get(db_pool *p, char *err, size_t errlen)
{
    pthread_mutex_lock(&p->mu);
    while (p->n_idle == 0 && p->open >= p->max)
        pthread_cond_wait(&p->cv, &p->mu);
    if (p->n_idle > 0) {
        db *d = p->idle[--p->n_idle];
        pthread_mutex_unlock(&p->mu);
        return d;
    }
    p->open++;
    pthread_mutex_unlock(&p->mu);
    /* Opening (and checking the schema) happens outside the lock: a slow PostgreSQL connect must
     * not hold up threads that could use an idle connection. */
    db *d = NULL;
    if (db_open(p->url, &d, err, errlen) != 0) {
        pthread_mutex_lock(&p->mu);
        p->open--;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return NULL;
    }
    if (fault_read_only() && db_refuse_writes(d, err, errlen) != 0) {
        db_pool_put(p, d);
        return NULL;
    }
    return d;
}

void db_pool_put(db_pool *p, db *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&p->mu);
    if (db_broken(d) || p->n_idle >= p->max) {
        p->open--;
        pthread_mutex_unlock(&p->mu);
        db_close(d);
        pthread_mutex_lock(&p->mu);
    } else {
        p->idle[p->n_idle++] = d;
    }
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void db_pool_free(db_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_idle; i++)
        db_close(p->idle[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->idle);
    free(p->url);
    free(p);
}
