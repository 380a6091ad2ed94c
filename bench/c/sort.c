/* Sorting (Embench-IoT sglib-combined style): the same 400 pseudo-random
 * ints sorted by recursive quicksort, by heapsort and as a linked list by
 * merge sort, the three orders checked against each other, then a binary
 * search for every element; `n` times with new data. Stresses compares,
 * swaps, pointer chasing and recursion. No libc: builds the same for
 * native, wasm32 and .espb. */

#define SORT_N 400

struct node {
    int value;
    struct node *next;
};

static int sort_q[SORT_N], sort_h[SORT_N];
static struct node sort_nodes[SORT_N];

static void quicksort(int *a, int lo, int hi)
{
    while (lo < hi) {
        int pivot = a[lo + (hi - lo) / 2], i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                int t = a[i]; a[i] = a[j]; a[j] = t;
                i++;
                j--;
            }
        }
        /* recurse into the smaller half */
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

static void sift_down(int *a, int root, int end)
{
    for (;;) {
        int child = 2 * root + 1;
        if (child > end)
            return;
        if (child < end && a[child] < a[child + 1])
            child++;
        if (a[root] >= a[child])
            return;
        int t = a[root]; a[root] = a[child]; a[child] = t;
        root = child;
    }
}

static void heapsort(int *a, int len)
{
    for (int start = len / 2 - 1; start >= 0; start--)
        sift_down(a, start, len - 1);
    for (int end = len - 1; end > 0; end--) {
        int t = a[0]; a[0] = a[end]; a[end] = t;
        sift_down(a, 0, end - 1);
    }
}

static struct node *merge(struct node *a, struct node *b)
{
    struct node head, *tail = &head;
    while (a && b) {
        if (a->value <= b->value) { tail->next = a; a = a->next; }
        else { tail->next = b; b = b->next; }
        tail = tail->next;
    }
    tail->next = a ? a : b;
    return head.next;
}

static struct node *list_sort(struct node *l)
{
    if (!l || !l->next)
        return l;
    struct node *slow = l, *fast = l->next;
    while (fast && fast->next) {
        slow = slow->next;
        fast = fast->next->next;
    }
    struct node *second = slow->next;
    slow->next = 0;
    return merge(list_sort(l), list_sort(second));
}

static int bsearch_int(const int *a, int len, int v)
{
    int lo = 0, hi = len - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] < v) lo = mid + 1;
        else if (a[mid] > v) hi = mid - 1;
        else return mid;
    }
    return -1;
}

unsigned bench_sort(int n)
{
    unsigned sum = 0, bad = 0;
    for (int r = 0; r < n; r++) {
        unsigned seed = 99u + (unsigned)r;
        struct node *list = 0;
        for (int i = 0; i < SORT_N; i++) {
            seed = seed * 1103515245u + 12345u;
            int v = (int)((seed >> 8) % 100000u) - 50000;
            sort_q[i] = sort_h[i] = v;
            sort_nodes[i].value = v;
            sort_nodes[i].next = list;
            list = &sort_nodes[i];
        }
        quicksort(sort_q, 0, SORT_N - 1);
        heapsort(sort_h, SORT_N);
        list = list_sort(list);
        int i = 0;
        for (struct node *p = list; p; p = p->next, i++)
            bad += (p->value != sort_q[i]) + (sort_h[i] != sort_q[i]);
        bad += i != SORT_N;
        for (int k = 0; k < SORT_N; k += 3) {
            int at = bsearch_int(sort_q, SORT_N, sort_h[k]);
            bad += at < 0 || sort_q[at] != sort_h[k];
            sum += (unsigned)at;
        }
        sum = sum * 31u + (unsigned)sort_q[SORT_N / 2] + (unsigned)sort_q[0];
    }
    return sum ^ (bad << 24);
}
