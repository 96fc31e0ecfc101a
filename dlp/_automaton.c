/* The DFA of dlp/_automaton.h. Candidate starts are found 16 bytes at a time (SSE2):
 * on prose almost no byte can begin a value, on a dense list the DFA runs a few
 * dozen steps from each one. */
#include "_automaton.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

int automaton_init(Automaton *a, const uint8_t classes[256], uint32_t nclasses, const uint16_t *transitions,
                   uint32_t nstates, const uint64_t *accepts, const uint64_t leads[256],
                   const uint64_t trails[256], const uint32_t *ids, int npatterns, const char **why) {
    memset(a, 0, sizeof *a);
    if (npatterns < 1 || npatterns > AUTOMATON_MAX_PATTERNS) {
        *why = "pattern count out of range";
        return -1;
    }
    if (nclasses < 1 || nclasses > 256 || nstates < 2 || nstates > AUTOMATON_MAX_STATES) {
        *why = "class or state count out of range";
        return -1;
    }
    for (int b = 0; b < 256; b++)
        if (classes[b] >= nclasses) {
            *why = "byte class out of range";
            return -1;
        }
    for (size_t i = 0; i < (size_t)nstates * nclasses; i++)
        if (transitions[i] >= nstates) {
            *why = "transition out of range";
            return -1;
        }
    for (uint32_t c = 0; c < nclasses; c++)
        if (transitions[c] != 0) {
            *why = "state 0 must be dead";
            return -1;
        }
    a->transitions = malloc((size_t)nstates * nclasses * sizeof *a->transitions);
    a->accepts = malloc((size_t)nstates * sizeof *a->accepts);
    if (!a->transitions || !a->accepts) {
        automaton_free(a);
        *why = "out of memory";
        return -1;
    }
    memcpy(a->transitions, transitions, (size_t)nstates * nclasses * sizeof *a->transitions);
    memcpy(a->accepts, accepts, (size_t)nstates * sizeof *a->accepts);
    memcpy(a->classes, classes, 256);
    memcpy(a->leads, leads, sizeof a->leads);
    memcpy(a->trails, trails, sizeof a->trails);
    memcpy(a->ids, ids, (size_t)npatterns * sizeof *ids);
    a->nclasses = nclasses;
    a->nstates = nstates;
    a->npatterns = npatterns;
    a->lo = 255;
    a->hi = 0;
    for (int b = 0; b < 256; b++) {
        a->first[b] = transitions[nclasses + classes[b]] != 0;
        if (a->first[b]) {
            if (b < a->lo) a->lo = (uint8_t)b;
            if (b > a->hi) a->hi = (uint8_t)b;
        }
    }
    /* The run of bytes no value may start after that holds the most bytes a value may
     * start with: inside a run of digits no digit pattern starts, and that is most of
     * the bytes of a dense list. */
    a->quiet_lo = 1;
    a->quiet_hi = 0;
    int best = 0;
    for (int b = 0; b < 256;) {
        if (leads[b]) {
            b++;
            continue;
        }
        int end = b, count = 0;
        while (end < 256 && !leads[end]) count += a->first[end++];
        if (count > best) {
            best = count;
            a->quiet_lo = (uint8_t)b;
            a->quiet_hi = (uint8_t)(end - 1);
        }
        b = end;
    }
    return 0;
}

void automaton_free(Automaton *a) {
    free(a->transitions);
    free(a->accepts);
    a->transitions = NULL;
    a->accepts = NULL;
}

/* Value ends already reported per pattern, by end modulo RING: a (pattern, end) can
 * only come again from a start at most AUTOMATON_MAX_VALUE bytes later, so a slot is
 * never reused while its end can still be reported. */
#define RING 128

typedef struct {
    const Automaton *a;
    const uint8_t *data;
    int64_t size;
    int64_t *seen; /* npatterns * RING */
    automaton_report report;
    void *ctx;
} Run;

static int from(Run *r, int64_t start) {
    const Automaton *a = r->a;
    const uint8_t *data = r->data;
    int64_t size = r->size;
    uint64_t allowed = a->leads[start ? data[start - 1] : AUTOMATON_SENTINEL];
    if (!allowed) return 0;
    const uint16_t *t = a->transitions;
    uint32_t n = a->nclasses, state = t[n + a->classes[data[start]]];
    for (int64_t pos = start + 1; state; pos++) {
        uint64_t ending = a->accepts[state] & allowed;
        if (ending) {
            ending &= a->trails[pos < size ? data[pos] : AUTOMATON_SENTINEL];
            while (ending) {
                int bit = __builtin_ctzll(ending);
                ending &= ending - 1;
                int64_t *slot = &r->seen[bit * RING + (pos & (RING - 1))];
                if (*slot == pos) continue;
                *slot = pos;
                int rc = r->report(r->ctx, a->ids[bit], start, pos);
                if (rc) return rc;
            }
        }
        if (pos >= size) break;
        state = t[state * n + a->classes[data[pos]]];
    }
    return 0;
}

int automaton_run(const Automaton *a, const uint8_t *data, int64_t size, automaton_report report, void *ctx) {
    int64_t *seen = malloc((size_t)a->npatterns * RING * sizeof *seen);
    if (!seen) return -1;
    for (size_t i = 0; i < (size_t)a->npatterns * RING; i++) seen[i] = -1;
    Run r = {a, data, size, seen, report, ctx};
    const uint8_t *first = a->first;
    uint8_t lo = a->lo, width = (uint8_t)(a->hi - a->lo);
    int rc = 0;
    if (size > 0 && first[data[0]]) rc = from(&r, 0);
    int64_t i = 1;
#ifdef __SSE2__
    /* 16 places at a time: a byte that may begin a value, after one that may precede it */
    const __m128i vlo = _mm_set1_epi8((char)lo), vwidth = _mm_set1_epi8((char)width), zero = _mm_setzero_si128();
    const int quiet = a->quiet_lo <= a->quiet_hi;
    const __m128i qlo = _mm_set1_epi8((char)a->quiet_lo), qwidth = _mm_set1_epi8((char)(a->quiet_hi - a->quiet_lo));
    for (; i + 16 <= size && !rc; i += 16) {
        __m128i v = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(data + i)), vlo);
        unsigned hits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_subs_epu8(v, vwidth), zero));
        if (hits && quiet) {
            __m128i p = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(data + i - 1)), qlo);
            hits &= ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_subs_epu8(p, qwidth), zero));
        }
        while (hits && !rc) {
            int64_t p = i + __builtin_ctz(hits);
            hits &= hits - 1;
            if (first[data[p]]) rc = from(&r, p);
        }
    }
#endif
    for (; i < size && !rc; i++)
        if ((uint8_t)(data[i] - lo) <= width && first[data[i]]) rc = from(&r, i);
    free(seen);
    return rc;
}
