/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The acceptor: one thread per CPU (@nloops), each with its own listen
 * sockets (SO_REUSEPORT: the kernel spreads new connections over them),
 * that decide what a new connection gets before libmicrohttpd sees it.
 *
 *  - Each accepts every connection that is ready each turn (libmicrohttpd's
 *    poll() loop takes one per turn, which a lab powering on feels).
 *  - A head that @serve takes (a boot script: small, rendered from the
 *    store) is answered on the acceptor's own thread: in a boot storm a
 *    thousand machines ask for their script at once, and the hand-over to
 *    libmicrohttpd (a queue, a wake-up, its own parse and memory pool, a
 *    turn of a loop busy sending other machines' kernels) cost more than
 *    the answer. The connection then waits for its next head here, as a
 *    new one does.
 *  - Each address may hold at most @per_address connections (waiting or
 *    handed over); more are closed at once, so one host cannot use up
 *    the server's connections.
 *  - A connection's first request head must be complete within @deadline
 *    seconds of its connection, else 408 and closed (slowloris). It is
 *    read with MSG_PEEK and checked by http_head_check(): bad heads are
 *    answered here (one 400/414/431 with a JSON body) and closed.
 *  - Once handed over, a connection is watched: between two requests (and
 *    while the next head trickles in) it may stay at most @deadline
 *    seconds, then it is shut down; libmicrohttpd's own timeout is an idle
 *    one, which a byte every few seconds defeats.
 *  - A head for /api/ goes to the API's own libmicrohttpd daemon, with
 *    its own connection limit: the API answers when boot clients fill
 *    theirs. A head @serve says would wait (HTTP_SERVE_SLOW) goes to the
 *    slow daemon (event loops of its own) while it has room. Everything
 *    else goes to the boot daemon.
 */
#ifndef BOOTSAND_HTTP_ACCEPT_H
#define BOOTSAND_HTTP_ACCEPT_H

#include <stdbool.h>
#include <stddef.h>

struct MHD_Daemon;
struct sockaddr;
struct http_acceptor;
struct http_watch;

/* A reply @serve made: the whole response, malloc'ed (the acceptor frees it). */
struct http_fast_reply {
	char *buf;
	size_t len;
	bool close;		/* close the connection once it is sent */
};

enum http_serve {
	HTTP_SERVE_HAND_OVER,	/* libmicrohttpd's boot daemon is to have it */
	HTTP_SERVE_DONE,	/* answered: @out is filled */
	HTTP_SERVE_SLOW,	/* it would wait: the slow daemon is to have it */
};

/* Answer the complete request head @head (@len bytes, no body) from @peer now? */
typedef enum http_serve (*http_serve_fn)(void *cls, const char *head, size_t len,
					 const struct sockaddr *peer,
					 struct http_fast_reply *out);

struct http_accept_conf {
	/* listening, taken over (closed at stop): @nloops groups of @nfds,
	 * loop i's at fds[i * nfds] */
	const int *fds;
	size_t nfds;
	unsigned int nloops;	/* threads, >= 1 */
	http_serve_fn serve;	/* NULL: everything is handed over */
	void *serve_cls;
	unsigned int per_address;	/* 0: no limit */
	unsigned int deadline;		/* seconds, >= 1 */
	unsigned int max_waiting;	/* heads awaited at once */
	struct MHD_Daemon *boot, *api;
	/* HTTP_SERVE_SLOW's (NULL: the boot daemon's), while it holds fewer
	 * than @slow_limit connections */
	struct MHD_Daemon *slow;
	unsigned int slow_limit;
	/* Set to the acceptor before its thread starts: libmicrohttpd's
	 * callbacks may need it for the first connection. */
	struct http_acceptor **publish;
};

struct http_acceptor *http_acceptor_start(const struct http_accept_conf *conf,
					  char *err, size_t errlen);
/* No more connections: the thread ends, waiting ones and listen sockets close. */
void http_acceptor_stop(struct http_acceptor *a);
/* After the libmicrohttpd daemons it fed have stopped (they call _closed()). */
void http_acceptor_free(struct http_acceptor *a);

/* libmicrohttpd closed a connection from @sa that the acceptor handed over. */
void http_acceptor_closed(struct http_acceptor *a, const struct sockaddr *sa);

/*
 * A connection libmicrohttpd started (@fd is its socket), to be watched
 * until http_acceptor_unwatch(), which must come before the socket is
 * closed (libmicrohttpd's close notification does). NULL without memory.
 */
struct http_watch *http_acceptor_watch(struct http_acceptor *a, int fd);
void http_acceptor_unwatch(struct http_acceptor *a, struct http_watch *w);
/* A request's head is complete (@busy) or its reply is sent (!@busy). */
void http_watch_busy(struct http_watch *w, bool busy);

#endif /* BOOTSAND_HTTP_ACCEPT_H */
