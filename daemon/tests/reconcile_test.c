// SPDX-License-Identifier: GPL-2.0
/* Host unit test of ks_reconcile(): what the daemon changes in the kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../san/kstate.h"

/* The kinds of @ops, as a string like "PN TN LN LN AN". */
static void kinds(const struct ks_op *ops, size_t nops, char *out, size_t cap)
{
	static const char *const names[] = {
		[KS_PORTAL_NEW] = "PN", [KS_TARGET_NEW] = "TN", [KS_TARGET_SET] = "TS",
		[KS_LUN_DEL] = "LD", [KS_LUN_NEW] = "LN", [KS_LUN_RESIZE] = "LR",
		[KS_ACL_DEL] = "AD", [KS_ACL_NEW] = "AN", [KS_TARGET_DEL] = "TD",
		[KS_PORTAL_DEL] = "PD",
	};
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < nops && len + 4 < cap; i++)
		len += snprintf(out + len, cap - len, "%s%s", i ? " " : "", names[ops[i].kind]);
}

static const char *diff(const struct ks_state *want, const struct ks_state *have)
{
	static char buf[256];
	struct ks_op *ops;
	size_t nops;

	if (ks_reconcile(want, have, &ops, &nops))
		return "ENOMEM";
	kinds(ops, nops, buf, sizeof(buf));
	free(ops);
	return buf;
}

/* A state with one portal and one target (two LUNs, one ACL with CHAP). */
static void build(struct ks_state *s, int with_secrets)
{
	struct ks_portal *p = ks_add_portal(s);
	struct ks_target *t = ks_add_target(s);
	struct ks_lun *l;
	struct ks_acl *a;

	p->addr_len = 4;
	p->port = 3260;
	p->tpgt = 1;
	p->max_connections = with_secrets ? 0 : 4096;	/* wanted: default */
	strcpy(t->iqn, "iqn.2024-01.org.example:pc42");
	t->auth = 1;
	t->chap.set = true;
	strcpy(t->chap.user, "pc42");
	if (with_secrets) {
		memcpy(t->chap.secret, "twelve-bytes", 12);
		t->chap.secret_len = 12;
	}
	t->max_sessions = with_secrets ? 0 : 4096;	/* wanted: default */
	t->queue_depth = 32;
	t->nop_in_interval = 10;
	l = ks_add_lun(t);
	l->lun = 0;
	strcpy(l->path, "/var/lib/bootsand/images/pc42.img");
	l->block_size = 512;
	l->size = 1 << 20;
	strcpy(l->serial, "0123456789abcdef");
	l->naa = 0x5001405000000001ULL;
	l = ks_add_lun(t);
	l->lun = 1;
	strcpy(l->path, "/var/lib/bootsand/images/data.img");
	l->block_size = 512;
	l->size = 2 << 20;
	a = ks_add_acl(t);
	strcpy(a->initiator, "iqn.2010-04.org.ipxe:pc42");
	a->chap.set = true;
	strcpy(a->chap.user, "pc42-own");
}

int main(void)
{
	struct ks_state want = {}, have = {}, empty = {};

	tap_start();
	build(&want, 1);
	ok(!strcmp(diff(&want, &empty), "PN TN LN LN AN"),
	   "an empty kernel gets portal, target, its LUNs and ACL in order");
	build(&have, 0);
	ok(!strcmp(diff(&want, &have), ""),
	   "a kernel that matches (secrets unreadable, defaults filled in) is left alone");
	ok(!strcmp(diff(&empty, &have), "PD TD"), "unknown objects are removed");

	have.targets[0].luns[1].size = 1 << 20;
	ok(!strcmp(diff(&want, &have), "LR"), "a grown image resizes its LUN");
	have.targets[0].luns[1].size = 2 << 20;

	strcpy(have.targets[0].luns[0].path, "/elsewhere.img");
	ok(!strcmp(diff(&want, &have), "LD LN"), "a LUN on another file is replaced");
	strcpy(have.targets[0].luns[0].path, want.targets[0].luns[0].path);

	strcpy(have.targets[0].luns[0].delta_path, "/var/lib/bootsand/images/pc42.delta");
	ok(!strcmp(diff(&want, &have), "LD LN"), "a LUN on another delta file is replaced");
	have.targets[0].luns[0].delta_path[0] = '\0';

	strcpy(have.targets[0].acls[0].chap.user, "someone-else");
	ok(!strcmp(diff(&want, &have), "AD AN"), "an ACL with other credentials is replaced");
	strcpy(have.targets[0].acls[0].chap.user, "pc42-own");

	strcpy(have.targets[0].alias, "old alias");
	ok(!strcmp(diff(&want, &have), "TS"), "a changed alias is set in place");
	have.targets[0].alias[0] = '\0';

	have.targets[0].chap.set = false;
	ok(!strcmp(diff(&want, &have), "TS"), "missing target credentials are set");
	have.targets[0].chap.set = true;

	have.targets[0].nop_in_interval = 0;
	ok(!strcmp(diff(&want, &have), "TS"), "a changed NOP-In interval is set in place");
	want.targets[0].nop_in_interval = 0;
	have.targets[0].nop_in_interval = 30;
	ok(!strcmp(diff(&want, &have), "TS"), "NOP-In is turned off: 0 is not a default");
	have.targets[0].nop_in_interval = 0;
	ok(!strcmp(diff(&want, &have), ""), "NOP-In off on both sides matches");

	want.targets[0].allow_any_initiator = true;
	ok(!strcmp(diff(&want, &have), "TS"), "opening a target to any initiator is set in place");
	have.targets[0].allow_any_initiator = true;
	want.targets[0].allow_any_initiator = false;
	ok(!strcmp(diff(&want, &have), "TS"), "closing it again is set in place");
	have.targets[0].allow_any_initiator = false;

	/* A target's 0 is the module's default, not whatever the kernel holds:
	 * a limit taken back to 0 must reach the kernel. */
	have.targets[0].max_sessions = 10;
	ok(!strcmp(diff(&want, &have), "TS"),
	   "a session limit taken back to the default (0) is set in place");
	have.targets[0].max_sessions = 4096;
	want.targets[0].queue_depth = 0;
	have.targets[0].queue_depth = 8;
	ok(!strcmp(diff(&want, &have), "TS"),
	   "a queue depth taken back to the default (0) is set in place");
	have.targets[0].queue_depth = 32;
	ok(!strcmp(diff(&want, &have), ""), "the kernel's default (32) matches a defaulted one");
	want.targets[0].queue_depth = 32;

	want.portals[0].max_connections = 8;
	ok(!strcmp(diff(&want, &have), "PD PN"),
	   "a portal with another connection limit is replaced (there is no portal-set)");
	have.portals[0].max_connections = 8;
	ok(!strcmp(diff(&want, &have), ""), "a portal with the wanted limit is left alone");

	want.targets[0].luns[1].missing = true;
	ok(!strcmp(diff(&want, &have), ""),
	   "a LUN whose image file went missing stays where the kernel has it");
	have.targets[0].luns[1].size = 4096;
	ok(!strcmp(diff(&want, &have), ""), "and is not resized");
	have.targets[0].nluns = 1;
	ok(!strcmp(diff(&want, &have), ""), "one the kernel does not have is not created");
	have.targets[0].nluns = 2;
	have.targets[0].luns[1].size = want.targets[0].luns[1].size;
	ok(!strcmp(diff(&want, &(struct ks_state){ .portals = have.portals,
						     .nportals = have.nportals }), "TN LN AN"),
	   "a new target gets its other LUNs, not the missing one");
	want.targets[0].luns[1].missing = false;

	want.portals[0].login_timeout = 30;
	ok(!strcmp(diff(&want, &have), "PD PN"),
	   "a portal with another login timeout is replaced (there is no portal-set)");
	have.portals[0].login_timeout = 30;
	ok(!strcmp(diff(&want, &have), ""), "a portal with the wanted login timeout is left alone");
	want.portals[0].login_timeout = 0;
	ok(!strcmp(diff(&want, &have), ""), "a defaulted login timeout is whatever the kernel has");
	have.portals[0].login_timeout = 15;
	ok(!strcmp(diff(&want, &have), ""), "the kernel's default (15 s) matches a defaulted one");

	have.portals[0].tpgt = 2;
	ok(!strcmp(diff(&want, &have), "PD PN"), "a portal with another group tag is replaced");

	ks_state_free(&want);
	ks_state_free(&have);
	return tap_end();
}
