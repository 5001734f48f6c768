/* job: one piece of slow work (a PIN check, an export, loading figures) on its own thread, so the
 * UI thread never waits for it: the UI starts it, polls job_done from its loop and collects it
 * with job_join. No SDL. */
#ifndef HL_JOB_H
#define HL_JOB_H

#include <stdint.h>

typedef struct job job;
typedef void (*job_fn)(void *arg);

/* Runs fn(arg) on a new thread. NULL if no thread could be started (the caller may then run fn
 * itself). arg must stay valid until job_join. */
job *job_start(job_fn fn, void *arg);
/* 1 once fn has returned. Never blocks. NULL counts as done. */
int job_done(job *j);
/* Waits up to timeout_ms (real time) for fn to return; 1 if it has. For tests and shutdown. */
int job_wait(job *j, int64_t timeout_ms);
/* Waits for fn to return and frees the job. NULL is a no-op. */
void job_join(job *j);

#endif
