// SPDX-License-Identifier: GPL-2.0
/*
 * A boot storm against an HTTP server: CONNS keep-alive connections open
 * at once, and each fetches a boot script then two assets, as a diskless
 * client does (one epoll loop; bodies are read and dropped). Prints one
 * line of results:
 *
 *	conns N done N errors N elapsed_s S asset_bytes B asset_MiBps T
 *	script_p50_ms P script_p99_ms Q script_max_ms M
 *
 *	http_storm HOST PORT CONNS SCRIPT_PATH ASSET_PATH...
 *
 * Script latency: from the request's first byte written to the arrival of
 * its response's last byte, as the kernel timestamped it (SO_TIMESTAMPNS).
 * Not the moment this loop reads it: one thread plays CONNS machines, and a
 * response may wait in its socket while the loop drains other clients'
 * assets; a real client would have read it at once. Asset throughput: all
 * asset bytes over the whole run.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PATHS 4
#define HDR_MAX 8192
#define RX_BUF (256 * 1024)

struct conn {
	int fd;
	int step;		/* which path is being fetched */
	bool sent;
	size_t hlen;		/* header bytes gathered */
	char hdr[HDR_MAX];
	int64_t body_left;	/* -1 while reading headers */
	double t_start;		/* CLOCK_REALTIME, as the kernel's timestamps */
	double t_arrived;	/* the last byte read arrived then */
};

static const char *host;
static const char *paths[MAX_PATHS];
static int npaths;
static double *script_ms;
static int nscript, errors, done;
static uint64_t asset_bytes;

static double seconds(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return seconds(&ts);
}

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return seconds(&ts);
}

/* recv() that also notes when the bytes read arrived (c->t_arrived). */
static ssize_t rx(struct conn *c, void *buf, size_t len)
{
	char control[CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	ssize_t n = recvmsg(c->fd, &mh, 0);

	if (n <= 0)
		return n;
	c->t_arrived = now_real();	/* without a timestamp: now */
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			c->t_arrived = seconds(&ts);
		}
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void finish(struct conn *c, int ep, bool ok)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	if (ok)
		done++;
	else
		errors++;
}

static bool send_request(struct conn *c)
{
	char req[1024];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
			 "User-Agent: bootsan-http-storm\r\n\r\n", paths[c->step], host);

	/* A small request fits the socket buffer of a fresh connection. */
	c->t_start = now_real();
	if (send(c->fd, req, (size_t)n, MSG_NOSIGNAL) != n)
		return false;
	c->sent = true;
	c->hlen = 0;
	c->body_left = -1;
	return true;
}

/* Headers complete in c->hdr: status 200 and a Content-Length, or -1. */
static int64_t parse_headers(struct conn *c, size_t *end)
{
	char *p, *e;

	c->hdr[c->hlen < HDR_MAX ? c->hlen : HDR_MAX - 1] = '\0';
	e = strstr(c->hdr, "\r\n\r\n");
	if (!e)
		return -2;
	*end = (size_t)(e - c->hdr) + 4;
	if (strncmp(c->hdr, "HTTP/1.1 200", 12))
		return -1;
	p = strcasestr(c->hdr, "\r\ncontent-length:");
	if (!p || p > e)
		return -1;
	return strtoll(p + 17, NULL, 10);
}

/* Read what is there; false when the connection is finished (either way). */
static bool on_readable(struct conn *c, int ep, char *buf)
{
	for (;;) {
		ssize_t n;

		if (c->body_left < 0) {
			size_t end;
			int64_t len;

			n = rx(c, c->hdr + c->hlen, HDR_MAX - 1 - c->hlen);
			if (n == 0 || (n < 0 && errno != EAGAIN)) {
				finish(c, ep, false);
				return false;
			}
			if (n < 0)
				return true;
			c->hlen += (size_t)n;
			len = parse_headers(c, &end);
			if (len == -2) {
				if (c->hlen >= HDR_MAX - 1) {
					finish(c, ep, false);
					return false;
				}
				continue;
			}
			if (len < 0) {
				finish(c, ep, false);
				return false;
			}
			/* Body bytes that came with the headers. */
			c->body_left = len - (int64_t)(c->hlen - end);
			if (c->step > 0)
				asset_bytes += c->hlen - end;
		} else if (c->body_left > 0) {
			n = rx(c, buf, c->body_left < RX_BUF ? (size_t)c->body_left : RX_BUF);
			if (n == 0 || (n < 0 && errno != EAGAIN)) {
				finish(c, ep, false);
				return false;
			}
			if (n < 0)
				return true;
			c->body_left -= n;
			if (c->step > 0)
				asset_bytes += (uint64_t)n;
		}
		if (c->body_left == 0) {
			if (c->step == 0)
				script_ms[nscript++] = (c->t_arrived - c->t_start) * 1000;
			if (++c->step == npaths) {
				finish(c, ep, true);
				return false;
			}
			if (!send_request(c)) {
				finish(c, ep, false);
				return false;
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev, evs[256];
	struct rlimit rl;
	struct conn *cs;
	char *buf = malloc(RX_BUF);
	int conns, ep;
	double t0, elapsed;

	if (argc < 5 || argc - 4 > MAX_PATHS) {
		fprintf(stderr, "usage: %s HOST PORT CONNS SCRIPT_PATH [ASSET_PATH...]\n", argv[0]);
		return 2;
	}
	host = argv[1];
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	conns = atoi(argv[3]);
	for (int i = 4; i < argc; i++)
		paths[npaths++] = argv[i];
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || conns < 1 || !buf) {
		fprintf(stderr, "http_storm: bad HOST (IPv4) or CONNS\n");
		return 2;
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)conns + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl) && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)conns + 16) {
		fprintf(stderr, "http_storm: cannot open %d files\n", conns);
		return 2;
	}
	cs = calloc((size_t)conns, sizeof(*cs));
	script_ms = calloc((size_t)conns, sizeof(*script_ms));
	ep = epoll_create1(0);
	if (!cs || !script_ms || ep < 0)
		return 2;
	t0 = now();
	for (int i = 0; i < conns; i++) {
		int one = 1;

		cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		if (cs[i].fd < 0 || connect(cs[i].fd, (struct sockaddr *)&sa, sizeof(sa))) {
			perror("http_storm: connect");
			return 1;
		}
		setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(cs[i].fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
		fcntl(cs[i].fd, F_SETFL, O_NONBLOCK);
		ev.events = EPOLLIN;
		ev.data.ptr = &cs[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
	}
	/* Every client asks for its script at the same moment: the storm. */
	for (int i = 0; i < conns; i++)
		if (!send_request(&cs[i]))
			finish(&cs[i], ep, false);
	while (done + errors < conns) {
		int n = epoll_wait(ep, evs, 256, 60000);

		if (n <= 0) {
			fprintf(stderr, "http_storm: no progress in 60 s\n");
			break;
		}
		for (int i = 0; i < n; i++)
			on_readable(evs[i].data.ptr, ep, buf);
	}
	elapsed = now() - t0;
	qsort(script_ms, (size_t)nscript, sizeof(double), cmp_double);
	printf("conns %d done %d errors %d elapsed_s %.3f asset_bytes %llu asset_MiBps %.1f "
	       "script_p50_ms %.3f script_p99_ms %.3f script_max_ms %.3f\n",
	       conns, done, errors, elapsed, (unsigned long long)asset_bytes,
	       (double)asset_bytes / (1024.0 * 1024.0) / elapsed,
	       nscript ? script_ms[nscript / 2] : 0.0,
	       nscript ? script_ms[(size_t)((nscript - 1) * 0.99)] : 0.0,
	       nscript ? script_ms[nscript - 1] : 0.0);
	return errors ? 1 : 0;
}
