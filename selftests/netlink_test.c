// SPDX-License-Identifier: GPL-2.0
/*
 * The bootsan generic netlink family, through the daemon's own client
 * (daemon/san/nl.c): every operation's happy path, every rejection with its
 * errno and extack message, CAP_NET_ADMIN and network namespace checks,
 * secrets never returned, large dumps, and unloading a full configuration
 * without leaking.
 *
 * Each test runs in its own process with a freshly loaded bootsan.ko.
 * Requests are written as attribute lists:
 *
 *	DO(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
 *	   NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"), NEST_END);
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include "kselftest_harness.h"
#include "module.h"
#include "slab_traces.h"
#include "../daemon/san/nl.h"

#define IMG_SIZE	(16ULL << 20)

#define T0	"iqn.2024-01.org.example:t0"
#define T1	"iqn.2024-01.org.example:t1"
#define I0	"iqn.1993-08.org.debian:01:initiator0"
#define I1	"iqn.1993-08.org.debian:01:initiator1"

/* Every CHAP secret the tests configure: none may ever come back. */
#define SECRET_A	"secret-A-0123456789"
#define SECRET_B	"secret-B-abcdefghij"
#define SECRET_C	"secret-C-klmnopqrst"
#define SECRET_D	"secret-D-uvwxyz0123"
static const char *const secrets[] = { SECRET_A, SECRET_B, SECRET_C, SECRET_D };

/* ---- backing files ---------------------------------------------------- */

static int make_file(const char *path, off_t size)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size))
		ret = -errno;
	close(fd);
	return ret;
}

/* ---- requests as attribute lists ---------------------------------------- */

enum akind { A_END, A_STR, A_U16, A_U32, A_U64, A_FLAG, A_BIN, A_NEST, A_NEST_END };

struct attr {
	enum akind kind;
	int type;
	const void *p;
	unsigned long long v;	/* the value, or A_BIN's length */
};

#define STR(t, s)	{ A_STR, (t), (s), 0 }
#define U16(t, x)	{ A_U16, (t), NULL, (x) }
#define U32(t, x)	{ A_U32, (t), NULL, (x) }
#define U64(t, x)	{ A_U64, (t), NULL, (x) }
#define FLAG(t)		{ A_FLAG, (t), NULL, 0 }
#define BIN(t, p, n)	{ A_BIN, (t), (p), (n) }
#define NEST(t)		{ A_NEST, (t), NULL, 0 }
#define NEST_END	{ A_NEST_END, 0, NULL, 0 }
#define ATTRS(...)	((const struct attr[]){ __VA_ARGS__ __VA_OPT__(,) { A_END, 0, NULL, 0 } })

static struct nl_msg *build(struct bsnl *h, int cmd, const struct attr *a)
{
	struct nl_msg *m = bsnl_msg(h, cmd);
	struct nlattr *nest[8];
	int depth = 0, err = 0;

	for (; m && a->kind != A_END && !err; a++) {
		switch (a->kind) {
		case A_STR:
			err = nla_put_string(m, a->type, a->p);
			break;
		case A_U16:
			err = nla_put_u16(m, a->type, a->v);
			break;
		case A_U32:
			err = nla_put_u32(m, a->type, a->v);
			break;
		case A_U64:
			err = nla_put_u64(m, a->type, a->v);
			break;
		case A_FLAG:
			err = nla_put_flag(m, a->type);
			break;
		case A_BIN:
			err = nla_put(m, a->type, a->v, a->p);
			break;
		case A_NEST:
			nest[depth] = nla_nest_start(m, a->type);
			err = nest[depth++] ? 0 : -1;
			break;
		case A_NEST_END:
			err = nla_nest_end(m, nest[--depth]);
			break;
		case A_END:
			break;
		}
	}
	if (err) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

/* Replies, kept as copies of the whole messages. */
struct capture {
	int n;
	struct nlmsghdr **msgs;
	int secrets_seen;	/* messages containing any of secrets[] */
};

static int capture_cb(const struct bsnl_reply *r, void *arg)
{
	struct capture *c = arg;
	struct nlmsghdr **grown;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(secrets); i++) {
		if (memmem(r->nlh, r->nlh->nlmsg_len, secrets[i], strlen(secrets[i]))) {
			c->secrets_seen++;
			break;
		}
	}
	grown = realloc(c->msgs, (c->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	c->msgs = grown;
	c->msgs[c->n] = malloc(r->nlh->nlmsg_len);
	if (!c->msgs[c->n])
		return -ENOMEM;
	memcpy(c->msgs[c->n++], r->nlh, r->nlh->nlmsg_len);
	return 0;
}

static void capture_free(struct capture *c)
{
	while (c->n > 0)
		free(c->msgs[--c->n]);
	free(c->msgs);
	memset(c, 0, sizeof(*c));
}

/* Attributes of captured message @i, or of a nest, into @tb[0..maxattr]. */
static struct nlattr **attrs(struct capture *c, int i, struct nlattr **tb, int maxattr)
{
	struct genlmsghdr *g = nlmsg_data(c->msgs[i]);

	memset(tb, 0, (maxattr + 1) * sizeof(*tb));
	nla_parse(tb, maxattr, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), NULL);
	return tb;
}

static struct nlattr **nested(struct nlattr *nest, struct nlattr **tb, int maxattr)
{
	memset(tb, 0, (maxattr + 1) * sizeof(*tb));
	if (nest)
		nla_parse_nested(tb, maxattr, nest, NULL);
	return tb;
}

static int do_cmd(struct bsnl *h, int cmd, const struct attr *a, struct capture *c)
{
	struct nl_msg *m = build(h, cmd, a);

	if (!m)
		return -E2BIG;
	return bsnl_do(h, m, c ? capture_cb : NULL, c);
}

static int dump_cmd(struct bsnl *h, int cmd, const struct attr *a, struct capture *c)
{
	struct nl_msg *m = build(h, cmd, a);

	if (!m)
		return -E2BIG;
	return bsnl_dump(h, m, capture_cb, c);
}

#define DO(h, cmd, ...)		do_cmd(h, cmd, ATTRS(__VA_ARGS__), NULL)
#define GET(h, c, cmd, ...)	do_cmd(h, cmd, ATTRS(__VA_ARGS__), c)
#define DUMP(h, c, cmd, ...)	dump_cmd(h, cmd, ATTRS(__VA_ARGS__), c)

/* Succeeds. */
#define OK(h, cmd, ...) do { \
	int __r = DO(h, cmd, __VA_ARGS__); \
	ASSERT_EQ(0, __r) TH_LOG("%s: %d (%s), extack \"%s\"", #cmd, __r, \
				 strerror(-__r), bsnl_extack(h)); \
} while (0)

/*
 * Fails with -@want (or -@alt) and an extack message; when @miss is not 0,
 * the kernel may also name the missing attribute, and then it must be @miss.
 */
#define REJECT_IMPL(h, want, alt, miss, cmd, ...) do { \
	int __r = DO(h, cmd, __VA_ARGS__); \
	EXPECT_TRUE(__r == -(want) || __r == -(alt)) \
		TH_LOG("%s: got %d (%s), expected -%s, extack \"%s\"", #cmd, __r, \
		       strerror(-__r), #want, bsnl_extack(h)); \
	EXPECT_NE(0, bsnl_extack(h)[0]) \
		TH_LOG("%s -> %d (%s): no extack message (missing-attribute type %d)", \
		       #cmd, __r, strerror(-__r), bsnl_extack_missing(h)); \
	if ((miss) && bsnl_extack_missing(h)) \
		EXPECT_EQ((miss), bsnl_extack_missing(h)) \
			TH_LOG("%s: kernel names attribute %d as missing, not %s", #cmd, \
			       bsnl_extack_missing(h), #miss); \
} while (0)
#define REJECT2(h, want, alt, cmd, ...)	REJECT_IMPL(h, want, alt, 0, cmd, __VA_ARGS__)
#define REJECT(h, want, cmd, ...)	REJECT_IMPL(h, want, want, 0, cmd, __VA_ARGS__)
/* A policy rejection: the kernel's policy code says EINVAL or ERANGE. */
#define REJECT_POLICY(h, cmd, ...)	REJECT_IMPL(h, EINVAL, ERANGE, 0, cmd, __VA_ARGS__)
/* A required attribute @miss is missing. */
#define REJECT_MISSING(h, miss, cmd, ...) REJECT_IMPL(h, EINVAL, EINVAL, miss, cmd, __VA_ARGS__)

static const unsigned char lo4[4] = { 127, 0, 0, 1 };
static const unsigned char lo6[16] = { [15] = 1 };
static const unsigned char any4[4];
static const unsigned char doc4[4] = { 192, 0, 2, 1 };	/* TEST-NET-1: not local */
static const unsigned char doc6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

/* ---- fixture ----------------------------------------------------------- */

FIXTURE(nl) {
	struct bsnl *h;
	char img[64];		/* 16 MiB image */
	char odd[64];		/* 16 MiB + 100 bytes */
	char tiny[64];		/* 100 bytes: less than a block */
	char mid[64];		/* 2048 bytes: a 512 block but no 4096 one */
};

FIXTURE_SETUP(nl)
{
	int ret;

	if (getuid() != 0)
		SKIP(return, "needs root to load modules");
	if (module_loaded())
		ASSERT_EQ(0, unload_module());
	ASSERT_EQ(0, load_module());
	ret = bsnl_open(&self->h);
	ASSERT_EQ(0, ret) TH_LOG("bsnl_open: %s (family '" BOOTSAN_FAMILY_NAME
				 "' not registered?)", strerror(-ret));
	snprintf(self->img, sizeof(self->img), "/tmp/bootsan-nl-%d.img", getpid());
	snprintf(self->odd, sizeof(self->odd), "/tmp/bootsan-nl-%d.odd", getpid());
	snprintf(self->tiny, sizeof(self->tiny), "/tmp/bootsan-nl-%d.tiny", getpid());
	snprintf(self->mid, sizeof(self->mid), "/tmp/bootsan-nl-%d.mid", getpid());
	ASSERT_EQ(0, make_file(self->img, IMG_SIZE));
	ASSERT_EQ(0, make_file(self->odd, IMG_SIZE + 100));
	ASSERT_EQ(0, make_file(self->tiny, 100));
	ASSERT_EQ(0, make_file(self->mid, 2048));
}

FIXTURE_TEARDOWN(nl)
{
	bsnl_close(self->h);
	self->h = NULL;
	if (module_loaded())
		EXPECT_EQ(0, unload_module());
	unlink(self->img);
	unlink(self->odd);
	unlink(self->tiny);
	unlink(self->mid);
}

/* A configuration with something of every kind; 0 or -errno. */
#define CK(h, expr) do { \
	int __e = (expr); \
	if (__e) { \
		fprintf(stderr, "# %s:%d: %s: %d (%s), extack \"%s\"\n", __FILE__, \
			__LINE__, #expr, __e, strerror(-__e), bsnl_extack(h)); \
		return __e; \
	} \
} while (0)

static int configure_full(struct bsnl *h, const char *img, int ntargets)
{
	char iqn[64];
	int t, l;

	CK(h, DO(h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4)));
	CK(h, DO(h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo6, 16),
		 U16(BOOTSAN_A_PORTAL_PORT, 3261), U16(BOOTSAN_A_PORTAL_TPGT, 2)));
	for (t = 0; t < ntargets; t++) {
		snprintf(iqn, sizeof(iqn), "iqn.2024-01.org.example:full%d", t);
		CK(h, DO(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, iqn),
			 STR(BOOTSAN_A_TARGET_ALIAS, "full"),
			 U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_MUTUAL_CHAP),
			 NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"),
			 BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END,
			 NEST(BOOTSAN_A_TARGET_MUTUAL_CHAP), STR(BOOTSAN_A_CHAP_USER, "m"),
			 BIN(BOOTSAN_A_CHAP_SECRET, SECRET_B, strlen(SECRET_B)), NEST_END));
		for (l = 0; l < 2; l++)
			CK(h, DO(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, iqn),
				 U32(BOOTSAN_A_LUN_LUN, l), STR(BOOTSAN_A_LUN_PATH, img),
				 STR(BOOTSAN_A_LUN_SERIAL, "serial"),
				 U64(BOOTSAN_A_LUN_NAA, 0x6001405000000000ULL + l)));
		CK(h, DO(h, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, iqn),
			 STR(BOOTSAN_A_ACL_INITIATOR, I0)));
		CK(h, DO(h, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, iqn),
			 STR(BOOTSAN_A_ACL_INITIATOR, I1),
			 NEST(BOOTSAN_A_ACL_CHAP), STR(BOOTSAN_A_CHAP_USER, "i1"),
			 BIN(BOOTSAN_A_CHAP_SECRET, SECRET_C, strlen(SECRET_C)), NEST_END,
			 NEST(BOOTSAN_A_ACL_MUTUAL_CHAP), STR(BOOTSAN_A_CHAP_USER, "t1"),
			 BIN(BOOTSAN_A_CHAP_SECRET, SECRET_D, strlen(SECRET_D)), NEST_END));
	}
	return 0;
}

/* Run @fn in a child process; its exit status (0 = passed), or -1. */
static int run_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg) ? 1 : 0);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Checks inside children, which must not use the harness's ASSERTs. */
#define CHILD_EXPECT(failed, cond, fmt, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "# %s:%d: %s: " fmt "\n", __FILE__, __LINE__, #cond, \
			##__VA_ARGS__); \
		(failed)++; \
	} \
} while (0)

/* ---- family ------------------------------------------------------------ */

TEST_F(nl, family_and_events_group_resolve)
{
	EXPECT_GE(bsnl_family_id(self->h), GENL_MIN_ID);
	EXPECT_GT(bsnl_events_group(self->h), 0);
	EXPECT_EQ(-ENOTCONN, bsnl_recv_event(self->h, 0, NULL, NULL));
	EXPECT_EQ(-1, bsnl_events_fd(self->h));
	ASSERT_EQ(0, bsnl_subscribe(self->h));
	EXPECT_LE(0, bsnl_events_fd(self->h));
	/* Nothing emits events yet: the wait times out. */
	EXPECT_EQ(-ETIMEDOUT, bsnl_recv_event(self->h, 200, NULL, NULL));
}

TEST_F(nl, unknown_attribute_is_rejected)
{
	/* Reply-only attributes are not part of any request policy. */
	REJECT(self->h, EINVAL, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4),
	       U32(BOOTSAN_A_PORTAL_CONNECTIONS, 1));
	REJECT(self->h, EINVAL, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_LUNS, 1));
}

/* ---- portals ----------------------------------------------------------- */

TEST_F(nl, portal_new_get_dump_del)
{
	struct nlattr *tb[BOOTSAN_A_PORTAL_MAX + 1];
	struct capture c = {};
	int i, seen4 = 0, seen6 = 0;

	OK(self->h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4));
	OK(self->h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo6, 16),
	   U16(BOOTSAN_A_PORTAL_PORT, 3261), U16(BOOTSAN_A_PORTAL_TPGT, 7),
	   U32(BOOTSAN_A_PORTAL_LOGIN_TIMEOUT, 3600));
	/* A login deadline of more than an hour is a mistake. */
	REJECT_POLICY(self->h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4),
		      U16(BOOTSAN_A_PORTAL_PORT, 3262), U32(BOOTSAN_A_PORTAL_LOGIN_TIMEOUT, 3601));

	/* get (do) with the default port */
	ASSERT_EQ(0, GET(self->h, &c, BOOTSAN_CMD_PORTAL_GET, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_PORTAL_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_ADDR]);
	EXPECT_EQ(4, nla_len(tb[BOOTSAN_A_PORTAL_ADDR]));
	EXPECT_EQ(0, memcmp(nla_data(tb[BOOTSAN_A_PORTAL_ADDR]), lo4, 4));
	ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_PORT]);
	EXPECT_EQ(3260, nla_get_u16(tb[BOOTSAN_A_PORTAL_PORT]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_TPGT]);
	EXPECT_EQ(1, nla_get_u16(tb[BOOTSAN_A_PORTAL_TPGT]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_CONNECTIONS]);
	EXPECT_EQ(0, nla_get_u32(tb[BOOTSAN_A_PORTAL_CONNECTIONS]));
	/* Room for a lab of a thousand; 15 s to log in, as LIO. */
	ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_MAX_CONNECTIONS]);
	EXPECT_EQ(4096, nla_get_u32(tb[BOOTSAN_A_PORTAL_MAX_CONNECTIONS]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT]);
	EXPECT_EQ(15, nla_get_u32(tb[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT]));
	capture_free(&c);

	ASSERT_EQ(0, GET(self->h, &c, BOOTSAN_CMD_PORTAL_GET, BIN(BOOTSAN_A_PORTAL_ADDR, lo6, 16),
			 U16(BOOTSAN_A_PORTAL_PORT, 3261)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_PORTAL_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_ADDR]);
	EXPECT_EQ(16, nla_len(tb[BOOTSAN_A_PORTAL_ADDR]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_PORT]);
	EXPECT_EQ(3261, nla_get_u16(tb[BOOTSAN_A_PORTAL_PORT]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_TPGT]);
	EXPECT_EQ(7, nla_get_u16(tb[BOOTSAN_A_PORTAL_TPGT]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT]);
	EXPECT_EQ(3600, nla_get_u32(tb[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT]));
	capture_free(&c);

	/* dump: both, each once */
	ASSERT_EQ(0, DUMP(self->h, &c, BOOTSAN_CMD_PORTAL_GET));
	EXPECT_EQ(2, c.n);
	for (i = 0; i < c.n; i++) {
		attrs(&c, i, tb, BOOTSAN_A_PORTAL_MAX);
		ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_ADDR]);
		ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_PORT]);
		ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_TPGT]);
		ASSERT_NE(NULL, tb[BOOTSAN_A_PORTAL_CONNECTIONS]);
		if (nla_len(tb[BOOTSAN_A_PORTAL_ADDR]) == 4) {
			seen4++;
			EXPECT_EQ(3260, nla_get_u16(tb[BOOTSAN_A_PORTAL_PORT]));
		} else {
			seen6++;
			EXPECT_EQ(0, memcmp(nla_data(tb[BOOTSAN_A_PORTAL_ADDR]), lo6, 16));
			EXPECT_EQ(3261, nla_get_u16(tb[BOOTSAN_A_PORTAL_PORT]));
		}
	}
	EXPECT_EQ(1, seen4);
	EXPECT_EQ(1, seen6);
	capture_free(&c);

	OK(self->h, BOOTSAN_CMD_PORTAL_DEL, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4));
	OK(self->h, BOOTSAN_CMD_PORTAL_DEL, BIN(BOOTSAN_A_PORTAL_ADDR, lo6, 16),
	   U16(BOOTSAN_A_PORTAL_PORT, 3261));
	ASSERT_EQ(0, DUMP(self->h, &c, BOOTSAN_CMD_PORTAL_GET));
	EXPECT_EQ(0, c.n);
	capture_free(&c);
	REJECT(self->h, ENOENT, BOOTSAN_CMD_PORTAL_GET, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4));

	/* The address and port are free again. */
	OK(self->h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4));
}

TEST_F(nl, portal_wildcard_address)
{
	OK(self->h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, any4, 4),
	   U16(BOOTSAN_A_PORTAL_PORT, 3270));
	OK(self->h, BOOTSAN_CMD_PORTAL_DEL, BIN(BOOTSAN_A_PORTAL_ADDR, any4, 4),
	   U16(BOOTSAN_A_PORTAL_PORT, 3270));
}

TEST_F(nl, portal_rejections)
{
	static const unsigned char five[5] = { 127, 0, 0, 1, 0 };
	struct bsnl *h = self->h;

	REJECT_MISSING(h, BOOTSAN_A_PORTAL_ADDR, BOOTSAN_CMD_PORTAL_NEW);
	REJECT_MISSING(h, BOOTSAN_A_PORTAL_ADDR,
		       BOOTSAN_CMD_PORTAL_NEW, U16(BOOTSAN_A_PORTAL_PORT, 3260));
	REJECT(h, EINVAL, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, five, 5));
	/* 4 to 16 bytes is the policy's; 4 or 16 the handler's */
	REJECT_POLICY(h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 3));
	REJECT_POLICY(h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 0));
	{
		unsigned char big[17] = { 127, 0, 0, 1 };

		REJECT(h, ERANGE, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, big, 17));
		REJECT(h, ERANGE, BOOTSAN_CMD_PORTAL_DEL, BIN(BOOTSAN_A_PORTAL_ADDR, big, 17));
	}
	REJECT(h, EINVAL, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4),
	       U16(BOOTSAN_A_PORTAL_PORT, 0));
	/* a u16 sent as 4 bytes: strict policy */
	REJECT(h, EINVAL, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4),
	       U32(BOOTSAN_A_PORTAL_PORT, 3260));
	REJECT(h, EADDRNOTAVAIL, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, doc4, 4));
	REJECT(h, EADDRNOTAVAIL, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, doc6, 16));

	OK(h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4));
	REJECT(h, EEXIST, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4));
	REJECT(h, EEXIST, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4),
	       U16(BOOTSAN_A_PORTAL_PORT, 3260), U16(BOOTSAN_A_PORTAL_TPGT, 9));
	OK(h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo6, 16));
	REJECT(h, EEXIST, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo6, 16));

	REJECT_MISSING(h, BOOTSAN_A_PORTAL_ADDR, BOOTSAN_CMD_PORTAL_DEL);
	REJECT(h, EINVAL, BOOTSAN_CMD_PORTAL_DEL, BIN(BOOTSAN_A_PORTAL_ADDR, five, 5));
	REJECT(h, ENOENT, BOOTSAN_CMD_PORTAL_DEL, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4),
	       U16(BOOTSAN_A_PORTAL_PORT, 3261));
	REJECT(h, ENOENT, BOOTSAN_CMD_PORTAL_DEL, BIN(BOOTSAN_A_PORTAL_ADDR, doc4, 4));

	REJECT_MISSING(h, BOOTSAN_A_PORTAL_ADDR, BOOTSAN_CMD_PORTAL_GET);
	REJECT(h, ENOENT, BOOTSAN_CMD_PORTAL_GET, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4),
	       U16(BOOTSAN_A_PORTAL_PORT, 3999));
	REJECT(h, ENOENT, BOOTSAN_CMD_PORTAL_GET, BIN(BOOTSAN_A_PORTAL_ADDR, doc6, 16));
}

/* ---- targets ----------------------------------------------------------- */

TEST_F(nl, target_new_get_dump_set_del)
{
	char long_iqn[BOOTSAN_IQN_MAX_LEN + 1];
	struct nlattr *tb[BOOTSAN_A_TARGET_MAX + 1], *ch[BOOTSAN_A_CHAP_MAX + 1];
	static const char *const names[] = {
		T0, T1, "eui.02004567A425678D", "naa.52004567ba64678d",
		"naa.6001405AB0123456789ABCDEF0123456",
	};
	int seen[6] = {}, i, j, bad;
	struct capture c = {};
	struct bsnl *h = self->h;

	/* the longest valid name */
	memset(long_iqn, 'a', sizeof(long_iqn));
	memcpy(long_iqn, "iqn.2024-01.org.example:", 24);
	long_iqn[BOOTSAN_IQN_MAX_LEN] = '\0';

	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0));
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T1),
	   STR(BOOTSAN_A_TARGET_ALIAS, "disk one"), U32(BOOTSAN_A_TARGET_MAX_SESSIONS, 8),
	   U32(BOOTSAN_A_TARGET_QUEUE_DEPTH, 128), U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_NONE));
	for (i = 2; i < 5; i++)
		OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, names[i]),
		   U32(BOOTSAN_A_TARGET_MAX_SESSIONS, 0), U32(BOOTSAN_A_TARGET_QUEUE_DEPTH, 1));
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, long_iqn));

	/* defaults */
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T0)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_TARGET_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_IQN]);
	EXPECT_STREQ(T0, nla_get_string(tb[BOOTSAN_A_TARGET_IQN]));
	EXPECT_EQ(NULL, tb[BOOTSAN_A_TARGET_ALIAS]);
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_AUTH]);
	EXPECT_EQ(BOOTSAN_AUTH_NONE, nla_get_u32(tb[BOOTSAN_A_TARGET_AUTH]));
	EXPECT_EQ(NULL, tb[BOOTSAN_A_TARGET_CHAP]);
	EXPECT_EQ(NULL, tb[BOOTSAN_A_TARGET_MUTUAL_CHAP]);
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_MAX_SESSIONS]);
	EXPECT_EQ(4096, nla_get_u32(tb[BOOTSAN_A_TARGET_MAX_SESSIONS]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]);
	EXPECT_EQ(32, nla_get_u32(tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_LUNS]);
	EXPECT_EQ(0, nla_get_u32(tb[BOOTSAN_A_TARGET_LUNS]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_SESSIONS]);
	EXPECT_EQ(0, nla_get_u32(tb[BOOTSAN_A_TARGET_SESSIONS]));
	capture_free(&c);

	/* explicit values */
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T1)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_TARGET_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_ALIAS]);
	EXPECT_STREQ("disk one", nla_get_string(tb[BOOTSAN_A_TARGET_ALIAS]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_MAX_SESSIONS]);
	EXPECT_EQ(8, nla_get_u32(tb[BOOTSAN_A_TARGET_MAX_SESSIONS]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]);
	EXPECT_EQ(128, nla_get_u32(tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]));
	capture_free(&c);

	/* max-sessions 0 means the default */
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, names[2])));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_TARGET_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_MAX_SESSIONS]);
	EXPECT_EQ(4096, nla_get_u32(tb[BOOTSAN_A_TARGET_MAX_SESSIONS]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]);
	EXPECT_EQ(1, nla_get_u32(tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]));
	capture_free(&c);

	/* dump: all six, each once */
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_TARGET_GET));
	EXPECT_EQ(6, c.n);
	for (i = 0; i < c.n; i++) {
		attrs(&c, i, tb, BOOTSAN_A_TARGET_MAX);
		ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_IQN]);
		ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_AUTH]);
		ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_MAX_SESSIONS]);
		ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]);
		ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_LUNS]);
		ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_SESSIONS]);
		for (j = 0; j < 5; j++)
			if (!strcmp(names[j], nla_get_string(tb[BOOTSAN_A_TARGET_IQN])))
				seen[j]++;
		if (!strcmp(long_iqn, nla_get_string(tb[BOOTSAN_A_TARGET_IQN])))
			seen[5]++;
	}
	for (j = 0, bad = 0; j < 6; j++) {
		if (seen[j] != 1) {
			TH_LOG("target %s seen %d times", j < 5 ? names[j] : "(longest)", seen[j]);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
	capture_free(&c);

	/* set: only the given attributes change */
	OK(h, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T1),
	   STR(BOOTSAN_A_TARGET_ALIAS, "renamed"), U32(BOOTSAN_A_TARGET_QUEUE_DEPTH, 16));
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T1)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_TARGET_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_ALIAS]);
	EXPECT_STREQ("renamed", nla_get_string(tb[BOOTSAN_A_TARGET_ALIAS]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]);
	EXPECT_EQ(16, nla_get_u32(tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_MAX_SESSIONS]);
	EXPECT_EQ(8, nla_get_u32(tb[BOOTSAN_A_TARGET_MAX_SESSIONS]));
	EXPECT_EQ(BOOTSAN_AUTH_NONE, nla_get_u32(tb[BOOTSAN_A_TARGET_AUTH]));
	capture_free(&c);

	/* set: turn CHAP on, consistently */
	OK(h, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T0),
	   U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_CHAP),
	   NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "boot"),
	   BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END);
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T0)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_TARGET_MAX);
	EXPECT_EQ(BOOTSAN_AUTH_CHAP, nla_get_u32(tb[BOOTSAN_A_TARGET_AUTH]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_CHAP]);
	nested(tb[BOOTSAN_A_TARGET_CHAP], ch, BOOTSAN_A_CHAP_MAX);
	ASSERT_NE(NULL, ch[BOOTSAN_A_CHAP_USER]);
	EXPECT_STREQ("boot", nla_get_string(ch[BOOTSAN_A_CHAP_USER]));
	EXPECT_NE(NULL, ch[BOOTSAN_A_CHAP_SECRET_SET]);
	EXPECT_EQ(NULL, ch[BOOTSAN_A_CHAP_SECRET]);
	EXPECT_EQ(0, c.secrets_seen);
	capture_free(&c);

	/* del */
	OK(h, BOOTSAN_CMD_TARGET_DEL, STR(BOOTSAN_A_TARGET_IQN, T0));
	REJECT(h, ENOENT, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T0));
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_TARGET_GET));
	EXPECT_EQ(5, c.n);
	capture_free(&c);
	/* the name is free again */
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0));
}

TEST_F(nl, target_rejections)
{
	char long_iqn[BOOTSAN_IQN_MAX_LEN + 2], alias[301], secret[257];
	struct nlattr *tb[BOOTSAN_A_TARGET_MAX + 1];
	static const char *const bad[] = {
		"foo", "", "iqn.2024-13.org.example", "iqn.2024-00.org.example",
		"iqn.24-01.org.example", "iqn.2024-1.org.example", "iqn.2024-01.",
		"IQN.2024-01.org.example", "iqn.2024-01.org.Example:t",
		"eui.0123", "eui.0123456789ABCDEG", "eui.0123456789ABCDEF0",
		"naa.0123456789ABCDEF01", "naa.", "eui", "iqn", "iqn.2024-01",
	};
	struct capture c = {};
	struct bsnl *h = self->h;
	size_t i;

	memset(long_iqn, 'a', sizeof(long_iqn));
	memcpy(long_iqn, "iqn.2024-01.org.example:", 24);
	long_iqn[BOOTSAN_IQN_MAX_LEN + 1] = '\0';	/* 224 characters */
	memset(alias, 'x', sizeof(alias) - 1);
	alias[300] = '\0';
	memset(secret, 's', sizeof(secret));

	REJECT_MISSING(h, BOOTSAN_A_TARGET_IQN, BOOTSAN_CMD_TARGET_NEW);
	REJECT_MISSING(h, BOOTSAN_A_TARGET_IQN,
		       BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_ALIAS, "no name"));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = DO(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, bad[i]));

		EXPECT_EQ(-EINVAL, r) TH_LOG("target-new \"%s\": %d (%s)", bad[i], r,
					     strerror(-r));
		EXPECT_NE(0, bsnl_extack(h)[0]) TH_LOG("target-new \"%s\": no extack message",
						       bad[i]);
	}
	REJECT_POLICY(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, long_iqn));
	REJECT_POLICY(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
		      STR(BOOTSAN_A_TARGET_ALIAS, alias));
	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_QUEUE_DEPTH, 0));
	REJECT_POLICY(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
		      U32(BOOTSAN_A_TARGET_QUEUE_DEPTH, 200));
	REJECT_POLICY(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
		      U32(BOOTSAN_A_TARGET_AUTH, 7));
	/* auth and credentials must agree */
	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_CHAP));
	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_CHAP),
	       NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"), NEST_END);
	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_CHAP),
	       NEST(BOOTSAN_A_TARGET_CHAP), BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)),
	       NEST_END);
	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_MUTUAL_CHAP),
	       NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"),
	       BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END);
	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_MUTUAL_CHAP),
	       NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"),
	       BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END,
	       NEST(BOOTSAN_A_TARGET_MUTUAL_CHAP), STR(BOOTSAN_A_CHAP_USER, "m"), NEST_END);
	/* secret length: 12 to 255 bytes, in the policy */
	REJECT_POLICY(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
		      U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_CHAP),
		      NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"),
		      BIN(BOOTSAN_A_CHAP_SECRET, secret, 11), NEST_END);
	REJECT(h, ERANGE, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_CHAP),
	       NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"),
	       BIN(BOOTSAN_A_CHAP_SECRET, secret, 256), NEST_END);
	/* the boundaries are accepted: 12 and 255 bytes */
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, "iqn.2024-01.org.example:s12"),
	   U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_CHAP),
	   NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"),
	   BIN(BOOTSAN_A_CHAP_SECRET, secret, 12), NEST_END);
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, "iqn.2024-01.org.example:s255"),
	   U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_CHAP),
	   NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"),
	   BIN(BOOTSAN_A_CHAP_SECRET, secret, 255), NEST_END);

	/* nothing of the above was created */
	REJECT(h, ENOENT, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T0));
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_TARGET_GET));
	EXPECT_EQ(2, c.n);
	capture_free(&c);

	/* duplicates */
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0));
	REJECT(h, EEXIST, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0));
	REJECT(h, EEXIST, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	       STR(BOOTSAN_A_TARGET_ALIAS, "other"));

	/* unknown targets, missing names */
	REJECT(h, ENOENT, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T1));
	REJECT(h, ENOENT, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T1),
	       STR(BOOTSAN_A_TARGET_ALIAS, "x"));
	REJECT(h, ENOENT, BOOTSAN_CMD_TARGET_DEL, STR(BOOTSAN_A_TARGET_IQN, T1));
	REJECT_MISSING(h, BOOTSAN_A_TARGET_IQN, BOOTSAN_CMD_TARGET_GET);
	REJECT_MISSING(h, BOOTSAN_A_TARGET_IQN,
		       BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_ALIAS, "x"));
	REJECT_MISSING(h, BOOTSAN_A_TARGET_IQN, BOOTSAN_CMD_TARGET_DEL);

	/* set: checked like new, and a rejected set changes nothing */
	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_QUEUE_DEPTH, 0));
	REJECT_POLICY(h, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T0),
		      U32(BOOTSAN_A_TARGET_QUEUE_DEPTH, 200));
	REJECT_POLICY(h, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T0),
		      STR(BOOTSAN_A_TARGET_ALIAS, alias));
	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T0),
	       STR(BOOTSAN_A_TARGET_ALIAS, "half"), U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_CHAP));
	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_MUTUAL_CHAP),
	       NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"),
	       BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END);
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T0)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_TARGET_MAX);
	EXPECT_EQ(NULL, tb[BOOTSAN_A_TARGET_ALIAS]);
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_AUTH]);
	EXPECT_EQ(BOOTSAN_AUTH_NONE, nla_get_u32(tb[BOOTSAN_A_TARGET_AUTH]));
	EXPECT_EQ(NULL, tb[BOOTSAN_A_TARGET_CHAP]);
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]);
	EXPECT_EQ(32, nla_get_u32(tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]));
	capture_free(&c);
}

/* Mutual CHAP with the initiator's own secret proves nothing: refused when configured. */
TEST_F(nl, mutual_secret_must_differ)
{
	struct bsnl *h = self->h;

	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	       U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_MUTUAL_CHAP),
	       NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "alice"),
	       BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END,
	       NEST(BOOTSAN_A_TARGET_MUTUAL_CHAP), STR(BOOTSAN_A_CHAP_USER, "target"),
	       BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END);
	EXPECT_NE(NULL, strstr(bsnl_extack(h), "must differ"));
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	   NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "alice"),
	   BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END);
	/* A later change that would make them equal is refused too, and changes nothing. */
	REJECT(h, EINVAL, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T0),
	       NEST(BOOTSAN_A_TARGET_MUTUAL_CHAP), STR(BOOTSAN_A_CHAP_USER, "target"),
	       BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END);
	REJECT(h, EINVAL, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0),
	       STR(BOOTSAN_A_ACL_INITIATOR, I0),
	       NEST(BOOTSAN_A_ACL_CHAP), STR(BOOTSAN_A_CHAP_USER, "i0"),
	       BIN(BOOTSAN_A_CHAP_SECRET, SECRET_B, strlen(SECRET_B)), NEST_END,
	       NEST(BOOTSAN_A_ACL_MUTUAL_CHAP), STR(BOOTSAN_A_CHAP_USER, "t0"),
	       BIN(BOOTSAN_A_CHAP_SECRET, SECRET_B, strlen(SECRET_B)), NEST_END);
	OK(h, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T0),
	   NEST(BOOTSAN_A_TARGET_MUTUAL_CHAP), STR(BOOTSAN_A_CHAP_USER, "target"),
	   BIN(BOOTSAN_A_CHAP_SECRET, SECRET_B, strlen(SECRET_B)), NEST_END);
}

TEST_F(nl, chap_secrets_are_never_returned)
{
	struct nlattr *tb[BOOTSAN_A_TARGET_MAX + 1], *ch[BOOTSAN_A_CHAP_MAX + 1];
	struct nlattr *atb[BOOTSAN_A_ACL_MAX + 1];
	struct capture c = {};
	struct bsnl *h = self->h;
	int i;

	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0),
	   U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_CHAP),
	   NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "alice"),
	   BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END);
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T1),
	   U32(BOOTSAN_A_TARGET_AUTH, BOOTSAN_AUTH_MUTUAL_CHAP),
	   NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "bob"),
	   BIN(BOOTSAN_A_CHAP_SECRET, SECRET_B, strlen(SECRET_B)), NEST_END,
	   NEST(BOOTSAN_A_TARGET_MUTUAL_CHAP), STR(BOOTSAN_A_CHAP_USER, "target"),
	   BIN(BOOTSAN_A_CHAP_SECRET, SECRET_C, strlen(SECRET_C)), NEST_END);
	OK(h, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T1), STR(BOOTSAN_A_ACL_INITIATOR, I0),
	   NEST(BOOTSAN_A_ACL_CHAP), STR(BOOTSAN_A_CHAP_USER, "carol"),
	   BIN(BOOTSAN_A_CHAP_SECRET, SECRET_D, strlen(SECRET_D)), NEST_END);

	/* get: chap{user, secret-set}, no secret */
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T0)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_TARGET_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_AUTH]);
	EXPECT_EQ(BOOTSAN_AUTH_CHAP, nla_get_u32(tb[BOOTSAN_A_TARGET_AUTH]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_CHAP]);
	nested(tb[BOOTSAN_A_TARGET_CHAP], ch, BOOTSAN_A_CHAP_MAX);
	ASSERT_NE(NULL, ch[BOOTSAN_A_CHAP_USER]);
	EXPECT_STREQ("alice", nla_get_string(ch[BOOTSAN_A_CHAP_USER]));
	EXPECT_NE(NULL, ch[BOOTSAN_A_CHAP_SECRET_SET]);
	EXPECT_EQ(NULL, ch[BOOTSAN_A_CHAP_SECRET]);
	EXPECT_EQ(NULL, tb[BOOTSAN_A_TARGET_MUTUAL_CHAP]);
	capture_free(&c);

	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T1)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_TARGET_MAX);
	EXPECT_EQ(BOOTSAN_AUTH_MUTUAL_CHAP, nla_get_u32(tb[BOOTSAN_A_TARGET_AUTH]));
	nested(tb[BOOTSAN_A_TARGET_CHAP], ch, BOOTSAN_A_CHAP_MAX);
	ASSERT_NE(NULL, ch[BOOTSAN_A_CHAP_USER]);
	EXPECT_STREQ("bob", nla_get_string(ch[BOOTSAN_A_CHAP_USER]));
	EXPECT_NE(NULL, ch[BOOTSAN_A_CHAP_SECRET_SET]);
	EXPECT_EQ(NULL, ch[BOOTSAN_A_CHAP_SECRET]);
	ASSERT_NE(NULL, tb[BOOTSAN_A_TARGET_MUTUAL_CHAP]);
	nested(tb[BOOTSAN_A_TARGET_MUTUAL_CHAP], ch, BOOTSAN_A_CHAP_MAX);
	ASSERT_NE(NULL, ch[BOOTSAN_A_CHAP_USER]);
	EXPECT_STREQ("target", nla_get_string(ch[BOOTSAN_A_CHAP_USER]));
	EXPECT_NE(NULL, ch[BOOTSAN_A_CHAP_SECRET_SET]);
	EXPECT_EQ(NULL, ch[BOOTSAN_A_CHAP_SECRET]);
	EXPECT_EQ(0, c.secrets_seen);
	capture_free(&c);

	/* dumps: no secret bytes anywhere */
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_TARGET_GET));
	EXPECT_EQ(2, c.n);
	for (i = 0; i < c.n; i++) {
		attrs(&c, i, tb, BOOTSAN_A_TARGET_MAX);
		nested(tb[BOOTSAN_A_TARGET_CHAP], ch, BOOTSAN_A_CHAP_MAX);
		EXPECT_EQ(NULL, ch[BOOTSAN_A_CHAP_SECRET]);
		EXPECT_NE(NULL, ch[BOOTSAN_A_CHAP_SECRET_SET]);
	}
	EXPECT_EQ(0, c.secrets_seen);
	capture_free(&c);

	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T1),
			 STR(BOOTSAN_A_ACL_INITIATOR, I0)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, atb, BOOTSAN_A_ACL_MAX);
	ASSERT_NE(NULL, atb[BOOTSAN_A_ACL_CHAP]);
	nested(atb[BOOTSAN_A_ACL_CHAP], ch, BOOTSAN_A_CHAP_MAX);
	ASSERT_NE(NULL, ch[BOOTSAN_A_CHAP_USER]);
	EXPECT_STREQ("carol", nla_get_string(ch[BOOTSAN_A_CHAP_USER]));
	EXPECT_NE(NULL, ch[BOOTSAN_A_CHAP_SECRET_SET]);
	EXPECT_EQ(NULL, ch[BOOTSAN_A_CHAP_SECRET]);
	EXPECT_EQ(0, c.secrets_seen);
	capture_free(&c);
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_ACL_GET));
	EXPECT_EQ(1, c.n);
	EXPECT_EQ(0, c.secrets_seen);
	capture_free(&c);

	/* a changed secret is not returned either */
	OK(h, BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, T0),
	   NEST(BOOTSAN_A_TARGET_CHAP), STR(BOOTSAN_A_CHAP_USER, "alice2"),
	   BIN(BOOTSAN_A_CHAP_SECRET, SECRET_D, strlen(SECRET_D)), NEST_END);
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_TARGET_GET));
	EXPECT_EQ(2, c.n);
	EXPECT_EQ(0, c.secrets_seen);
	capture_free(&c);
}

/* ---- LUNs and stats ---------------------------------------------------- */

static int find_lun(struct capture *c, const char *target, uint32_t lun,
		    struct nlattr **tb)
{
	int i, found = -1;

	for (i = 0; i < c->n; i++) {
		attrs(c, i, tb, BOOTSAN_A_LUN_MAX);
		if (tb[BOOTSAN_A_LUN_TARGET] && tb[BOOTSAN_A_LUN_LUN] &&
		    !strcmp(target, nla_get_string(tb[BOOTSAN_A_LUN_TARGET])) &&
		    nla_get_u32(tb[BOOTSAN_A_LUN_LUN]) == lun) {
			if (found >= 0)
				return -2;	/* twice */
			found = i;
		}
	}
	if (found >= 0)
		attrs(c, found, tb, BOOTSAN_A_LUN_MAX);
	return found;
}

TEST_F(nl, lun_new_get_dump_resize_del)
{
	struct nlattr *tb[BOOTSAN_A_LUN_MAX + 1], *ttb[BOOTSAN_A_TARGET_MAX + 1];
	struct capture c = {};
	struct bsnl *h = self->h;

	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0));
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T1));
	/* defaults: file backend, 512-byte blocks, the whole file */
	OK(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 0),
	   STR(BOOTSAN_A_LUN_PATH, self->img));
	OK(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 1),
	   U32(BOOTSAN_A_LUN_BACKEND, BOOTSAN_BACKEND_FILE), STR(BOOTSAN_A_LUN_PATH, self->img),
	   U32(BOOTSAN_A_LUN_BLOCK_SIZE, 4096), U64(BOOTSAN_A_LUN_SIZE, 8ULL << 20),
	   FLAG(BOOTSAN_A_LUN_READ_ONLY), STR(BOOTSAN_A_LUN_SERIAL, "SN-0001"),
	   U64(BOOTSAN_A_LUN_NAA, 0x6001405abcdef012ULL));
	OK(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 16383),
	   STR(BOOTSAN_A_LUN_PATH, self->odd), U64(BOOTSAN_A_LUN_NAA, 0x5001405abcdef012ULL));
	/* 4096-byte blocks round the odd file down too */
	OK(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T1), U32(BOOTSAN_A_LUN_LUN, 0),
	   STR(BOOTSAN_A_LUN_PATH, self->odd), U32(BOOTSAN_A_LUN_BLOCK_SIZE, 4096));

	/* get (do) */
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, T0),
			 U32(BOOTSAN_A_LUN_LUN, 0)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_LUN_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_TARGET]);
	EXPECT_STREQ(T0, nla_get_string(tb[BOOTSAN_A_LUN_TARGET]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_LUN]);
	EXPECT_EQ(0, nla_get_u32(tb[BOOTSAN_A_LUN_LUN]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_BACKEND]);
	EXPECT_EQ(BOOTSAN_BACKEND_FILE, nla_get_u32(tb[BOOTSAN_A_LUN_BACKEND]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_PATH]);
	EXPECT_STREQ(self->img, nla_get_string(tb[BOOTSAN_A_LUN_PATH]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_BLOCK_SIZE]);
	EXPECT_EQ(512, nla_get_u32(tb[BOOTSAN_A_LUN_BLOCK_SIZE]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_SIZE]);
	EXPECT_EQ(IMG_SIZE, nla_get_u64(tb[BOOTSAN_A_LUN_SIZE]));
	EXPECT_EQ(NULL, tb[BOOTSAN_A_LUN_READ_ONLY]);
	EXPECT_EQ(NULL, tb[BOOTSAN_A_LUN_DIRECT]);
	capture_free(&c);

	/* dump (all): each once, with what was set */
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_LUN_GET));
	EXPECT_EQ(4, c.n);
	ASSERT_LE(0, find_lun(&c, T0, 1, tb));
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_BLOCK_SIZE]);
	EXPECT_EQ(4096, nla_get_u32(tb[BOOTSAN_A_LUN_BLOCK_SIZE]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_SIZE]);
	EXPECT_EQ(8ULL << 20, nla_get_u64(tb[BOOTSAN_A_LUN_SIZE]));
	EXPECT_NE(NULL, tb[BOOTSAN_A_LUN_READ_ONLY]);
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_SERIAL]);
	EXPECT_STREQ("SN-0001", nla_get_string(tb[BOOTSAN_A_LUN_SERIAL]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_NAA]);
	EXPECT_EQ(0x6001405abcdef012ULL, nla_get_u64(tb[BOOTSAN_A_LUN_NAA]));
	ASSERT_LE(0, find_lun(&c, T0, 16383, tb));
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_SIZE]);
	EXPECT_EQ(IMG_SIZE, nla_get_u64(tb[BOOTSAN_A_LUN_SIZE]));
	ASSERT_LE(0, find_lun(&c, T1, 0, tb));
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_SIZE]);
	EXPECT_EQ(IMG_SIZE, nla_get_u64(tb[BOOTSAN_A_LUN_SIZE]));
	EXPECT_LE(0, find_lun(&c, T0, 0, tb));
	capture_free(&c);

	/* dump by target */
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, T0)));
	EXPECT_EQ(3, c.n);
	EXPECT_EQ(-1, find_lun(&c, T1, 0, tb));
	capture_free(&c);
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, T0)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, ttb, BOOTSAN_A_TARGET_MAX);
	ASSERT_NE(NULL, ttb[BOOTSAN_A_TARGET_LUNS]);
	EXPECT_EQ(3, nla_get_u32(ttb[BOOTSAN_A_TARGET_LUNS]));
	capture_free(&c);

	/* resize: down, back up to the whole file */
	OK(h, BOOTSAN_CMD_LUN_RESIZE, STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 0),
	   U64(BOOTSAN_A_LUN_SIZE, 4ULL << 20));
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, T0),
			 U32(BOOTSAN_A_LUN_LUN, 0)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_LUN_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_SIZE]);
	EXPECT_EQ(4ULL << 20, nla_get_u64(tb[BOOTSAN_A_LUN_SIZE]));
	capture_free(&c);
	OK(h, BOOTSAN_CMD_LUN_RESIZE, STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 0),
	   U64(BOOTSAN_A_LUN_SIZE, IMG_SIZE));

	/* stats: zeros, do and dump */
	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_STATS_GET, STR(BOOTSAN_A_STATS_TARGET, T0),
			 U32(BOOTSAN_A_STATS_LUN, 1)));
	ASSERT_EQ(1, c.n);
	{
		struct nlattr *stb[BOOTSAN_A_STATS_MAX + 1];
		int i, a;

		attrs(&c, 0, stb, BOOTSAN_A_STATS_MAX);
		ASSERT_NE(NULL, stb[BOOTSAN_A_STATS_TARGET]);
		EXPECT_STREQ(T0, nla_get_string(stb[BOOTSAN_A_STATS_TARGET]));
		ASSERT_NE(NULL, stb[BOOTSAN_A_STATS_LUN]);
		EXPECT_EQ(1, nla_get_u32(stb[BOOTSAN_A_STATS_LUN]));
		capture_free(&c);

		ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_STATS_GET));
		EXPECT_EQ(4, c.n);
		for (i = 0; i < c.n; i++) {
			attrs(&c, i, stb, BOOTSAN_A_STATS_MAX);
			EXPECT_NE(NULL, stb[BOOTSAN_A_STATS_TARGET]);
			EXPECT_NE(NULL, stb[BOOTSAN_A_STATS_LUN]);
			for (a = BOOTSAN_A_STATS_READ_CMDS; a <= BOOTSAN_A_STATS_LATENCY_NS; a++) {
				ASSERT_NE(NULL, stb[a]) TH_LOG("stats attribute %d missing", a);
				EXPECT_EQ(0, nla_get_u64(stb[a]));
			}
		}
		capture_free(&c);
		ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_STATS_GET, STR(BOOTSAN_A_STATS_TARGET, T1)));
		EXPECT_EQ(1, c.n);
		capture_free(&c);
	}

	/* del */
	OK(h, BOOTSAN_CMD_LUN_DEL, STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 1));
	REJECT(h, ENOENT, BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 1));
	REJECT(h, ENOENT, BOOTSAN_CMD_STATS_GET, STR(BOOTSAN_A_STATS_TARGET, T0),
	       U32(BOOTSAN_A_STATS_LUN, 1));
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, T0)));
	EXPECT_EQ(2, c.n);
	capture_free(&c);
	/* the number is free again */
	OK(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 1),
	   STR(BOOTSAN_A_LUN_PATH, self->img));

	/* deleting a target deletes its LUNs */
	OK(h, BOOTSAN_CMD_TARGET_DEL, STR(BOOTSAN_A_TARGET_IQN, T0));
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_LUN_GET));
	EXPECT_EQ(1, c.n);
	EXPECT_EQ(0, find_lun(&c, T1, 0, tb));
	capture_free(&c);
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_STATS_GET));
	EXPECT_EQ(1, c.n);
	capture_free(&c);
}

TEST_F(nl, lun_rejections)
{
	char path[5001];
	struct bsnl *h = self->h;
	const char *img = self->img;

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[5000] = '\0';

	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0));

	/* missing required attributes */
	REJECT_MISSING(h, BOOTSAN_A_LUN_TARGET, BOOTSAN_CMD_LUN_NEW,
		       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img));
	REJECT_MISSING(h, BOOTSAN_A_LUN_LUN, BOOTSAN_CMD_LUN_NEW,
		       STR(BOOTSAN_A_LUN_TARGET, T0), STR(BOOTSAN_A_LUN_PATH, img));
	REJECT_MISSING(h, BOOTSAN_A_LUN_PATH, BOOTSAN_CMD_LUN_NEW,
		       STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 0));
	/* unknown target */
	REJECT(h, ENOENT, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T1),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img));
	/* out of range, malformed */
	REJECT_POLICY(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
		      U32(BOOTSAN_A_LUN_LUN, 20000), STR(BOOTSAN_A_LUN_PATH, img));
	REJECT_POLICY(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
		      U32(BOOTSAN_A_LUN_LUN, 16384), STR(BOOTSAN_A_LUN_PATH, img));
	REJECT_POLICY(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
		      U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
		      U32(BOOTSAN_A_LUN_BACKEND, 2));
	REJECT_POLICY(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
		      U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, path));
	REJECT_POLICY(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
		      U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
		      STR(BOOTSAN_A_LUN_SERIAL,
			  "0123456789012345678901234567890123456789012345678901234567890123456789"));
	/* paths */
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, "tmp/image"));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, ""));
	REJECT(h, ENOENT, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, "/tmp/no-such-image"));
	/* not a regular file: opening a directory for writing fails first */
	REJECT2(h, EINVAL, EISDIR, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
		U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, "/tmp"));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, "/dev/null"));
	REJECT(h, ENOTBLK, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
	       U32(BOOTSAN_A_LUN_BACKEND, BOOTSAN_BACKEND_BLOCK));
	/* block size and size */
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
	       U32(BOOTSAN_A_LUN_BLOCK_SIZE, 1000));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
	       U32(BOOTSAN_A_LUN_BLOCK_SIZE, 0));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
	       U64(BOOTSAN_A_LUN_SIZE, 1000));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
	       U32(BOOTSAN_A_LUN_BLOCK_SIZE, 4096), U64(BOOTSAN_A_LUN_SIZE, 4096 + 512));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
	       U64(BOOTSAN_A_LUN_SIZE, 0));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
	       U64(BOOTSAN_A_LUN_SIZE, IMG_SIZE + 512));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, self->tiny));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, self->mid),
	       U32(BOOTSAN_A_LUN_BLOCK_SIZE, 4096));
	/* NAA type must be 5 or 6 */
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
	       U64(BOOTSAN_A_LUN_NAA, 0x3001405abcdef012ULL));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img),
	       U64(BOOTSAN_A_LUN_NAA, 0));

	/* none of that created a LUN: the 512-byte-block mid file is fine */
	OK(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 0),
	   STR(BOOTSAN_A_LUN_PATH, self->mid));
	REJECT(h, EEXIST, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), STR(BOOTSAN_A_LUN_PATH, img));

	/* get / dump */
	REJECT_MISSING(h, BOOTSAN_A_LUN_LUN, BOOTSAN_CMD_LUN_GET,
		       STR(BOOTSAN_A_LUN_TARGET, T0));
	REJECT_MISSING(h, BOOTSAN_A_LUN_TARGET, BOOTSAN_CMD_LUN_GET, U32(BOOTSAN_A_LUN_LUN, 0));
	REJECT(h, ENOENT, BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 5));
	REJECT(h, ENOENT, BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, T1),
	       U32(BOOTSAN_A_LUN_LUN, 0));
	{
		struct capture c = {};
		int r = DUMP(h, &c, BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, T1));

		EXPECT_EQ(-ENOENT, r) TH_LOG("lun dump of an unknown target: %d", r);
		EXPECT_NE(0, bsnl_extack(h)[0]);
		EXPECT_EQ(0, c.n);
		capture_free(&c);
	}

	/* resize */
	REJECT_MISSING(h, BOOTSAN_A_LUN_SIZE, BOOTSAN_CMD_LUN_RESIZE,
		       STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 0));
	REJECT_MISSING(h, BOOTSAN_A_LUN_LUN, BOOTSAN_CMD_LUN_RESIZE,
		       STR(BOOTSAN_A_LUN_TARGET, T0), U64(BOOTSAN_A_LUN_SIZE, 1024));
	REJECT_MISSING(h, BOOTSAN_A_LUN_TARGET, BOOTSAN_CMD_LUN_RESIZE,
		       U32(BOOTSAN_A_LUN_LUN, 0), U64(BOOTSAN_A_LUN_SIZE, 1024));
	REJECT(h, ENOENT, BOOTSAN_CMD_LUN_RESIZE, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 5), U64(BOOTSAN_A_LUN_SIZE, 1024));
	REJECT(h, ENOENT, BOOTSAN_CMD_LUN_RESIZE, STR(BOOTSAN_A_LUN_TARGET, T1),
	       U32(BOOTSAN_A_LUN_LUN, 0), U64(BOOTSAN_A_LUN_SIZE, 1024));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_RESIZE, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), U64(BOOTSAN_A_LUN_SIZE, 1000));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_RESIZE, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), U64(BOOTSAN_A_LUN_SIZE, 0));
	REJECT(h, EINVAL, BOOTSAN_CMD_LUN_RESIZE, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 0), U64(BOOTSAN_A_LUN_SIZE, 2560));
	OK(h, BOOTSAN_CMD_LUN_RESIZE, STR(BOOTSAN_A_LUN_TARGET, T0), U32(BOOTSAN_A_LUN_LUN, 0),
	   U64(BOOTSAN_A_LUN_SIZE, 1024));

	/* del */
	REJECT_MISSING(h, BOOTSAN_A_LUN_LUN, BOOTSAN_CMD_LUN_DEL,
		       STR(BOOTSAN_A_LUN_TARGET, T0));
	REJECT_MISSING(h, BOOTSAN_A_LUN_TARGET, BOOTSAN_CMD_LUN_DEL, U32(BOOTSAN_A_LUN_LUN, 0));
	REJECT(h, ENOENT, BOOTSAN_CMD_LUN_DEL, STR(BOOTSAN_A_LUN_TARGET, T0),
	       U32(BOOTSAN_A_LUN_LUN, 5));
	REJECT(h, ENOENT, BOOTSAN_CMD_LUN_DEL, STR(BOOTSAN_A_LUN_TARGET, T1),
	       U32(BOOTSAN_A_LUN_LUN, 0));

	/* stats */
	REJECT(h, ENOENT, BOOTSAN_CMD_STATS_GET, STR(BOOTSAN_A_STATS_TARGET, T0),
	       U32(BOOTSAN_A_STATS_LUN, 5));
	REJECT(h, ENOENT, BOOTSAN_CMD_STATS_GET, STR(BOOTSAN_A_STATS_TARGET, T1),
	       U32(BOOTSAN_A_STATS_LUN, 0));
	REJECT_MISSING(h, BOOTSAN_A_STATS_LUN,
		       BOOTSAN_CMD_STATS_GET, STR(BOOTSAN_A_STATS_TARGET, T0));
	{
		struct capture c = {};
		int r = DUMP(h, &c, BOOTSAN_CMD_STATS_GET, STR(BOOTSAN_A_STATS_TARGET, T1));

		EXPECT_EQ(-ENOENT, r) TH_LOG("stats dump of an unknown target: %d", r);
		EXPECT_NE(0, bsnl_extack(h)[0]);
		capture_free(&c);
	}
}

/* ---- ACLs -------------------------------------------------------------- */

TEST_F(nl, acl_new_get_dump_del)
{
	struct nlattr *tb[BOOTSAN_A_ACL_MAX + 1], *ch[BOOTSAN_A_CHAP_MAX + 1];
	struct capture c = {};
	struct bsnl *h = self->h;

	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0));
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T1));
	OK(h, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0), STR(BOOTSAN_A_ACL_INITIATOR, I0));
	OK(h, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0), STR(BOOTSAN_A_ACL_INITIATOR, I1),
	   NEST(BOOTSAN_A_ACL_CHAP), STR(BOOTSAN_A_CHAP_USER, "i1"),
	   BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)), NEST_END,
	   NEST(BOOTSAN_A_ACL_MUTUAL_CHAP), STR(BOOTSAN_A_CHAP_USER, "t0"),
	   BIN(BOOTSAN_A_CHAP_SECRET, SECRET_B, strlen(SECRET_B)), NEST_END);
	OK(h, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T1),
	   STR(BOOTSAN_A_ACL_INITIATOR, "eui.02004567A425678D"));

	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T0),
			 STR(BOOTSAN_A_ACL_INITIATOR, I0)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_ACL_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_ACL_TARGET]);
	EXPECT_STREQ(T0, nla_get_string(tb[BOOTSAN_A_ACL_TARGET]));
	ASSERT_NE(NULL, tb[BOOTSAN_A_ACL_INITIATOR]);
	EXPECT_STREQ(I0, nla_get_string(tb[BOOTSAN_A_ACL_INITIATOR]));
	EXPECT_EQ(NULL, tb[BOOTSAN_A_ACL_CHAP]);
	EXPECT_EQ(NULL, tb[BOOTSAN_A_ACL_MUTUAL_CHAP]);
	capture_free(&c);

	ASSERT_EQ(0, GET(h, &c, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T0),
			 STR(BOOTSAN_A_ACL_INITIATOR, I1)));
	ASSERT_EQ(1, c.n);
	attrs(&c, 0, tb, BOOTSAN_A_ACL_MAX);
	ASSERT_NE(NULL, tb[BOOTSAN_A_ACL_CHAP]);
	nested(tb[BOOTSAN_A_ACL_CHAP], ch, BOOTSAN_A_CHAP_MAX);
	ASSERT_NE(NULL, ch[BOOTSAN_A_CHAP_USER]);
	EXPECT_STREQ("i1", nla_get_string(ch[BOOTSAN_A_CHAP_USER]));
	EXPECT_NE(NULL, ch[BOOTSAN_A_CHAP_SECRET_SET]);
	EXPECT_EQ(NULL, ch[BOOTSAN_A_CHAP_SECRET]);
	ASSERT_NE(NULL, tb[BOOTSAN_A_ACL_MUTUAL_CHAP]);
	nested(tb[BOOTSAN_A_ACL_MUTUAL_CHAP], ch, BOOTSAN_A_CHAP_MAX);
	ASSERT_NE(NULL, ch[BOOTSAN_A_CHAP_USER]);
	EXPECT_STREQ("t0", nla_get_string(ch[BOOTSAN_A_CHAP_USER]));
	EXPECT_NE(NULL, ch[BOOTSAN_A_CHAP_SECRET_SET]);
	EXPECT_EQ(NULL, ch[BOOTSAN_A_CHAP_SECRET]);
	EXPECT_EQ(0, c.secrets_seen);
	capture_free(&c);

	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_ACL_GET));
	EXPECT_EQ(3, c.n);
	EXPECT_EQ(0, c.secrets_seen);
	capture_free(&c);
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T0)));
	EXPECT_EQ(2, c.n);
	capture_free(&c);
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T1)));
	EXPECT_EQ(1, c.n);
	capture_free(&c);

	OK(h, BOOTSAN_CMD_ACL_DEL, STR(BOOTSAN_A_ACL_TARGET, T0), STR(BOOTSAN_A_ACL_INITIATOR, I0));
	REJECT(h, ENOENT, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T0),
	       STR(BOOTSAN_A_ACL_INITIATOR, I0));
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T0)));
	EXPECT_EQ(1, c.n);
	capture_free(&c);
	/* the same initiator may be added again */
	OK(h, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0), STR(BOOTSAN_A_ACL_INITIATOR, I0));

	/* deleting a target deletes its ACL */
	OK(h, BOOTSAN_CMD_TARGET_DEL, STR(BOOTSAN_A_TARGET_IQN, T0));
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_ACL_GET));
	EXPECT_EQ(1, c.n);
	capture_free(&c);
	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0));
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T0)));
	EXPECT_EQ(0, c.n);
	capture_free(&c);
}

TEST_F(nl, acl_rejections)
{
	char long_iqn[BOOTSAN_IQN_MAX_LEN + 2];
	struct bsnl *h = self->h;

	memset(long_iqn, 'a', sizeof(long_iqn));
	memcpy(long_iqn, "iqn.2024-01.org.example:", 24);
	long_iqn[BOOTSAN_IQN_MAX_LEN + 1] = '\0';

	OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0));

	REJECT_MISSING(h, BOOTSAN_A_ACL_INITIATOR,
		       BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0));
	REJECT_MISSING(h, BOOTSAN_A_ACL_TARGET,
		       BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_INITIATOR, I0));
	REJECT(h, ENOENT, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T1),
	       STR(BOOTSAN_A_ACL_INITIATOR, I0));
	REJECT(h, EINVAL, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0),
	       STR(BOOTSAN_A_ACL_INITIATOR, "foo"));
	REJECT(h, EINVAL, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0),
	       STR(BOOTSAN_A_ACL_INITIATOR, "iqn.2024-13.x"));
	REJECT_POLICY(h, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0),
		      STR(BOOTSAN_A_ACL_INITIATOR, long_iqn));
	/* a credentials nest needs both user and secret */
	REJECT(h, EINVAL, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0),
	       STR(BOOTSAN_A_ACL_INITIATOR, I0),
	       NEST(BOOTSAN_A_ACL_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"), NEST_END);
	REJECT(h, EINVAL, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0),
	       STR(BOOTSAN_A_ACL_INITIATOR, I0),
	       NEST(BOOTSAN_A_ACL_CHAP), BIN(BOOTSAN_A_CHAP_SECRET, SECRET_A, strlen(SECRET_A)),
	       NEST_END);
	REJECT(h, EINVAL, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0),
	       STR(BOOTSAN_A_ACL_INITIATOR, I0),
	       NEST(BOOTSAN_A_ACL_MUTUAL_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"), NEST_END);
	REJECT_POLICY(h, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0),
		      STR(BOOTSAN_A_ACL_INITIATOR, I0),
		      NEST(BOOTSAN_A_ACL_CHAP), STR(BOOTSAN_A_CHAP_USER, "u"),
		      BIN(BOOTSAN_A_CHAP_SECRET, "short", 5), NEST_END);

	OK(h, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0), STR(BOOTSAN_A_ACL_INITIATOR, I0));
	REJECT(h, EEXIST, BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, T0),
	       STR(BOOTSAN_A_ACL_INITIATOR, I0));

	REJECT_MISSING(h, BOOTSAN_A_ACL_INITIATOR,
		       BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T0));
	REJECT(h, ENOENT, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T0),
	       STR(BOOTSAN_A_ACL_INITIATOR, I1));
	REJECT(h, ENOENT, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T1),
	       STR(BOOTSAN_A_ACL_INITIATOR, I0));
	REJECT_MISSING(h, BOOTSAN_A_ACL_INITIATOR,
		       BOOTSAN_CMD_ACL_DEL, STR(BOOTSAN_A_ACL_TARGET, T0));
	REJECT(h, ENOENT, BOOTSAN_CMD_ACL_DEL, STR(BOOTSAN_A_ACL_TARGET, T0),
	       STR(BOOTSAN_A_ACL_INITIATOR, I1));
	REJECT(h, ENOENT, BOOTSAN_CMD_ACL_DEL, STR(BOOTSAN_A_ACL_TARGET, T1),
	       STR(BOOTSAN_A_ACL_INITIATOR, I0));
	{
		struct capture c = {};
		int r = DUMP(h, &c, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, T1));

		EXPECT_EQ(-ENOENT, r) TH_LOG("acl dump of an unknown target: %d", r);
		EXPECT_NE(0, bsnl_extack(h)[0]);
		EXPECT_EQ(0, c.n);
		capture_free(&c);
	}
}

/* ---- sessions (no iSCSI engine yet: always empty) ----------------------- */

TEST_F(nl, sessions_are_empty)
{
	struct capture c = {};
	struct bsnl *h = self->h;

	ASSERT_EQ(0, configure_full(h, self->img, 1));
	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_SESSION_GET));
	EXPECT_EQ(0, c.n);
	capture_free(&c);
	REJECT(h, ENOENT, BOOTSAN_CMD_SESSION_GET, U64(BOOTSAN_A_SESSION_ID, 1));
	REJECT_MISSING(h, BOOTSAN_A_SESSION_ID, BOOTSAN_CMD_SESSION_GET);
	REJECT(h, ENOENT, BOOTSAN_CMD_SESSION_KILL, U64(BOOTSAN_A_SESSION_ID, 1));
	REJECT_MISSING(h, BOOTSAN_A_SESSION_ID, BOOTSAN_CMD_SESSION_KILL);
}

/* ---- privileges and namespaces ----------------------------------------- */

struct child_ctx {
	const char *img;
};

static int unprivileged_child(void *arg)
{
	struct child_ctx *ctx = arg;
	struct capture c = {};
	struct bsnl *h;
	int failed = 0, r;

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534)) {
		perror("# dropping privileges");
		return 1;
	}
	r = bsnl_open(&h);
	CHILD_EXPECT(failed, r == 0, "bsnl_open as nobody: %s", strerror(-r));
	if (r)
		return 1;

#define EXPECT_EPERM(cmd, ...) do { \
	r = DO(h, cmd, __VA_ARGS__); \
	CHILD_EXPECT(failed, r == -EPERM, "%s as nobody: %d (%s) \"%s\"", #cmd, r, \
		     strerror(-r), bsnl_extack(h)); \
} while (0)
	EXPECT_EPERM(BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4),
		     U16(BOOTSAN_A_PORTAL_PORT, 3300));
	EXPECT_EPERM(BOOTSAN_CMD_PORTAL_DEL, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4));
	EXPECT_EPERM(BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T1));
	EXPECT_EPERM(BOOTSAN_CMD_TARGET_SET, STR(BOOTSAN_A_TARGET_IQN, "iqn.2024-01.org.example:full0"),
		     STR(BOOTSAN_A_TARGET_ALIAS, "x"));
	EXPECT_EPERM(BOOTSAN_CMD_TARGET_DEL, STR(BOOTSAN_A_TARGET_IQN, "iqn.2024-01.org.example:full0"));
	EXPECT_EPERM(BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, "iqn.2024-01.org.example:full0"),
		     U32(BOOTSAN_A_LUN_LUN, 9), STR(BOOTSAN_A_LUN_PATH, ctx->img));
	EXPECT_EPERM(BOOTSAN_CMD_LUN_RESIZE, STR(BOOTSAN_A_LUN_TARGET, "iqn.2024-01.org.example:full0"),
		     U32(BOOTSAN_A_LUN_LUN, 0), U64(BOOTSAN_A_LUN_SIZE, 1024));
	EXPECT_EPERM(BOOTSAN_CMD_LUN_DEL, STR(BOOTSAN_A_LUN_TARGET, "iqn.2024-01.org.example:full0"),
		     U32(BOOTSAN_A_LUN_LUN, 0));
	EXPECT_EPERM(BOOTSAN_CMD_ACL_NEW, STR(BOOTSAN_A_ACL_TARGET, "iqn.2024-01.org.example:full0"),
		     STR(BOOTSAN_A_ACL_INITIATOR, "iqn.2024-01.org.example:other"));
	EXPECT_EPERM(BOOTSAN_CMD_ACL_DEL, STR(BOOTSAN_A_ACL_TARGET, "iqn.2024-01.org.example:full0"),
		     STR(BOOTSAN_A_ACL_INITIATOR, I0));
	EXPECT_EPERM(BOOTSAN_CMD_SESSION_KILL, U64(BOOTSAN_A_SESSION_ID, 1));
	/* the I/O memory budgets and their use, like the sessions that use them */
	EXPECT_EPERM(BOOTSAN_CMD_MEM_GET);
	/* no attributes at all: the permission check comes first */
	EXPECT_EPERM(BOOTSAN_CMD_TARGET_NEW);
#undef EXPECT_EPERM

	/* reading works, and shows no secret */
#define EXPECT_DUMP(want, cmd, ...) do { \
	r = DUMP(h, &c, cmd, ##__VA_ARGS__); \
	CHILD_EXPECT(failed, r == 0, "%s dump as nobody: %d (%s) \"%s\"", #cmd, r, \
		     strerror(-r), bsnl_extack(h)); \
	CHILD_EXPECT(failed, c.n == (want), "%s dump as nobody: %d entries, not %d", \
		     #cmd, c.n, (want)); \
	CHILD_EXPECT(failed, c.secrets_seen == 0, "%s dump: %d messages with a secret", \
		     #cmd, c.secrets_seen); \
	capture_free(&c); \
} while (0)
	EXPECT_DUMP(2, BOOTSAN_CMD_PORTAL_GET);
	EXPECT_DUMP(2, BOOTSAN_CMD_TARGET_GET);
	EXPECT_DUMP(4, BOOTSAN_CMD_STATS_GET);
#undef EXPECT_DUMP
	r = GET(h, &c, BOOTSAN_CMD_TARGET_GET, STR(BOOTSAN_A_TARGET_IQN, "iqn.2024-01.org.example:full0"));
	CHILD_EXPECT(failed, r == 0 && c.n == 1, "target get as nobody: %d, %d replies", r, c.n);
	CHILD_EXPECT(failed, c.secrets_seen == 0, "target get as nobody shows a secret");
	capture_free(&c);

	/*
	 * Backing paths, ACLs and sessions (initiator names, ISIDs, peer
	 * addresses) are for the administrator only, as the events are.
	 */
#define EXPECT_DUMP_EPERM(cmd, ...) do { \
	r = DUMP(h, &c, cmd, ##__VA_ARGS__); \
	CHILD_EXPECT(failed, r == -EPERM && c.n == 0, "%s dump as nobody: %d (%s), %d entries", \
		     #cmd, r, strerror(-r), c.n); \
	capture_free(&c); \
} while (0)
	EXPECT_DUMP_EPERM(BOOTSAN_CMD_LUN_GET);
	EXPECT_DUMP_EPERM(BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, "iqn.2024-01.org.example:full1"));
	EXPECT_DUMP_EPERM(BOOTSAN_CMD_ACL_GET);
	EXPECT_DUMP_EPERM(BOOTSAN_CMD_SESSION_GET);
#undef EXPECT_DUMP_EPERM
	r = GET(h, &c, BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, "iqn.2024-01.org.example:full0"),
		U32(BOOTSAN_A_LUN_LUN, 0));
	CHILD_EXPECT(failed, r == -EPERM && c.n == 0, "lun get as nobody: %d, %d replies", r, c.n);
	capture_free(&c);
	r = GET(h, &c, BOOTSAN_CMD_ACL_GET, STR(BOOTSAN_A_ACL_TARGET, "iqn.2024-01.org.example:full0"),
		STR(BOOTSAN_A_ACL_INITIATOR, I1));
	CHILD_EXPECT(failed, r == -EPERM && c.n == 0, "acl get as nobody: %d, %d replies", r, c.n);
	capture_free(&c);
	r = GET(h, &c, BOOTSAN_CMD_SESSION_GET, U64(BOOTSAN_A_SESSION_ID, 1));
	CHILD_EXPECT(failed, r == -EPERM, "session get as nobody: %d (%s)", r, strerror(-r));
	capture_free(&c);
	bsnl_close(h);
	return failed;
}

TEST_F(nl, unprivileged_mutations_and_private_reads_get_eperm)
{
	struct child_ctx ctx = { .img = self->img };
	struct capture c = {};

	ASSERT_EQ(0, configure_full(self->h, self->img, 2));
	EXPECT_EQ(0, run_child(unprivileged_child, &ctx));

	/* nothing changed */
	ASSERT_EQ(0, DUMP(self->h, &c, BOOTSAN_CMD_TARGET_GET));
	EXPECT_EQ(2, c.n);
	capture_free(&c);
	ASSERT_EQ(0, DUMP(self->h, &c, BOOTSAN_CMD_LUN_GET));
	EXPECT_EQ(4, c.n);
	capture_free(&c);
	ASSERT_EQ(0, DUMP(self->h, &c, BOOTSAN_CMD_ACL_GET));
	EXPECT_EQ(4, c.n);
	capture_free(&c);
	ASSERT_EQ(0, DUMP(self->h, &c, BOOTSAN_CMD_PORTAL_GET));
	EXPECT_EQ(2, c.n);
	capture_free(&c);
}

static int netns_child(void *arg)
{
	struct bsnl *h;
	int failed = 0, r;

	(void)arg;
	if (unshare(CLONE_NEWNET)) {
		perror("# unshare(CLONE_NEWNET)");
		return 1;
	}
	r = bsnl_open(&h);
	CHILD_EXPECT(failed, r == 0,
		     "bsnl_open in a new netns: %s (family not netnsok: refused without a message)",
		     strerror(-r));
	if (r)
		return 1;
	r = DO(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, T0));
	CHILD_EXPECT(failed, r == -EOPNOTSUPP, "target-new in a new netns: %d (%s)", r, strerror(-r));
	CHILD_EXPECT(failed, bsnl_extack(h)[0], "target-new in a new netns: no extack message");
	fprintf(stderr, "# target-new in a new netns: %s: \"%s\"\n", strerror(-r), bsnl_extack(h));
	r = DO(h, BOOTSAN_CMD_PORTAL_NEW, BIN(BOOTSAN_A_PORTAL_ADDR, lo4, 4));
	CHILD_EXPECT(failed, r == -EOPNOTSUPP, "portal-new in a new netns: %d (%s)", r, strerror(-r));
	CHILD_EXPECT(failed, bsnl_extack(h)[0], "portal-new in a new netns: no extack message");
	bsnl_close(h);
	return failed;
}

TEST_F(nl, other_netns_gets_eopnotsupp)
{
	struct capture c = {};

	EXPECT_EQ(0, run_child(netns_child, NULL));
	/* nothing was created in the initial namespace */
	ASSERT_EQ(0, DUMP(self->h, &c, BOOTSAN_CMD_TARGET_GET));
	EXPECT_EQ(0, c.n);
	capture_free(&c);
	ASSERT_EQ(0, DUMP(self->h, &c, BOOTSAN_CMD_PORTAL_GET));
	EXPECT_EQ(0, c.n);
	capture_free(&c);
}

/* Dumps from another namespace are refused as do requests are: no entries. */
static int netns_dump_child(void *arg)
{
	struct capture c = {};
	struct bsnl *h;
	int failed = 0, r;

	(void)arg;
	if (unshare(CLONE_NEWNET)) {
		perror("# unshare(CLONE_NEWNET)");
		return 1;
	}
	r = bsnl_open(&h);
	CHILD_EXPECT(failed, r == 0, "bsnl_open in a new netns: %s", strerror(-r));
	if (r)
		return 1;
#define EXPECT_DUMP_REFUSED(cmd, ...) do { \
	r = DUMP(h, &c, cmd, ##__VA_ARGS__); \
	CHILD_EXPECT(failed, r == -EOPNOTSUPP && c.n == 0, \
		     "%s dump in a new netns: %d (%s), %d entries", #cmd, r, strerror(-r), c.n); \
	CHILD_EXPECT(failed, bsnl_extack(h)[0], "%s dump in a new netns: no extack message", \
		     #cmd); \
	capture_free(&c); \
} while (0)
	EXPECT_DUMP_REFUSED(BOOTSAN_CMD_PORTAL_GET);
	EXPECT_DUMP_REFUSED(BOOTSAN_CMD_TARGET_GET);
	EXPECT_DUMP_REFUSED(BOOTSAN_CMD_LUN_GET);
	EXPECT_DUMP_REFUSED(BOOTSAN_CMD_LUN_GET, STR(BOOTSAN_A_LUN_TARGET, "iqn.2024-01.org.example:full0"));
	EXPECT_DUMP_REFUSED(BOOTSAN_CMD_STATS_GET);
	EXPECT_DUMP_REFUSED(BOOTSAN_CMD_ACL_GET);
	EXPECT_DUMP_REFUSED(BOOTSAN_CMD_SESSION_GET);
#undef EXPECT_DUMP_REFUSED
	bsnl_close(h);
	return failed;
}

TEST_F(nl, other_netns_dumps_get_eopnotsupp)
{
	struct capture c = {};

	ASSERT_EQ(0, configure_full(self->h, self->img, 2));
	EXPECT_EQ(0, run_child(netns_dump_child, NULL));
	/* the initial namespace still sees everything */
	ASSERT_EQ(0, DUMP(self->h, &c, BOOTSAN_CMD_LUN_GET));
	EXPECT_EQ(4, c.n);
	capture_free(&c);
}

/* ---- scale ------------------------------------------------------------- */

#define BIG_TARGETS	1000
#define BIG_LUNS	4

static int big_index(const char *iqn)
{
	int idx;

	if (sscanf(iqn, "iqn.2024-01.org.example:big%d", &idx) != 1 ||
	    idx < 0 || idx >= BIG_TARGETS)
		return -1;
	return idx;
}

TEST_F_TIMEOUT(nl, dump_1000_targets_4000_luns, 240)
{
	static unsigned char seen[BIG_TARGETS][BIG_LUNS];
	unsigned char tseen[BIG_TARGETS] = {};
	struct nlattr *tb[BOOTSAN_A_LUN_MAX + 1], *ttb[BOOTSAN_A_TARGET_MAX + 1];
	struct capture c = {};
	struct bsnl *h = self->h;
	int t, l, i, idx, lun, bad = 0;
	char iqn[64];

	for (t = 0; t < BIG_TARGETS; t++) {
		snprintf(iqn, sizeof(iqn), "iqn.2024-01.org.example:big%d", t);
		OK(h, BOOTSAN_CMD_TARGET_NEW, STR(BOOTSAN_A_TARGET_IQN, iqn));
		for (l = 0; l < BIG_LUNS; l++)
			OK(h, BOOTSAN_CMD_LUN_NEW, STR(BOOTSAN_A_LUN_TARGET, iqn),
			   U32(BOOTSAN_A_LUN_LUN, l * 1000 + t % 7), STR(BOOTSAN_A_LUN_PATH, self->img));
	}

	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_LUN_GET));
	EXPECT_EQ(BIG_TARGETS * BIG_LUNS, c.n);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < c.n; i++) {
		attrs(&c, i, tb, BOOTSAN_A_LUN_MAX);
		ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_TARGET]);
		ASSERT_NE(NULL, tb[BOOTSAN_A_LUN_LUN]);
		idx = big_index(nla_get_string(tb[BOOTSAN_A_LUN_TARGET]));
		lun = nla_get_u32(tb[BOOTSAN_A_LUN_LUN]);
		ASSERT_LE(0, idx);
		ASSERT_EQ(idx % 7, lun % 1000);
		ASSERT_GT(BIG_LUNS, lun / 1000);
		seen[idx][lun / 1000]++;
	}
	for (t = 0; t < BIG_TARGETS; t++)
		for (l = 0; l < BIG_LUNS; l++)
			if (seen[t][l] != 1 && bad++ < 10)
				TH_LOG("target big%d LUN %d dumped %d times", t,
				       l * 1000 + t % 7, seen[t][l]);
	EXPECT_EQ(0, bad);
	capture_free(&c);

	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_TARGET_GET));
	EXPECT_EQ(BIG_TARGETS, c.n);
	for (i = 0; i < c.n; i++) {
		attrs(&c, i, ttb, BOOTSAN_A_TARGET_MAX);
		ASSERT_NE(NULL, ttb[BOOTSAN_A_TARGET_IQN]);
		idx = big_index(nla_get_string(ttb[BOOTSAN_A_TARGET_IQN]));
		ASSERT_LE(0, idx);
		tseen[idx]++;
		ASSERT_NE(NULL, ttb[BOOTSAN_A_TARGET_LUNS]);
		EXPECT_EQ(BIG_LUNS, nla_get_u32(ttb[BOOTSAN_A_TARGET_LUNS]));
	}
	for (t = 0, bad = 0; t < BIG_TARGETS; t++)
		if (tseen[t] != 1 && bad++ < 10)
			TH_LOG("target big%d dumped %d times", t, tseen[t]);
	EXPECT_EQ(0, bad);
	capture_free(&c);

	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_STATS_GET));
	EXPECT_EQ(BIG_TARGETS * BIG_LUNS, c.n);
	capture_free(&c);

	ASSERT_EQ(0, DUMP(h, &c, BOOTSAN_CMD_LUN_GET,
			  STR(BOOTSAN_A_LUN_TARGET, "iqn.2024-01.org.example:big999")));
	EXPECT_EQ(BIG_LUNS, c.n);
	capture_free(&c);
}

/* ---- unload ------------------------------------------------------------ */

#define LEAK_CYCLES	20

/* Load, configure everything, unload; 0 or -errno. */
static int full_cycle(const char *img)
{
	struct bsnl *h;
	int ret = load_module();

	if (ret) {
		fprintf(stderr, "# load: %s\n", strerror(-ret));
		return ret;
	}
	ret = bsnl_open(&h);
	if (!ret) {
		ret = configure_full(h, img, 3);
		bsnl_close(h);
	}
	if (unload_module() || module_loaded()) {
		fprintf(stderr, "# unload with a full configuration: %s\n", strerror(errno));
		return ret ? ret : -EBUSY;
	}
	return ret;
}

TEST_F_TIMEOUT(nl, unload_full_configuration_without_leak, 240)
{
	struct slab_snapshot before, after;
	int i, leaks;

	if (!slab_traces_available())
		SKIP(return, "no slab call-site traces: boot with slub_debug=U and debugfs");
	bsnl_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, unload_module());

	/* warm up caches that are never given back */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, full_cycle(self->img));
	settle();
	ASSERT_EQ(0, slab_snapshot_take(&before));
	for (i = 0; i < LEAK_CYCLES; i++)
		ASSERT_EQ(0, full_cycle(self->img)) TH_LOG("cycle %d", i);
	settle();
	ASSERT_EQ(0, slab_snapshot_take(&after));
	leaks = slab_snapshot_report_growth(&before, &after, LEAK_CYCLES);
	slab_snapshot_free(&before);
	slab_snapshot_free(&after);
	TH_LOG("after %d cycles of load, full configuration, unload: %d leaking call sites",
	       LEAK_CYCLES, leaks);
	EXPECT_EQ(0, leaks);
}

TEST_HARNESS_MAIN
