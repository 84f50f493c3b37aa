// SPDX-License-Identifier: GPL-2.0
/* The acceptor; see http_accept.h. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "http_accept.h"
#include "http_head.h"
#include "log.h"
#include "util.h"

#define ADDR_BUCKETS	4096
#define EVENTS		256

/* Connections held by one address: waiting for their head or handed over. */
struct addr_count {
	uint8_t key[16];	/* IPv6, or IPv4 mapped into it */
	unsigned int n;
	struct addr_count *next;
};

/* A connection whose first head has not arrived yet; in arrival order. */
struct waiting {
	int fd;
	double deadline;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool gone;		/* closed or handed over; freed after this turn */
	struct waiting *prev, *next;
};

/* A connection libmicrohttpd has: how long since its last reply. */
struct http_watch {
	int fd;
	atomic_bool busy;		/* a request is being served */
	_Atomic double since;		/* now_mono() at the last reply or start */
	bool cut;			/* shut down already */
	struct http_watch *prev, *next;
};

struct http_acceptor {
	struct http_accept_conf conf;
	int *fds;
	int epfd, wakefd;
	pthread_t thread;
	bool started, stopped;
	/* addresses: taken by the acceptor and by libmicrohttpd's threads */
	pthread_mutex_t lock;
	struct addr_count *buckets[ADDR_BUCKETS];
	struct http_watch *watched;	/* under lock, too */
	/* the acceptor thread's own */
	struct waiting *first, *last;
	unsigned int nwaiting;
	/* Gone this turn: a later event of the same epoll_wait() may name them. */
	struct waiting *gone;
	char head[HTTP_HEAD_MAX];
};

static void addr_key(const struct sockaddr *sa, uint8_t key[16])
{
	memset(key, 0, 16);
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	} else if (sa->sa_family == AF_INET) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	}
}

static unsigned int addr_hash(const uint8_t key[16])
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % ADDR_BUCKETS;
}

/* Count one more connection from @sa: false (nothing counted) at the limit. */
static bool addr_take(struct http_acceptor *a, const struct sockaddr *sa)
{
	struct addr_count *c;
	uint8_t key[16];
	unsigned int h;
	bool ok = true;

	if (!a->conf.per_address)
		return true;
	addr_key(sa, key);
	h = addr_hash(key);
	pthread_mutex_lock(&a->lock);
	for (c = a->buckets[h]; c; c = c->next)
		if (!memcmp(c->key, key, 16))
			break;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (c) {
			memcpy(c->key, key, 16);
			c->next = a->buckets[h];
			a->buckets[h] = c;
		}
	}
	if (!c || c->n >= a->conf.per_address)
		ok = false;
	else
		c->n++;
	pthread_mutex_unlock(&a->lock);
	return ok;
}

static void addr_put(struct http_acceptor *a, const struct sockaddr *sa)
{
	struct addr_count **pp, *c;
	uint8_t key[16];

	if (!a->conf.per_address)
		return;
	addr_key(sa, key);
	pthread_mutex_lock(&a->lock);
	for (pp = &a->buckets[addr_hash(key)]; (c = *pp); pp = &c->next) {
		if (memcmp(c->key, key, 16))
			continue;
		if (c->n && --c->n == 0) {
			*pp = c->next;
			free(c);
		}
		break;
	}
	pthread_mutex_unlock(&a->lock);
}

void http_acceptor_closed(struct http_acceptor *a, const struct sockaddr *sa)
{
	if (a && sa)
		addr_put(a, sa);
}

/* ---- waiting connections ---- */

static void unlink_waiting(struct http_acceptor *a, struct waiting *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		a->first = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		a->last = w->prev;
	a->nwaiting--;
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->gone = true;
	w->next = a->gone;
	a->gone = w;
}

static void free_gone(struct http_acceptor *a)
{
	while (a->gone) {
		struct waiting *n = a->gone->next;

		free(a->gone);
		a->gone = n;
	}
}

static void drop(struct http_acceptor *a, struct waiting *w);

static const char *reason(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	default: return "Error";
	}
}

/*
 * Answer @status with {"error": @why} and close. What the client sent is
 * read first, so that the close does not reset the connection (and the
 * answer with it) for unread bytes.
 */
static void refuse(struct http_acceptor *a, struct waiting *w, int status, const char *why)
{
	char msg[512];
	int body, n;

	body = (int)strlen(why) + 13;	/* {"error":"..."}\n */
	n = snprintf(msg, sizeof(msg), "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
		     "Content-Length: %d\r\nConnection: close\r\n\r\n{\"error\":\"%s\"}\n",
		     status, reason(status), body, why);
	if (n > 0 && (size_t)n < sizeof(msg))
		(void)!send(w->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(w->fd, SHUT_WR);
	/* What has arrived, not what a fast sender keeps sending. */
	for (int i = 0; i < 4; i++)
		if (recv(w->fd, a->head, sizeof(a->head), MSG_DONTWAIT) <= 0)
			break;
	drop(a, w);
}

static void drop(struct http_acceptor *a, struct waiting *w)
{
	unlink_waiting(a, w);
	close(w->fd);
	addr_put(a, (struct sockaddr *)&w->addr);
}

/* New bytes on a waiting connection: hand it over once its head is complete. */
static void on_data(struct http_acceptor *a, struct waiting *w)
{
	struct http_head_info info;
	struct MHD_Daemon *to;
	ssize_t n;
	int rc;

	if (w->gone)
		return;
	n = recv(w->fd, a->head, sizeof(a->head), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {	/* closed before a request */
		drop(a, w);
		return;
	}
	rc = http_head_check(a->head, (size_t)n, sizeof(a->head), &info);
	if (rc == 0)
		return;
	if (rc != 1) {
		refuse(a, w, rc, info.why);
		return;
	}
	to = info.api && a->conf.api ? a->conf.api : a->conf.boot;
	unlink_waiting(a, w);
	/* libmicrohttpd owns (and closes) the socket from here, even on failure. */
	if (MHD_add_connection(to, w->fd, (struct sockaddr *)&w->addr, w->addrlen) != MHD_YES) {
		log_debug("http: connection not taken (%s): server full?", strerror(errno));
		addr_put(a, (struct sockaddr *)&w->addr);
	}
}

static void on_listen(struct http_acceptor *a, int lfd)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET };
		struct waiting *w;
		int fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				/* The listen socket stays ready: do not spin on it. */
				log_warn("http: out of file descriptors accepting connections");
				usleep(10000);
			}
			return;	/* EAGAIN: all taken */
		}
		/* Full of heads still coming: the oldest has had the most time. */
		if (a->nwaiting >= a->conf.max_waiting && a->first)
			refuse(a, a->first, 408, "request head too slow, and others are waiting");
		if (!addr_take(a, (struct sockaddr *)&ss)) {
			close(fd);
			continue;
		}
		w = calloc(1, sizeof(*w));
		if (!w) {
			close(fd);
			addr_put(a, (struct sockaddr *)&ss);
			continue;
		}
		w->fd = fd;
		w->deadline = now_mono() + a->conf.deadline;
		memcpy(&w->addr, &ss, len);
		w->addrlen = len;
		w->prev = a->last;
		if (a->last)
			a->last->next = w;
		else
			a->first = w;
		a->last = w;
		a->nwaiting++;
		ev.data.ptr = w;
		if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			drop(a, w);
			continue;
		}
		on_data(a, w);	/* the head often came with the connection */
	}
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) ? -1 : 0;
}

struct http_watch *http_acceptor_watch(struct http_acceptor *a, int fd)
{
	struct http_watch *w;

	if (!a || fd < 0 || !(w = calloc(1, sizeof(*w))))
		return NULL;
	w->fd = fd;
	atomic_init(&w->busy, false);
	atomic_init(&w->since, now_mono());
	pthread_mutex_lock(&a->lock);
	w->next = a->watched;
	if (a->watched)
		a->watched->prev = w;
	a->watched = w;
	pthread_mutex_unlock(&a->lock);
	return w;
}

void http_acceptor_unwatch(struct http_acceptor *a, struct http_watch *w)
{
	if (!a || !w)
		return;
	pthread_mutex_lock(&a->lock);
	if (w->prev)
		w->prev->next = w->next;
	else
		a->watched = w->next;
	if (w->next)
		w->next->prev = w->prev;
	pthread_mutex_unlock(&a->lock);
	free(w);
}

void http_watch_busy(struct http_watch *w, bool busy)
{
	if (!w)
		return;
	if (!busy)
		atomic_store(&w->since, now_mono());
	atomic_store(&w->busy, busy);
}

/*
 * Shut down the connections that have waited over the deadline for their
 * next head. Under the lock, so the socket is still theirs: libmicrohttpd
 * unwatches (in its close notification) before it closes the socket.
 */
static void cut_idle(struct http_acceptor *a, double now)
{
	pthread_mutex_lock(&a->lock);
	for (struct http_watch *w = a->watched; w; w = w->next) {
		if (w->cut || atomic_load(&w->busy) ||
		    now - atomic_load(&w->since) <= a->conf.deadline)
			continue;
		shutdown(w->fd, SHUT_RDWR);
		w->cut = true;
	}
	pthread_mutex_unlock(&a->lock);
}

static void *acceptor_main(void *arg)
{
	struct http_acceptor *a = arg;
	struct epoll_event evs[EVENTS];
	char why[96];
	double last_cut = 0;

	snprintf(why, sizeof(why), "request head not complete within %u s", a->conf.deadline);
	for (;;) {
		int n = epoll_wait(a->epfd, evs, EVENTS, 250);
		double now;

		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &a->wakefd)
				return NULL;
			if (p >= (void *)a->fds && p < (void *)(a->fds + a->conf.nfds))
				on_listen(a, *(int *)p);
			else
				on_data(a, p);
		}
		/* In arrival order, so the expired ones are at the front. */
		now = now_mono();
		while (a->first && a->first->deadline <= now)
			refuse(a, a->first, 408, why);
		if (now - last_cut >= 0.25) {
			cut_idle(a, now);
			last_cut = now;
		}
		free_gone(a);
	}
}

struct http_acceptor *http_acceptor_start(const struct http_accept_conf *conf,
					  char *err, size_t errlen)
{
	struct http_acceptor *a = calloc(1, sizeof(*a));
	struct epoll_event ev = { .events = EPOLLIN };
	int e;

	if (!a || !(a->fds = calloc(conf->nfds ? conf->nfds : 1, sizeof(int)))) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->conf = *conf;
	memcpy(a->fds, conf->fds, conf->nfds * sizeof(int));
	a->conf.fds = a->fds;
	pthread_mutex_init(&a->lock, NULL);
	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	a->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (a->epfd < 0 || a->wakefd < 0)
		goto fail;
	ev.data.ptr = &a->wakefd;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->wakefd, &ev))
		goto fail;
	for (size_t i = 0; i < conf->nfds; i++) {
		ev.data.ptr = &a->fds[i];
		if (set_nonblock(a->fds[i]) || epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->fds[i], &ev))
			goto fail;
	}
	if (conf->publish)
		*conf->publish = a;
	e = pthread_create(&a->thread, NULL, acceptor_main, a);
	if (e) {
		errno = e;
		goto fail;
	}
	a->started = true;
	return a;
fail:
	snprintf(err, errlen, "cannot start the HTTP acceptor: %s", strerror(errno));
	if (conf->publish)
		*conf->publish = NULL;
	http_acceptor_stop(a);
	http_acceptor_free(a);
	return NULL;
}

void http_acceptor_stop(struct http_acceptor *a)
{
	if (!a || a->stopped)
		return;
	a->stopped = true;
	if (a->started) {
		uint64_t one = 1;

		(void)!write(a->wakefd, &one, sizeof(one));
		pthread_join(a->thread, NULL);
	}
	while (a->first)
		drop(a, a->first);
	free_gone(a);
	for (size_t i = 0; i < a->conf.nfds; i++)
		close(a->fds[i]);
	if (a->epfd >= 0)
		close(a->epfd);
	if (a->wakefd >= 0)
		close(a->wakefd);
}

void http_acceptor_free(struct http_acceptor *a)
{
	if (!a)
		return;
	http_acceptor_stop(a);
	for (size_t i = 0; i < ADDR_BUCKETS; i++) {
		while (a->buckets[i]) {
			struct addr_count *n = a->buckets[i]->next;

			free(a->buckets[i]);
			a->buckets[i] = n;
		}
	}
	while (a->watched) {
		struct http_watch *n = a->watched->next;

		free(a->watched);
		a->watched = n;
	}
	pthread_mutex_destroy(&a->lock);
	free(a->fds);
	free(a);
}
