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
	bool want_out;		/* registered for EPOLLOUT: a reply is stuck */
	bool served;		/* answered here before: idle between requests */
	/* A reply served here and not all sent yet (the socket was full). */
	char *out;
	size_t out_len, out_off;
	bool out_close;
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

/* One acceptor thread: its listen sockets and the connections it holds. */
struct accept_loop {
	struct http_acceptor *a;
	const int *fds;		/* its conf.nfds listen sockets, in a->fds */
	int epfd;
	pthread_t thread;
	bool started;
	struct waiting *first, *last;
	unsigned int nwaiting;
	/* Gone this turn: a later event of the same epoll_wait() may name them. */
	struct waiting *gone;
	char head[HTTP_HEAD_MAX];
};

struct http_acceptor {
	struct http_accept_conf conf;
	int *fds;
	int wakefd;		/* in every loop's epoll set: stop */
	bool stopped;
	unsigned int max_waiting;	/* per loop */
	/* addresses: taken by the acceptors and by libmicrohttpd's threads */
	pthread_mutex_t lock;
	struct addr_count *buckets[ADDR_BUCKETS];
	struct http_watch *watched;	/* under lock, too */
	struct accept_loop *loops;	/* conf.nloops */
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

static void list_del(struct accept_loop *l, struct waiting *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		l->first = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		l->last = w->prev;
	w->prev = w->next = NULL;
	l->nwaiting--;
}

/* At the end: the list stays in deadline order, as all deadlines are now + the same. */
static void list_append(struct accept_loop *l, struct waiting *w)
{
	w->prev = l->last;
	w->next = NULL;
	if (l->last)
		l->last->next = w;
	else
		l->first = w;
	l->last = w;
	l->nwaiting++;
}

static void unlink_waiting(struct accept_loop *l, struct waiting *w)
{
	list_del(l, w);
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->gone = true;
	w->next = l->gone;
	l->gone = w;
}

static void free_gone(struct accept_loop *l)
{
	while (l->gone) {
		struct waiting *n = l->gone->next;

		free(l->gone->out);
		free(l->gone);
		l->gone = n;
	}
}

static void drop(struct accept_loop *l, struct waiting *w);

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
static void refuse(struct accept_loop *l, struct waiting *w, int status, const char *why)
{
	char msg[512];
	int body, n;

	if (w->out) {	/* in the middle of a reply: nothing else can be said */
		drop(l, w);
		return;
	}

	body = (int)strlen(why) + 13;	/* {"error":"..."}\n */
	n = snprintf(msg, sizeof(msg), "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
		     "Content-Length: %d\r\nConnection: close\r\n\r\n{\"error\":\"%s\"}\n",
		     status, reason(status), body, why);
	if (n > 0 && (size_t)n < sizeof(msg))
		(void)!send(w->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(w->fd, SHUT_WR);
	/* What has arrived, not what a fast sender keeps sending. */
	for (int i = 0; i < 4; i++)
		if (recv(w->fd, l->head, sizeof(l->head), MSG_DONTWAIT) <= 0)
			break;
	drop(l, w);
}

static void drop(struct accept_loop *l, struct waiting *w)
{
	unlink_waiting(l, w);
	close(w->fd);
	addr_put(l->a, (struct sockaddr *)&w->addr);
}

/*
 * Out of time for its head. A connection served here before is idle
 * between requests and is closed without a word, as libmicrohttpd's
 * connections are (cut_idle()): an unasked 408 could be read as the answer
 * to a request the client is sending just then.
 */
static void expire(struct accept_loop *l, struct waiting *w, const char *why)
{
	if (w->served) {
		shutdown(w->fd, SHUT_RDWR);
		drop(l, w);
		return;
	}
	refuse(l, w, 408, why);
}

static void want_out(struct accept_loop *l, struct waiting *w, bool on)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (on ? EPOLLOUT : 0),
		.data.ptr = w,
	};

	if (w->want_out != on && !epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev))
		w->want_out = on;
}

/*
 * Send what is left of the reply served here: 1 when all of it is sent,
 * 0 when the socket is full (EPOLLOUT brings us back), -1 when the
 * connection is gone (closed after its last reply, or broken).
 */
static int flush(struct accept_loop *l, struct waiting *w)
{
	while (w->out_off < w->out_len) {
		ssize_t n = send(w->fd, w->out + w->out_off, w->out_len - w->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			want_out(l, w, true);
			return 0;
		}
		if (n <= 0) {
			drop(l, w);
			return -1;
		}
		w->out_off += (size_t)n;
	}
	free(w->out);
	w->out = NULL;
	want_out(l, w, false);
	if (w->out_close) {
		/* As refuse(): read what came, so that the close does not reset. */
		shutdown(w->fd, SHUT_WR);
		for (int i = 0; i < 4; i++)
			if (recv(w->fd, l->head, sizeof(l->head), MSG_DONTWAIT) <= 0)
				break;
		drop(l, w);
		return -1;
	}
	return 1;
}

/*
 * Offer the complete head (@info, peeked into l->head) to conf.serve.
 * HTTP_SERVE_DONE when it was answered here: the head is read off the
 * socket, the reply sent (or its rest waits for EPOLLOUT), and the
 * connection waits for its next head with a new deadline.
 */
static enum http_serve serve_here(struct accept_loop *l, struct waiting *w,
				  const struct http_head_info *info)
{
	struct http_acceptor *a = l->a;
	struct http_fast_reply rep = { 0 };
	enum http_serve how;
	ssize_t n;

	if (!a->conf.serve)
		return HTTP_SERVE_HAND_OVER;
	how = a->conf.serve(a->conf.serve_cls, l->head, info->len, (struct sockaddr *)&w->addr,
			    &rep);
	if (how != HTTP_SERVE_DONE)
		return how;
	/* The bytes were peeked, so they are there. */
	n = recv(w->fd, l->head, info->len, MSG_DONTWAIT);
	if (n != (ssize_t)info->len) {
		free(rep.buf);
		drop(l, w);
		return HTTP_SERVE_DONE;
	}
	list_del(l, w);
	w->deadline = now_mono() + a->conf.deadline;
	list_append(l, w);
	w->served = true;
	w->out = rep.buf;
	w->out_len = rep.len;
	w->out_off = 0;
	w->out_close = rep.close;
	flush(l, w);
	return HTTP_SERVE_DONE;
}

/* The slow daemon while it has room, else the boot daemon. */
static struct MHD_Daemon *slow_daemon(struct http_acceptor *a)
{
	const union MHD_DaemonInfo *di;
	bool room;

	if (!a->conf.slow)
		return a->conf.boot;
	/* One acceptor at a time: with a thread pool it sums into one field. */
	pthread_mutex_lock(&a->lock);
	di = MHD_get_daemon_info(a->conf.slow, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	room = di && di->num_connections < a->conf.slow_limit;
	pthread_mutex_unlock(&a->lock);
	return room ? a->conf.slow : a->conf.boot;
}

/*
 * The connection may go on (its socket can be written, bytes came): send
 * what is left of a reply, then look at the next head. Served here, or
 * handed over once complete.
 */
static void on_data(struct accept_loop *l, struct waiting *w)
{
	struct http_acceptor *a = l->a;
	struct http_head_info info;
	struct MHD_Daemon *to;
	enum http_serve how;
	ssize_t n;
	int rc;

	if (w->gone || (w->out && flush(l, w) <= 0))
		return;
	for (;;) {
		n = recv(w->fd, l->head, sizeof(l->head), MSG_PEEK | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {	/* closed before a request */
			drop(l, w);
			return;
		}
		rc = http_head_check(l->head, (size_t)n, sizeof(l->head), &info);
		if (rc == 0)
			return;
		if (rc != 1) {
			refuse(l, w, rc, info.why);
			return;
		}
		if (info.api) {
			to = a->conf.api ? a->conf.api : a->conf.boot;
			break;
		}
		how = serve_here(l, w, &info);
		if (how != HTTP_SERVE_DONE) {
			to = how == HTTP_SERVE_SLOW ? slow_daemon(a) : a->conf.boot;
			break;
		}
		/*
		 * Served. Bytes beyond the head are a pipelined next request;
		 * without them, whatever comes next raises a new edge.
		 */
		if (w->gone || w->out || (size_t)n == info.len)
			return;
	}
	unlink_waiting(l, w);
	/* libmicrohttpd owns (and closes) the socket from here, even on failure. */
	if (MHD_add_connection(to, w->fd, (struct sockaddr *)&w->addr, w->addrlen) != MHD_YES) {
		log_debug("http: connection not taken (%s): server full?", strerror(errno));
		addr_put(a, (struct sockaddr *)&w->addr);
	}
}

static void on_listen(struct accept_loop *l, int lfd)
{
	struct http_acceptor *a = l->a;

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
		if (l->nwaiting >= a->max_waiting && l->first)
			expire(l, l->first, "request head too slow, and others are waiting");
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
		list_append(l, w);
		ev.data.ptr = w;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			drop(l, w);
			continue;
		}
		on_data(l, w);	/* the head often came with the connection */
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
	struct accept_loop *l = arg;
	struct http_acceptor *a = l->a;
	struct epoll_event evs[EVENTS];
	char why[96];
	double last_cut = 0;

	snprintf(why, sizeof(why), "request head not complete within %u s", a->conf.deadline);
	for (;;) {
		int n = epoll_wait(l->epfd, evs, EVENTS, 250);
		double now;

		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &a->wakefd)
				return NULL;
			if (p >= (void *)l->fds && p < (void *)(l->fds + a->conf.nfds))
				on_listen(l, *(int *)p);
			else
				on_data(l, p);
		}
		/* In deadline order, so the expired ones are at the front. */
		now = now_mono();
		while (l->first && l->first->deadline <= now)
			expire(l, l->first, why);
		/* One loop watches libmicrohttpd's connections for all. */
		if (l == a->loops && now - last_cut >= 0.25) {
			cut_idle(a, now);
			last_cut = now;
		}
		free_gone(l);
	}
}

struct http_acceptor *http_acceptor_start(const struct http_accept_conf *conf,
					  char *err, size_t errlen)
{
	struct http_acceptor *a = calloc(1, sizeof(*a));
	unsigned int nloops = conf->nloops ? conf->nloops : 1;
	size_t nfds = conf->nfds * nloops;
	struct epoll_event ev = { .events = EPOLLIN };
	int e;

	if (!a || !(a->fds = calloc(nfds ? nfds : 1, sizeof(int))) ||
	    !(a->loops = calloc(nloops, sizeof(*a->loops)))) {
		if (a)
			free(a->fds);
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->wakefd = -1;
	a->conf = *conf;
	a->conf.nloops = nloops;
	memcpy(a->fds, conf->fds, nfds * sizeof(int));
	a->conf.fds = a->fds;
	a->max_waiting = conf->max_waiting / nloops ? conf->max_waiting / nloops : 1;
	pthread_mutex_init(&a->lock, NULL);
	for (unsigned int i = 0; i < nloops; i++) {
		a->loops[i].a = a;
		a->loops[i].fds = a->fds + i * conf->nfds;
		a->loops[i].epfd = -1;
	}
	a->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (a->wakefd < 0)
		goto fail;
	for (unsigned int i = 0; i < nloops; i++) {
		struct accept_loop *l = &a->loops[i];

		l->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (l->epfd < 0)
			goto fail;
		ev.data.ptr = &a->wakefd;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, a->wakefd, &ev))
			goto fail;
		for (size_t j = 0; j < conf->nfds; j++) {
			ev.data.ptr = (void *)&l->fds[j];
			if (set_nonblock(l->fds[j]) ||
			    epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->fds[j], &ev))
				goto fail;
		}
	}
	if (conf->publish)
		*conf->publish = a;
	for (unsigned int i = 0; i < nloops; i++) {
		e = pthread_create(&a->loops[i].thread, NULL, acceptor_main, &a->loops[i]);
		if (e) {
			errno = e;
			goto fail;
		}
		a->loops[i].started = true;
	}
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
	uint64_t one = 1;

	if (!a || a->stopped)
		return;
	a->stopped = true;
	/* Never read: it wakes every loop, each of which then ends. */
	if (a->wakefd >= 0)
		(void)!write(a->wakefd, &one, sizeof(one));
	for (unsigned int i = 0; i < a->conf.nloops; i++) {
		struct accept_loop *l = &a->loops[i];

		if (l->started)
			pthread_join(l->thread, NULL);
		while (l->first)
			drop(l, l->first);
		free_gone(l);
		if (l->epfd >= 0)
			close(l->epfd);
	}
	for (size_t i = 0; i < a->conf.nfds * a->conf.nloops; i++)
		close(a->fds[i]);
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
	free(a->loops);
	free(a->fds);
	free(a);
}
