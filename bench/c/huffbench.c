/* Huffman coding (Embench-IoT huffbench style): counts symbol frequencies
 * of a 2 KiB text with a skewed distribution, builds the code tree with a
 * small priority queue, encodes the text into a bit buffer, decodes it
 * again and checks the round trip; `n` times with a different text each
 * time. Stresses byte and bit manipulation, arrays of structs and
 * data-dependent branches. No libc: builds the same for native, wasm32
 * and .espb. */

#define HUF_LEN 2048
#define HUF_SYMS 32

struct huf_node {
    unsigned weight;
    int left, right; /* children (-1: a leaf) */
    int symbol;
};

static unsigned char huf_text[HUF_LEN], huf_out[HUF_LEN];
static unsigned char huf_bits[HUF_LEN * 2];
static struct huf_node huf_nodes[2 * HUF_SYMS];
static unsigned huf_code[HUF_SYMS], huf_len[HUF_SYMS];

static void huf_make_text(unsigned seed)
{
    for (int i = 0; i < HUF_LEN; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = (seed >> 16) & 0x7fff;
        /* skewed: small symbols far more often */
        unsigned sym = (r * r >> 25) % HUF_SYMS;
        huf_text[i] = (unsigned char)sym;
    }
}

/* Builds the tree; returns the root's index. */
static int huf_build(void)
{
    int heap[2 * HUF_SYMS], size = 0, count = 0;
    for (int s = 0; s < HUF_SYMS; s++) {
        huf_nodes[s].weight = 0;
        huf_nodes[s].left = huf_nodes[s].right = -1;
        huf_nodes[s].symbol = s;
    }
    for (int i = 0; i < HUF_LEN; i++)
        huf_nodes[huf_text[i]].weight++;
    count = HUF_SYMS;
    /* insertion-sorted array as the priority queue (ties by index) */
    for (int s = 0; s < HUF_SYMS; s++) {
        if (!huf_nodes[s].weight)
            continue;
        int j = size++;
        while (j > 0 && huf_nodes[heap[j - 1]].weight < huf_nodes[s].weight) {
            heap[j] = heap[j - 1];
            j--;
        }
        heap[j] = s;
    }
    while (size > 1) {
        int a = heap[--size], b = heap[--size];
        int p = count++;
        huf_nodes[p].weight = huf_nodes[a].weight + huf_nodes[b].weight;
        huf_nodes[p].left = a;
        huf_nodes[p].right = b;
        huf_nodes[p].symbol = -1;
        int j = size++;
        while (j > 0 && huf_nodes[heap[j - 1]].weight <= huf_nodes[p].weight) {
            heap[j] = heap[j - 1];
            j--;
        }
        heap[j] = p;
    }
    return heap[0];
}

static void huf_assign(int node, unsigned code, unsigned len)
{
    if (huf_nodes[node].left < 0) {
        huf_code[huf_nodes[node].symbol] = code;
        huf_len[huf_nodes[node].symbol] = len ? len : 1;
        return;
    }
    huf_assign(huf_nodes[node].left, code << 1, len + 1);
    huf_assign(huf_nodes[node].right, (code << 1) | 1, len + 1);
}

static unsigned huf_encode(void)
{
    unsigned nbits = 0;
    for (int i = 0; i < HUF_LEN * 2; i++)
        huf_bits[i] = 0;
    for (int i = 0; i < HUF_LEN; i++) {
        unsigned s = huf_text[i], c = huf_code[s];
        for (int b = (int)huf_len[s] - 1; b >= 0; b--, nbits++)
            if ((c >> b) & 1)
                huf_bits[nbits >> 3] |= (unsigned char)(0x80 >> (nbits & 7));
    }
    return nbits;
}

static void huf_decode(int root)
{
    unsigned bit = 0;
    for (int i = 0; i < HUF_LEN; i++) {
        int node = root;
        if (huf_nodes[node].left < 0) {
            bit++; /* a one-symbol text: one bit per symbol */
        }
        while (huf_nodes[node].left >= 0) {
            int one = (huf_bits[bit >> 3] >> (7 - (bit & 7))) & 1;
            node = one ? huf_nodes[node].right : huf_nodes[node].left;
            bit++;
        }
        huf_out[i] = (unsigned char)huf_nodes[node].symbol;
    }
}

unsigned bench_huffbench(int n)
{
    unsigned sum = 0, bad = 0;
    for (int r = 0; r < n; r++) {
        huf_make_text(4242u + (unsigned)r * 977u);
        int root = huf_build();
        huf_assign(root, 0, 0);
        unsigned nbits = huf_encode();
        huf_decode(root);
        for (int i = 0; i < HUF_LEN; i++)
            bad += huf_out[i] != huf_text[i];
        sum = sum * 31u + nbits;
        for (unsigned i = 0; i < (nbits + 7) / 8; i += 16)
            sum = sum * 31u + huf_bits[i];
    }
    return sum ^ (bad << 24);
}
