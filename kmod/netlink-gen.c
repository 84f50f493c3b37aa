// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/bootsan.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/bootsan.h>

/* Common nested types */
const struct nla_policy bootsan_chap_nl_policy[BOOTSAN_A_CHAP_SECRET_SET + 1] = {
	[BOOTSAN_A_CHAP_USER] = { .type = NLA_NUL_STRING, .len = 255, },
	[BOOTSAN_A_CHAP_SECRET] = NLA_POLICY_RANGE(NLA_BINARY, BOOTSAN_CHAP_SECRET_MIN_LEN, BOOTSAN_CHAP_SECRET_MAX_LEN),
	[BOOTSAN_A_CHAP_SECRET_SET] = { .type = NLA_FLAG, },
};

/* BOOTSAN_CMD_PORTAL_NEW - do */
const struct nla_policy bootsan_portal_new_nl_policy[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT + 1] = {
	[BOOTSAN_A_PORTAL_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[BOOTSAN_A_PORTAL_PORT] = { .type = NLA_U16, },
	[BOOTSAN_A_PORTAL_TPGT] = { .type = NLA_U16, },
	[BOOTSAN_A_PORTAL_MAX_CONNECTIONS] = { .type = NLA_U32, },
	[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT] = NLA_POLICY_MAX(NLA_U32, BOOTSAN_LOGIN_TIMEOUT_MAX),
};

/* BOOTSAN_CMD_PORTAL_DEL - do */
const struct nla_policy bootsan_portal_del_nl_policy[BOOTSAN_A_PORTAL_FORCE + 1] = {
	[BOOTSAN_A_PORTAL_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[BOOTSAN_A_PORTAL_PORT] = { .type = NLA_U16, },
	[BOOTSAN_A_PORTAL_FORCE] = { .type = NLA_FLAG, },
};

/* BOOTSAN_CMD_PORTAL_GET - do */
const struct nla_policy bootsan_portal_get_nl_policy[BOOTSAN_A_PORTAL_PORT + 1] = {
	[BOOTSAN_A_PORTAL_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[BOOTSAN_A_PORTAL_PORT] = { .type = NLA_U16, },
};

/* BOOTSAN_CMD_TARGET_NEW - do */
const struct nla_policy bootsan_target_new_nl_policy[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR + 1] = {
	[BOOTSAN_A_TARGET_IQN] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_TARGET_ALIAS] = { .type = NLA_NUL_STRING, .len = 255, },
	[BOOTSAN_A_TARGET_AUTH] = NLA_POLICY_MAX(NLA_U32, 2),
	[BOOTSAN_A_TARGET_CHAP] = NLA_POLICY_NESTED(bootsan_chap_nl_policy),
	[BOOTSAN_A_TARGET_MUTUAL_CHAP] = NLA_POLICY_NESTED(bootsan_chap_nl_policy),
	[BOOTSAN_A_TARGET_MAX_SESSIONS] = { .type = NLA_U32, },
	[BOOTSAN_A_TARGET_QUEUE_DEPTH] = NLA_POLICY_MAX(NLA_U32, BOOTSAN_QUEUE_DEPTH_MAX),
	[BOOTSAN_A_TARGET_NOP_IN_INTERVAL] = NLA_POLICY_MAX(NLA_U32, BOOTSAN_NOP_IN_INTERVAL_MAX),
	[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* BOOTSAN_CMD_TARGET_DEL - do */
const struct nla_policy bootsan_target_del_nl_policy[BOOTSAN_A_TARGET_FORCE + 1] = {
	[BOOTSAN_A_TARGET_IQN] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_TARGET_FORCE] = { .type = NLA_FLAG, },
};

/* BOOTSAN_CMD_TARGET_GET - do */
const struct nla_policy bootsan_target_get_nl_policy[BOOTSAN_A_TARGET_IQN + 1] = {
	[BOOTSAN_A_TARGET_IQN] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
};

/* BOOTSAN_CMD_TARGET_SET - do */
const struct nla_policy bootsan_target_set_nl_policy[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR + 1] = {
	[BOOTSAN_A_TARGET_IQN] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_TARGET_ALIAS] = { .type = NLA_NUL_STRING, .len = 255, },
	[BOOTSAN_A_TARGET_AUTH] = NLA_POLICY_MAX(NLA_U32, 2),
	[BOOTSAN_A_TARGET_CHAP] = NLA_POLICY_NESTED(bootsan_chap_nl_policy),
	[BOOTSAN_A_TARGET_MUTUAL_CHAP] = NLA_POLICY_NESTED(bootsan_chap_nl_policy),
	[BOOTSAN_A_TARGET_MAX_SESSIONS] = { .type = NLA_U32, },
	[BOOTSAN_A_TARGET_QUEUE_DEPTH] = NLA_POLICY_MAX(NLA_U32, BOOTSAN_QUEUE_DEPTH_MAX),
	[BOOTSAN_A_TARGET_NOP_IN_INTERVAL] = NLA_POLICY_MAX(NLA_U32, BOOTSAN_NOP_IN_INTERVAL_MAX),
	[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* BOOTSAN_CMD_LUN_NEW - do */
const struct nla_policy bootsan_lun_new_nl_policy[BOOTSAN_A_LUN_DELTA_PATH + 1] = {
	[BOOTSAN_A_LUN_TARGET] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_LUN_LUN] = NLA_POLICY_MAX(NLA_U32, BOOTSAN_LUN_MAX),
	[BOOTSAN_A_LUN_BACKEND] = NLA_POLICY_MAX(NLA_U32, 2),
	[BOOTSAN_A_LUN_PATH] = { .type = NLA_NUL_STRING, .len = 4095, },
	[BOOTSAN_A_LUN_READ_ONLY] = { .type = NLA_FLAG, },
	[BOOTSAN_A_LUN_DIRECT] = { .type = NLA_FLAG, },
	[BOOTSAN_A_LUN_BLOCK_SIZE] = { .type = NLA_U32, },
	[BOOTSAN_A_LUN_SIZE] = { .type = NLA_U64, },
	[BOOTSAN_A_LUN_SERIAL] = { .type = NLA_NUL_STRING, .len = 64, },
	[BOOTSAN_A_LUN_NAA] = { .type = NLA_U64, },
	[BOOTSAN_A_LUN_DELTA_PATH] = { .type = NLA_NUL_STRING, .len = 4095, },
};

/* BOOTSAN_CMD_LUN_DEL - do */
const struct nla_policy bootsan_lun_del_nl_policy[BOOTSAN_A_LUN_FORCE + 1] = {
	[BOOTSAN_A_LUN_TARGET] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_LUN_LUN] = NLA_POLICY_MAX(NLA_U32, BOOTSAN_LUN_MAX),
	[BOOTSAN_A_LUN_FORCE] = { .type = NLA_FLAG, },
};

/* BOOTSAN_CMD_LUN_GET - do */
const struct nla_policy bootsan_lun_get_nl_policy[BOOTSAN_A_LUN_LUN + 1] = {
	[BOOTSAN_A_LUN_TARGET] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_LUN_LUN] = NLA_POLICY_MAX(NLA_U32, BOOTSAN_LUN_MAX),
};

/* BOOTSAN_CMD_LUN_RESIZE - do */
const struct nla_policy bootsan_lun_resize_nl_policy[BOOTSAN_A_LUN_SIZE + 1] = {
	[BOOTSAN_A_LUN_TARGET] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_LUN_LUN] = NLA_POLICY_MAX(NLA_U32, BOOTSAN_LUN_MAX),
	[BOOTSAN_A_LUN_SIZE] = { .type = NLA_U64, },
};

/* BOOTSAN_CMD_ACL_NEW - do */
const struct nla_policy bootsan_acl_new_nl_policy[BOOTSAN_A_ACL_MUTUAL_CHAP + 1] = {
	[BOOTSAN_A_ACL_TARGET] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_ACL_INITIATOR] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_ACL_CHAP] = NLA_POLICY_NESTED(bootsan_chap_nl_policy),
	[BOOTSAN_A_ACL_MUTUAL_CHAP] = NLA_POLICY_NESTED(bootsan_chap_nl_policy),
};

/* BOOTSAN_CMD_ACL_DEL - do */
const struct nla_policy bootsan_acl_del_nl_policy[BOOTSAN_A_ACL_INITIATOR + 1] = {
	[BOOTSAN_A_ACL_TARGET] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_ACL_INITIATOR] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
};

/* BOOTSAN_CMD_ACL_GET - do */
const struct nla_policy bootsan_acl_get_nl_policy[BOOTSAN_A_ACL_INITIATOR + 1] = {
	[BOOTSAN_A_ACL_TARGET] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_ACL_INITIATOR] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
};

/* BOOTSAN_CMD_SESSION_GET - do */
const struct nla_policy bootsan_session_get_nl_policy[BOOTSAN_A_SESSION_ID + 1] = {
	[BOOTSAN_A_SESSION_ID] = { .type = NLA_U64, },
};

/* BOOTSAN_CMD_SESSION_KILL - do */
const struct nla_policy bootsan_session_kill_nl_policy[BOOTSAN_A_SESSION_ID + 1] = {
	[BOOTSAN_A_SESSION_ID] = { .type = NLA_U64, },
};

/* BOOTSAN_CMD_STATS_GET - do */
const struct nla_policy bootsan_stats_get_nl_policy[BOOTSAN_A_STATS_LUN + 1] = {
	[BOOTSAN_A_STATS_TARGET] = { .type = NLA_NUL_STRING, .len = BOOTSAN_IQN_MAX_LEN, },
	[BOOTSAN_A_STATS_LUN] = NLA_POLICY_MAX(NLA_U32, BOOTSAN_LUN_MAX),
};

/* BOOTSAN_CMD_MEM_GET - do */
const struct nla_policy bootsan_mem_get_nl_policy[BOOTSAN_A_MEM_UNSPEC + 1] = {
};

/* Ops table for bootsan */
const struct genl_ops bootsan_nl_ops[18] = {
	{
		.cmd		= BOOTSAN_CMD_PORTAL_NEW,
		.doit		= bootsan_nl_portal_new_doit,
		.policy		= bootsan_portal_new_nl_policy,
		.maxattr	= BOOTSAN_A_PORTAL_LOGIN_TIMEOUT,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_PORTAL_DEL,
		.doit		= bootsan_nl_portal_del_doit,
		.policy		= bootsan_portal_del_nl_policy,
		.maxattr	= BOOTSAN_A_PORTAL_FORCE,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_PORTAL_GET,
		.doit		= bootsan_nl_portal_get_doit,
		.dumpit		= bootsan_nl_portal_get_dumpit,
		.policy		= bootsan_portal_get_nl_policy,
		.maxattr	= BOOTSAN_A_PORTAL_PORT,
	},
	{
		.cmd		= BOOTSAN_CMD_TARGET_NEW,
		.doit		= bootsan_nl_target_new_doit,
		.policy		= bootsan_target_new_nl_policy,
		.maxattr	= BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_TARGET_DEL,
		.doit		= bootsan_nl_target_del_doit,
		.policy		= bootsan_target_del_nl_policy,
		.maxattr	= BOOTSAN_A_TARGET_FORCE,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_TARGET_GET,
		.doit		= bootsan_nl_target_get_doit,
		.dumpit		= bootsan_nl_target_get_dumpit,
		.policy		= bootsan_target_get_nl_policy,
		.maxattr	= BOOTSAN_A_TARGET_IQN,
	},
	{
		.cmd		= BOOTSAN_CMD_TARGET_SET,
		.doit		= bootsan_nl_target_set_doit,
		.policy		= bootsan_target_set_nl_policy,
		.maxattr	= BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_LUN_NEW,
		.doit		= bootsan_nl_lun_new_doit,
		.policy		= bootsan_lun_new_nl_policy,
		.maxattr	= BOOTSAN_A_LUN_DELTA_PATH,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_LUN_DEL,
		.doit		= bootsan_nl_lun_del_doit,
		.policy		= bootsan_lun_del_nl_policy,
		.maxattr	= BOOTSAN_A_LUN_FORCE,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_LUN_GET,
		.doit		= bootsan_nl_lun_get_doit,
		.dumpit		= bootsan_nl_lun_get_dumpit,
		.policy		= bootsan_lun_get_nl_policy,
		.maxattr	= BOOTSAN_A_LUN_LUN,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_LUN_RESIZE,
		.doit		= bootsan_nl_lun_resize_doit,
		.policy		= bootsan_lun_resize_nl_policy,
		.maxattr	= BOOTSAN_A_LUN_SIZE,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_ACL_NEW,
		.doit		= bootsan_nl_acl_new_doit,
		.policy		= bootsan_acl_new_nl_policy,
		.maxattr	= BOOTSAN_A_ACL_MUTUAL_CHAP,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_ACL_DEL,
		.doit		= bootsan_nl_acl_del_doit,
		.policy		= bootsan_acl_del_nl_policy,
		.maxattr	= BOOTSAN_A_ACL_INITIATOR,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_ACL_GET,
		.doit		= bootsan_nl_acl_get_doit,
		.dumpit		= bootsan_nl_acl_get_dumpit,
		.policy		= bootsan_acl_get_nl_policy,
		.maxattr	= BOOTSAN_A_ACL_INITIATOR,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_SESSION_GET,
		.doit		= bootsan_nl_session_get_doit,
		.dumpit		= bootsan_nl_session_get_dumpit,
		.policy		= bootsan_session_get_nl_policy,
		.maxattr	= BOOTSAN_A_SESSION_ID,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_SESSION_KILL,
		.doit		= bootsan_nl_session_kill_doit,
		.policy		= bootsan_session_kill_nl_policy,
		.maxattr	= BOOTSAN_A_SESSION_ID,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= BOOTSAN_CMD_STATS_GET,
		.doit		= bootsan_nl_stats_get_doit,
		.dumpit		= bootsan_nl_stats_get_dumpit,
		.policy		= bootsan_stats_get_nl_policy,
		.maxattr	= BOOTSAN_A_STATS_LUN,
	},
	{
		.cmd		= BOOTSAN_CMD_MEM_GET,
		.doit		= bootsan_nl_mem_get_doit,
		.policy		= bootsan_mem_get_nl_policy,
		.maxattr	= BOOTSAN_A_MEM_UNSPEC,
		.flags		= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group bootsan_nl_mcgrps[] = {
	[BOOTSAN_NLGRP_EVENTS] = { "events", },
};
