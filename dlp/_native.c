/*
 * dlp._native: the plain-text reporting lane in C.
 *
 * The Python pipeline (dlp.engine.matcher, dlp.scanner, dlp.findings,
 * dlp.output.jsonl, dlp.policy) is the reference: this module does the same
 * steps for one window of plain UTF-8 text, from Hyperscan's raw matches to
 * JSON Lines bytes and policy counts, without a Python object per candidate.
 * dlp.engine.lane drives it; tests/test_native_lane.py holds both paths to the
 * same output, byte for byte.
 *
 *   Collector  the Hyperscan match handler: stores (id, start, end) triples.
 *   Lane       per-matcher tables; finish() turns a window's matches into
 *              JSONL for the hits that start in the window's emit range.
 *   Tally      what dlp.policy counts for one file: distinct values per
 *              detector (64-bit prefixes of the fingerprints), records (lines)
 *              holding two or more kinds, findings per detector.
 *
 * Validators implemented here handle the plain forms that make up nearly all
 * candidates (11 digits for a mobile number, 18 characters for an ID ...);
 * anything else returns FALLBACK and the detector's Python validator decides.
 * Detectors without a native kind always use their Python validator and mask.
 */
#define PY_SSIZE_T_CLEAN
#define OPENSSL_API_COMPAT 0x10100000L
#include <Python.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_automaton.h"
#ifdef DLP_HAVE_HS
#include <hs/hs.h>
#endif

#define EDGE 1024
#define CONTEXT_BEFORE 64
#define CONTEXT_AFTER 24
#define MAX_GATED 64

enum { NK_NONE = 0, NK_MOBILE, NK_RESIDENT_ID, NK_LANDLINE, NK_PLATE, NK_EMAIL, NK_USCC, NK_BANK_CARD,
       NK_RESIDENT_ID_LEGACY };
enum { V_REJECT = 0, V_OK = 1, V_FALLBACK = 2 };
enum { MK_PYTHON = 0, MK_EDGES, MK_LANDLINE, MK_EMAIL };

/* Newlines in s[0..n), eight bytes at a time. */
static int64_t count_newlines(const uint8_t *s, int64_t n) {
    const uint64_t ones = 0x0101010101010101ULL, low7 = 0x7F7F7F7F7F7F7F7FULL;
    int64_t count = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t x = w ^ (ones * '\n');                   /* newline bytes are now zero */
        uint64_t zero = ~(((x & low7) + low7) | x | low7); /* the high bit of each zero byte */
        count += __builtin_popcountll(zero);
    }
    for (; i < n; i++) count += s[i] == '\n';
    return count;
}

/* ------------------------------------------------------------------ buffers */

typedef struct {
    char *p;
    size_t n, cap;
} Buf;

/* memcpy for the short stretches of a finding (a value, a mask, a line's constant
 * parts): two overlapping fixed-size moves, which the compiler inlines, instead of a
 * call per stretch; a finding made a dozen of those calls. */
static inline void copy_bytes(void *dst, const void *src, size_t k) {
    char *d = dst;
    const char *s = src;
    if (k > 128) memcpy(d, s, k);
    else if (k > 64) {
        memcpy(d, s, 64);
        memcpy(d + k - 64, s + k - 64, 64);
    } else if (k > 32) {
        memcpy(d, s, 32);
        memcpy(d + k - 32, s + k - 32, 32);
    } else if (k > 16) {
        memcpy(d, s, 16);
        memcpy(d + k - 16, s + k - 16, 16);
    } else if (k >= 8) {
        memcpy(d, s, 8);
        memcpy(d + k - 8, s + k - 8, 8);
    } else if (k >= 4) {
        memcpy(d, s, 4);
        memcpy(d + k - 4, s + k - 4, 4);
    } else {
        for (size_t i = 0; i < k; i++) d[i] = s[i];
    }
}

static int buf_reserve(Buf *b, size_t extra) {
    if (b->n + extra <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + extra) cap *= 2;
    char *p = PyMem_Realloc(b->p, cap);
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static int buf_put(Buf *b, const void *s, size_t k) {
    if (buf_reserve(b, k) < 0) return -1;
    copy_bytes(b->p + b->n, s, k);
    b->n += k;
    return 0;
}

/* Writers into reserved space: each returns the end of what it wrote. */
#define INT_MAX_CHARS 20

static char *put_int(char *o, long long v) {
    char tmp[24], *e = tmp + sizeof tmp, *p = e;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    memcpy(o, p, (size_t)(e - p));
    return o + (e - p);
}

static void buf_free(Buf *b) {
    PyMem_Free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

static char HEX_PAIRS[512]; /* byte -> its two lower-case hex digits (filled when the module loads) */

static void hex_pairs_init(void) {
    static const char hex[] = "0123456789abcdef";
    for (int b = 0; b < 256; b++) {
        HEX_PAIRS[2 * b] = hex[b >> 4];
        HEX_PAIRS[2 * b + 1] = hex[b & 15];
    }
}

/* A JSON string as orjson writes it: quotes, backslash and control characters escaped
 * (at most 6 * k + 2 bytes). */
static char *put_json(char *o, const char *s, size_t k) {
    *o++ = '"';
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20) {
            *o++ = '\\';
            switch (c) {
            case '\n': *o++ = 'n'; break;
            case '\r': *o++ = 'r'; break;
            case '\t': *o++ = 't'; break;
            case '\b': *o++ = 'b'; break;
            case '\f': *o++ = 'f'; break;
            default:
                *o++ = 'u'; *o++ = '0'; *o++ = '0';
                memcpy(o, HEX_PAIRS + 2 * c, 2);
                o += 2;
            }
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    return o;
}

/* Lower-case hex of a SHA-256 digest, as hashlib's hexdigest() writes it. */
static void digest_hex(const uint8_t digest[32], char out[64]) {
    for (int k = 0; k < 32; k++) memcpy(out + 2 * k, HEX_PAIRS + 2 * digest[k], 2);
}

/* ---------------------------------------------------------------- Collector */

typedef struct {
    PyObject_HEAD
    uint32_t *ids;
    int64_t *starts, *ends;
    Py_ssize_t n, cap;
    int mode;
    int64_t base;
    Py_ssize_t head_from;  /* where the head edge's matches begin (mode 2) */
    uint32_t count;        /* detector pattern ids are below this */
    uint8_t *leads;        /* per pattern id: 1 when it consumes a leading boundary byte (a copy) */
} Collector;

static PyTypeObject CollectorType;

static int collector_push(Collector *c, uint32_t id, int64_t s, int64_t e) {
    if (c->n == c->cap) {
        Py_ssize_t cap = c->cap ? c->cap * 2 : 1024;
        uint32_t *ids = realloc(c->ids, cap * sizeof *ids);  /* may run without the GIL */
        if (!ids) return -1;
        c->ids = ids;
        int64_t *st = realloc(c->starts, cap * sizeof *st);
        if (!st) return -1;
        c->starts = st;
        int64_t *en = realloc(c->ends, cap * sizeof *en);
        if (!en) return -1;
        c->ends = en;
        c->cap = cap;
    }
    c->ids[c->n] = id;
    c->starts[c->n] = s;
    c->ends[c->n] = e;
    c->n++;
    return 0;
}

/* Store a match as the scan mode says (see dlp.engine.lane.Lane.scan). */
static int collector_store(Collector *c, uint32_t id, int64_t s, int64_t e) {
    int keep = 1;
    switch (c->mode) {
    case 0: break;                                   /* whole buffer with sentinels */
    case 1: s += 1; e += 1; break;                   /* buffer scanned in place */
    case 2: keep = id < c->count && s == 0 && c->leads[id]; break;  /* head edge */
    case 3: keep = id < c->count && e == EDGE + 1; s += c->base; e += c->base; break;  /* tail edge */
    }
    return keep ? collector_push(c, id, s, e) : 0;
}

/* Called by Hyperscan's Python binding as handler(id, from, to, flags, context). */
static PyObject *collector_call(PyObject *self, PyObject *args, PyObject *kwargs) {
    Collector *c = (Collector *)self;
    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) < 3) {
        PyErr_SetString(PyExc_TypeError, "Collector(id, start, end, ...)");
        return NULL;
    }
    uint32_t id = (uint32_t)PyLong_AsUnsignedLong(PyTuple_GET_ITEM(args, 0));
    int64_t s = (int64_t)PyLong_AsLongLong(PyTuple_GET_ITEM(args, 1));
    int64_t e = (int64_t)PyLong_AsLongLong(PyTuple_GET_ITEM(args, 2));
    if (PyErr_Occurred()) return NULL;
    if (collector_store(c, id, s, e) < 0) return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* A value at data[0] is reported by the head edge's scan; the in-place scan, which
 * has no boundary byte before data[0], reports the same pattern and end once more with
 * a later start (after a "+" of "+0086 ...", say). Hyperscan reports only the leftmost
 * start per end in a sentinel buffer, so the later one goes. */
static void collector_drop_shadowed(Collector *c) {
    Py_ssize_t heads = c->n - c->head_from, kept = 0;
    if (heads <= 0) return;
    for (Py_ssize_t i = 0; i < c->head_from; i++) {
        int shadowed = 0;
        for (Py_ssize_t j = c->head_from; j < c->n && !shadowed && c->ends[i] <= EDGE + 1; j++)
            shadowed = c->ids[j] == c->ids[i] && c->ends[j] == c->ends[i];
        if (shadowed) continue;
        c->ids[kept] = c->ids[i];
        c->starts[kept] = c->starts[i];
        c->ends[kept] = c->ends[i];
        kept++;
    }
    if (kept == c->head_from) return;
    memmove(c->ids + kept, c->ids + c->head_from, (size_t)heads * sizeof *c->ids);
    memmove(c->starts + kept, c->starts + c->head_from, (size_t)heads * sizeof *c->starts);
    memmove(c->ends + kept, c->ends + c->head_from, (size_t)heads * sizeof *c->ends);
    c->n = kept + heads;
}

/* The next scan's matches are stored as ``mode`` says (collector_store). */
static void collector_begin(Collector *c, int mode, int64_t base) {
    if (c->mode == 2 && mode != 2) collector_drop_shadowed(c);
    if (mode == 2) c->head_from = c->n;
    c->mode = mode;
    c->base = base;
}

static PyObject *collector_set_mode(Collector *c, PyObject *args) {
    int mode;
    long long base = 0;
    if (!PyArg_ParseTuple(args, "i|L", &mode, &base)) return NULL;
    collector_begin(c, mode, base);
    Py_RETURN_NONE;
}

static PyObject *collector_matches(Collector *c, PyObject *noargs) {
    PyObject *out = PyList_New(c->n);
    if (!out) return NULL;
    for (Py_ssize_t i = 0; i < c->n; i++) {
        PyObject *t = Py_BuildValue("(ILL)", c->ids[i], (long long)c->starts[i], (long long)c->ends[i]);
        if (!t) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, t);
    }
    return out;
}

static void collector_dealloc(Collector *c) {
    free(c->ids);
    free(c->starts);
    free(c->ends);
    PyMem_Free(c->leads);
    Py_TYPE(c)->tp_free((PyObject *)c);
}

static PyMethodDef collector_methods[] = {
    {"mode", (PyCFunction)collector_set_mode, METH_VARARGS,
     "mode(kind, base=0): how the next scan's matches are stored (see dlp.engine.lane)."},
    {"matches", (PyCFunction)collector_matches, METH_NOARGS, "The stored (id, start, end) triples."},
    {NULL}};

static PyTypeObject CollectorType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "dlp._native.Collector",
    .tp_basicsize = sizeof(Collector),
    .tp_dealloc = (destructor)collector_dealloc,
    .tp_call = collector_call,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = collector_methods,
    .tp_doc = "Hyperscan match handler storing (id, start, end); made by Lane.collector().",
};

/* -------------------------------------------------------------------- Tally */

/* Distinct 64-bit values: a sorted array, and the values added since, unsorted. A hash
 * set of random fingerprints missed the cache on nearly every insert; here the new
 * values are radix-sorted and merged in now and then, all in sequential passes. */
typedef struct {
    uint64_t *sorted;  /* ascending, no repeats */
    size_t nsorted;
    uint64_t *pending;
    size_t npending, cap;
    Py_ssize_t found;  /* findings reported */
} ValueSet;

#define PENDING_MIN ((size_t)1 << 16)

#define MAX_KINDS 64

typedef struct {
    PyObject_HEAD
    PyObject *names;  /* list of detector names, index = kind */
    ValueSet sets[MAX_KINDS];
    long long line;   /* the open record (a line); -1 when none */
    uint64_t kinds;   /* kinds seen on it */
    long long rows;
} Tally;

static PyTypeObject TallyType;

/* LSD radix sort of v[0..n) (tmp: room for n values). */
static void radix_sort(uint64_t *v, uint64_t *tmp, size_t n) {
    size_t counts[8][256];
    memset(counts, 0, sizeof counts);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 8; d++) counts[d][(v[i] >> (8 * d)) & 255]++;
    uint64_t *src = v, *dst = tmp;
    for (int d = 0; d < 8; d++) {
        size_t at = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = counts[d][b];
            counts[d][b] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++) dst[counts[d][(src[i] >> (8 * d)) & 255]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    /* eight passes: the sorted values are back in v */
}

/* Sort the pending values and merge them into the sorted ones. */
static int set_compact(ValueSet *s) {
    if (!s->npending) return 0;
    size_t m = s->npending, n = s->nsorted;
    uint64_t *tmp = PyMem_Malloc(m * sizeof *tmp), *merged = PyMem_Malloc((n + m) * sizeof *merged);
    if (!tmp || !merged) {
        PyMem_Free(tmp);
        PyMem_Free(merged);
        PyErr_NoMemory();
        return -1;
    }
    radix_sort(s->pending, tmp, m);
    PyMem_Free(tmp);
    size_t i = 0, j = 0, k = 0;
    const uint64_t *a = s->sorted, *b = s->pending;
    while (i < n || j < m) {
        uint64_t x;
        if (j == m || (i < n && a[i] <= b[j])) x = a[i++];
        else x = b[j++];
        if (!k || merged[k - 1] != x) merged[k++] = x;
    }
    PyMem_Free(s->sorted);
    s->sorted = merged;
    s->nsorted = k;
    s->npending = 0;
    return 0;
}

static int set_add(ValueSet *s, uint64_t v) {
    if (s->npending == s->cap) {
        if (s->cap && set_compact(s) < 0) return -1;
        size_t cap = s->nsorted / 2 > PENDING_MIN ? s->nsorted / 2 : PENDING_MIN;
        if (cap != s->cap) {
            uint64_t *p = PyMem_Realloc(s->pending, cap * sizeof *p);
            if (!p) {
                PyErr_NoMemory();
                return -1;
            }
            s->pending = p;
            s->cap = cap;
        }
    }
    s->pending[s->npending++] = v;
    return 0;
}

static void set_free(ValueSet *s) {
    PyMem_Free(s->sorted);
    PyMem_Free(s->pending);
    memset(s, 0, sizeof *s);
}

static int popcount64(uint64_t x) { return __builtin_popcountll(x); }

static void tally_close_record(Tally *t) {
    if (t->line >= 0 && popcount64(t->kinds) >= 2) t->rows++;
    t->line = -1;
    t->kinds = 0;
}

/* Findings arrive in position order, so a record (line) is complete once a later one starts. */
static int tally_add(Tally *t, int kind, uint64_t value, long long line) {
    if (line != t->line) {
        tally_close_record(t);
        t->line = line;
    }
    t->kinds |= 1ULL << kind;
    t->sets[kind].found++;
    return set_add(&t->sets[kind], value);
}

static int tally_kind(Tally *t, PyObject *name) {
    Py_ssize_t n = PyList_GET_SIZE(t->names);
    for (Py_ssize_t i = 0; i < n; i++) {
        int eq = PyUnicode_Compare(PyList_GET_ITEM(t->names, i), name);
        if (eq == 0) return (int)i;
        if (eq == -1 && PyErr_Occurred()) return -1;
    }
    if (n >= MAX_KINDS) {
        PyErr_SetString(PyExc_ValueError, "too many detectors for one tally");
        return -1;
    }
    if (PyList_Append(t->names, name) < 0) return -1;
    return (int)n;
}

static uint64_t hex_prefix(const char *h, Py_ssize_t k) {
    uint64_t v = 0;
    for (Py_ssize_t i = 0; i < 16 && i < k; i++) {
        char c = h[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
        v = (v << 4) | (uint64_t)d;
    }
    return v;
}

static PyObject *tally_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    Tally *t = (Tally *)type->tp_alloc(type, 0);
    if (!t) return NULL;
    t->names = PyList_New(0);
    if (!t->names) {
        Py_DECREF(t);
        return NULL;
    }
    t->line = -1;
    return (PyObject *)t;
}

static void tally_dealloc(Tally *t) {
    for (int i = 0; i < MAX_KINDS; i++) set_free(&t->sets[i]);
    Py_XDECREF(t->names);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static PyObject *tally_py_add(Tally *t, PyObject *args) {
    PyObject *name;
    const char *fp;
    Py_ssize_t k;
    long long line;
    if (!PyArg_ParseTuple(args, "Us#L", &name, &fp, &k, &line)) return NULL;
    int kind = tally_kind(t, name);
    if (kind < 0) return NULL;
    if (tally_add(t, kind, hex_prefix(fp, k), line) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *tally_close(Tally *t, PyObject *noargs) {
    tally_close_record(t);
    return PyLong_FromLongLong(t->rows);
}

static PyObject *tally_merge(Tally *t, PyObject *arg) {
    if (!PyObject_TypeCheck(arg, &TallyType)) {
        PyErr_SetString(PyExc_TypeError, "merge() takes a Tally");
        return NULL;
    }
    Tally *o = (Tally *)arg;
    tally_close_record(o);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(o->names); i++) {
        int kind = tally_kind(t, PyList_GET_ITEM(o->names, i));
        if (kind < 0) return NULL;
        ValueSet *src = &o->sets[i];
        if (set_compact(src) < 0) return NULL;
        for (size_t j = 0; j < src->nsorted; j++)
            if (set_add(&t->sets[kind], src->sorted[j]) < 0) return NULL;
        t->sets[kind].found += src->found;
    }
    t->rows += o->rows;
    Py_RETURN_NONE;
}

static PyObject *tally_counts(Tally *t, PyObject *which_found) {
    PyObject *out = PyDict_New();
    if (!out) return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(t->names); i++) {
        ValueSet *s = &t->sets[i];
        if (which_found != Py_True && set_compact(s) < 0) { /* found counts need no merge */
            Py_DECREF(out);
            return NULL;
        }
        long long n = which_found == Py_True ? (long long)s->found : (long long)s->nsorted;
        if (!s->found) continue;
        PyObject *v = PyLong_FromLongLong(n);
        if (!v || PyDict_SetItem(out, PyList_GET_ITEM(t->names, i), v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(v);
    }
    return out;
}

static PyObject *tally_distinct(Tally *t, PyObject *noargs) { return tally_counts(t, Py_False); }
static PyObject *tally_found(Tally *t, PyObject *noargs) { return tally_counts(t, Py_True); }

/* Pickling: (names, [value arrays as bytes], [found], line, kinds, rows). */
static PyObject *tally_getstate(Tally *t, PyObject *noargs) {
    Py_ssize_t n = PyList_GET_SIZE(t->names);
    PyObject *values = PyList_New(n), *found = PyList_New(n);
    if (!values || !found) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        ValueSet *s = &t->sets[i];
        if (set_compact(s) < 0) goto fail;
        PyObject *b = PyBytes_FromStringAndSize((const char *)s->sorted, (Py_ssize_t)(s->nsorted * 8));
        if (!b) goto fail;
        PyList_SET_ITEM(values, i, b);
        PyObject *f = PyLong_FromSsize_t(s->found);
        if (!f) goto fail;
        PyList_SET_ITEM(found, i, f);
    }
    return Py_BuildValue("(ONNLKL)", t->names, values, found, t->line, (unsigned long long)t->kinds, t->rows);
fail:
    Py_XDECREF(values);
    Py_XDECREF(found);
    return NULL;
}

static PyObject *tally_setstate(Tally *t, PyObject *state) {
    PyObject *names, *values, *found;
    long long line, rows;
    unsigned long long kinds;
    if (!PyArg_ParseTuple(state, "O!O!O!LKL", &PyList_Type, &names, &PyList_Type, &values, &PyList_Type,
                          &found, &line, &kinds, &rows))
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(names); i++) {
        int kind = tally_kind(t, PyList_GET_ITEM(names, i));
        if (kind < 0) return NULL;
        PyObject *b = PyList_GET_ITEM(values, i);
        if (!PyBytes_Check(b)) {
            PyErr_SetString(PyExc_TypeError, "bad Tally state");
            return NULL;
        }
        const uint64_t *v = (const uint64_t *)PyBytes_AS_STRING(b);
        for (Py_ssize_t j = 0; j < PyBytes_GET_SIZE(b) / 8; j++)
            if (set_add(&t->sets[kind], v[j]) < 0) return NULL;
        t->sets[kind].found = PyLong_AsSsize_t(PyList_GET_ITEM(found, i));
    }
    t->line = line;
    t->kinds = kinds;
    t->rows = rows;
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyObject *tally_reduce(Tally *t, PyObject *noargs) {
    PyObject *state = tally_getstate(t, NULL);
    if (!state) return NULL;
    return Py_BuildValue("(O()N)", (PyObject *)Py_TYPE(t), state);
}

static PyMethodDef tally_methods[] = {
    {"add", (PyCFunction)tally_py_add, METH_VARARGS, "add(detector, fingerprint_hex, line): one finding."},
    {"close", (PyCFunction)tally_close, METH_NOARGS, "Rows with two or more kinds (closes the open record)."},
    {"merge", (PyCFunction)tally_merge, METH_O, "Add another part of the same file (no record spans both)."},
    {"distinct", (PyCFunction)tally_distinct, METH_NOARGS, "Distinct values per detector."},
    {"found", (PyCFunction)tally_found, METH_NOARGS, "Findings per detector."},
    {"__reduce__", (PyCFunction)tally_reduce, METH_NOARGS, NULL},
    {"__setstate__", (PyCFunction)tally_setstate, METH_O, NULL},
    {NULL}};

static PyTypeObject TallyType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "dlp._native.Tally",
    .tp_basicsize = sizeof(Tally),
    .tp_dealloc = (destructor)tally_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = tally_new,
    .tp_methods = tally_methods,
    .tp_doc = "Policy counts of one file: distinct values and findings per detector, rows.",
};

/* --------------------------------------------------------------- validators */

typedef struct {
    uint8_t mobile3[1000], mobile4[10000];
    uint8_t area3[1000], area4[10000];
    uint8_t *regions; /* 1,000,000 flags */
    char today[9];    /* YYYYMMDD */
} Tables;

static int digits(const uint8_t *s, int k) {
    for (int i = 0; i < k; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static int num(const uint8_t *s, int k) {
    int v = 0;
    for (int i = 0; i < k; i++) v = v * 10 + (s[i] - '0');
    return v;
}

static int leap(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

static int date_ok(int y, int m, int d) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1) return 0;
    return d <= days[m - 1] + (m == 2 && leap(y));
}

/* Each validator reads a candidate (raw bytes) and writes the value to ``out``. */
typedef int (*validator)(const Tables *, const uint8_t *, int, Buf *);

static int v_mobile(const Tables *t, const uint8_t *s, int k, Buf *out) {
    if (k != 11 || !digits(s, 11)) return V_FALLBACK;
    if (!t->mobile3[num(s, 3)] && !t->mobile4[num(s, 4)]) return V_REJECT;
    return buf_put(out, s, 11) < 0 ? -1 : V_OK;
}

static int v_resident_id(const Tables *t, const uint8_t *s, int k, Buf *out) {
    uint8_t n[18];
    if (k != 18) return V_FALLBACK;
    for (int i = 0; i < 18; i++) {
        uint8_t c = s[i];
        if (c >= 'a' && c <= 'z') c -= 32;
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return V_FALLBACK;
        n[i] = c;
    }
    if (!digits(n, 17) || !((n[17] >= '0' && n[17] <= '9') || n[17] == 'X')) return V_REJECT;
    int sum = 0, w = 1;
    for (int i = 16; i >= 0; i--) { /* weights 2^k mod 11, k counted from the check character */
        w = (w * 2) % 11;
        sum += (n[i] - '0') * w;
    }
    int check = (12 - sum % 11) % 11;
    if (n[17] != (check == 10 ? 'X' : '0' + check)) return V_REJECT;
    if (!t->regions[num(n, 6)]) return V_REJECT;
    int y = num(n + 6, 4), m = num(n + 10, 2), d = num(n + 12, 2);
    if (!date_ok(y, m, d) || memcmp(n + 6, t->today, 8) > 0) return V_REJECT;
    return buf_put(out, n, 18) < 0 ? -1 : V_OK;
}

static int v_resident_id_legacy(const Tables *t, const uint8_t *s, int k, Buf *out) {
    if (k != 15 || !digits(s, 15)) return V_FALLBACK;
    if (!t->regions[num(s, 6)]) return V_REJECT;
    int y = 1900 + num(s + 6, 2), m = num(s + 8, 2), d = num(s + 10, 2);
    if (!date_ok(y, m, d)) return V_REJECT;
    char date[9];
    snprintf(date, sizeof date, "%04d%02d%02d", y, m, d);
    if (memcmp(date, t->today, 8) > 0) return V_REJECT;
    return buf_put(out, s, 15) < 0 ? -1 : V_OK;
}

static int v_landline(const Tables *t, const uint8_t *s, int k, Buf *out) {
    uint8_t n[64];
    int len = 0;
    if (k == 0 || k > 60) return V_FALLBACK;
    /* the country-code forms (+86, 0086, (+86), (86...) take the Python path */
    int i = 0;
    while (i < k && s[i] == ' ') i++;
    if (i < k && (s[i] == '+' || s[i] == '(')) {
        if (s[i] == '+' || (i + 1 < k && (s[i + 1] == '+' || s[i + 1] == '8'))) return V_FALLBACK;
    }
    if (i + 1 < k && s[i] == '0' && s[i + 1] == '0') return V_FALLBACK;
    for (i = 0; i < k; i++) {
        uint8_t c = s[i];
        if (c >= '0' && c <= '9') n[len++] = c;
        else if (c != ' ' && c != '-' && c != '(' && c != ')') return V_FALLBACK;
    }
    if (len == 0 || n[0] != '0') return V_REJECT;
    int area;
    if (len >= 3 && t->area3[num(n, 3)]) area = 3;
    else if (len >= 4 && t->area4[num(n, 4)]) area = 4;
    else return V_REJECT;
    int sub = len - area;
    if (sub > 0 && n[area] == '0') return V_REJECT;
    if (sub != 8 && !(area == 4 && sub == 7)) return V_REJECT;
    return buf_put(out, n, (size_t)len) < 0 ? -1 : V_OK;
}

static int v_bank_card(const Tables *t, const uint8_t *s, int k, Buf *out) {
    uint8_t n[64];
    int len = 0;
    if (k > 60) return V_FALLBACK;
    for (int i = 0; i < k; i++) {
        uint8_t c = s[i];
        if (c >= '0' && c <= '9') n[len++] = c;
        else if (c != ' ' && c != '-') return V_FALLBACK;
    }
    if (len == 0) return V_REJECT;
    if (len < 16 || len > 19) return V_REJECT;
    int sum = 0;
    for (int i = 0; i < len; i++) {
        int d = n[len - 1 - i] - '0';
        if (i & 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
    }
    if (sum % 10) return V_REJECT;
    return buf_put(out, n, (size_t)len) < 0 ? -1 : V_OK;
}

static const char USCC_ALPHABET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int v_uscc(const Tables *t, const uint8_t *s, int k, Buf *out) {
    uint8_t n[64];
    int len = 0;
    if (k > 60) return V_FALLBACK;
    for (int i = 0; i < k; i++) {
        uint8_t c = s[i];
        if (c >= 'a' && c <= 'z') c -= 32;
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) n[len++] = c;
        else if (c != ' ' && c != '-') return V_FALLBACK;
    }
    if (len != 18 || !digits(n, 8)) return V_REJECT;
    static const int weights[] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int total = 0;
    for (int i = 0; i < 18; i++) {
        const char *p = strchr(USCC_ALPHABET, n[i]);
        if (!p || !n[i]) return V_REJECT;
        if (i < 17) total += (int)(p - USCC_ALPHABET) * weights[i];
    }
    if (n[17] != USCC_ALPHABET[(31 - total % 31) % 31]) return V_REJECT;
    if (digits(n, 17)) { /* GB 11714 organisation code check (see dlp.detectors.cn_uscc) */
        static const int w[] = {3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int i = 0; i < 8; i++) sum += (n[8 + i] - '0') * w[i];
        int check = 11 - sum % 11;
        uint8_t want = check == 10 ? 'X' : check == 11 ? '0' : '0' + check;
        if (n[16] != want) return V_REJECT;
    }
    return buf_put(out, n, 18) < 0 ? -1 : V_OK;
}

static int email_local_char(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("_%+!#$&*^~-", c) != NULL;
}

static const char *FILE_SUFFIXES[] = {"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "css", "js",
                                      "ts", "json", "html", "htm", "xml", "txt", "pdf", "md", "py", "zip", NULL};

static int v_email(const Tables *t, const uint8_t *s, int k, Buf *out) {
    uint8_t a[320];
    if (k > 320 || k == 0) return V_FALLBACK;
    int at = -1;
    for (int i = 0; i < k; i++) {
        uint8_t c = s[i];
        if (c >= 0x80 || c <= ' ' || c == 0x7f) return V_FALLBACK;
        if (c >= 'A' && c <= 'Z') c += 32;
        a[i] = c;
        if (c == '@') at = i;
    }
    if (at <= 0 || at == k - 1) return V_REJECT;
    int dlen = k - at - 1;
    if (at > 64 || dlen > 255) return V_REJECT;
    /* local part: allowed characters, dots only between them */
    if (a[0] == '.' || a[at - 1] == '.') return V_REJECT;
    for (int i = 0; i < at; i++) {
        if (a[i] == '.') {
            if (a[i + 1] == '.') return V_REJECT;
        } else if (!email_local_char(a[i])) {
            return V_REJECT;
        }
    }
    /* domain: two or more labels of 1-63 letters, digits or inner hyphens */
    int labels = 0, start = at + 1, tld = start;
    for (int i = at + 1; i <= k; i++) {
        if (i == k || a[i] == '.') {
            int len = i - start;
            if (len < 1 || len > 63 || a[start] == '-' || a[i - 1] == '-') return V_REJECT;
            labels++;
            tld = start;
            start = i + 1;
        } else if (!((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= '0' && a[i] <= '9') || a[i] == '-')) {
            return V_REJECT;
        }
    }
    if (labels < 2) return V_REJECT;
    int tlen = k - tld;
    for (int i = tld; i < k; i++)
        if (a[i] < 'a' || a[i] > 'z') return V_REJECT;
    for (const char **f = FILE_SUFFIXES; *f; f++)
        if ((int)strlen(*f) == tlen && memcmp(*f, a + tld, (size_t)tlen) == 0) return V_REJECT;
    return buf_put(out, a, (size_t)k) < 0 ? -1 : V_OK;
}

/* Plates: the value is upper-case without separators; characters as code points. */
static const char *PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
static const char *SUFFIXES = "学警挂港澳使领";

static int utf8_next(const uint8_t *s, int k, int i, uint32_t *cp) {
    uint8_t c = s[i];
    int n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (n == 0 || i + n > k) return 0;
    uint32_t v = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (int j = 1; j < n; j++) {
        if ((s[i + j] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i + j] & 0x3F);
    }
    *cp = v;
    return n;
}

static int in_utf8_set(const char *set, uint32_t cp) {
    const uint8_t *s = (const uint8_t *)set;
    int k = (int)strlen(set);
    for (int i = 0; i < k;) {
        uint32_t c;
        int n = utf8_next(s, k, i, &c);
        if (!n) return 0;
        if (c == cp) return 1;
        i += n;
    }
    return 0;
}

static int plate_letter(uint32_t c) { return c >= 'A' && c <= 'Z' && c != 'I' && c != 'O'; }
static int plate_alnum(uint32_t c) { return plate_letter(c) || (c >= '0' && c <= '9'); }

static int v_plate(const Tables *t, const uint8_t *s, int k, Buf *out) {
    uint32_t cps[16];
    int offs[17], n = 0;
    for (int i = 0; i < k;) {
        uint32_t c;
        int len = utf8_next(s, k, i, &c);
        if (!len) return V_FALLBACK;
        if (c == ' ' || c == '-' || c == 0xB7 || c == 0x2022 || c == 0x30FB) {
            i += len;
            continue;
        }
        if (c >= 'a' && c <= 'z') c -= 32;
        if (c >= 0x80 && !in_utf8_set(PROVINCES, c) && !in_utf8_set(SUFFIXES, c)) return V_FALLBACK;
        if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return V_FALLBACK;
        if (n == 16) return V_REJECT;
        offs[n] = i;
        cps[n++] = c;
        i += len;
    }
    if (n != 7 && n != 8) return V_REJECT;
    if (!in_utf8_set(PROVINCES, cps[0]) || !plate_letter(cps[1])) return V_REJECT;
    const uint32_t *serial = cps + 2;
    int sl = n - 2;
    if (in_utf8_set(SUFFIXES, serial[sl - 1])) {
        if (sl - 1 != 4) return V_REJECT;
        int letters = 0;
        for (int i = 0; i < 4; i++) {
            if (!plate_alnum(serial[i])) return V_REJECT;
            letters += plate_letter(serial[i]);
        }
        if (letters > 2) return V_REJECT;
    } else {
        for (int i = 0; i < sl; i++)
            if (!plate_alnum(serial[i])) return V_REJECT;
        if (sl == 5) {
            int letters = 0;
            for (int i = 0; i < 5; i++) letters += plate_letter(serial[i]);
            if (letters > 2) return V_REJECT;
        } else { /* 6: new-energy */
            int small = strchr("ABCDEFGHJK", (int)serial[0]) != NULL && serial[0] < 0x80 && serial[0] &&
                        digits((const uint8_t[]){(uint8_t)serial[2], (uint8_t)serial[3], (uint8_t)serial[4],
                                                 (uint8_t)serial[5]}, 4);
            int large = 1;
            for (int i = 0; i < 5; i++) large &= serial[i] >= '0' && serial[i] <= '9';
            large &= serial[5] == 'D' || serial[5] == 'F';
            if (!small && !large) return V_REJECT;
        }
    }
    /* write: the characters kept, ASCII upper-cased */
    if (buf_reserve(out, (size_t)k) < 0) return -1;
    for (int i = 0; i < n; i++) {
        if (cps[i] < 0x80) {
            out->p[out->n++] = (char)cps[i];
        } else {
            uint32_t c;
            int len = utf8_next(s, k, offs[i], &c);
            copy_bytes(out->p + out->n, s + offs[i], (size_t)len);
            out->n += (size_t)len;
        }
    }
    return V_OK;
}

static validator VALIDATORS[] = {NULL, v_mobile, v_resident_id, v_landline, v_plate, v_email, v_uscc,
                                 v_bank_card, v_resident_id_legacy};
#define N_KINDS ((int)(sizeof VALIDATORS / sizeof *VALIDATORS))

/* ------------------------------------------------------------------ masking */

static int utf8_len(const uint8_t *s, int k) {
    int n = 0;
    for (int i = 0; i < k; i++) n += (s[i] & 0xC0) != 0x80;
    return n;
}

/* Byte offset of the ``chars``-th character. */
static int utf8_at(const uint8_t *s, int k, int chars) {
    int i = 0;
    while (i < k && chars > 0) {
        i++;
        while (i < k && (s[i] & 0xC0) == 0x80) i++;
        chars--;
    }
    return i;
}

static int mask_edges(Buf *out, const uint8_t *v, int k, int head, int tail) {
    int n = utf8_len(v, k);
    if (n <= head + tail) {
        for (int i = 0; i < n; i++)
            if (buf_put(out, "*", 1) < 0) return -1;
        return 0;
    }
    int h = utf8_at(v, k, head), tl = utf8_at(v, k, n - tail), stars = n - head - tail;
    if (buf_reserve(out, (size_t)(h + stars + k - tl)) < 0) return -1;
    char *o = out->p + out->n;
    copy_bytes(o, v, (size_t)h);
    memset(o + h, '*', (size_t)stars);
    copy_bytes(o + h + stars, v + tl, (size_t)(k - tl));
    out->n += (size_t)(h + stars + k - tl);
    return 0;
}

/* The C masks (MK_EDGES, MK_LANDLINE, MK_EMAIL) of a valid value; -1 on no memory. */
static int mask_value(const Tables *t, int kind, int head, int tail, const uint8_t *v, int k, Buf *out) {
    if (kind == MK_EDGES) return mask_edges(out, v, k, head, tail);
    if (kind == MK_LANDLINE) /* the area code and the last two digits (dlp.detectors.cn_landline.mask) */
        return mask_edges(out, v, k, k >= 3 && digits(v, 3) && t->area3[num(v, 3)] ? 3 : 4, 2);
    if (kind == MK_EMAIL && k > 0) { /* first character, ***, @domain (dlp.detectors.email.mask) */
        int at = k - 1;
        while (at > 0 && v[at] != '@') at--;
        if (buf_put(out, v, 1) < 0 || buf_put(out, "***", 3) < 0) return -1;
        return buf_put(out, v + at, (size_t)(k - at));
    }
    return 0;
}

/* --------------------------------------------------------------------- Lane */

struct Cand;
typedef struct {
    struct Cand *cands;
    Py_ssize_t cap;
    Buf values, out;
} Pool;

#define POOL_KEEP ((size_t)96 << 20) /* larger buffers are freed, not kept */
/* finish() hands its JSONL over in bytes objects of about this size: small enough for
 * malloc to reuse the memory of the last ones (a window's whole output, tens of MB on a
 * dense list, was faulted in afresh every time). */
#define OUT_PIECE ((size_t)1 << 22)

typedef struct {
    int native;                 /* NK_* */
    int priority;
    int extend_left, extend_left_max;
    uint8_t left[256];          /* bytes the match is extended left over */
    uint8_t joiners[256];
    int allow_extension;
    PyObject *followers;        /* tuple of bytes */
    int requires_context;
    uint64_t context;           /* keyword category bits */
    int mask_kind, head, tail;
    PyObject *validate, *mask, *unverifiable;
    PyObject *name_json, *conf_base, *conf_context, *severity;  /* bytes */
} Det;

typedef struct {
    PyObject_HEAD
    uint32_t count, ungated;    /* pattern ids below ``count``; ungated below ``ungated`` */
    uint8_t *leads, *char_start;
    int32_t *det_of;            /* pattern id -> detector index */
    int32_t *gate_cat, *gate_len;  /* for ids past ``count``: keyword category and length, or -1 */
    int32_t *trigger;           /* rule index or -1 */
    uint32_t fullwidth;         /* id of the full-width digit probe */
    uint32_t ids;
    int ndet;
    Det *dets;
    int *gated;                 /* indexes of detectors that require context */
    int ngated;
    PyObject *categories;       /* tuple of category names, index = bit */
    Tables tables;
    SHA256_CTX inner, outer;
    uint8_t near_edge[256];
    PyObject *exc;              /* exceptions a Python validator may raise for "not a value" */
    /* Buffers kept from one finish() to the next, so that a scan does not fault in fresh
     * memory per window. finish() takes them while it runs (a second thread entering it
     * meanwhile finds none and allocates its own) and gives them back. */
    Pool pool;
    Collector *spare;           /* handed out again by collector() once nobody else holds it */
#ifdef DLP_HAVE_HS
    hs_database_t *db;          /* the candidate database, when the lane scans itself */
    hs_scratch_t *scratch;      /* prototype, cloned per scan */
#endif
    Automaton automaton;        /* the patterns Hyperscan's database leaves out, when set */
    int has_automaton;
    int16_t *anchor;            /* per pattern id: the byte its matches start with, found here
                                 * (Hyperscan does not track their start), or -1 */
} Lane;

static PyTypeObject LaneType;

static void lane_dealloc(Lane *l) {
    PyMem_Free(l->leads);
    PyMem_Free(l->char_start);
    PyMem_Free(l->det_of);
    PyMem_Free(l->gate_cat);
    PyMem_Free(l->gate_len);
    PyMem_Free(l->trigger);
    PyMem_Free(l->gated);
    PyMem_Free(l->tables.regions);
    if (l->dets) {
        for (int i = 0; i < l->ndet; i++) {
            Det *d = &l->dets[i];
            Py_XDECREF(d->followers);
            Py_XDECREF(d->validate);
            Py_XDECREF(d->mask);
            Py_XDECREF(d->unverifiable);
            Py_XDECREF(d->name_json);
            Py_XDECREF(d->conf_base);
            Py_XDECREF(d->conf_context);
            Py_XDECREF(d->severity);
        }
        PyMem_Free(l->dets);
    }
    Py_XDECREF(l->categories);
    Py_XDECREF(l->exc);
    Py_XDECREF(l->spare);
    PyMem_Free(l->pool.cands);
    buf_free(&l->pool.values);
    buf_free(&l->pool.out);
#ifdef DLP_HAVE_HS
    if (l->scratch) hs_free_scratch(l->scratch);
    if (l->db) hs_free_database(l->db);
#endif
    automaton_free(&l->automaton);
    PyMem_Free(l->anchor);
    Py_TYPE(l)->tp_free((PyObject *)l);
}

static int fill_table(PyObject *codes, uint8_t *t3, uint8_t *t4, uint8_t *t6) {
    PyObject *it = PyObject_GetIter(codes), *item;
    if (!it) return -1;
    while ((item = PyIter_Next(it))) {
        Py_ssize_t k;
        const char *s = PyUnicode_AsUTF8AndSize(item, &k);
        if (!s) {
            Py_DECREF(item);
            Py_DECREF(it);
            return -1;
        }
        if (digits((const uint8_t *)s, (int)k)) {
            int v = num((const uint8_t *)s, (int)k);
            if (k == 3 && t3) t3[v] = 1;
            if (k == 4 && t4) t4[v] = 1;
            if (k == 6 && t6) t6[v] = 1;
        }
        Py_DECREF(item);
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

static int bytes_table(PyObject *b, uint8_t *table) {
    char *s;
    Py_ssize_t k;
    if (PyBytes_AsStringAndSize(b, &s, &k) < 0) return -1;
    for (Py_ssize_t i = 0; i < k; i++) table[(uint8_t)s[i]] = 1;
    return 0;
}

static void hmac_init(Lane *l, const uint8_t *key, size_t k) {
    uint8_t block[64], pad[64];
    memset(block, 0, 64);
    if (k > 64) SHA256(key, k, block);
    else memcpy(block, key, k);
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&l->inner);
    SHA256_Update(&l->inner, pad, 64);
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x5C;
    SHA256_Init(&l->outer);
    SHA256_Update(&l->outer, pad, 64);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BIG_ENDIAN_64(x) __builtin_bswap64(x)
#define BIG_ENDIAN_32(x) __builtin_bswap32(x)
#else
#define BIG_ENDIAN_64(x) (x)
#define BIG_ENDIAN_32(x) (x)
#endif

/* The last block of a SHA-256 hash whose state ``h`` has taken one 64-byte block (a
 * key pad) and whose message ends with the ``k`` <= 55 bytes ``m``: padded here and
 * compressed once, without SHA256_Update/Final's buffering and cleansing, which cost
 * more than the compression itself for a value a few dozen bytes long. */
static void sha256_after_pad(const SHA256_CTX *h, const uint8_t *m, size_t k, uint8_t digest[32]) {
    SHA256_CTX c;
    memcpy(c.h, h->h, sizeof c.h);
    uint64_t words[8] = {0}; /* the block, built in words: no byte stores for the hash to wait on */
    memcpy(words, m, k);
    ((uint8_t *)words)[k] = 0x80;
    words[7] = BIG_ENDIAN_64((uint64_t)(64 + k) * 8);
    SHA256_Transform(&c, (const uint8_t *)words);
    for (int i = 0; i < 8; i++) {
        uint32_t w = BIG_ENDIAN_32((uint32_t)c.h[i]);
        memcpy(digest + 4 * i, &w, 4);
    }
}

static void hmac(const Lane *l, const uint8_t *v, size_t k, uint8_t digest[32]) {
    if (k <= 55) {
        uint8_t inner[32];
        sha256_after_pad(&l->inner, v, k, inner);
        sha256_after_pad(&l->outer, inner, 32, digest);
        return;
    }
    SHA256_CTX c = l->inner;
    uint8_t inner[32];
    SHA256_Update(&c, v, k);
    SHA256_Final(inner, &c);
    c = l->outer;
    SHA256_Update(&c, inner, 32);
    SHA256_Final(digest, &c);
}

/*
 * Lane(key, patterns, extra, detectors, categories, tables, exceptions)
 *   patterns:   [(detector index, lead, char_start)] per pattern id; the first
 *               ``ungated`` are ungated detectors' (passed as the ``ungated`` item of extra)
 *   extra:      (ungated, [(kind, a, b)] per id past the patterns, fullwidth id)
 *               kind 0: gate keyword (category index a, length b); 1: trigger (rule index a)
 *   detectors:  [(native, priority, extend_left bytes, extend_left_max, joiners bytes,
 *                 allow_extension, followers tuple, requires_context, context bits,
 *                 mask kind, head, tail, validate, mask, unverifiable,
 *                 name json, base confidence json, context confidence json, severity json)]
 *   categories: tuple of keyword category names (bit i = categories[i])
 *   tables:     (mobile prefixes, regions, area codes) as iterables of digit strings
 */
static int lane_init(Lane *l, PyObject *args, PyObject *kwargs) {
    Py_buffer key;
    PyObject *patterns, *extra, *detectors, *categories, *tables, *exc;
    if (!PyArg_ParseTuple(args, "y*O!O!O!O!O!O", &key, &PyList_Type, &patterns, &PyTuple_Type, &extra,
                          &PyList_Type, &detectors, &PyTuple_Type, &categories, &PyTuple_Type, &tables, &exc))
        return -1;
    hmac_init(l, key.buf, (size_t)key.len);
    PyBuffer_Release(&key);
    Py_INCREF(exc);
    l->exc = exc;
    Py_INCREF(categories);
    l->categories = categories;
    if (PyTuple_GET_SIZE(categories) > 64) {
        PyErr_SetString(PyExc_ValueError, "at most 64 keyword categories");
        return -1;
    }
    PyObject *rest;
    unsigned int ungated, fullwidth;
    if (!PyArg_ParseTuple(extra, "IO!I", &ungated, &PyList_Type, &rest, &fullwidth)) return -1;
    l->count = (uint32_t)PyList_GET_SIZE(patterns);
    l->ungated = ungated;
    l->fullwidth = fullwidth;
    l->ids = l->count + (uint32_t)PyList_GET_SIZE(rest);
    l->leads = PyMem_Calloc(l->count + 1, 1);
    l->char_start = PyMem_Calloc(l->count + 1, 1);
    l->det_of = PyMem_Calloc(l->count + 1, sizeof(int32_t));
    l->gate_cat = PyMem_Calloc(l->ids + 1, sizeof(int32_t));
    l->gate_len = PyMem_Calloc(l->ids + 1, sizeof(int32_t));
    l->trigger = PyMem_Calloc(l->ids + 1, sizeof(int32_t));
    l->tables.regions = PyMem_Calloc(1000000, 1);
    l->anchor = PyMem_Calloc(l->count + 1, sizeof(int16_t));
    if (!l->leads || !l->char_start || !l->det_of || !l->gate_cat || !l->gate_len || !l->trigger ||
        !l->tables.regions || !l->anchor) {
        PyErr_NoMemory();
        return -1;
    }
    for (uint32_t i = 0; i < l->ids; i++) l->gate_cat[i] = l->trigger[i] = -1;
    for (uint32_t i = 0; i < l->count; i++) l->anchor[i] = -1;
    for (uint32_t i = 0; i < l->count; i++) {
        int det, lead, cs;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(patterns, i), "iii", &det, &lead, &cs)) return -1;
        l->det_of[i] = det;
        l->leads[i] = (uint8_t)lead;
        l->char_start[i] = (uint8_t)cs;
    }
    for (Py_ssize_t j = 0; j < PyList_GET_SIZE(rest); j++) {
        int kind, a, b;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(rest, j), "iii", &kind, &a, &b)) return -1;
        uint32_t id = l->count + (uint32_t)j;
        if (kind == 0) {
            l->gate_cat[id] = a;
            l->gate_len[id] = b;
        } else if (kind == 1) {
            l->trigger[id] = a;
        }
    }
    l->ndet = (int)PyList_GET_SIZE(detectors);
    l->dets = PyMem_Calloc((size_t)l->ndet + 1, sizeof(Det));
    l->gated = PyMem_Calloc((size_t)l->ndet + 1, sizeof(int));
    if (!l->dets || !l->gated) {
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < l->ndet; i++) {
        Det *d = &l->dets[i];
        PyObject *left, *joiners;
        unsigned long long context;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(detectors, i), "iiSiSpO!pKiiiOOOSSSS", &d->native, &d->priority,
                              &left, &d->extend_left_max, &joiners, &d->allow_extension, &PyTuple_Type,
                              &d->followers, &d->requires_context, &context, &d->mask_kind, &d->head, &d->tail,
                              &d->validate, &d->mask, &d->unverifiable, &d->name_json, &d->conf_base,
                              &d->conf_context, &d->severity))
            return -1;
        if (d->native < 0 || d->native >= N_KINDS) {
            PyErr_SetString(PyExc_ValueError, "unknown native validator");
            return -1;
        }
        d->context = context;
        d->extend_left = PyBytes_GET_SIZE(left) > 0;
        if (bytes_table(left, d->left) < 0 || bytes_table(joiners, d->joiners) < 0) return -1;
        Py_INCREF(d->followers);
        Py_INCREF(d->validate);
        Py_INCREF(d->mask);
        Py_INCREF(d->unverifiable);
        Py_INCREF(d->name_json);
        Py_INCREF(d->conf_base);
        Py_INCREF(d->conf_context);
        Py_INCREF(d->severity);
        if (d->requires_context) l->gated[l->ngated++] = i;
        for (int b = 0; b < 256; b++)
            if (d->joiners[b]) l->near_edge[b] = 1;
    }
    for (int b = 0; b < 256; b++)
        if ((b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '.' || b == '-')
            l->near_edge[b] = 1;
    PyObject *mobile, *regions, *areas;
    if (!PyArg_ParseTuple(tables, "OOO", &mobile, &regions, &areas)) return -1;
    if (fill_table(mobile, l->tables.mobile3, l->tables.mobile4, NULL) < 0 ||
        fill_table(regions, NULL, NULL, l->tables.regions) < 0 ||
        fill_table(areas, l->tables.area3, l->tables.area4, NULL) < 0)
        return -1;
    memcpy(l->tables.today, "00000000", 9);
    return 0;
}

static PyObject *lane_collector(Lane *l, PyObject *noargs) {
    Collector *c = l->spare;
    if (c && Py_REFCNT(c) == 1) { /* only the lane holds it: its arrays are reused */
        c->n = c->head_from = 0;
        c->mode = 0;
        c->base = 0;
        Py_INCREF(c);
        return (PyObject *)c;
    }
    c = PyObject_New(Collector, &CollectorType);
    if (!c) return NULL;
    c->ids = NULL;
    c->starts = c->ends = NULL;
    c->n = c->cap = c->head_from = 0;
    c->mode = 0;
    c->base = 0;
    c->count = l->count;
    c->leads = PyMem_Malloc(l->count + 1);
    if (!c->leads) {
        Py_DECREF(c);
        return PyErr_NoMemory();
    }
    memcpy(c->leads, l->leads, l->count + 1);
    if (!l->spare) {
        Py_INCREF(c);
        l->spare = c;
    }
    return (PyObject *)c;
}

/* (full-width digit seen, sorted rule indexes of the signature triggers seen) */
static PyObject *lane_flags(Lane *l, PyObject *arg) {
    if (!PyObject_TypeCheck(arg, &CollectorType)) {
        PyErr_SetString(PyExc_TypeError, "flags() takes a Collector");
        return NULL;
    }
    Collector *c = (Collector *)arg;
    int fullwidth = 0;
    PyObject *rules = PySet_New(NULL);
    if (!rules) return NULL;
    for (Py_ssize_t i = 0; i < c->n; i++) {
        uint32_t id = c->ids[i];
        if (id < l->count || id >= l->ids) continue;
        if (id == l->fullwidth) fullwidth = 1;
        else if (l->trigger[id] >= 0) {
            PyObject *r = PyLong_FromLong(l->trigger[id]);
            if (!r || PySet_Add(rules, r) < 0) {
                Py_XDECREF(r);
                Py_DECREF(rules);
                return NULL;
            }
            Py_DECREF(r);
        }
    }
    return Py_BuildValue("(NN)", PyBool_FromLong(fullwidth), rules);
}

typedef struct Cand {
    int64_t start, end;
    int det, seq, unknown;
    size_t voff;
    int vlen;
    PyObject *value;  /* Python-validated value (str), else NULL */
} Cand;

static int cand_cmp(const void *a, const void *b) {
    const Cand *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->seq - y->seq;
}

typedef struct {
    int64_t *v;
    Py_ssize_t n, cap;
} Ints;

static int ints_push(Ints *a, int64_t x) {
    if (a->n == a->cap) {
        Py_ssize_t cap = a->cap ? a->cap * 2 : 64;
        int64_t *v = PyMem_Realloc(a->v, (size_t)cap * sizeof *v);
        if (!v) {
            PyErr_NoMemory();
            return -1;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

static int int64_cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* First index with a[i] >= x. */
static Py_ssize_t lower_bound(const int64_t *a, Py_ssize_t n, int64_t x) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (a[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int is_alnum(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* dlp.engine.matcher.boundary_ok */
static int boundary_ok(const uint8_t *b, int64_t size, int64_t start, int64_t end, int allow_ext,
                       const uint8_t *joiners) {
    if (start > 0) {
        uint8_t prev = b[start - 1];
        if (is_alnum(prev) || joiners[prev]) return 0;
        if ((prev == '.' || prev == '-') && start > 1 && is_digit(b[start - 2])) return 0;
    }
    if (end < size) {
        uint8_t nxt = b[end];
        int continues = joiners[nxt] && (nxt == '.' || nxt == '-' || nxt == '_');
        if (is_alnum(nxt) || (continues && end + 1 < size && is_alnum(b[end + 1]))) return 0;
        int digit_follows = end + 1 < size && is_digit(b[end + 1]);
        if (digit_follows && (nxt == '.' || (nxt == '-' && !allow_ext))) return 0;
    }
    return 1;
}

/* The spans confirmed last, with the highest priority that confirmed each. Hyperscan
 * reports matches by end offset, so the patterns matching one span (a resident ID is
 * also USCC-shaped) arrive together: a short ring finds them without a map of the
 * whole window, whose lookups missed the cache once per candidate. Skipping is only
 * a saving (overlap resolution drops a same-span, lower-priority candidate anyway),
 * so a span the ring has forgotten is merely validated again. */
#define RECENT 16

typedef struct {
    int64_t start, end;
    int prio;
} Recent;

/* The ring's entry for [start, end), or -1. */
static int recent_find(const Recent *r, int n, int64_t start, int64_t end) {
    for (int i = 0; i < n; i++)
        if (r[i].start == start && r[i].end == end) return i;
    return -1;
}

typedef struct {
    Lane *l;
    const uint8_t *data;
    int64_t size;
    Buf values;
    Cand *cands;
    Py_ssize_t n, cap;
    Recent recent[RECENT];
    int nrecent, next_recent;
    int seq;
} Work;

/* dlp.engine.matcher.Matcher._validate for one raw candidate. */
static int validate_one(Work *w, int di, int64_t start, int64_t end) {
    Lane *l = w->l;
    Det *d = &l->dets[di];
    const uint8_t *data = w->data;
    if (d->extend_left) {
        int64_t low = start - d->extend_left_max > 0 ? start - d->extend_left_max : 0;
        int64_t pos = start;
        while (pos > low && d->left[data[pos - 1]]) pos--;
        if (pos == start || (pos == low && pos > 0 && d->left[data[pos - 1]])) return 0;
        start = pos;
    }
    int seen = recent_find(w->recent, w->nrecent, start, end);
    if (seen >= 0 && w->recent[seen].prio > d->priority) return 0;
    int64_t size = w->size;
    if (((start > 0 && l->near_edge[data[start - 1]]) || (end < size && l->near_edge[data[end]])) &&
        !boundary_ok(data, size, start, end, d->allow_extension, d->joiners))
        return 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(d->followers); i++) {
        PyObject *f = PyTuple_GET_ITEM(d->followers, i);
        Py_ssize_t k = PyBytes_GET_SIZE(f);
        if (end + k <= size && memcmp(data + end, PyBytes_AS_STRING(f), (size_t)k) == 0) return 0;
    }
    size_t voff = w->values.n;
    int verdict = V_FALLBACK;
    if (d->native) verdict = VALIDATORS[d->native](&l->tables, data + start, (int)(end - start), &w->values);
    if (verdict < 0) return -1;
    if (verdict == V_REJECT) {
        w->values.n = voff;
        return 0;
    }
    PyObject *value = NULL;
    int unknown = 0;
    if (verdict == V_FALLBACK) {
        w->values.n = voff;
        PyObject *text = PyUnicode_DecodeUTF8((const char *)data + start, (Py_ssize_t)(end - start), "replace");
        if (!text) return -1;
        value = PyObject_CallOneArg(d->validate, text);
        Py_DECREF(text);
        if (!value) {
            if (PyErr_ExceptionMatches(l->exc)) {
                PyErr_Clear();
                return 0;
            }
            return -1;
        }
        Py_ssize_t k;
        const char *s = PyUnicode_AsUTF8AndSize(value, &k);
        if (!s || buf_put(&w->values, s, (size_t)k) < 0) {
            Py_DECREF(value);
            return -1;
        }
    }
    if (d->unverifiable != Py_None) {
        PyObject *v = value;
        if (!v) v = PyUnicode_DecodeUTF8(w->values.p + voff, (Py_ssize_t)(w->values.n - voff), "strict");
        if (!v) return -1;
        PyObject *r = PyObject_CallOneArg(d->unverifiable, v);
        if (v != value) Py_DECREF(v);
        if (!r) {
            Py_XDECREF(value);
            return -1;
        }
        unknown = PyObject_IsTrue(r);
        Py_DECREF(r);
    }
    if (w->n == w->cap) {
        Py_ssize_t cap = w->cap ? w->cap * 2 : 256;
        Cand *c = PyMem_Realloc(w->cands, (size_t)cap * sizeof *c);
        if (!c) {
            Py_XDECREF(value);
            PyErr_NoMemory();
            return -1;
        }
        w->cands = c;
        w->cap = cap;
    }
    Cand *c = &w->cands[w->n++];
    c->start = start;
    c->end = end;
    c->det = di;
    c->seq = w->seq++;
    c->unknown = unknown;
    c->voff = voff;
    c->vlen = (int)(w->values.n - voff);
    c->value = value;
    if (!unknown) {
        int i = recent_find(w->recent, w->nrecent, start, end);
        if (i < 0) {
            i = w->next_recent;
            w->next_recent = (w->next_recent + 1) % RECENT;
            if (w->nrecent < RECENT) w->nrecent++;
            w->recent[i].start = start;
            w->recent[i].end = end;
            w->recent[i].prio = d->priority;
        } else if (d->priority > w->recent[i].prio) {
            w->recent[i].prio = d->priority;
        }
    }
    return 0;
}

/* Keep non-overlapping candidates of a cluster: longest first, then priority, then start. */
typedef struct {
    Cand *c;
    int prio;
} Ranked;

static int ranked_cmp(const void *a, const void *b) {
    const Cand *x = ((const Ranked *)a)->c, *y = ((const Ranked *)b)->c;
    int64_t lx = x->end - x->start, ly = y->end - y->start;
    if (lx != ly) return lx > ly ? -1 : 1;
    int px = ((const Ranked *)a)->prio, py = ((const Ranked *)b)->prio;
    if (px != py) return px > py ? -1 : 1;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->seq - y->seq;
}

/* merge(): sorted spans widened by low/high, overlapping ones merged (in place). */
static Py_ssize_t merge_spans(int64_t *lo, int64_t *hi, Py_ssize_t n, int64_t low, int64_t high) {
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t a = lo[i] - low > 0 ? lo[i] - low : 0, b = hi[i] + high;
        if (m && a <= hi[m - 1]) {
            if (b > hi[m - 1]) hi[m - 1] = b;
        } else {
            lo[m] = a;
            hi[m] = b;
            m++;
        }
    }
    return m;
}

/* Take the lane's pooled buffers for one finish() (empty ones when another holds them). */
static void pool_take(Lane *l, Work *w, Buf *out) {
    Pool *p = &l->pool;
    w->cands = p->cands;
    w->cap = p->cap;
    w->values = p->values;
    w->values.n = 0;
    *out = p->out;
    out->n = 0;
    memset(p, 0, sizeof *p);
}

static void keep_buf(Buf *slot, Buf *b) {
    if (!slot->p && b->cap <= POOL_KEEP) {
        *slot = *b;
        memset(b, 0, sizeof *b);
    }
    buf_free(b);
}

/* Give the buffers back to the pool (or free them when it has its own again or they are huge). */
static void work_free(Work *w, Buf *out) {
    Pool *p = &w->l->pool;
    for (Py_ssize_t i = 0; i < w->n; i++) Py_XDECREF(w->cands[i].value);
    if (!p->cands && (size_t)w->cap * sizeof *w->cands <= POOL_KEEP) {
        p->cands = w->cands;
        p->cap = w->cap;
    } else {
        PyMem_Free(w->cands);
    }
    keep_buf(&p->values, &w->values);
    keep_buf(&p->out, out);
}

/* The constant stretches of a detector's JSONL record in one finish() call: up to the
 * masked value, and from the confidence to the offset (without and with context). */
typedef struct {
    char *head, *mid_base, *mid_context; /* one allocation, at head */
    size_t head_len, mid_base_len, mid_context_len;
} Parts;

static int render_parts(Parts *pp, const Det *d, const char *path_json, size_t path_len) {
    static const char type[] = "{\"type\":\"finding\",\"path\":", detector[] = ",\"detector\":",
                      masked[] = ",\"masked\":", confidence[] = "\",\"confidence\":", severity[] = ",\"severity\":",
                      offset[] = ",\"location\":{\"offset\":";
    Buf b = {0};
    PyObject *confs[2] = {d->conf_base, d->conf_context};
    size_t ends[3];
    if (buf_put(&b, type, sizeof type - 1) < 0 || buf_put(&b, path_json, path_len) < 0 ||
        buf_put(&b, detector, sizeof detector - 1) < 0 ||
        buf_put(&b, PyBytes_AS_STRING(d->name_json), (size_t)PyBytes_GET_SIZE(d->name_json)) < 0 ||
        buf_put(&b, masked, sizeof masked - 1) < 0)
        goto fail;
    ends[0] = b.n;
    for (int k = 0; k < 2; k++) {
        PyObject *conf = confs[k];
        if (buf_put(&b, confidence, sizeof confidence - 1) < 0 ||
            buf_put(&b, PyBytes_AS_STRING(conf), (size_t)PyBytes_GET_SIZE(conf)) < 0 ||
            buf_put(&b, severity, sizeof severity - 1) < 0 ||
            buf_put(&b, PyBytes_AS_STRING(d->severity), (size_t)PyBytes_GET_SIZE(d->severity)) < 0 ||
            buf_put(&b, offset, sizeof offset - 1) < 0)
            goto fail;
        ends[k + 1] = b.n;
    }
    pp->head = b.p;
    pp->head_len = ends[0];
    pp->mid_base = b.p + ends[0];
    pp->mid_base_len = ends[1] - ends[0];
    pp->mid_context = b.p + ends[1];
    pp->mid_context_len = ends[2] - ends[1];
    return 0;
fail:
    buf_free(&b);
    return -1;
}

/* Append what ``out`` holds to ``pieces`` as one bytes object, and empty it. */
static int flush_piece(Buf *out, PyObject *pieces) {
    PyObject *piece = PyBytes_FromStringAndSize(out->p, (Py_ssize_t)out->n);
    if (!piece || PyList_Append(pieces, piece) < 0) {
        Py_XDECREF(piece);
        return -1;
    }
    Py_DECREF(piece);
    out->n = 0;
    return 0;
}

/*
 * finish(collector, data, header_bits, lo, hi, line_base, origin, counted, today,
 *        keywords, tally, path_json)
 *
 * The JSONL of the hits in ``data`` that start in [lo, hi). Returns (pieces,
 * counted): a list of bytes (whole lines, about OUT_PIECE each), and (position,
 * newlines before it) for Window._counted.
 * ``keywords(data, spans)`` looks up the context keywords around the kept hits'
 * spans (dlp.engine.lane). Windows that need YARA never get here.
 */
static PyObject *lane_finish(Lane *l, PyObject *args) {
    PyObject *col_obj, *keywords, *tally_obj, *counted, *data_obj;
    unsigned long long header;
    long long lo, hi, line_base, origin;
    const char *today;
    Py_ssize_t today_len;
    const char *path_json;
    Py_ssize_t path_len;
    if (!PyArg_ParseTuple(args, "O!SKLLLLO!s#OO!y#", &CollectorType, &col_obj, &data_obj, &header, &lo, &hi,
                          &line_base, &origin, &PyTuple_Type, &counted, &today, &today_len, &keywords,
                          &TallyType, &tally_obj, &path_json, &path_len))
        return NULL;
    if (today_len == 8) memcpy(l->tables.today, today, 8);
    Collector *col = (Collector *)col_obj;
    Tally *tally = (Tally *)tally_obj;
    Work w = {0};
    Buf out = {0};
    w.l = l;
    pool_take(l, &w, &out);
    w.data = (const uint8_t *)PyBytes_AS_STRING(data_obj);
    w.size = PyBytes_GET_SIZE(data_obj);
    PyObject *result = NULL, *kw = NULL, *pieces = NULL;
    Parts *parts = NULL;
    Ints anchors[64] = {{0}};
    Ints gated_found = {0}; /* (pattern id, start, end) triples of gated candidates */
    Ranked *ranked = NULL;
    int64_t *wlo = NULL, *whi = NULL;
    Ints kwpos[64] = {{0}};
    int kw_loaded = 0;
    int *tally_kind_of = NULL;
    long long counted_pos, counted_n;
    if (!PyArg_ParseTuple(counted, "LL", &counted_pos, &counted_n)) goto done;
    const uint8_t *data = w.data;

    /* 1. ungated candidates, validated in match order; gate keyword anchors */
    for (Py_ssize_t i = 0; i < col->n; i++) {
        uint32_t id = col->ids[i];
        int64_t s = col->starts[i], e = col->ends[i];
        if (id < l->count) {
            int64_t first = s - 1 + l->leads[id];
            if (l->char_start[id]) {
                int64_t low = first - 3 > 0 ? first - 3 : 0;
                while (first > low && data[first] >= 0x80 && data[first] < 0xC0) first--;
            }
            if (id < l->ungated) {
                if (validate_one(&w, l->det_of[id], first, e - 2) < 0) goto done;
            } else if (ints_push(&gated_found, id) < 0 || ints_push(&gated_found, first) < 0 ||
                       ints_push(&gated_found, e - 2) < 0) {
                goto done;
            }
        } else if (id < l->ids && l->gate_cat[id] >= 0) {
            if (ints_push(&anchors[l->gate_cat[id]], e - 1 - l->gate_len[id]) < 0) goto done;
        }
    }
    /* 2. gated candidates, in match order: over the whole buffer when the header names
     *    their kind, else near their own keywords (dlp.engine.matcher._gated_candidates) */
    if (l->ngated && gated_found.n) {
        int64_t *slo[64] = {0}, *shi[64] = {0};
        Py_ssize_t ns[64] = {0};
        int mode[64] = {0}; /* per gated detector: 0 none, 1 everywhere, 2 spans */
        int failed = 0;
        for (int g = 0; g < l->ngated && g < 64 && !failed; g++) {
            Det *d = &l->dets[l->gated[g]];
            if (d->context & header) {
                mode[g] = 1;
                continue;
            }
            Py_ssize_t np = 0;
            for (int c = 0; c < 64; c++)
                if (d->context >> c & 1) np += anchors[c].n;
            if (!np) continue;
            slo[g] = PyMem_Malloc((size_t)np * sizeof(int64_t));
            shi[g] = PyMem_Malloc((size_t)np * sizeof(int64_t));
            if (!slo[g] || !shi[g]) {
                PyErr_NoMemory();
                failed = 1;
                break;
            }
            Py_ssize_t n = 0;
            for (int c = 0; c < 64; c++)
                if (d->context >> c & 1)
                    for (Py_ssize_t j = 0; j < anchors[c].n; j++) slo[g][n++] = anchors[c].v[j];
            qsort(slo[g], (size_t)n, sizeof(int64_t), int64_cmp);
            memcpy(shi[g], slo[g], (size_t)n * sizeof(int64_t));
            ns[g] = merge_spans(slo[g], shi[g], n, CONTEXT_AFTER + MAX_GATED, CONTEXT_BEFORE + MAX_GATED);
            mode[g] = 2;
        }
        for (Py_ssize_t j = 0; j + 2 < gated_found.n && !failed; j += 3) {
            int di = l->det_of[gated_found.v[j]], g = 0;
            while (g < l->ngated && l->gated[g] != di) g++;
            if (g >= 64 || !mode[g]) continue;
            int64_t s = gated_found.v[j + 1];
            if (mode[g] == 2) {
                Py_ssize_t k = lower_bound(slo[g], ns[g], s + 1) - 1; /* bisect_right - 1 */
                if (k < 0 || s >= shi[g][k]) continue;
            }
            if (validate_one(&w, di, s, gated_found.v[j + 2]) < 0) failed = 1;
        }
        for (int g = 0; g < 64; g++) {
            PyMem_Free(slo[g]);
            PyMem_Free(shi[g]);
        }
        if (failed) goto done;
    }

    /* 3. sort by start (stable), resolve overlapping clusters */
    qsort(w.cands, (size_t)w.n, sizeof *w.cands, cand_cmp);
    ranked = PyMem_Malloc(((size_t)w.n + 1) * sizeof *ranked);
    if (!ranked) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t nk = 0; /* kept candidates are marked by det >= 0; dropped get det = -1 */
    for (Py_ssize_t i = 0; i < w.n;) {
        Py_ssize_t j = i + 1;
        int64_t cend = w.cands[i].end;
        while (j < w.n && w.cands[j].start < cend) {
            if (w.cands[j].end > cend) cend = w.cands[j].end;
            j++;
        }
        if (j - i > 1) {
            Py_ssize_t m = 0;
            for (Py_ssize_t k = i; k < j; k++) {
                ranked[m].c = &w.cands[k];
                ranked[m].prio = l->dets[w.cands[k].det].priority;
                m++;
            }
            qsort(ranked, (size_t)m, sizeof *ranked, ranked_cmp);
            Py_ssize_t kept = 0;
            for (Py_ssize_t a = 0; a < m; a++) {
                Cand *c = ranked[a].c;
                int ok = 1;
                for (Py_ssize_t b = 0; b < kept; b++) {
                    Cand *k = ranked[b].c;
                    if (!(c->end <= k->start || c->start >= k->end)) {
                        ok = 0;
                        break;
                    }
                }
                if (ok) ranked[kept++].c = c;
                else c->det = -1 - c->det;
            }
            nk += kept;
        } else {
            nk++;
        }
        i = j;
    }
    /* 4. context: the header, else keywords near the kept hits */
    int need_keywords = 0;
    for (Py_ssize_t i = 0; i < w.n; i++)
        if (w.cands[i].det >= 0 && !(l->dets[w.cands[i].det].context & header)) need_keywords = 1;
    if (need_keywords) {
        wlo = PyMem_Malloc(((size_t)nk + 1) * sizeof *wlo);
        whi = PyMem_Malloc(((size_t)nk + 1) * sizeof *whi);
        if (!wlo || !whi) {
            PyErr_NoMemory();
            goto done;
        }
        Py_ssize_t m = 0;
        for (Py_ssize_t i = 0; i < w.n; i++)
            if (w.cands[i].det >= 0) {
                wlo[m] = w.cands[i].start;
                whi[m] = w.cands[i].end;
                m++;
            }
        /* the kept hits' spans: the Python side widens and merges them (matcher.merge) */
        PyObject *spans = PyList_New(m);
        if (!spans) goto done;
        for (Py_ssize_t i = 0; i < m; i++) {
            PyObject *t = Py_BuildValue("(LL)", (long long)wlo[i], (long long)whi[i]);
            if (!t) {
                Py_DECREF(spans);
                goto done;
            }
            PyList_SET_ITEM(spans, i, t);
        }
        kw = PyObject_CallFunctionObjArgs(keywords, data_obj, spans, NULL);
        Py_DECREF(spans);
        if (!kw) goto done;
        if (!PyDict_Check(kw)) {
            PyErr_SetString(PyExc_TypeError, "keywords() must return a dict");
            goto done;
        }
        for (Py_ssize_t c = 0; c < PyTuple_GET_SIZE(l->categories); c++) {
            PyObject *pos = PyDict_GetItemWithError(kw, PyTuple_GET_ITEM(l->categories, c));
            if (!pos) {
                if (PyErr_Occurred()) goto done;
                continue;
            }
            PyObject *seq = PySequence_Fast(pos, "keyword positions");
            if (!seq) goto done;
            for (Py_ssize_t j = 0; j < PySequence_Fast_GET_SIZE(seq); j++) {
                long long p = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, j));
                if ((p == -1 && PyErr_Occurred()) || ints_push(&kwpos[c], p) < 0) {
                    Py_DECREF(seq);
                    goto done;
                }
            }
            Py_DECREF(seq);
            qsort(kwpos[c].v, (size_t)kwpos[c].n, sizeof(int64_t), int64_cmp);
        }
        kw_loaded = 1;
    }
    /* 5. render the hits in [lo, hi) */
    tally_kind_of = PyMem_Malloc(((size_t)l->ndet + 1) * sizeof(int));
    if (!tally_kind_of) {
        PyErr_NoMemory();
        goto done;
    }
    for (int i = 0; i < l->ndet; i++) tally_kind_of[i] = -2; /* not looked up yet */
    int64_t cpos = counted_pos, cn = counted_n;
    Buf scratch = {0};
    parts = PyMem_Calloc((size_t)l->ndet + 1, sizeof *parts);
    if (!parts) {
        PyErr_NoMemory();
        goto done;
    }
    pieces = PyList_New(0);
    if (!pieces) goto done;
    for (Py_ssize_t i = 0; i < w.n; i++) {
        Cand *c = &w.cands[i];
        if (c->det < 0 || c->start < lo || c->start >= hi) continue;
        Det *d = &l->dets[c->det];
        /* context */
        int context = (d->context & header) != 0;
        if (!context && kw_loaded) {
            int64_t low = c->start - CONTEXT_BEFORE, high = c->end + CONTEXT_AFTER;
            for (int cat = 0; cat < 64 && !context; cat++) {
                if (!(d->context >> cat & 1) || !kwpos[cat].n) continue;
                Py_ssize_t k = lower_bound(kwpos[cat].v, kwpos[cat].n, low);
                if (k < kwpos[cat].n && kwpos[cat].v[k] <= high) context = 1;
            }
        }
        if (!context && (d->requires_context || c->unknown)) continue;
        /* masked value */
        const uint8_t *v = (const uint8_t *)w.values.p + c->voff;
        scratch.n = 0;
        if (d->mask_kind != MK_PYTHON && !c->value) {
            if (mask_value(&l->tables, d->mask_kind, d->head, d->tail, v, c->vlen, &scratch) < 0) goto fail_scratch;
        } else {
            PyObject *value = c->value;
            if (value) Py_INCREF(value);
            else value = PyUnicode_DecodeUTF8((const char *)v, c->vlen, "strict");
            if (!value) goto fail_scratch;
            PyObject *m = PyObject_CallOneArg(d->mask, value);
            Py_DECREF(value);
            if (!m) goto fail_scratch;
            Py_ssize_t mk;
            const char *ms = PyUnicode_AsUTF8AndSize(m, &mk);
            if (!ms || buf_put(&scratch, ms, (size_t)mk) < 0) {
                Py_DECREF(m);
                goto fail_scratch;
            }
            Py_DECREF(m);
        }
        /* fingerprint, line, record */
        uint8_t digest[32];
        hmac(l, v, (size_t)c->vlen, digest);
        if (tally_kind_of[c->det] == -2) {
            PyObject *name = PyUnicode_FromStringAndSize(PyBytes_AS_STRING(d->name_json) + 1,
                                                         PyBytes_GET_SIZE(d->name_json) - 2);
            if (!name) goto fail_scratch;
            tally_kind_of[c->det] = tally_kind(tally, name);
            Py_DECREF(name);
            if (tally_kind_of[c->det] < 0) goto fail_scratch;
        }
        uint64_t prefix = 0;
        for (int k = 0; k < 8; k++) prefix = (prefix << 8) | digest[k];
        if (c->start >= cpos) {
            cn += count_newlines(data + cpos, c->start - cpos);
        } else {
            cn = count_newlines(data, c->start);
        }
        cpos = c->start;
        long long line = line_base + 1 + cn;
        /* the record: {"type":"finding","path":..,"detector":..,"masked":..,"fingerprint":..,
         * "confidence":..,"severity":..,"location":{"offset":..,"line":..}}, its constant
         * stretches rendered once per detector (and context) */
        if (!parts[c->det].head && render_parts(&parts[c->det], d, path_json, (size_t)path_len) < 0)
            goto fail_scratch;
        const Parts *pp = &parts[c->det];
        size_t mid = context ? pp->mid_context_len : pp->mid_base_len;
        if (buf_reserve(&out, pp->head_len + 6 * scratch.n + 2 + 16 + 64 + mid + 2 * INT_MAX_CHARS + 11) < 0)
            goto fail_scratch;
        char *o = out.p + out.n;
        copy_bytes(o, pp->head, pp->head_len);
        o = put_json(o + pp->head_len, scratch.p, scratch.n);
        memcpy(o, ",\"fingerprint\":\"", 16);
        digest_hex(digest, o + 16);
        o += 16 + 64;
        copy_bytes(o, context ? pp->mid_context : pp->mid_base, mid);
        o = put_int(o + mid, origin + c->start);
        memcpy(o, ",\"line\":", 8);
        o = put_int(o + 8, line);
        memcpy(o, "}}\n", 3);
        out.n = (size_t)(o + 3 - out.p);
        if (tally_add(tally, tally_kind_of[c->det], prefix, line) < 0) goto fail_scratch;
        if (out.n >= OUT_PIECE && flush_piece(&out, pieces) < 0) goto fail_scratch;
        continue;
    fail_scratch:
        buf_free(&scratch);
        goto done;
    }
    buf_free(&scratch);
    if (out.n && flush_piece(&out, pieces) < 0) goto done;
    result = Py_BuildValue("(O(LL))", pieces, (long long)cpos, (long long)cn);
done:
    Py_XDECREF(pieces);
    if (parts) {
        for (int i = 0; i < l->ndet; i++) PyMem_Free(parts[i].head);
        PyMem_Free(parts);
    }
    Py_XDECREF(kw);
    for (int c = 0; c < 64; c++) {
        PyMem_Free(anchors[c].v);
        PyMem_Free(kwpos[c].v);
    }
    PyMem_Free(gated_found.v);
    PyMem_Free(ranked);
    PyMem_Free(wlo);
    PyMem_Free(whi);
    PyMem_Free(tally_kind_of);
    work_free(&w, &out);
    return result;
}

/* validate(kind, candidate, today) -> value bytes, None (rejected) or NotImplemented (Python decides) */
static PyObject *native_validate(PyObject *module, PyObject *args) {
    PyObject *lane;
    int kind;
    Py_buffer cand;
    const char *today;
    Py_ssize_t tk;
    if (!PyArg_ParseTuple(args, "O!iy*s#", &LaneType, &lane, &kind, &cand, &today, &tk)) return NULL;
    if (kind <= 0 || kind >= N_KINDS || tk != 8) {
        PyBuffer_Release(&cand);
        PyErr_SetString(PyExc_ValueError, "bad kind or date");
        return NULL;
    }
    Lane *l = (Lane *)lane;
    memcpy(l->tables.today, today, 8);
    Buf out = {0};
    int r = VALIDATORS[kind](&l->tables, cand.buf, (int)cand.len, &out);
    PyBuffer_Release(&cand);
    PyObject *res;
    if (r < 0) res = NULL;
    else if (r == V_REJECT) res = Py_NewRef(Py_None);
    else if (r == V_FALLBACK) res = Py_NewRef(Py_NotImplemented);
    else res = PyBytes_FromStringAndSize(out.p, (Py_ssize_t)out.n);
    buf_free(&out);
    return res;
}

/* hmac_hex(lane, value) -> the fingerprint the lane writes (for tests) */
static PyObject *native_hmac_hex(PyObject *module, PyObject *args) {
    PyObject *lane;
    Py_buffer v;
    if (!PyArg_ParseTuple(args, "O!y*", &LaneType, &lane, &v)) return NULL;
    uint8_t digest[32];
    hmac((Lane *)lane, v.buf, (size_t)v.len, digest);
    PyBuffer_Release(&v);
    char fp[64];
    digest_hex(digest, fp);
    return PyUnicode_FromStringAndSize(fp, 64);
}

/* mask(kind, head, tail, value) with the lane's tables (for tests) */
static PyObject *native_mask(PyObject *module, PyObject *args) {
    PyObject *lane;
    int kind, head, tail;
    Py_buffer v;
    if (!PyArg_ParseTuple(args, "O!iiiy*", &LaneType, &lane, &kind, &head, &tail, &v)) return NULL;
    Lane *l = (Lane *)lane;
    Buf out = {0};
    int r = mask_value(&l->tables, kind, head, tail, v.buf, (int)v.len, &out);
    PyBuffer_Release(&v);
    PyObject *res = r < 0 ? NULL : PyUnicode_DecodeUTF8(out.p ? out.p : "", (Py_ssize_t)out.n, "strict");
    buf_free(&out);
    return res;
}

#ifdef DLP_HAVE_HS
/* The same database as dlp.engine.candidates.HyperscanCandidates, compiled by the
 * Hyperscan library this module links, so that matches reach C without a Python call. */

static int lane_set_db(Lane *l, hs_database_t *db) {
    hs_scratch_t *scratch = NULL;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
        hs_free_database(db);
        PyErr_SetString(PyExc_RuntimeError, "hyperscan: cannot allocate scratch space");
        return -1;
    }
    if (l->scratch) hs_free_scratch(l->scratch);
    if (l->db) hs_free_database(l->db);
    l->db = db;
    l->scratch = scratch;
    return 0;
}

/* compile(expressions, flags, ids) -> serialized database (for the caller's cache) */
static PyObject *lane_compile(Lane *l, PyObject *args) {
    PyObject *exprs, *flags, *id_list;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &exprs, &PyList_Type, &flags, &PyList_Type, &id_list))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(exprs);
    if (PyList_GET_SIZE(flags) != n || PyList_GET_SIZE(id_list) != n) {
        PyErr_SetString(PyExc_ValueError, "one flag and one id per expression");
        return NULL;
    }
    const char **e = PyMem_Calloc((size_t)n + 1, sizeof *e);
    unsigned int *f = PyMem_Calloc((size_t)n + 1, sizeof *f), *ids = PyMem_Calloc((size_t)n + 1, sizeof *ids);
    PyObject *result = NULL;
    if (!e || !f || !ids) {
        PyErr_NoMemory();
        goto out;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        e[i] = PyBytes_AsString(PyList_GET_ITEM(exprs, i));
        f[i] = (unsigned int)PyLong_AsUnsignedLong(PyList_GET_ITEM(flags, i));
        ids[i] = (unsigned int)PyLong_AsUnsignedLong(PyList_GET_ITEM(id_list, i));
        if (!e[i] || PyErr_Occurred()) goto out;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    if (hs_compile_multi(e, f, ids, (unsigned int)n, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        PyErr_Format(PyExc_ValueError, "hyperscan: %s (expression %d)", err ? err->message : "?",
                     err ? err->expression : -1);
        hs_free_compile_error(err);
        goto out;
    }
    char *blob = NULL;
    size_t size = 0;
    if (hs_serialize_database(db, &blob, &size) != HS_SUCCESS) {
        hs_free_database(db);
        PyErr_SetString(PyExc_RuntimeError, "hyperscan: cannot serialize the database");
        goto out;
    }
    result = PyBytes_FromStringAndSize(blob, (Py_ssize_t)size);
    free(blob);
    if (result && lane_set_db(l, db) < 0) Py_CLEAR(result);
out:
    PyMem_Free(e);
    PyMem_Free(f);
    PyMem_Free(ids);
    return result;
}

/* load(serialized) -> True, or False when the blob is not for this library */
static PyObject *lane_load(Lane *l, PyObject *arg) {
    char *blob;
    Py_ssize_t size;
    if (PyBytes_AsStringAndSize(arg, &blob, &size) < 0) return NULL;
    hs_database_t *db = NULL;
    if (hs_deserialize_database(blob, (size_t)size, &db) != HS_SUCCESS) Py_RETURN_FALSE;
    if (lane_set_db(l, db) < 0) return NULL;
    Py_RETURN_TRUE;
}

static int on_automaton_match(void *ctx, uint32_t id, int64_t start, int64_t end) {
    /* as Hyperscan reports it in the sentinel buffer: boundary bytes included */
    return collector_push((Collector *)ctx, id, start, end + 2);
}

/* One Hyperscan scan's context: where its matches go, and for the patterns compiled
 * without start-of-match tracking (Lane.anchor), the last place of their first byte. */
typedef struct {
    Collector *c;
    const Lane *l;
    const uint8_t *buf;
    int64_t *last, *upto; /* per pattern id: last occurrence of its anchor byte before upto */
} ScanCtx;

static void scan_ctx_reset(ScanCtx *x, const void *buf) {
    x->buf = buf;
    for (uint32_t i = 0; i < x->l->count; i++) {
        x->last[i] = -1;
        x->upto[i] = 0;
    }
}

/* The start of a match ending at ``to`` of a pattern whose body starts with the only
 * ``anchor`` byte in it: the last such byte before the trailing boundary byte. Matches
 * come in order of their end, so the buffer is searched once, forwards. */
static int64_t anchored_start(ScanCtx *x, uint32_t id, int64_t to) {
    uint8_t b = (uint8_t)x->l->anchor[id];
    int64_t end = to - 1;
    if (end < x->upto[id]) { /* out of order: look back from here */
        int64_t i = end - 1;
        while (i >= 0 && x->buf[i] != b) i--;
        return i;
    }
    const uint8_t *p = x->buf + x->upto[id], *stop = x->buf + end, *q;
    while (p < stop && (q = memchr(p, b, (size_t)(stop - p))) != NULL) {
        x->last[id] = q - x->buf;
        p = q + 1;
    }
    x->upto[id] = end;
    return x->last[id];
}

static int on_hs_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                       void *ctx) {
    ScanCtx *x = ctx;
    int64_t start = (int64_t)from;
    if (id < x->l->count && x->l->anchor[id] >= 0) {
        start = anchored_start(x, id, (int64_t)to);
        if (start < 0) return 0;
    }
    return collector_store(x->c, id, start, (int64_t)to) < 0;  /* halt when out of memory */
}

/* scan(collector, data): the scans of HyperscanCandidates._scan, into the collector,
 * without the GIL and without a Python call per match. */
static PyObject *lane_scan(Lane *l, PyObject *args) {
    PyObject *col_obj, *data_obj;
    if (!PyArg_ParseTuple(args, "O!S", &CollectorType, &col_obj, &data_obj)) return NULL;
    if (!l->db) {
        PyErr_SetString(PyExc_RuntimeError, "no database: compile() or load() first");
        return NULL;
    }
    Collector *c = (Collector *)col_obj;
    const char *data = PyBytes_AS_STRING(data_obj);
    size_t size = (size_t)PyBytes_GET_SIZE(data_obj);
    hs_scratch_t *scratch = NULL;
    if (hs_clone_scratch(l->scratch, &scratch) != HS_SUCCESS) return PyErr_NoMemory();
    char *edge = malloc(size <= 2 * EDGE ? size + 2 : EDGE + 1);
    if (!edge) {
        hs_free_scratch(scratch);
        return PyErr_NoMemory();
    }
    int64_t *anchor_state = malloc(2 * ((size_t)l->count + 1) * sizeof(int64_t));
    if (!anchor_state) {
        free(edge);
        hs_free_scratch(scratch);
        return PyErr_NoMemory();
    }
    ScanCtx x = {c, l, NULL, anchor_state, anchor_state + l->count + 1};
    hs_error_t rc = HS_SUCCESS;
    Py_BEGIN_ALLOW_THREADS
    if (size <= 2 * EDGE) {
        edge[0] = '\n';
        memcpy(edge + 1, data, size);
        edge[size + 1] = '\n';
        collector_begin(c, 0, 0);
        scan_ctx_reset(&x, edge);
        rc = hs_scan(l->db, edge, (unsigned int)(size + 2), 0, scratch, on_hs_match, &x);
    } else {
        collector_begin(c, 1, 0);
        scan_ctx_reset(&x, data);
        rc = hs_scan(l->db, data, (unsigned int)size, 0, scratch, on_hs_match, &x);
        if (rc == HS_SUCCESS) {
            edge[0] = '\n';
            memcpy(edge + 1, data, EDGE);
            collector_begin(c, 2, 0);
            scan_ctx_reset(&x, edge);
            rc = hs_scan(l->db, edge, EDGE + 1, 0, scratch, on_hs_match, &x);
        }
        if (rc == HS_SUCCESS) {
            memcpy(edge, data + size - EDGE, EDGE);
            edge[EDGE] = '\n';
            collector_begin(c, 3, (int64_t)(size - EDGE + 1));
            scan_ctx_reset(&x, edge);
            rc = hs_scan(l->db, edge, EDGE + 1, 0, scratch, on_hs_match, &x);
        }
    }
    if (rc == HS_SUCCESS && l->has_automaton &&
        automaton_run(&l->automaton, (const uint8_t *)data, (int64_t)size, on_automaton_match, c) != 0)
        rc = HS_SCAN_TERMINATED;
    Py_END_ALLOW_THREADS
    free(anchor_state);
    free(edge);
    hs_free_scratch(scratch);
    if (rc == HS_SCAN_TERMINATED) return PyErr_NoMemory();
    if (rc != HS_SUCCESS) {
        PyErr_Format(PyExc_RuntimeError, "hyperscan scan failed (%d)", (int)rc);
        return NULL;
    }
    Py_RETURN_NONE;
}
#endif

static int u64_list(PyObject *list, uint64_t *out, Py_ssize_t n) {
    if (!PyList_Check(list) || PyList_GET_SIZE(list) != n) {
        PyErr_Format(PyExc_ValueError, "expected a list of %zd integers", n);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        out[i] = PyLong_AsUnsignedLongLong(PyList_GET_ITEM(list, i));
        if (PyErr_Occurred()) return -1;
    }
    return 0;
}

/* automaton(ids, classes, nclasses, transitions, accepts, leads, trails): from now on
 * scan() also runs this DFA (dlp.engine.automaton.Automaton), for the patterns left
 * out of the Hyperscan database. */
static PyObject *lane_set_automaton(Lane *l, PyObject *args) {
    PyObject *ids, *transitions, *accepts, *leads, *trails;
    const char *classes;
    Py_ssize_t nbytes;
    unsigned int nclasses;
    if (!PyArg_ParseTuple(args, "O!y#IO!O!O!O!", &PyList_Type, &ids, &classes, &nbytes, &nclasses,
                          &PyList_Type, &transitions, &PyList_Type, &accepts, &PyList_Type, &leads,
                          &PyList_Type, &trails))
        return NULL;
    Py_ssize_t npat = PyList_GET_SIZE(ids), nstates = PyList_GET_SIZE(accepts);
    /* only what the copies below need: automaton_init() checks the tables themselves */
    if (nbytes != 256 || npat < 1 || npat > AUTOMATON_MAX_PATTERNS ||
        PyList_GET_SIZE(transitions) != nstates * (Py_ssize_t)nclasses) {
        PyErr_SetString(PyExc_ValueError, "automaton tables do not fit together");
        return NULL;
    }
    uint64_t id64[AUTOMATON_MAX_PATTERNS], lead[256], trail[256];
    uint32_t id32[AUTOMATON_MAX_PATTERNS];
    uint64_t *acc = PyMem_Malloc(((size_t)nstates + 1) * sizeof *acc), *tr64 = NULL;
    uint16_t *tr = PyMem_Malloc(((size_t)nstates * nclasses + 1) * sizeof *tr);
    PyObject *result = NULL;
    if (!acc || !tr || !(tr64 = PyMem_Malloc(((size_t)nstates * nclasses + 1) * sizeof *tr64))) {
        PyErr_NoMemory();
        goto out;
    }
    if (u64_list(ids, id64, npat) < 0 || u64_list(accepts, acc, nstates) < 0 || u64_list(leads, lead, 256) < 0 ||
        u64_list(trails, trail, 256) < 0 || u64_list(transitions, tr64, nstates * (Py_ssize_t)nclasses) < 0)
        goto out;
    for (Py_ssize_t i = 0; i < nstates * (Py_ssize_t)nclasses; i++) {
        if (tr64[i] > UINT16_MAX) {
            PyErr_SetString(PyExc_ValueError, "automaton transition out of range");
            goto out;
        }
        tr[i] = (uint16_t)tr64[i];
    }
    for (Py_ssize_t i = 0; i < npat; i++) {
        if (id64[i] >= l->count) {
            PyErr_SetString(PyExc_ValueError, "automaton pattern id is not a detector pattern");
            goto out;
        }
        id32[i] = (uint32_t)id64[i];
    }
    Automaton a;
    const char *why = NULL;
    if (automaton_init(&a, (const uint8_t *)classes, nclasses, tr, (uint32_t)nstates, acc, lead, trail, id32,
                       (int)npat, &why) < 0) {
        PyErr_Format(PyExc_ValueError, "automaton: %s", why);
        goto out;
    }
    automaton_free(&l->automaton);
    l->automaton = a;
    l->has_automaton = 1;
    result = Py_NewRef(Py_None);
out:
    PyMem_Free(acc);
    PyMem_Free(tr);
    PyMem_Free(tr64);
    return result;
}

/* anchors([(pattern id, byte)]): these patterns are compiled without start-of-match
 * tracking; scan() finds their start (dlp.engine.automaton.leading_byte). */
static PyObject *lane_set_anchors(Lane *l, PyObject *arg) {
    if (!PyList_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "anchors() takes a list of (id, byte)");
        return NULL;
    }
    int16_t *anchor = PyMem_Malloc(((size_t)l->count + 1) * sizeof *anchor); /* set only when all are good */
    if (!anchor) return PyErr_NoMemory();
    for (uint32_t i = 0; i < l->count; i++) anchor[i] = -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(arg); i++) {
        unsigned int id, byte;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(arg, i), "II", &id, &byte)) goto fail;
        if (id >= l->count || byte > 255) {
            PyErr_SetString(PyExc_ValueError, "anchor: not a detector pattern id or not a byte");
            goto fail;
        }
        anchor[id] = (int16_t)byte;
    }
    PyMem_Free(l->anchor);
    l->anchor = anchor;
    Py_RETURN_NONE;
fail:
    PyMem_Free(anchor);
    return NULL;
}

static PyMethodDef lane_methods[] = {
#ifdef DLP_HAVE_HS
    {"compile", (PyCFunction)lane_compile, METH_VARARGS,
     "compile(expressions, flags, ids) -> serialized database."},
    {"anchors", (PyCFunction)lane_set_anchors, METH_O,
     "anchors([(id, byte)]): patterns whose start scan() finds itself (compiled without SOM)."},
    {"automaton", (PyCFunction)lane_set_automaton, METH_VARARGS,
     "automaton(ids, classes, nclasses, transitions, accepts, leads, trails): scan() runs it too."},
    {"load", (PyCFunction)lane_load, METH_O, "load(serialized) -> whether the database could be used."},
    {"scan", (PyCFunction)lane_scan, METH_VARARGS, "scan(collector, data): all matches, edges included."},
#endif
    {"collector", (PyCFunction)lane_collector, METH_NOARGS, "A new Collector for one window's scan."},
    {"flags", (PyCFunction)lane_flags, METH_O, "(full-width digit seen, signature rule indexes triggered)."},
    {"finish", (PyCFunction)lane_finish, METH_VARARGS, "A window's JSONL and counts (see dlp.engine.lane)."},
    {NULL}};

static PyTypeObject LaneType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "dlp._native.Lane",
    .tp_basicsize = sizeof(Lane),
    .tp_dealloc = (destructor)lane_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)lane_init,
    .tp_methods = lane_methods,
    .tp_doc = "Tables of one matcher for the plain-text lane (built by dlp.engine.lane).",
};

static PyMethodDef module_methods[] = {
    {"validate", native_validate, METH_VARARGS, "validate(lane, kind, candidate, today): for tests."},
    {"hmac_hex", native_hmac_hex, METH_VARARGS, "hmac_hex(lane, value): for tests."},
    {"mask", native_mask, METH_VARARGS, "mask(lane, kind, head, tail, value): for tests."},
    {NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "dlp._native",
                                       "The plain-text reporting lane in C (see dlp.engine.lane).", -1,
                                       module_methods};

PyMODINIT_FUNC PyInit__native(void) {
    hex_pairs_init();
    if (PyType_Ready(&CollectorType) < 0 || PyType_Ready(&TallyType) < 0 || PyType_Ready(&LaneType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (PyModule_AddObjectRef(m, "Collector", (PyObject *)&CollectorType) < 0 ||
        PyModule_AddObjectRef(m, "Tally", (PyObject *)&TallyType) < 0 ||
        PyModule_AddObjectRef(m, "Lane", (PyObject *)&LaneType) < 0 ||
        PyModule_AddIntConstant(m, "EDGE", EDGE) < 0 ||
#ifdef DLP_HAVE_HS
        PyModule_AddStringConstant(m, "HYPERSCAN", hs_version()) < 0) {
#else
        PyModule_AddObjectRef(m, "HYPERSCAN", Py_None) < 0) {
#endif
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
