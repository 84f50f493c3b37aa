// SPDX-License-Identifier: GPL-2.0
/*
 * Text requests in the full feature phase: SendTargets, in discovery
 * sessions (All) and normal ones (the session's own target).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inet.h>
#include <linux/net.h>
#include <linux/slab.h>

#include "ffp.h"

/* "a.b.c.d:port,tpgt" or "[v6]:port,tpgt" for one portal. */
static void add_target_address(struct iscsi_text_buf *out, struct bootsan_conn *conn,
			       struct bootsan_portal *p)
{
	static const u8 any[16];
	struct sockaddr_storage local;
	const u8 *addr = p->addr;
	char text[80];

	/* A wildcard portal is reached at the address this connection came to. */
	if (!memcmp(p->addr, any, p->addr_len) &&
	    kernel_getsockname(conn->sock, (struct sockaddr *)&local) > 0) {
		if (local.ss_family == AF_INET && p->addr_len == 4)
			addr = (u8 *)&((struct sockaddr_in *)&local)->sin_addr;
		else if (local.ss_family == AF_INET6 && p->addr_len == 16)
			addr = (u8 *)&((struct sockaddr_in6 *)&local)->sin6_addr;
		else
			return;
	}
	if (p->addr_len == 4)
		snprintf(text, sizeof(text), "%pI4:%u,%u", addr, p->port, p->tpgt);
	else
		snprintf(text, sizeof(text), "[%pI6c]:%u,%u", addr, p->port, p->tpgt);
	bootsan_iscsi_text_add(out, "TargetAddress", text);
}

static bool initiator_may_see(struct bootsan_target *t, const char *initiator)
{
	return t->allow_any_initiator || bootsan_acl_find(t, initiator);
}

/* SendTargets=All or =<iqn>: the targets this initiator may log in to. */
static void send_targets(struct bootsan_conn *conn, const struct iscsi_kv *kv,
			 struct iscsi_text_buf *out)
{
	struct bootsan_target *t;
	struct bootsan_portal *p;
	unsigned long id;
	bool all = kv->value_len == 3 && !memcmp(kv->value, "All", 3);

	if (all && !conn->sess->discovery)
		return;	/* RFC 7143 12.3: All only in discovery sessions */
	mutex_lock(&bootsan_config_mutex);
	xa_for_each(&bootsan_targets, id, t) {
		if (!all && (kv->value_len ? (strlen(t->iqn) != kv->value_len ||
					      memcmp(t->iqn, kv->value, kv->value_len)) :
					     t != conn->sess->target))
			continue;
		if (!initiator_may_see(t, conn->sess->initiator))
			continue;
		bootsan_iscsi_text_add(out, "TargetName", t->iqn);
		list_for_each_entry(p, &bootsan_portals, node)
			add_target_address(out, conn, p);
	}
	mutex_unlock(&bootsan_config_mutex);
}

int bootsan_ffp_text(struct bootsan_conn *conn)
{
	struct iscsi_text *req = (struct iscsi_text *)conn->bhs;
	struct iscsi_text_rsp rsp = {};
	struct iscsi_text_buf out = {};
	struct iscsi_kv kv;
	u32 pos = 0;
	int ret;

	if (!bootsan_cmdsn_accept(conn, (struct iscsi_hdr *)req))
		return 0;
	if (req->flags & ISCSI_FLAG_TEXT_CONTINUE)
		return bootsan_send_reject(conn, ISCSI_REASON_CMD_NOT_SUPPORTED);
	out.cap = min_t(u32, conn->max_recv_dsl, 65536);
	out.data = kvmalloc(out.cap, GFP_KERNEL);
	if (!out.data)
		return -ENOMEM;
	while ((ret = bootsan_iscsi_text_next(conn->data, conn->data_len, &pos, &kv)) > 0) {
		if (kv.key_len == 11 && !memcmp(kv.key, "SendTargets", 11)) {
			send_targets(conn, &kv, &out);
		} else {
			char key[64];

			/* bootsan_iscsi_text_next() bounds keys to 63 bytes. */
			memcpy(key, kv.key, kv.key_len);
			key[kv.key_len] = '\0';
			bootsan_iscsi_text_add(&out, key, "NotUnderstood");
		}
	}
	if (ret < 0) {
		kvfree(out.data);
		return bootsan_send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	}
	if (out.overflow)
		pr_warn_ratelimited("SendTargets reply truncated to %u bytes\n", out.len);
	rsp.opcode = ISCSI_OP_TEXT_RSP;
	rsp.flags = ISCSI_FLAG_CMD_FINAL;
	rsp.itt = req->itt;
	rsp.ttt = cpu_to_be32(RESERVED_TAG);
	rsp.statsn = cpu_to_be32(conn->stat_sn++);
	bootsan_put_sn(conn, &rsp.exp_cmdsn, &rsp.max_cmdsn);
	ret = bootsan_conn_send(conn, &rsp, out.data, out.len);
	kvfree(out.data);
	return ret;
}
