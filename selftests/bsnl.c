// SPDX-License-Identifier: GPL-2.0
/*
 * bsnl: a small command-line front end of the bootsan netlink family for
 * shell selftests (and admins in a pinch). One request per invocation;
 * the kernel's own explanation is printed when it refuses.
 *
 *   bsnl portal-new ADDR [PORT] [max-connections N] [login-timeout SECONDS]
 *   bsnl portal-del ADDR [PORT] [force]
 *   bsnl target-new IQN [OPTION]...        bsnl target-del IQN [force]
 *   bsnl target-set IQN [OPTION]...        change only the options given
 *        options: auth none|chap|mutual-chap, chap USER SECRET,
 *                 mutual USER SECRET, max-sessions N, queue-depth N,
 *                 nop-in-interval SECONDS, allow-any 0|1 (every initiator
 *                 may log in; without it only those in the ACL)
 *   bsnl lun-new IQN LUN PATH [ro] [block-size N] [block] [direct]
 *           [overlay] [delta DELTA-PATH]
 *   bsnl lun-resize IQN LUN SIZE           bsnl lun-del IQN LUN [force]
 *   bsnl acl-new IQN INITIATOR [chap USER SECRET] [mutual USER SECRET]
 *   bsnl acl-del IQN INITIATOR
 *   bsnl portals                           one line per portal
 *   bsnl targets                           one line per target
 *   bsnl sessions                          one line per session
 *   bsnl session-kill ID
 *   bsnl stats                             one line per LUN
 *   bsnl mem                               the I/O memory budgets and their use
 *   bsnl events N [SECONDS]                print N events, then exit
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/san/nl.h"

static struct bsnl *nl;

static void usage(void)
{
	fprintf(stderr, "usage: see the comment at the top of selftests/bsnl.c\n");
	exit(2);
}

static int finish(int ret, const char *what)
{
	if (ret) {
		const char *why = bsnl_extack(nl);

		fprintf(stderr, "bsnl: %s: %s%s%s\n", what, strerror(-ret),
			why && *why ? ": " : "", why ? why : "");
		return 1;
	}
	return 0;
}

static int put_addr(struct nl_msg *m, int type, const char *text)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, text, a) == 1)
		return nla_put(m, type, 4, a);
	if (inet_pton(AF_INET6, text, a) == 1)
		return nla_put(m, type, 16, a);
	fprintf(stderr, "bsnl: not an address: %s\n", text);
	exit(2);
}

static void put_chap(struct nl_msg *m, int type, const char *user, const char *secret)
{
	struct nlattr *n = nla_nest_start(m, type);

	nla_put_string(m, BOOTSAN_A_CHAP_USER, user);
	nla_put(m, BOOTSAN_A_CHAP_SECRET, strlen(secret), secret);
	nla_nest_end(m, n);
}

/* Options shared by target-new and acl-new: chap/mutual credentials. */
static int put_creds(struct nl_msg *m, char **argv, int i, int argc,
		     int chap_type, int mutual_type)
{
	if (!strcmp(argv[i], "chap") && i + 2 < argc) {
		put_chap(m, chap_type, argv[i + 1], argv[i + 2]);
		return 3;
	}
	if (!strcmp(argv[i], "mutual") && i + 2 < argc) {
		put_chap(m, mutual_type, argv[i + 1], argv[i + 2]);
		return 3;
	}
	return 0;
}

/* A u64 attribute as text, "-" when the module did not send it. */
static const char *u64_or_dash(struct nlattr *a, char *buf)
{
	if (!a)
		return "-";
	snprintf(buf, 24, "%" PRIu64, (uint64_t)nla_get_u64(a));
	return buf;
}

static int print_session(const struct bsnl_reply *r, void *arg)
{
	char rd[24], wr[24];
	struct nlattr **tb = r->tb;

	(void)arg;
	printf("%" PRIu64 " %s %s tsih=%u commands=%" PRIu64 " read_mem=%s write_mem=%s\n",
	       tb[BOOTSAN_A_SESSION_ID] ? nla_get_u64(tb[BOOTSAN_A_SESSION_ID]) : 0,
	       tb[BOOTSAN_A_SESSION_TARGET] ? nla_get_string(tb[BOOTSAN_A_SESSION_TARGET]) : "-",
	       tb[BOOTSAN_A_SESSION_INITIATOR] ?
			nla_get_string(tb[BOOTSAN_A_SESSION_INITIATOR]) : "-",
	       tb[BOOTSAN_A_SESSION_TSIH] ? nla_get_u16(tb[BOOTSAN_A_SESSION_TSIH]) : 0,
	       tb[BOOTSAN_A_SESSION_COMMANDS] ?
			nla_get_u64(tb[BOOTSAN_A_SESSION_COMMANDS]) : 0,
	       u64_or_dash(tb[BOOTSAN_A_SESSION_READ_MEM], rd),
	       u64_or_dash(tb[BOOTSAN_A_SESSION_WRITE_MEM], wr));
	return 0;
}

static uint64_t u64_or_0(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static int print_mem(const struct bsnl_reply *r, void *arg)
{
	struct nlattr **tb = r->tb;

	(void)arg;
	printf("read_used=%" PRIu64 " read_limit=%" PRIu64 " read_session_limit=%" PRIu64
	       " write_used=%" PRIu64 " write_limit=%" PRIu64 " write_session_limit=%" PRIu64 "\n",
	       u64_or_0(tb[BOOTSAN_A_MEM_READ_USED]), u64_or_0(tb[BOOTSAN_A_MEM_READ_LIMIT]),
	       u64_or_0(tb[BOOTSAN_A_MEM_READ_SESSION_LIMIT]),
	       u64_or_0(tb[BOOTSAN_A_MEM_WRITE_USED]), u64_or_0(tb[BOOTSAN_A_MEM_WRITE_LIMIT]),
	       u64_or_0(tb[BOOTSAN_A_MEM_WRITE_SESSION_LIMIT]));
	return 0;
}

static int print_portal(const struct bsnl_reply *r, void *arg)
{
	struct nlattr **tb = r->tb, *a = tb[BOOTSAN_A_PORTAL_ADDR];
	char addr[INET6_ADDRSTRLEN] = "-";

	(void)arg;
	if (a && (nla_len(a) == 4 || nla_len(a) == 16))
		inet_ntop(nla_len(a) == 4 ? AF_INET : AF_INET6, nla_data(a), addr, sizeof(addr));
	printf("%s %u tpgt=%u connections=%u max_connections=%u\n", addr,
	       tb[BOOTSAN_A_PORTAL_PORT] ? nla_get_u16(tb[BOOTSAN_A_PORTAL_PORT]) : 0,
	       tb[BOOTSAN_A_PORTAL_TPGT] ? nla_get_u16(tb[BOOTSAN_A_PORTAL_TPGT]) : 0,
	       tb[BOOTSAN_A_PORTAL_CONNECTIONS] ? nla_get_u32(tb[BOOTSAN_A_PORTAL_CONNECTIONS]) : 0,
	       tb[BOOTSAN_A_PORTAL_MAX_CONNECTIONS] ?
			nla_get_u32(tb[BOOTSAN_A_PORTAL_MAX_CONNECTIONS]) : 0);
	return 0;
}

static int print_target(const struct bsnl_reply *r, void *arg)
{
	struct nlattr **tb = r->tb;

	(void)arg;
	printf("%s max_sessions=%u queue_depth=%u nop_in_interval=%u sessions=%u allow-any=%u\n",
	       tb[BOOTSAN_A_TARGET_IQN] ? nla_get_string(tb[BOOTSAN_A_TARGET_IQN]) : "-",
	       tb[BOOTSAN_A_TARGET_MAX_SESSIONS] ?
			nla_get_u32(tb[BOOTSAN_A_TARGET_MAX_SESSIONS]) : 0,
	       tb[BOOTSAN_A_TARGET_QUEUE_DEPTH] ? nla_get_u32(tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]) : 0,
	       tb[BOOTSAN_A_TARGET_NOP_IN_INTERVAL] ?
			nla_get_u32(tb[BOOTSAN_A_TARGET_NOP_IN_INTERVAL]) : 0,
	       tb[BOOTSAN_A_TARGET_SESSIONS] ? nla_get_u32(tb[BOOTSAN_A_TARGET_SESSIONS]) : 0,
	       tb[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR] ?
			nla_get_u8(tb[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR]) : 0);
	return 0;
}

static int print_stats(const struct bsnl_reply *r, void *arg)
{
	struct nlattr **tb = r->tb;

	(void)arg;
	printf("%s %u read_cmds=%" PRIu64 " write_cmds=%" PRIu64 " read_bytes=%" PRIu64
	       " write_bytes=%" PRIu64 " errors=%" PRIu64 " read_bytes_by_ref=%" PRIu64
	       " read_bytes_copied=%" PRIu64 " write_bytes_copied=%" PRIu64 "\n",
	       nla_get_string(tb[BOOTSAN_A_STATS_TARGET]), nla_get_u32(tb[BOOTSAN_A_STATS_LUN]),
	       nla_get_u64(tb[BOOTSAN_A_STATS_READ_CMDS]), nla_get_u64(tb[BOOTSAN_A_STATS_WRITE_CMDS]),
	       nla_get_u64(tb[BOOTSAN_A_STATS_READ_BYTES]),
	       nla_get_u64(tb[BOOTSAN_A_STATS_WRITE_BYTES]), nla_get_u64(tb[BOOTSAN_A_STATS_ERRORS]),
	       nla_get_u64(tb[BOOTSAN_A_STATS_READ_BYTES_BY_REFERENCE]),
	       nla_get_u64(tb[BOOTSAN_A_STATS_READ_BYTES_COPIED]),
	       nla_get_u64(tb[BOOTSAN_A_STATS_WRITE_BYTES_COPIED]));
	return 0;
}

static int print_event(const struct bsnl_reply *r, void *arg)
{
	struct nlattr **tb = r->tb;
	const char *kind = r->cmd == BOOTSAN_CMD_SESSION_UP_NTF ? "session-up" :
			   r->cmd == BOOTSAN_CMD_SESSION_DOWN_NTF ? "session-down" :
			   r->cmd == BOOTSAN_CMD_LOGIN_FAILED_NTF ? "login-failed" : "unknown";

	(void)arg;
	printf("%s target=%s initiator=%s", kind,
	       tb[BOOTSAN_A_EVENT_TARGET] ? nla_get_string(tb[BOOTSAN_A_EVENT_TARGET]) : "-",
	       tb[BOOTSAN_A_EVENT_INITIATOR] ? nla_get_string(tb[BOOTSAN_A_EVENT_INITIATOR]) : "-");
	if (tb[BOOTSAN_A_EVENT_DOWN_REASON])
		printf(" reason=%u", nla_get_u32(tb[BOOTSAN_A_EVENT_DOWN_REASON]));
	if (tb[BOOTSAN_A_EVENT_LOGIN_FAILURE])
		printf(" failure=%u", nla_get_u32(tb[BOOTSAN_A_EVENT_LOGIN_FAILURE]));
	printf("\n");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct nl_msg *m;
	const char *op;
	int i, ret;

	if (argc < 2)
		usage();
	op = argv[1];
	ret = bsnl_open(&nl);
	if (ret) {
		fprintf(stderr, "bsnl: cannot reach the bootsan family: %s\n", strerror(-ret));
		return 1;
	}
	if (!strcmp(op, "portal-new") || !strcmp(op, "portal-del")) {
		if (argc < 3)
			usage();
		m = bsnl_msg(nl, !strcmp(op, "portal-new") ? BOOTSAN_CMD_PORTAL_NEW :
							    BOOTSAN_CMD_PORTAL_DEL);
		put_addr(m, BOOTSAN_A_PORTAL_ADDR, argv[2]);
		for (i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "force"))
				nla_put_flag(m, BOOTSAN_A_PORTAL_FORCE);
			else if (!strcmp(argv[i], "max-connections") && i + 1 < argc)
				nla_put_u32(m, BOOTSAN_A_PORTAL_MAX_CONNECTIONS, atoi(argv[++i]));
			else if (!strcmp(argv[i], "login-timeout") && i + 1 < argc)
				nla_put_u32(m, BOOTSAN_A_PORTAL_LOGIN_TIMEOUT, atoi(argv[++i]));
			else
				nla_put_u16(m, BOOTSAN_A_PORTAL_PORT, atoi(argv[i]));
		}
		return finish(bsnl_do(nl, m, NULL, NULL), op);
	}
	if (!strcmp(op, "target-new") || !strcmp(op, "target-set")) {
		if (argc < 3)
			usage();
		m = bsnl_msg(nl, !strcmp(op, "target-new") ? BOOTSAN_CMD_TARGET_NEW :
			     BOOTSAN_CMD_TARGET_SET);
		nla_put_string(m, BOOTSAN_A_TARGET_IQN, argv[2]);
		for (i = 3; i < argc;) {
			int used = put_creds(m, argv, i, argc, BOOTSAN_A_TARGET_CHAP,
					     BOOTSAN_A_TARGET_MUTUAL_CHAP);

			if (used) {
				i += used;
			} else if (!strcmp(argv[i], "auth") && i + 1 < argc) {
				uint32_t a = !strcmp(argv[i + 1], "chap") ? BOOTSAN_AUTH_CHAP :
					     !strcmp(argv[i + 1], "mutual-chap") ?
					     BOOTSAN_AUTH_MUTUAL_CHAP : BOOTSAN_AUTH_NONE;
				nla_put_u32(m, BOOTSAN_A_TARGET_AUTH, a);
				i += 2;
			} else if (!strcmp(argv[i], "max-sessions") && i + 1 < argc) {
				nla_put_u32(m, BOOTSAN_A_TARGET_MAX_SESSIONS, atoi(argv[i + 1]));
				i += 2;
			} else if (!strcmp(argv[i], "queue-depth") && i + 1 < argc) {
				nla_put_u32(m, BOOTSAN_A_TARGET_QUEUE_DEPTH, atoi(argv[i + 1]));
				i += 2;
			} else if (!strcmp(argv[i], "nop-in-interval") && i + 1 < argc) {
				nla_put_u32(m, BOOTSAN_A_TARGET_NOP_IN_INTERVAL, atoi(argv[i + 1]));
				i += 2;
			} else if (!strcmp(argv[i], "allow-any") && i + 1 < argc) {
				nla_put_u8(m, BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR, atoi(argv[i + 1]));
				i += 2;
			} else {
				usage();
			}
		}
		return finish(bsnl_do(nl, m, NULL, NULL), op);
	}
	if (!strcmp(op, "target-del")) {
		if (argc < 3)
			usage();
		m = bsnl_msg(nl, BOOTSAN_CMD_TARGET_DEL);
		nla_put_string(m, BOOTSAN_A_TARGET_IQN, argv[2]);
		if (argc > 3 && !strcmp(argv[3], "force"))
			nla_put_flag(m, BOOTSAN_A_TARGET_FORCE);
		return finish(bsnl_do(nl, m, NULL, NULL), op);
	}
	if (!strcmp(op, "lun-new")) {
		if (argc < 5)
			usage();
		m = bsnl_msg(nl, BOOTSAN_CMD_LUN_NEW);
		nla_put_string(m, BOOTSAN_A_LUN_TARGET, argv[2]);
		nla_put_u32(m, BOOTSAN_A_LUN_LUN, atoi(argv[3]));
		nla_put_string(m, BOOTSAN_A_LUN_PATH, argv[4]);
		for (i = 5; i < argc; i++) {
			if (!strcmp(argv[i], "ro"))
				nla_put_flag(m, BOOTSAN_A_LUN_READ_ONLY);
			else if (!strcmp(argv[i], "block"))
				nla_put_u32(m, BOOTSAN_A_LUN_BACKEND, BOOTSAN_BACKEND_BLOCK);
			else if (!strcmp(argv[i], "direct"))
				nla_put_flag(m, BOOTSAN_A_LUN_DIRECT);
			else if (!strcmp(argv[i], "overlay"))
				nla_put_u32(m, BOOTSAN_A_LUN_BACKEND, BOOTSAN_BACKEND_OVERLAY);
			else if (!strcmp(argv[i], "delta") && i + 1 < argc)
				nla_put_string(m, BOOTSAN_A_LUN_DELTA_PATH, argv[++i]);
			else if (!strcmp(argv[i], "block-size") && i + 1 < argc)
				nla_put_u32(m, BOOTSAN_A_LUN_BLOCK_SIZE, atoi(argv[++i]));
			else
				usage();
		}
		return finish(bsnl_do(nl, m, NULL, NULL), op);
	}
	if (!strcmp(op, "lun-resize") || !strcmp(op, "lun-del")) {
		bool resize = !strcmp(op, "lun-resize");

		if (argc < 4 + resize)
			usage();
		m = bsnl_msg(nl, resize ? BOOTSAN_CMD_LUN_RESIZE : BOOTSAN_CMD_LUN_DEL);
		nla_put_string(m, BOOTSAN_A_LUN_TARGET, argv[2]);
		nla_put_u32(m, BOOTSAN_A_LUN_LUN, atoi(argv[3]));
		if (resize)
			nla_put_u64(m, BOOTSAN_A_LUN_SIZE, strtoull(argv[4], NULL, 0));
		else if (argc > 4 && !strcmp(argv[4], "force"))
			nla_put_flag(m, BOOTSAN_A_LUN_FORCE);
		return finish(bsnl_do(nl, m, NULL, NULL), op);
	}
	if (!strcmp(op, "acl-new")) {
		if (argc < 4)
			usage();
		m = bsnl_msg(nl, BOOTSAN_CMD_ACL_NEW);
		nla_put_string(m, BOOTSAN_A_ACL_TARGET, argv[2]);
		nla_put_string(m, BOOTSAN_A_ACL_INITIATOR, argv[3]);
		for (i = 4; i < argc;) {
			int used = put_creds(m, argv, i, argc, BOOTSAN_A_ACL_CHAP,
					     BOOTSAN_A_ACL_MUTUAL_CHAP);

			if (!used)
				usage();
			i += used;
		}
		return finish(bsnl_do(nl, m, NULL, NULL), op);
	}
	if (!strcmp(op, "acl-del")) {
		if (argc != 4)
			usage();
		m = bsnl_msg(nl, BOOTSAN_CMD_ACL_DEL);
		nla_put_string(m, BOOTSAN_A_ACL_TARGET, argv[2]);
		nla_put_string(m, BOOTSAN_A_ACL_INITIATOR, argv[3]);
		return finish(bsnl_do(nl, m, NULL, NULL), op);
	}
	if (!strcmp(op, "portals"))
		return finish(bsnl_dump(nl, bsnl_msg(nl, BOOTSAN_CMD_PORTAL_GET),
					print_portal, NULL), op);
	if (!strcmp(op, "targets"))
		return finish(bsnl_dump(nl, bsnl_msg(nl, BOOTSAN_CMD_TARGET_GET),
					print_target, NULL), op);
	if (!strcmp(op, "sessions"))
		return finish(bsnl_dump(nl, bsnl_msg(nl, BOOTSAN_CMD_SESSION_GET),
					print_session, NULL), op);
	if (!strcmp(op, "stats"))
		return finish(bsnl_dump(nl, bsnl_msg(nl, BOOTSAN_CMD_STATS_GET),
					print_stats, NULL), op);
	if (!strcmp(op, "mem"))
		return finish(bsnl_do(nl, bsnl_msg(nl, BOOTSAN_CMD_MEM_GET), print_mem, NULL), op);
	if (!strcmp(op, "session-kill")) {
		if (argc < 3)
			usage();
		m = bsnl_msg(nl, BOOTSAN_CMD_SESSION_KILL);
		nla_put_u64(m, BOOTSAN_A_SESSION_ID, strtoull(argv[2], NULL, 0));
		return finish(bsnl_do(nl, m, NULL, NULL), op);
	}
	if (!strcmp(op, "events")) {
		int n = argc > 2 ? atoi(argv[2]) : 1;
		int secs = argc > 3 ? atoi(argv[3]) : 30;

		ret = bsnl_subscribe(nl);
		if (ret)
			return finish(ret, op);
		/* Tell a waiting script that the subscription is in place. */
		printf("subscribed\n");
		fflush(stdout);
		while (n-- > 0) {
			ret = bsnl_recv_event(nl, secs * 1000, print_event, NULL);
			if (ret)
				return finish(ret, op);
		}
		return 0;
	}
	usage();
	return 2;
}
