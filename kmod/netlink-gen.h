/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/bootsan.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_BOOTSAN_GEN_H
#define _LINUX_BOOTSAN_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/bootsan.h>

/* Common nested types */
extern const struct nla_policy bootsan_chap_nl_policy[BOOTSAN_A_CHAP_SECRET_SET + 1];

extern const struct nla_policy bootsan_portal_new_nl_policy[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT + 1];

extern const struct nla_policy bootsan_portal_del_nl_policy[BOOTSAN_A_PORTAL_FORCE + 1];

extern const struct nla_policy bootsan_portal_get_nl_policy[BOOTSAN_A_PORTAL_PORT + 1];

extern const struct nla_policy bootsan_target_new_nl_policy[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR + 1];

extern const struct nla_policy bootsan_target_del_nl_policy[BOOTSAN_A_TARGET_FORCE + 1];

extern const struct nla_policy bootsan_target_get_nl_policy[BOOTSAN_A_TARGET_IQN + 1];

extern const struct nla_policy bootsan_target_set_nl_policy[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR + 1];

extern const struct nla_policy bootsan_lun_new_nl_policy[BOOTSAN_A_LUN_DELTA_PATH + 1];

extern const struct nla_policy bootsan_lun_del_nl_policy[BOOTSAN_A_LUN_FORCE + 1];

extern const struct nla_policy bootsan_lun_get_nl_policy[BOOTSAN_A_LUN_LUN + 1];

extern const struct nla_policy bootsan_lun_resize_nl_policy[BOOTSAN_A_LUN_SIZE + 1];

extern const struct nla_policy bootsan_acl_new_nl_policy[BOOTSAN_A_ACL_MUTUAL_CHAP + 1];

extern const struct nla_policy bootsan_acl_del_nl_policy[BOOTSAN_A_ACL_INITIATOR + 1];

extern const struct nla_policy bootsan_acl_get_nl_policy[BOOTSAN_A_ACL_INITIATOR + 1];

extern const struct nla_policy bootsan_session_get_nl_policy[BOOTSAN_A_SESSION_ID + 1];

extern const struct nla_policy bootsan_session_kill_nl_policy[BOOTSAN_A_SESSION_ID + 1];

extern const struct nla_policy bootsan_stats_get_nl_policy[BOOTSAN_A_STATS_LUN + 1];

extern const struct nla_policy bootsan_mem_get_nl_policy[BOOTSAN_A_MEM_UNSPEC + 1];

/* Ops table for bootsan */
extern const struct genl_ops bootsan_nl_ops[18];

int bootsan_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
			struct genl_info *info);
void
bootsan_nl_post_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		     struct genl_info *info);

int bootsan_nl_portal_new_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_portal_del_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_portal_get_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_portal_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int bootsan_nl_target_new_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_target_del_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_target_get_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_target_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int bootsan_nl_target_set_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_lun_new_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_lun_del_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_lun_get_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_lun_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int bootsan_nl_lun_resize_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_acl_new_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_acl_del_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_acl_get_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_acl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int bootsan_nl_session_get_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_session_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);
int bootsan_nl_session_kill_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int bootsan_nl_stats_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int bootsan_nl_mem_get_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	BOOTSAN_NLGRP_EVENTS,
};

#endif /* _LINUX_BOOTSAN_GEN_H */
