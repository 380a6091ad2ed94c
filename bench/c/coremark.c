/* A CoreMark-style workload, our own re-implementation (not EEMBC's code):
 * the three CoreMark kernels over one 2000-byte working set per iteration,
 *   - a linked list: find items, reverse, merge-sort by value and back by
 *     index;
 *   - integer matrices: add/multiply by a constant, matrix x vector,
 *     matrix x matrix and matrix x matrix with bit extraction;
 *   - a state machine that scans a text of numbers (integers, decimals,
 *     exponents, invalid tokens) and counts its transitions;
 * each result folded into a CRC-16, and the three CRCs returned together
 * (list << 16 | matrix, xor state), so a wrong step anywhere shows in the
 * result. `n` iterations, each seeded from the previous CRC as CoreMark
 * does. No libc: builds the same for native, wasm32 and .espb. */

#define DATA_SIZE 2000
#define LIST_ITEMS 60
#define MAT_N 12
#define TEXT_LEN 640

typedef unsigned short u16;
typedef short i16;
typedef int i32;
typedef unsigned u32;

static u16 crc16_byte(u16 crc, unsigned char b)
{
    crc ^= b;
    for (int i = 0; i < 8; i++)
        crc = (crc & 1) ? (u16)((crc >> 1) ^ 0xA001) : (u16)(crc >> 1);
    return crc;
}

static u16 crc16_u16(u16 crc, u16 v)
{
    return crc16_byte(crc16_byte(crc, (unsigned char)v), (unsigned char)(v >> 8));
}

static u16 crc16_u32(u16 crc, u32 v)
{
    return crc16_u16(crc16_u16(crc, (u16)v), (u16)(v >> 16));
}

/* ---- linked list ------------------------------------------------------ */

struct item {
    struct item *next;
    i16 value;
    i16 index;
};

static struct item items[LIST_ITEMS];

static struct item *list_build(u16 seed)
{
    struct item *head = 0;
    for (int i = LIST_ITEMS - 1; i >= 0; i--) {
        seed = (u16)(seed * 25173u + 13849u);
        items[i].value = (i16)((seed >> 3) & 0x3fff);
        items[i].index = (i16)i;
        items[i].next = head;
        head = &items[i];
    }
    return head;
}

static struct item *list_find(struct item *l, i16 value)
{
    while (l && l->value != value)
        l = l->next;
    return l;
}

static struct item *list_reverse(struct item *l)
{
    struct item *out = 0;
    while (l) {
        struct item *next = l->next;
        l->next = out;
        out = l;
        l = next;
    }
    return out;
}

static int by_value(const struct item *a, const struct item *b)
{
    /* Sort key mixes the low byte in, as CoreMark's does, so the order
     * depends on more than a plain compare. */
    int ka = (a->value & 0xff) * 64 + (a->value >> 8);
    int kb = (b->value & 0xff) * 64 + (b->value >> 8);
    return ka - kb;
}

static int by_index(const struct item *a, const struct item *b)
{
    return a->index - b->index;
}

/* Bottom-up merge sort of a singly linked list (no recursion). */
static struct item *list_sort(struct item *list, int (*cmp)(const struct item *, const struct item *))
{
    for (int width = 1;; width *= 2) {
        struct item *p = list, *tail = 0;
        list = 0;
        int merges = 0;
        while (p) {
            merges++;
            struct item *q = p;
            int psize = 0;
            for (int i = 0; i < width && q; i++) {
                psize++;
                q = q->next;
            }
            int qsize = width;
            while (psize > 0 || (qsize > 0 && q)) {
                struct item *e;
                if (psize == 0) {
                    e = q; q = q->next; qsize--;
                } else if (qsize == 0 || !q || cmp(p, q) <= 0) {
                    e = p; p = p->next; psize--;
                } else {
                    e = q; q = q->next; qsize--;
                }
                if (tail)
                    tail->next = e;
                else
                    list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        if (merges <= 1)
            return list;
    }
}

static u16 bench_list(u16 seed, u16 crc)
{
    struct item *l = list_build(seed);
    int found = 0, missed = 0;
    for (int i = 0; i < 8; i++) {
        i16 want = (i & 1) ? items[(i * 7 + seed) % LIST_ITEMS].value : (i16)(seed + i);
        struct item *hit = list_find(l, want);
        if (hit)
            found += hit->index;
        else
            missed++;
        l = list_reverse(l);
    }
    l = list_sort(l, by_value);
    for (struct item *p = l; p; p = p->next)
        crc = crc16_u16(crc, (u16)p->value);
    l = list_sort(l, by_index);
    int i = 0;
    for (struct item *p = l; p; p = p->next, i++)
        if (p->index != i)
            crc = crc16_u16(crc, 0xdead); /* never: the sort is stable and total */
    crc = crc16_u16(crc, (u16)found);
    return crc16_u16(crc, (u16)missed);
}

/* ---- matrices --------------------------------------------------------- */

static i16 mat_a[MAT_N * MAT_N], mat_b[MAT_N * MAT_N];
static i32 mat_c[MAT_N * MAT_N];

static u16 sum_matrix(u16 crc, const i32 *c, i32 clip)
{
    i32 acc = 0;
    u16 ret = 0;
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        acc += c[i];
        if (acc > clip) {
            ret += 10;
            acc = 0;
        } else {
            ret += (acc > 0) ? 1 : 0;
        }
    }
    return crc16_u16(crc, ret);
}

static u16 bench_matrix(u16 seed, u16 crc)
{
    u32 s = seed;
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        s = s * 1103515245u + 12345u;
        mat_a[i] = (i16)((s >> 16) & 0xff) - 128;
        mat_b[i] = (i16)((s >> 8) & 0xff) - 100;
    }
    i16 k = (i16)(seed | 0x0f);
    /* A + k */
    for (int i = 0; i < MAT_N * MAT_N; i++)
        mat_a[i] = (i16)(mat_a[i] + k);
    /* C = A * k */
    for (int i = 0; i < MAT_N * MAT_N; i++)
        mat_c[i] = (i32)mat_a[i] * k;
    crc = sum_matrix(crc, mat_c, 4000);
    /* C = A x B[:,0] (matrix times vector, first column of B) */
    for (int i = 0; i < MAT_N; i++) {
        i32 acc = 0;
        for (int j = 0; j < MAT_N; j++)
            acc += (i32)mat_a[i * MAT_N + j] * mat_b[j * MAT_N];
        mat_c[i] = acc;
    }
    for (int i = MAT_N; i < MAT_N * MAT_N; i++)
        mat_c[i] = 0;
    crc = sum_matrix(crc, mat_c, 4000);
    /* C = A x B */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            i32 acc = 0;
            for (int x = 0; x < MAT_N; x++)
                acc += (i32)mat_a[i * MAT_N + x] * mat_b[x * MAT_N + j];
            mat_c[i * MAT_N + j] = acc;
        }
    crc = sum_matrix(crc, mat_c, 4000);
    /* C = bits(A x B): products through a bit-field extraction */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            i32 acc = 0;
            for (int x = 0; x < MAT_N; x++) {
                i32 p = (i32)mat_a[i * MAT_N + x] * mat_b[x * MAT_N + j];
                acc += ((p >> 2) & 0x0f) * ((p >> 5) & 0x7f);
            }
            mat_c[i * MAT_N + j] = acc;
        }
    return sum_matrix(crc, mat_c, 4000);
}

/* ---- state machine ---------------------------------------------------- */

enum state { START, INVALID, S1, S2, INT, FLOAT, EXPONENT, SCIENTIFIC, NUM_STATES };

static unsigned char text[TEXT_LEN];

static const char *const tokens[] = {
    "5012", "1234", "-874", "+122", "35.54", ".1234", "-110.700", "+0.64400",
    "5.500e+3", "-.123e-2", "-87e+832", "+0.6e-12", "T0.3e-1F", "-T.T++Tq", "1T3.4e4z", "34.0e-T^",
};

static void text_build(u16 seed)
{
    int pos = 0;
    u32 s = seed;
    while (pos < TEXT_LEN - 12) {
        s = s * 69069u + 1u;
        const char *t = tokens[(s >> 20) & 15];
        while (*t)
            text[pos++] = (unsigned char)*t++;
        text[pos++] = ',';
    }
    while (pos < TEXT_LEN)
        text[pos++] = 0;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Moves over one token starting at *p; returns the state it ends in and
 * counts every transition in `transitions`. */
static enum state next_state(const unsigned char **p, u32 *transitions)
{
    const unsigned char *s = *p;
    enum state st = START;
    for (; *s && st != INVALID; s++) {
        unsigned char c = *s;
        if (c == ',') {
            s++;
            break;
        }
        enum state before = st;
        switch (st) {
        case START:
            if (is_digit(c))
                st = INT;
            else if (c == '+' || c == '-')
                st = S1;
            else if (c == '.')
                st = FLOAT;
            else
                st = INVALID;
            break;
        case S1:
            if (is_digit(c))
                st = INT;
            else if (c == '.')
                st = FLOAT;
            else
                st = INVALID;
            break;
        case INT:
            if (c == '.')
                st = FLOAT;
            else if (!is_digit(c))
                st = INVALID;
            break;
        case FLOAT:
            if (c == 'e' || c == 'E')
                st = S2;
            else if (!is_digit(c))
                st = INVALID;
            break;
        case S2:
            if (c == '+' || c == '-')
                st = EXPONENT;
            else
                st = INVALID;
            break;
        case EXPONENT:
            if (is_digit(c))
                st = SCIENTIFIC;
            else
                st = INVALID;
            break;
        case SCIENTIFIC:
            if (!is_digit(c))
                st = INVALID;
            break;
        default:
            break;
        }
        if (st != before)
            transitions[before]++;
    }
    *p = s;
    return st;
}

static u16 bench_state(u16 seed, u16 crc)
{
    u32 final_counts[NUM_STATES] = {0};
    u32 transitions[NUM_STATES] = {0};
    text_build(seed);
    const unsigned char *p = text;
    while (*p)
        final_counts[next_state(&p, transitions)]++;
    /* Corrupt every 7th byte, as CoreMark does, and scan again. */
    for (int i = 0; i < TEXT_LEN; i += 7)
        if (text[i])
            text[i] ^= (unsigned char)seed;
    p = text;
    while (*p)
        final_counts[next_state(&p, transitions)]++;
    for (int i = 0; i < NUM_STATES; i++) {
        crc = crc16_u32(crc, final_counts[i]);
        crc = crc16_u32(crc, transitions[i]);
    }
    return crc;
}

unsigned bench_coremark(int n)
{
    u16 crc_list = 0, crc_matrix = 0, crc_state = 0, crc = 0;
    for (int i = 0; i < n; i++) {
        u16 seed = (u16)(crc ^ (u16)i);
        crc_list = bench_list(seed, crc_list);
        crc_matrix = bench_matrix(seed, crc_matrix);
        crc_state = bench_state(seed, crc_state);
        crc = crc16_u16(crc16_u16(crc16_u16(crc, crc_list), crc_matrix), crc_state);
    }
    return ((u32)crc_list << 16 | crc_matrix) ^ ((u32)crc_state << 8) ^ crc;
}
