/* The bounded detector patterns as one DFA, run from each place a value can start
 * (built by dlp/engine/automaton.py; see its docstring). */
#ifndef DLP_AUTOMATON_H
#define DLP_AUTOMATON_H

#include <stdint.h>

#define AUTOMATON_MAX_PATTERNS 64
#define AUTOMATON_MAX_VALUE 63
#define AUTOMATON_MAX_STATES 8192
#define AUTOMATON_SENTINEL 0x0A /* the byte before and after the buffer */

typedef struct {
    uint8_t classes[256];          /* byte -> input class */
    uint8_t first[256];            /* 1 when a value can begin with the byte */
    uint8_t lo, hi;                /* the bytes of ``first`` lie in [lo, hi] */
    uint8_t quiet_lo, quiet_hi;    /* no value starts after a byte in [quiet_lo, quiet_hi] (digits, on
                                    * the shipped detectors), unless quiet_lo > quiet_hi */
    uint32_t nclasses, nstates;
    uint16_t *transitions;         /* nstates * nclasses; state 0 is dead, 1 the start */
    uint64_t *accepts;             /* per state: patterns whose value may end there */
    uint64_t leads[256];           /* per byte: patterns whose value may start after it */
    uint64_t trails[256];          /* per byte: patterns whose value may end before it */
    uint32_t ids[AUTOMATON_MAX_PATTERNS];
    int npatterns;
} Automaton;

/* Called per match: value [start, end) of the pattern with expression id ``id``;
 * nonzero stops the run (and is returned). */
typedef int (*automaton_report)(void *ctx, uint32_t id, int64_t start, int64_t end);

/* Fill ``a`` from the tables; 0, or -1 with ``why`` set when they do not fit together. */
int automaton_init(Automaton *a, const uint8_t classes[256], uint32_t nclasses, const uint16_t *transitions,
                   uint32_t nstates, const uint64_t *accepts, const uint64_t leads[256],
                   const uint64_t trails[256], const uint32_t *ids, int npatterns, const char **why);
void automaton_free(Automaton *a);

/* Every match in ``data`` as if a sentinel byte stood before and after it: for each
 * pattern and value end, the leftmost start; by start, then end, then pattern. */
int automaton_run(const Automaton *a, const uint8_t *data, int64_t size, automaton_report report, void *ctx);

#endif
