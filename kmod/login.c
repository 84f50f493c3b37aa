// SPDX-License-Identifier: GPL-2.0
/*
 * The login phase (RFC 7143 section 6.3 and 11.12-13): stage transitions,
 * the security stage with CHAP (SHA3-256, SHA-256, SHA-1 or MD5, one-way
 * and mutual; chap_alg.c), operational
 * negotiation (iscsi_text.c) and the creation of the session. Any refusal
 * is sent as a login response with a status class and detail, then the
 * connection closes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "chap.h"
#include "compat.h"
#include "engine.h"

#define LOGIN_STAGE_SECURITY	0
#define LOGIN_STAGE_OPERATIONAL	1
#define LOGIN_STAGE_FFP		3

enum chap_state {
	CHAP_NONE,		/* no CHAP agreed */
	CHAP_WAIT_ALGORITHM,	/* AuthMethod=CHAP answered, CHAP_A expected */
	CHAP_WAIT_RESPONSE,	/* challenge sent, CHAP_N and CHAP_R expected */
	CHAP_DONE,
};

/* The security keys of one login request; values point into conn->data. */
struct security_keys {
	const struct iscsi_kv *auth_method;
	struct iscsi_kv kv_auth_method, chap_a, chap_n, chap_r, chap_i, chap_c;
	bool has_a, has_n, has_r, has_i, has_c;
};

/* A login refusal: iSCSI status plus the reason reported as an event. */
struct login_error {
	u8 class;
	u8 detail;
	int event;		/* enum bootsan_login_failure, or -1 for none */
};

static bool kv_is(const struct iscsi_kv *kv, const char *key)
{
	return kv->key_len == strlen(key) && !memcmp(kv->key, key, kv->key_len);
}

/* Does the comma-separated list in @kv contain @item? */
static bool list_has(const struct iscsi_kv *kv, const char *item)
{
	u32 n = strlen(item), i = 0;

	while (i <= kv->value_len) {
		u32 end = i;

		while (end < kv->value_len && kv->value[end] != ',')
			end++;
		if (end - i == n && !memcmp(kv->value + i, item, n))
			return true;
		i = end + 1;
	}
	return false;
}

static int send_login_rsp(struct bootsan_conn *conn, const struct login_error *err,
			  bool transit, int nsg, struct iscsi_text_buf *out)
{
	struct iscsi_login_req *req = (struct iscsi_login_req *)conn->bhs;
	struct iscsi_login_rsp rsp = {};
	u32 cmd_sn = be32_to_cpu(req->cmdsn);

	rsp.opcode = ISCSI_OP_LOGIN_RSP;
	/* Before the first request is complete, its own stage. */
	rsp.flags = ((conn->login_stage >= 0 ? conn->login_stage :
		      ISCSI_LOGIN_CURRENT_STAGE(req->flags)) << 2) &
		    ISCSI_FLAG_LOGIN_CURRENT_STAGE_MASK;
	if (transit && !err)
		rsp.flags |= ISCSI_FLAG_LOGIN_TRANSIT | nsg;
	memcpy(rsp.isid, req->isid, sizeof(rsp.isid));
	if (transit && nsg == LOGIN_STAGE_FFP && !err)
		rsp.tsih = cpu_to_be16(conn->tsih);
	rsp.itt = req->itt;
	rsp.statsn = cpu_to_be32(conn->stat_sn++);
	rsp.exp_cmdsn = cpu_to_be32(cmd_sn);
	rsp.max_cmdsn = cpu_to_be32(cmd_sn);
	if (err) {
		rsp.status_class = err->class;
		rsp.status_detail = err->detail;
		return bootsan_conn_send(conn, &rsp, NULL, 0);
	}
	return bootsan_conn_send(conn, &rsp, out->data, out->len);
}

static int login_fail(struct bootsan_conn *conn, const char *target, u8 class,
		      u8 detail, int event)
{
	struct login_error err = { .class = class, .detail = detail, .event = event };

	if (event >= 0)
		bootsan_nl_notify_login_failed(conn, target, event);
	send_login_rsp(conn, &err, false, 0, NULL);
	return -EACCES;		/* close the connection */
}

#define FAIL_INIT(conn, detail) \
	login_fail(conn, (conn)->params.target_name, ISCSI_STATUS_CLS_INITIATOR_ERR, \
		   ISCSI_LOGIN_STATUS_##detail, BOOTSAN_LOGIN_FAILURE_PROTOCOL_ERROR)
#define FAIL_AUTH(conn) \
	login_fail(conn, (conn)->params.target_name, ISCSI_STATUS_CLS_INITIATOR_ERR, \
		   ISCSI_LOGIN_STATUS_AUTH_FAILED, BOOTSAN_LOGIN_FAILURE_AUTH_FAILED)

/*
 * The credentials this initiator must present: its ACL entry's, else the
 * target's. A copy for the login only (1 KiB that an idle session would
 * otherwise keep); it goes when the login completes.
 */
static int pick_credentials(struct bootsan_conn *conn, struct bootsan_target *t,
			    struct bootsan_acl *acl)
{
	const struct bootsan_credentials *c = bootsan_target_credentials(t, acl);

	conn->creds = kmemdup(c, sizeof(*c), GFP_KERNEL);
	if (!conn->creds)
		return -ENOMEM;
	conn->auth_required = bootsan_target_auth_required(t, acl);
	conn->mutual_required = t->auth == BOOTSAN_AUTH_MUTUAL_CHAP;
	return 0;
}

/* First request of a normal session: find the target and check the ACL. */
static int login_find_target(struct bootsan_conn *conn)
{
	const char *name = conn->params.target_name;
	struct bootsan_target *t;
	struct bootsan_acl *acl = NULL;
	int ret = 0;

	mutex_lock(&bootsan_config_mutex);
	t = bootsan_target_find(name);
	if (!t)
		ret = -ENOENT;
	else if (!bootsan_target_admits(t, conn->params.initiator_name, &acl))
		ret = -EPERM;	/* not in the ACL; an empty one admits nobody */
	if (!ret) {
		bootsan_target_get(t);
		conn->target = t;
		ret = pick_credentials(conn, t, acl);
	}
	mutex_unlock(&bootsan_config_mutex);

	if (ret == -ENOMEM)
		return login_fail(conn, name, ISCSI_STATUS_CLS_TARGET_ERR,
				  ISCSI_LOGIN_STATUS_NO_RESOURCES,
				  BOOTSAN_LOGIN_FAILURE_OUT_OF_RESOURCES);
	if (ret == -ENOENT)
		return login_fail(conn, name, ISCSI_STATUS_CLS_INITIATOR_ERR,
				  ISCSI_LOGIN_STATUS_TGT_NOT_FOUND,
				  BOOTSAN_LOGIN_FAILURE_TARGET_NOT_FOUND);
	if (ret == -EPERM)
		return login_fail(conn, name, ISCSI_STATUS_CLS_INITIATOR_ERR,
				  ISCSI_LOGIN_STATUS_TGT_FORBIDDEN,
				  BOOTSAN_LOGIN_FAILURE_NOT_AUTHORIZED);
	return 0;
}

/* Our challenge is as long as the agreed digest (16 bytes for MD5, as iPXE expects). */
static int chap_send_challenge(struct bootsan_conn *conn, struct iscsi_text_buf *out)
{
	char hex[2 + 2 * BOOTSAN_CHAP_DIGEST_MAX + 1];
	u32 len = conn->chap_alg->digest_len;

	get_random_bytes(&conn->chap_id, 1);
	get_random_bytes(conn->chap_challenge, len);
	if (bootsan_iscsi_chap_encode_hex(conn->chap_challenge, len, hex, sizeof(hex)))
		return -EINVAL;
	bootsan_iscsi_text_add_u32(out, "CHAP_A", conn->chap_alg->id);
	bootsan_iscsi_text_add_u32(out, "CHAP_I", conn->chap_id);
	bootsan_iscsi_text_add(out, "CHAP_C", hex);
	conn->chap_state = CHAP_WAIT_RESPONSE;
	return 0;
}

/*
 * Check the initiator's CHAP_N and CHAP_R; for mutual CHAP answer its
 * challenge. Returns 0, or -EACCES for any authentication failure.
 */
static int chap_verify(struct bootsan_conn *conn, struct security_keys *k,
		       struct iscsi_text_buf *out)
{
	const struct bootsan_chap_alg *alg = conn->chap_alg;
	const struct bootsan_chap *mine, *mutual;
	u8 expect[BOOTSAN_CHAP_DIGEST_MAX], got[BOOTSAN_CHAP_DIGEST_MAX];
	u8 challenge[BOOTSAN_CHAP_PEER_CHALLENGE_MAX], id;
	char hex[2 + 2 * BOOTSAN_CHAP_DIGEST_MAX + 1];
	int len;

	if (!conn->creds)
		return -EACCES;
	mine = &conn->creds->chap;
	mutual = &conn->creds->mutual;
	if (!k->has_n || !k->has_r || !mine->secret_len)
		return -EACCES;
	/* The whole name must match: no prefix matches. */
	if (k->chap_n.value_len != strlen(mine->user) ||
	    memcmp(k->chap_n.value, mine->user, k->chap_n.value_len))
		return -EACCES;
	len = bootsan_iscsi_chap_decode(k->chap_r.value, k->chap_r.value_len, got, sizeof(got));
	if (len != alg->digest_len)
		return -EACCES;
	if (bootsan_chap_response(alg, conn->chap_id, mine->secret, mine->secret_len,
				  conn->chap_challenge, alg->digest_len, expect))
		return -EACCES;
	if (crypto_memneq(expect, got, alg->digest_len))
		return -EACCES;
	conn->chap_gen = mine->gen;

	if (!k->has_i && !k->has_c) {
		/* The initiator did not ask us to prove ourselves. */
		return conn->mutual_required ? -EACCES : 0;
	}
	if (!k->has_i || !k->has_c || !mutual->secret_len)
		return -EACCES;
	if (bootsan_chap_parse_id(k->chap_i.value, k->chap_i.value_len, &id))
		return -EACCES;
	len = bootsan_iscsi_chap_decode(k->chap_c.value, k->chap_c.value_len,
					challenge, sizeof(challenge));
	if (len <= 0)
		return -EACCES;
	/* Short challenges are guessable; ours reflected would answer itself. */
	if (bootsan_chap_check_peer_challenge(challenge, len, conn->chap_challenge,
					      alg->digest_len))
		return -EACCES;
	if (bootsan_chap_response(alg, id, mutual->secret, mutual->secret_len,
				  challenge, len, expect))
		return -EACCES;
	if (bootsan_iscsi_chap_encode_hex(expect, alg->digest_len, hex, sizeof(hex)))
		return -EACCES;
	bootsan_iscsi_text_add(out, "CHAP_N", mutual->user);
	bootsan_iscsi_text_add(out, "CHAP_R", hex);
	return 0;
}

/* The security stage: AuthMethod, then the CHAP exchange. */
static int login_security(struct bootsan_conn *conn, struct security_keys *k,
			  struct iscsi_text_buf *out)
{
	bool can_chap = conn->creds && conn->creds->chap.secret_len;

	if (k->auth_method && conn->chap_state == CHAP_NONE && !conn->auth_done) {
		if (conn->auth_required || (!list_has(k->auth_method, "None") && can_chap)) {
			if (!list_has(k->auth_method, "CHAP") || !can_chap)
				return -EACCES;
			bootsan_iscsi_text_add(out, "AuthMethod", "CHAP");
			conn->chap_state = CHAP_WAIT_ALGORITHM;
		} else if (list_has(k->auth_method, "None")) {
			bootsan_iscsi_text_add(out, "AuthMethod", "None");
			conn->auth_done = true;
		} else {
			return -EACCES;
		}
	}
	if (conn->chap_state == CHAP_WAIT_ALGORITHM && k->has_a) {
		conn->chap_alg = bootsan_chap_alg_pick(k->chap_a.value, k->chap_a.value_len,
						       bootsan_chap_usable_algs());
		if (!conn->chap_alg)
			return -EACCES;
		return chap_send_challenge(conn, out);
	}
	if (conn->chap_state == CHAP_WAIT_RESPONSE && (k->has_n || k->has_r)) {
		if (chap_verify(conn, k, out))
			return -EACCES;
		conn->chap_state = CHAP_DONE;
		conn->auth_done = true;
	}
	return 0;
}

static int collect_security_key(struct security_keys *k, const struct iscsi_kv *kv)
{
	if (kv_is(kv, "AuthMethod")) {
		k->kv_auth_method = *kv;
		k->auth_method = &k->kv_auth_method;
	} else if (kv_is(kv, "CHAP_A")) {
		k->chap_a = *kv;
		k->has_a = true;
	} else if (kv_is(kv, "CHAP_N")) {
		k->chap_n = *kv;
		k->has_n = true;
	} else if (kv_is(kv, "CHAP_R")) {
		k->chap_r = *kv;
		k->has_r = true;
	} else if (kv_is(kv, "CHAP_I")) {
		k->chap_i = *kv;
		k->has_i = true;
	} else if (kv_is(kv, "CHAP_C")) {
		k->chap_c = *kv;
		k->has_c = true;
	} else {
		return 0;
	}
	return 1;
}

static int login_complete(struct bootsan_conn *conn, struct iscsi_text_buf *out)
{
	struct bootsan_session *sess;

	bootsan_iscsi_neg_finish(&conn->neg, out);
	/*
	 * The ACL and credentials may have changed since the first request:
	 * decide again, under the mutex that orders this login against
	 * bootsan_sessions_recheck() (the session is listed before it drops).
	 */
	mutex_lock(&bootsan_config_mutex);
	if (conn->target &&
	    !bootsan_target_still_admits(conn->target, conn->params.initiator_name,
					 conn->chap_gen)) {
		mutex_unlock(&bootsan_config_mutex);
		return login_fail(conn, conn->params.target_name,
				  ISCSI_STATUS_CLS_INITIATOR_ERR,
				  ISCSI_LOGIN_STATUS_TGT_FORBIDDEN,
				  BOOTSAN_LOGIN_FAILURE_NOT_AUTHORIZED);
	}
	sess = bootsan_session_create(conn, conn->target, conn->params.session_type_discovery);
	mutex_unlock(&bootsan_config_mutex);
	if (IS_ERR(sess)) {
		if (PTR_ERR(sess) == -EUSERS)
			return login_fail(conn, conn->params.target_name,
					  ISCSI_STATUS_CLS_INITIATOR_ERR,
					  ISCSI_LOGIN_STATUS_ISID_ERROR,
					  BOOTSAN_LOGIN_FAILURE_TOO_MANY_SESSIONS);
		return login_fail(conn, conn->params.target_name,
				  ISCSI_STATUS_CLS_TARGET_ERR,
				  ISCSI_LOGIN_STATUS_NO_RESOURCES,
				  BOOTSAN_LOGIN_FAILURE_OUT_OF_RESOURCES);
	}
	conn->target = NULL;	/* the session holds the reference now */
	conn->sess = sess;
	conn->tsih = sess->tsih;
	sess->exp_cmd_sn = be32_to_cpu(((struct iscsi_login_req *)conn->bhs)->cmdsn);
	conn->max_recv_dsl = conn->params.max_recv_dsl_initiator;
	return 0;
}

/*
 * Login text continued over several requests (the C bit) is kept until
 * the request that ends it, up to this much in all.
 */
#define LOGIN_TEXT_MAX	(4 * BOOTSAN_LOGIN_DSL_MAX)

static int fail_text_too_long(struct bootsan_conn *conn)
{
	return login_fail(conn, conn->params.target_name, ISCSI_STATUS_CLS_TARGET_ERR,
			  ISCSI_LOGIN_STATUS_NO_RESOURCES,
			  BOOTSAN_LOGIN_FAILURE_OUT_OF_RESOURCES);
}

/*
 * A request with C set (RFC 7143 11.12.2): keep its text and answer with
 * an empty response, C and T clear, for the initiator to send the rest.
 * Its keys are read when the text is complete; a key or value may be cut
 * anywhere.
 */
static int login_continue(struct bootsan_conn *conn, int csg)
{
	struct iscsi_text_buf empty = {};
	u32 len = conn->login_text_len;
	u8 *text;

	if (conn->login_text && csg != conn->login_text_csg)
		return FAIL_INIT(conn, INIT_ERR);
	if (conn->data_len > LOGIN_TEXT_MAX - len)
		return fail_text_too_long(conn);
	text = krealloc(conn->login_text, len + conn->data_len, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	if (conn->data_len)
		memcpy(text + len, conn->data, conn->data_len);
	conn->login_text = text;
	conn->login_text_len = len + conn->data_len;
	conn->login_text_csg = csg;
	return send_login_rsp(conn, NULL, false, 0, &empty);
}

/*
 * The request that ends continued text: make conn->data the whole text
 * (rx_reset frees it as it would the request's own). 0, or -E2BIG.
 */
static int login_text_join(struct bootsan_conn *conn)
{
	u32 len = conn->login_text_len;
	u8 *all;

	if (!conn->login_text)
		return 0;
	if (conn->data_len > LOGIN_TEXT_MAX - len)
		return -E2BIG;
	all = kvmalloc(len + conn->data_len + 1, GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	memcpy(all, conn->login_text, len);
	if (conn->data_len)
		memcpy(all + len, conn->data, conn->data_len);
	kvfree(conn->data);
	conn->data = all;
	conn->data_len += len;
	kfree_sensitive(conn->login_text);
	conn->login_text = NULL;
	conn->login_text_len = 0;
	return 0;
}

int bootsan_login_pdu(struct bootsan_conn *conn)
{
	struct iscsi_login_req *req = (struct iscsi_login_req *)conn->bhs;
	struct security_keys keys = {};
	struct iscsi_text_buf out = {};
	struct iscsi_kv kv;
	bool first = conn->login_stage < 0;	/* the first request (maybe continued) */
	bool first_pdu = first && !conn->login_text;
	bool cont = req->flags & ISCSI_FLAG_LOGIN_CONTINUE;
	bool transit = req->flags & ISCSI_FLAG_LOGIN_TRANSIT;
	int csg = ISCSI_LOGIN_CURRENT_STAGE(req->flags);
	int nsg = ISCSI_LOGIN_NEXT_STAGE(req->flags);
	u32 pos = 0;
	int ret;

	if ((req->opcode & ISCSI_OPCODE_MASK) != ISCSI_OP_LOGIN)
		return -EPROTO;	/* RFC 7143 6.3: only Login PDUs before login */
	if (first_pdu) {
		memcpy(conn->isid, req->isid, sizeof(conn->isid));
		conn->stat_sn = be32_to_cpu(req->exp_statsn);
		conn->cid = be16_to_cpu(req->cid);
		bootsan_iscsi_neg_init(&conn->neg, &conn->params);
		if (req->min_version > 0)
			return login_fail(conn, "", ISCSI_STATUS_CLS_INITIATOR_ERR,
					  ISCSI_LOGIN_STATUS_NO_VERSION,
					  BOOTSAN_LOGIN_FAILURE_UNSUPPORTED_VERSION);
		if (req->tsih) {
			/* Adding a connection to a session (MC/S) is not supported. */
			conn->login_stage = csg;
			return FAIL_INIT(conn, NO_SESSION);
		}
	} else if (memcmp(conn->isid, req->isid, sizeof(conn->isid)) || req->tsih) {
		return FAIL_INIT(conn, INIT_ERR);
	}
	if (csg != LOGIN_STAGE_SECURITY && csg != LOGIN_STAGE_OPERATIONAL)
		return FAIL_INIT(conn, INIT_ERR);
	if (!first && csg < conn->login_stage)
		return FAIL_INIT(conn, INIT_ERR);
	if (cont && transit)
		return FAIL_INIT(conn, INIT_ERR);	/* C=1 needs T=0 (RFC 7143 11.12.2) */
	if (cont)
		return login_continue(conn, csg);
	if (conn->login_text && csg != conn->login_text_csg)
		return FAIL_INIT(conn, INIT_ERR);
	ret = login_text_join(conn);
	if (ret == -E2BIG)
		return fail_text_too_long(conn);
	if (ret)
		return ret;
	conn->login_stage = csg;
	if (transit && (nsg <= csg || nsg == 2))
		return FAIL_INIT(conn, INIT_ERR);

	out.cap = BOOTSAN_LOGIN_DSL_MAX;
	out.data = kmalloc(out.cap, GFP_KERNEL);
	if (!out.data)
		return -ENOMEM;

	while ((ret = bootsan_iscsi_text_next(conn->data, conn->data_len, &pos, &kv)) > 0) {
		/*
		 * What the session is, and whose, was settled by the first
		 * request (the target looked up, authentication decided): a
		 * later request may not change it.
		 */
		if (!first && (kv_is(&kv, "SessionType") || kv_is(&kv, "TargetName") ||
			       kv_is(&kv, "InitiatorName"))) {
			ret = FAIL_INIT(conn, INIT_ERR);
			goto out;
		}
		if (collect_security_key(&keys, &kv)) {
			if (csg != LOGIN_STAGE_SECURITY) {
				ret = FAIL_INIT(conn, INIT_ERR);
				goto out;
			}
			continue;
		}
		switch (bootsan_iscsi_negotiate(&conn->neg, &kv, &out)) {
		case ISCSI_NEG_PROTOCOL_ERROR:
			ret = FAIL_INIT(conn, INIT_ERR);
			goto out;
		default:
			break;
		}
	}
	if (ret < 0) {
		ret = FAIL_INIT(conn, INIT_ERR);
		goto out;
	}

	if (first) {
		if (!conn->params.initiator_name[0] ||
		    (!conn->params.session_type_discovery && !conn->params.target_name[0])) {
			ret = FAIL_INIT(conn, MISSING_FIELDS);
			goto out;
		}
		if (iscsi_name_invalid(conn->params.initiator_name,
				       strlen(conn->params.initiator_name))) {
			ret = FAIL_INIT(conn, INIT_ERR);
			goto out;
		}
		if (bootsan_prelogin_portal_full(conn->portal)) {
			ret = login_fail(conn, conn->params.target_name,
					 ISCSI_STATUS_CLS_INITIATOR_ERR,
					 ISCSI_LOGIN_STATUS_ISID_ERROR,	/* too many connections */
					 BOOTSAN_LOGIN_FAILURE_TOO_MANY_SESSIONS);
			goto out;
		}
		if (!conn->params.session_type_discovery) {
			ret = login_find_target(conn);
			if (ret)
				goto out;
			bootsan_iscsi_text_add_u32(&out, "TargetPortalGroupTag", conn->portal->tpgt);
			/* target-set may rewrite the alias: read it under the mutex. */
			mutex_lock(&bootsan_config_mutex);
			if (conn->target->alias[0])
				bootsan_iscsi_text_add(&out, "TargetAlias", conn->target->alias);
			mutex_unlock(&bootsan_config_mutex);
		}
	}

	if (csg == LOGIN_STAGE_SECURITY) {
		if (login_security(conn, &keys, &out)) {
			ret = FAIL_AUTH(conn);
			goto out;
		}
		if (transit && !conn->auth_done) {
			if (conn->chap_state != CHAP_NONE) {
				/* CHAP is under way: answer with T=0, stay in this stage. */
				transit = false;
			} else if (conn->auth_required) {
				/* Leaving the security stage without authenticating. */
				ret = FAIL_AUTH(conn);
				goto out;
			} else {
				conn->auth_done = true;
			}
		}
	} else if (!conn->auth_done) {
		/* The initiator skipped the security stage. */
		if (conn->auth_required) {
			ret = FAIL_AUTH(conn);
			goto out;
		}
		conn->auth_done = true;
	}

	if (out.overflow) {
		ret = login_fail(conn, conn->params.target_name, ISCSI_STATUS_CLS_TARGET_ERR,
				 ISCSI_LOGIN_STATUS_NO_RESOURCES,
				 BOOTSAN_LOGIN_FAILURE_OUT_OF_RESOURCES);
		goto out;
	}
	if (transit && nsg == LOGIN_STAGE_FFP) {
		if (!bootsan_prelogin_take_slot(conn)) {
			ret = login_fail(conn, conn->params.target_name,
					 ISCSI_STATUS_CLS_INITIATOR_ERR,
					 ISCSI_LOGIN_STATUS_ISID_ERROR,	/* too many connections */
					 BOOTSAN_LOGIN_FAILURE_TOO_MANY_SESSIONS);
			goto out;
		}
		ret = login_complete(conn, &out);
		if (ret)
			goto out;
	}
	ret = send_login_rsp(conn, NULL, transit, nsg, &out);
	if (!ret && transit) {
		conn->login_stage = nsg;
		if (nsg == LOGIN_STAGE_FFP) {
			WRITE_ONCE(conn->logged_in, true);
			bootsan_prelogin_done(conn);
			kfree_sensitive(conn->creds);
			conn->creds = NULL;
			if (conn->sess->target) {
				bootsan_nl_notify_session_up(conn->sess);
				bootsan_conn_start_pings(conn, conn->sess->nop_in_interval);
			}
		}
	}
out:
	kfree(out.data);
	return ret;
}
