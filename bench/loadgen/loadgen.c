// loadgen: a memcached text-protocol load generator that costs less CPU per request than the server.
// epoll, non-blocking TCP, preformatted requests, minimal reply parsing, closed or open loop (-R),
// log-linear latency histogram, per-second series, own and server CPU per request.
// Build: bench/loadgen/build.sh   Usage: loadgen -h
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000ULL
#define NB 3584          // histogram buckets: exact below 256 ns, then 128 sub-buckets per octave (<0.8 %) up to 2^34 ns (17 s)
#define HMAX ((1ULL << 34) - 1)
#define RBUF (256 * 1024)
#define OP_GET 0
#define OP_SET 1

// ---------------------------------------------------------------- configuration
static const char *host = "127.0.0.1";
static int port = 11211, nconns = 64, nthreads = 1, depth = 1, mget = 1, prefill = 0, zipf = 0;
static double ratio = 0.9, rate = 0;
static long nkeys = 100000;
static int keysize = 16, valsize = 100, duration = 10, warmup = 2;
static int server_pid = 0;

// ---------------------------------------------------------------- shared read-only data
static char *keytab;          // nkeys * keysize
static double *zcdf;          // zipf CDF, nkeys entries
static char *set_suffix;      // " 0 0 <len>\r\n<value>\r\n"
static size_t set_suffix_len, maxreq;
static struct sockaddr_in addr;
static uint64_t t_start, t_meas, t_end;   // run start, measurement start, end (ns, CLOCK_MONOTONIC)
static atomic_int stop_flag;
static pthread_barrier_t bar;

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS + ts.tv_nsec;
}

// ---------------------------------------------------------------- histogram
static inline int hidx(uint64_t v) {
    if (v > HMAX) v = HMAX;
    if (v < 256) return (int)v;
    int e = 63 - __builtin_clzll(v) - 7;
    return e * 128 + (int)(v >> e);
}
static inline double hval(int i) {   // representative value (bucket middle) in ns
    if (i < 256) return i;
    int e = i / 128 - 1;
    uint64_t sub = i - e * 128;
    return (double)(sub << e) + (double)((1ULL << e) >> 1);
}
static double hpct(const uint64_t *h, uint64_t total, double p) {
    if (!total) return 0;
    uint64_t target = (uint64_t)ceil(p * (double)total), c = 0;
    if (target < 1) target = 1;
    for (int i = 0; i < NB; i++) {
        c += h[i];
        if (c >= target) return hval(i);
    }
    return hval(NB - 1);
}

// ---------------------------------------------------------------- per-second slots
typedef struct {
    uint64_t ops, gets, sets, hits, misses, errors, lat_sum, lat_max;
    uint32_t hist[NB];
} slot_t;

typedef struct { uint64_t t; uint32_t nkeys; uint32_t op; } pend_t;

struct worker;
typedef struct conn {
    int fd, alive, want_out, touched;
    uint64_t retry_at;
    char *out; size_t opos, olen, ocap;
    char *in; size_t rpos, rlen;
    pend_t *ring; uint32_t rhead, rcount, rmask;
    uint64_t skip; uint32_t values;
    struct worker *w;
} conn_t;

typedef struct worker {
    int id, epfd, nconn, ndead, rr, phase;   // phase 0 = prefill, 1 = run
    conn_t *conns;
    uint64_t rng;
    slot_t *slots; int nslots;
    double interval; uint64_t seq; uint64_t offset;
    long pf_next, pf_end, pf_done, pf_depth;
    uint64_t pf_errors, late_errors, conn_errors, unsent, outstanding;
    pthread_t th;
} worker_t;

static inline uint64_t rnd(worker_t *w) {   // xorshift64*
    uint64_t x = w->rng;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    w->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}
static inline long pick_key(worker_t *w) {
    uint64_t r = rnd(w);
    if (!zipf) return (long)(((r >> 32) * (uint64_t)nkeys) >> 32);
    double u = (double)(r >> 11) * (1.0 / 9007199254740992.0);
    long lo = 0, hi = nkeys - 1;
    while (lo < hi) {
        long mid = (lo + hi) >> 1;
        if (zcdf[mid] < u) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static inline slot_t *slot_at(worker_t *w, uint64_t now) {
    if (now < t_start) return NULL;
    uint64_t s = (now - t_start) / NS;
    return s < (uint64_t)w->nslots ? &w->slots[s] : NULL;
}
static void count_error(worker_t *w, uint64_t now, uint64_t n) {
    if (w->phase == 0) { w->pf_errors += n; return; }
    slot_t *s = slot_at(w, now);
    if (s) s->errors += n; else w->late_errors += n;
}

// ---------------------------------------------------------------- connections
static int open_socket(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct timeval tv = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);   // bounds connect()
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}
static void conn_up(worker_t *w, conn_t *c, uint64_t now) {
    c->fd = open_socket();
    c->opos = c->olen = c->rpos = c->rlen = 0;
    c->rhead = c->rcount = 0; c->skip = 0; c->values = 0; c->want_out = 0;
    if (c->fd < 0) {
        c->alive = 0; c->retry_at = now + NS / 5; w->ndead++; w->conn_errors++;
        count_error(w, now, 1);
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev);
    c->alive = 1;
}
static void conn_fail(conn_t *c, uint64_t now) {
    worker_t *w = c->w;
    if (!c->alive) return;
    close(c->fd);
    c->fd = -1; c->alive = 0; c->retry_at = now + NS / 5; w->ndead++; w->conn_errors++;
    count_error(w, now, 1 + c->rcount);   // the connection, and the requests lost with it
    c->rcount = 0;
}
static void set_out(conn_t *c, int on) {
    if (c->want_out == on) return;
    c->want_out = on;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}
static void flush(conn_t *c, uint64_t now) {
    while (c->opos < c->olen) {
        ssize_t n = write(c->fd, c->out + c->opos, c->olen - c->opos);
        if (n > 0) { c->opos += n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) { set_out(c, 1); return; }
        conn_fail(c, now);
        return;
    }
    c->opos = c->olen = 0;
    set_out(c, 0);
}

// ---------------------------------------------------------------- requests
static inline void push_pend(conn_t *c, uint64_t t, uint32_t op, uint32_t nk) {
    pend_t *p = &c->ring[(c->rhead + c->rcount) & c->rmask];
    p->t = t; p->op = op; p->nkeys = nk;
    c->rcount++;
}
// Appends one request (chosen by ratio/dist, or the next prefill key) stamped t. 0 if nothing to send.
static int append_req(conn_t *c, uint64_t t) {
    worker_t *w = c->w;
    if (c->opos > 0 && c->opos == c->olen) c->opos = c->olen = 0;
    if (c->olen + maxreq > c->ocap) {   // compact: keep the unsent tail
        memmove(c->out, c->out + c->opos, c->olen - c->opos);
        c->olen -= c->opos; c->opos = 0;
    }
    char *p = c->out + c->olen;
    long k;
    int op;
    if (w->phase == 0) {
        if (w->pf_next >= w->pf_end) return 0;
        k = w->pf_next; w->pf_next += nthreads; op = OP_SET;
    } else {
        op = ((rnd(w) >> 32) < (uint64_t)(ratio * 4294967296.0)) ? OP_GET : OP_SET;
        k = pick_key(w);
    }
    if (op == OP_SET) {
        memcpy(p, "set ", 4); p += 4;
        memcpy(p, keytab + (size_t)k * keysize, keysize); p += keysize;
        memcpy(p, set_suffix, set_suffix_len); p += set_suffix_len;
        push_pend(c, t, OP_SET, 0);
    } else {
        memcpy(p, "get", 3); p += 3;
        for (int i = 0; i < mget; i++) {
            if (i) k = pick_key(w);
            *p++ = ' ';
            memcpy(p, keytab + (size_t)k * keysize, keysize); p += keysize;
        }
        *p++ = '\r'; *p++ = '\n';
        push_pend(c, t, OP_GET, mget);
    }
    c->olen = p - c->out;
    return 1;
}
// Closed loop: a connection with nothing in flight gets a full round of `depth` requests in one write().
static void refill(conn_t *c, uint64_t now) {
    worker_t *w = c->w;
    if (!c->alive || c->rcount || atomic_load_explicit(&stop_flag, memory_order_relaxed)) return;
    int d = w->phase == 0 ? w->pf_depth : depth;
    for (int i = 0; i < d; i++) if (!append_req(c, now)) break;
    if (c->olen > c->opos) flush(c, now);
}

static void complete(conn_t *c, uint64_t now, int err) {
    worker_t *w = c->w;
    pend_t *p = &c->ring[c->rhead];
    c->rhead = (c->rhead + 1) & c->rmask;
    c->rcount--;
    if (w->phase == 0) { w->pf_done++; if (err) w->pf_errors++; c->values = 0; return; }
    slot_t *s = slot_at(w, now);
    if (!s) { if (err) w->late_errors++; c->values = 0; return; }
    uint64_t lat = now > p->t ? now - p->t : 0;
    s->ops++;
    if (p->op == OP_GET) {
        s->gets++;
        s->hits += c->values;
        s->misses += p->nkeys > c->values ? p->nkeys - c->values : 0;
    } else s->sets++;
    if (err) s->errors++;
    s->lat_sum += lat;
    if (lat > s->lat_max) s->lat_max = lat;
    s->hist[hidx(lat)]++;
    c->values = 0;
}

// Parses every complete reply in the read buffer; keeps partial lines and skips value bodies across reads.
static void parse(conn_t *c, uint64_t now) {
    while (c->rpos < c->rlen) {
        if (c->skip) {
            size_t avail = c->rlen - c->rpos;
            size_t n = avail < c->skip ? avail : c->skip;
            c->rpos += n; c->skip -= n;
            if (c->skip) break;
            continue;
        }
        char *line = c->in + c->rpos;
        size_t avail = c->rlen - c->rpos;
        char *nl = memchr(line, '\n', avail);
        if (!nl) {
            if (avail >= RBUF / 2) { count_error(c->w, now, 1); conn_fail(c, now); }
            break;
        }
        size_t len = nl - line + 1;
        c->rpos += len;
        if (!c->rcount) { count_error(c->w, now, 1); continue; }   // reply to nothing
        pend_t *p = &c->ring[c->rhead];
        if (p->op == OP_GET) {
            if (len == 5 && !memcmp(line, "END\r\n", 5)) { complete(c, now, 0); continue; }
            if (len > 8 && !memcmp(line, "VALUE ", 6)) {   // VALUE <key> <flags> <bytes>\r\n
                char *q = nl - 1;
                while (q > line && *q != ' ') q--;
                uint64_t b = 0;
                for (char *d = q + 1; *d >= '0' && *d <= '9'; d++) b = b * 10 + (*d - '0');
                c->skip = b + 2;
                c->values++;
                continue;
            }
        } else if (len == 8 && !memcmp(line, "STORED\r\n", 8)) { complete(c, now, 0); continue; }
        complete(c, now, 1);   // ERROR, SERVER_ERROR ..., NOT_STORED, anything unexpected
    }
    if (c->rpos == c->rlen) c->rpos = c->rlen = 0;
    else if (c->rpos > RBUF / 2) {
        memmove(c->in, c->in + c->rpos, c->rlen - c->rpos);
        c->rlen -= c->rpos; c->rpos = 0;
    }
}

static void do_read(conn_t *c, uint64_t now) {
    for (;;) {
        ssize_t n = read(c->fd, c->in + c->rlen, RBUF - c->rlen);
        if (n > 0) {
            c->rlen += n;
            parse(c, now);
            if (!c->alive) return;
            if (c->rlen < RBUF) break;   // level-triggered: a short read means drained (or epoll reports more)
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        conn_fail(c, now);   // EOF or error
        return;
    }
    if (rate <= 0 || c->w->phase == 0) refill(c, now);   // the prefill is closed loop in either mode
}

// ---------------------------------------------------------------- open loop
static inline uint64_t seq_time(worker_t *w, uint64_t seq) {
    return t_start + w->offset + (uint64_t)((double)seq * w->interval);
}
// Sends every request whose intended time has come to a connection with room (< depth in flight);
// a request that finds no room waits, keeping its intended time, so its wait counts in its latency.
static void dispatch(worker_t *w, uint64_t now) {
    conn_t *touched[w->nconn];
    int nt = 0;
    for (;;) {
        uint64_t t = seq_time(w, w->seq);
        if (t > now || t >= t_end) break;
        conn_t *c = NULL;
        for (int i = 0; i < w->nconn; i++) {
            conn_t *x = &w->conns[(w->rr + i) % w->nconn];
            if (x->alive && x->rcount < (uint32_t)depth) { c = x; w->rr = (w->rr + i + 1) % w->nconn; break; }
        }
        if (!c) break;
        append_req(c, t);
        w->seq++;
        if (!c->touched) { c->touched = 1; touched[nt++] = c; }
    }
    for (int i = 0; i < nt; i++) { touched[i]->touched = 0; if (touched[i]->alive) flush(touched[i], now); }
}

// ---------------------------------------------------------------- worker
static void loop(worker_t *w, uint64_t deadline) {
    struct epoll_event evs[256];
    for (;;) {
        uint64_t now = now_ns();
        if (now >= deadline || atomic_load_explicit(&stop_flag, memory_order_relaxed)) break;
        if (w->phase == 0 && w->pf_next >= w->pf_end) {
            int inflight = 0;
            for (int i = 0; i < w->nconn; i++) inflight |= w->conns[i].rcount != 0;
            if (!inflight) break;
        }
        if (w->ndead) {
            for (int i = 0; i < w->nconn; i++) {
                conn_t *c = &w->conns[i];
                if (!c->alive && now >= c->retry_at) { w->ndead--; conn_up(w, c, now); if (c->alive && (rate <= 0 || w->phase == 0)) refill(c, now); }
            }
        }
        uint64_t tmo = NS / 10;
        if (rate > 0 && w->phase == 1) {
            dispatch(w, now);
            uint64_t next = seq_time(w, w->seq);
            if (next > now && next - now < tmo) tmo = next - now;
        }
        if (now + tmo > deadline) tmo = deadline - now;
        struct timespec ts = {tmo / NS, tmo % NS};
        int n = epoll_pwait2(w->epfd, evs, 256, &ts, NULL);
        if (n <= 0) continue;
        now = now_ns();
        for (int i = 0; i < n; i++) {
            conn_t *c = evs[i].data.ptr;
            if (!c->alive) continue;
            if (evs[i].events & EPOLLIN) do_read(c, now);
            else if (evs[i].events & (EPOLLERR | EPOLLHUP)) { conn_fail(c, now); continue; }
            if (c->alive && (evs[i].events & EPOLLOUT)) flush(c, now);
        }
    }
}

static void *worker_main(void *arg) {
    worker_t *w = arg;
    prctl(PR_SET_TIMERSLACK, 1UL);
    if (prefill) {
        w->phase = 0;
        uint64_t now = now_ns();
        for (int i = 0; i < w->nconn; i++) refill(&w->conns[i], now);
        loop(w, now + 120 * NS);
        if (w->pf_next < w->pf_end || w->pf_done < (w->pf_end - w->id + nthreads - 1) / nthreads)
            w->pf_errors++;   // prefill incomplete (time-out or lost connections)
        for (int i = 0; i < w->nconn; i++) {   // drop whatever was left in flight
            conn_t *c = &w->conns[i];
            if (c->alive && c->rcount) conn_fail(c, now_ns());
        }
    }
    pthread_barrier_wait(&bar);   // prefill done
    pthread_barrier_wait(&bar);   // t_start set
    w->phase = 1;
    uint64_t now = now_ns();
    if (rate <= 0) for (int i = 0; i < w->nconn; i++) refill(&w->conns[i], now);
    loop(w, t_end);
    for (int i = 0; i < w->nconn; i++) w->outstanding += w->conns[i].rcount;
    if (rate > 0) {
        uint64_t due = t_end > t_start + w->offset ? (uint64_t)ceil((double)(t_end - t_start - w->offset) / w->interval) : 0;
        w->unsent = due > w->seq ? due - w->seq : 0;
    }
    return NULL;
}

// ---------------------------------------------------------------- CPU accounting
static uint64_t self_cpu_us(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}
static int64_t proc_cpu_us(int pid) {   // utime+stime of /proc/PID/stat, -1 if unreadable
    if (!pid) return -1;
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long ut, st;
    // after ")": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return -1;
    long tck = sysconf(_SC_CLK_TCK);
    return (int64_t)((ut + st) * 1000000ULL / (uint64_t)tck);
}

static void sleep_until(uint64_t t) {
    struct timespec ts = {t / NS, t % NS};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
}

static void usage(void) {
    fprintf(stderr,
        "usage: loadgen [options]\n"
        "  -s host          server IPv4 address (127.0.0.1)\n"
        "  -p port          server port (11211)\n"
        "  -c conns         connections in total (64)\n"
        "  -T threads       threads, each with its own connections and epoll (1)\n"
        "  -d depth         requests in flight per connection (1); closed loop sends a round of d in one write()\n"
        "  -r ratio         fraction of gets (0.9; 0 = sets only)\n"
        "  -k keys          key count (100000)\n"
        "  -K keysize       key length in bytes (16)\n"
        "  -V valuesize     value length in bytes (100)\n"
        "  --dist D         uniform | zipf (s=0.99) (uniform)\n"
        "  --prefill        set every key once before the run\n"
        "  -M n             keys per get (multi-get, one END per request) (1)\n"
        "  -t seconds       measured duration (10)\n"
        "  -w seconds       warm-up, same load, not counted (2)\n"
        "  -R rate          open loop: total requests/s on a fixed schedule; latency from the intended send time\n"
        "  --server-pid PID server CPU from /proc/PID/stat over the measured interval\n");
    exit(2);
}

int main(int argc, char **argv) {
    static struct option lo[] = {{"dist", 1, 0, 1}, {"prefill", 0, 0, 2}, {"server-pid", 1, 0, 3}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "s:p:c:T:d:r:k:K:V:M:t:w:R:h", lo, NULL)) != -1) {
        switch (o) {
        case 's': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'c': nconns = atoi(optarg); break;
        case 'T': nthreads = atoi(optarg); break;
        case 'd': depth = atoi(optarg); break;
        case 'r': ratio = atof(optarg); break;
        case 'k': nkeys = atol(optarg); break;
        case 'K': keysize = atoi(optarg); break;
        case 'V': valsize = atoi(optarg); break;
        case 'M': mget = atoi(optarg); break;
        case 't': duration = atoi(optarg); break;
        case 'w': warmup = atoi(optarg); break;
        case 'R': rate = atof(optarg); break;
        case 1:
            if (!strcmp(optarg, "zipf")) zipf = 1;
            else if (!strcmp(optarg, "uniform")) zipf = 0;
            else usage();
            break;
        case 2: prefill = 1; break;
        case 3: server_pid = atoi(optarg); break;
        default: usage();
        }
    }
    if (nconns < 1 || nthreads < 1 || nthreads > nconns || depth < 1 || depth > 4096 || nkeys < 1 || mget < 1 ||
        mget > 1000 || keysize < 2 || keysize > 250 || valsize < 0 || duration < 1 || warmup < 0 || ratio < 0 || ratio > 1)
        usage();
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { fprintf(stderr, "bad IPv4 address %s\n", host); return 2; }
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    signal(SIGPIPE, SIG_IGN);

    // keys: "k" + zero-padded index, exactly keysize bytes
    char tmp[32];
    if ((int)snprintf(tmp, sizeof tmp, "%ld", nkeys - 1) > keysize - 1) { fprintf(stderr, "-K %d too short for %ld keys\n", keysize, nkeys); return 2; }
    keytab = malloc((size_t)nkeys * keysize + 32);
    if (!keytab) { fprintf(stderr, "out of memory for keys\n"); return 2; }
    for (long i = 0; i < nkeys; i++) {
        char *k = keytab + (size_t)i * keysize;
        k[0] = 'k';
        long v = i;
        for (int j = keysize - 1; j >= 1; j--) { k[j] = '0' + v % 10; v /= 10; }
    }
    set_suffix = malloc(valsize + 64);
    int hl = sprintf(set_suffix, " 0 0 %d\r\n", valsize);
    for (int i = 0; i < valsize; i++) set_suffix[hl + i] = 'a' + i % 26;
    memcpy(set_suffix + hl + valsize, "\r\n", 2);
    set_suffix_len = hl + valsize + 2;
    size_t getlen = 3 + (size_t)mget * (keysize + 1) + 2, setlen = 4 + keysize + set_suffix_len;
    maxreq = getlen > setlen ? getlen : setlen;
    if (zipf) {
        zcdf = malloc(sizeof(double) * nkeys);
        double sum = 0;
        for (long i = 0; i < nkeys; i++) sum += pow((double)(i + 1), -0.99), zcdf[i] = sum;
        for (long i = 0; i < nkeys; i++) zcdf[i] /= sum;
        zcdf[nkeys - 1] = 1.0;
    }

    int probe = open_socket();
    if (probe < 0) { fprintf(stderr, "cannot connect to %s:%d: %s\n", host, port, strerror(errno)); return 1; }
    close(probe);

    // workers and their connections
    worker_t *ws = calloc(nthreads, sizeof *ws);
    int nslots = warmup + duration;
    uint32_t ringcap = 1;
    int need = depth > 16 ? depth : 16;   // prefill pipelines at least 16 deep
    while (ringcap < (uint32_t)need) ringcap <<= 1;
    uint64_t t0 = now_ns();
    for (int t = 0; t < nthreads; t++) {
        worker_t *w = &ws[t];
        w->id = t;
        w->epfd = epoll_create1(0);
        w->nconn = nconns / nthreads + (t < nconns % nthreads);
        w->conns = calloc(w->nconn, sizeof(conn_t));
        w->rng = 0x9E3779B97F4A7C15ULL * (t + 1) ^ t0;
        if (!w->rng) w->rng = 1;
        w->slots = calloc(nslots, sizeof(slot_t));
        w->nslots = nslots;
        w->pf_next = t; w->pf_end = nkeys; w->pf_depth = need;
        if (rate > 0) { w->interval = (double)NS * nthreads / rate; w->offset = (uint64_t)((double)NS * t / rate); }
        for (int i = 0; i < w->nconn; i++) {
            conn_t *c = &w->conns[i];
            c->w = w;
            c->ocap = (size_t)ringcap * maxreq + maxreq;
            c->out = malloc(c->ocap);
            c->in = malloc(RBUF);
            c->ring = calloc(ringcap, sizeof(pend_t));
            c->rmask = ringcap - 1;
            w->phase = 0;
            conn_up(w, c, t0);
        }
    }
    pthread_barrier_init(&bar, NULL, nthreads + 1);
    for (int t = 0; t < nthreads; t++) pthread_create(&ws[t].th, NULL, worker_main, &ws[t]);

    printf("loadgen %s:%d conns=%d threads=%d depth=%d get_ratio=%.3g keys=%ld keysize=%d valuesize=%d dist=%s mget=%d %s warmup=%ds duration=%ds\n",
           host, port, nconns, nthreads, depth, ratio, nkeys, keysize, valsize, zipf ? "zipf0.99" : "uniform", mget,
           rate > 0 ? "open-loop" : "closed-loop", warmup, duration);
    if (rate > 0) printf("open loop: %.0f requests/s in total\n", rate);
    fflush(stdout);
    uint64_t pf0 = now_ns();
    pthread_barrier_wait(&bar);
    if (prefill) {
        uint64_t pe = 0, pd = 0;
        for (int t = 0; t < nthreads; t++) pe += ws[t].pf_errors, pd += ws[t].pf_done;
        printf("prefill: %lu sets in %.2f s, %lu errors\n", pd, (now_ns() - pf0) / 1e9, pe);
    }
    t_start = now_ns();
    t_meas = t_start + (uint64_t)warmup * NS;
    t_end = t_meas + (uint64_t)duration * NS;
    uint64_t g0 = 0;
    int64_t s0 = -1;
    if (warmup == 0) g0 = self_cpu_us(), s0 = proc_cpu_us(server_pid);
    pthread_barrier_wait(&bar);

    uint64_t *hist = calloc(NB, sizeof(uint64_t));
    for (int b = 1; b <= nslots; b++) {
        sleep_until(t_start + (uint64_t)b * NS);
        if (b == warmup) g0 = self_cpu_us(), s0 = proc_cpu_us(server_pid);
        if (b == nslots) break;
        sleep_until(t_start + (uint64_t)b * NS + NS / 200);   // let replies stamped in second b-1 land
        uint64_t ops = 0, err = 0, tot = 0;
        memset(hist, 0, NB * sizeof(uint64_t));
        for (int t = 0; t < nthreads; t++) {
            slot_t *s = &ws[t].slots[b - 1];
            ops += s->ops; err += s->errors;
            for (int i = 0; i < NB; i++) hist[i] += s->hist[i];
        }
        tot = ops;
        printf("sec %3d%s ops/s %9lu  p99_us %8.1f  errors %lu\n", b, b <= warmup ? " (warm-up)" : "", ops, hpct(hist, tot, 0.99) / 1000, err);
        fflush(stdout);
    }
    uint64_t g1 = self_cpu_us();
    int64_t s1 = proc_cpu_us(server_pid);
    atomic_store(&stop_flag, 1);
    for (int t = 0; t < nthreads; t++) pthread_join(ws[t].th, NULL);

    // totals over the measured seconds
    uint64_t ops = 0, gets = 0, sets = 0, hits = 0, misses = 0, errors = 0, lsum = 0, lmax = 0, cerr = 0, unsent = 0, outst = 0;
    memset(hist, 0, NB * sizeof(uint64_t));
    for (int t = 0; t < nthreads; t++) {
        worker_t *w = &ws[t];
        cerr += w->conn_errors; unsent += w->unsent; outst += w->outstanding;
        for (int b = warmup; b < nslots; b++) {
            slot_t *s = &w->slots[b];
            ops += s->ops; gets += s->gets; sets += s->sets; hits += s->hits; misses += s->misses; errors += s->errors;
            lsum += s->lat_sum;
            if (s->lat_max > lmax) lmax = s->lat_max;
            for (int i = 0; i < NB; i++) hist[i] += s->hist[i];
        }
    }
    double secs = (double)duration;
    double ops_s = ops / secs;
    double avg = ops ? (double)lsum / ops / 1000 : 0;
    double p50 = hpct(hist, ops, 0.5) / 1000, p90 = hpct(hist, ops, 0.9) / 1000, p99 = hpct(hist, ops, 0.99) / 1000,
           p999 = hpct(hist, ops, 0.999) / 1000, mx = lmax / 1000.0;
    double gen_cpu = (double)(g1 - g0);
    double gen_per = ops ? gen_cpu / ops : 0;
    double srv_cpu = (s0 >= 0 && s1 >= 0) ? (double)(s1 - s0) : -1;
    double srv_per = (srv_cpu >= 0 && ops) ? srv_cpu / ops : -1;
    printf("measured %.0f s: %lu requests (%lu gets x %d keys, %lu sets), %.0f ops/s, %.0f keys/s\n", secs, ops, gets, mget, sets, ops_s,
           (gets * (double)mget + sets) / secs);
    printf("gets: %lu hits, %lu misses (%.1f %% hits); errors %lu (connection errors %lu); in flight at end %lu%s\n", hits, misses,
           hits + misses ? 100.0 * hits / (hits + misses) : 0, errors, cerr, outst, rate > 0 ? "" : "");
    if (rate > 0) printf("open loop: %lu scheduled requests never sent (generator or connections saturated)\n", unsent);
    printf("latency us: avg %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%s\n", avg, p50, p90, p99, p999, mx,
           rate > 0 ? "  (from intended send time)" : "  (from send time)");
    printf("generator CPU: %.3f s = %.1f %% of a core, %.3f us/request\n", gen_cpu / 1e6, gen_cpu / 1e4 / secs, gen_per);
    if (srv_cpu >= 0)
        printf("server pid %d CPU: %.3f s = %.1f %% of a core, %.3f us/request; generator/server = %.2f\n", server_pid, srv_cpu / 1e6,
               srv_cpu / 1e4 / secs, srv_per, srv_per > 0 ? gen_per / srv_per : 0);
    else if (server_pid)
        printf("server pid %d: /proc/%d/stat unreadable\n", server_pid, server_pid);
    printf("RESULT ops_per_s=%.0f avg_us=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f gen_cpu_us_per_req=%.3f "
           "server_cpu_us_per_req=%.3f hits=%lu misses=%lu errors=%lu unsent=%lu\n",
           ops_s, avg, p50, p90, p99, p999, mx, gen_per, srv_per, hits, misses, errors, unsent);
    return (errors || (rate > 0 && unsent)) ? 3 : 0;
}
