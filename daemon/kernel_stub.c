// SPDX-License-Identifier: GPL-2.0
/* The kernel side when it is not built: always unavailable; see kernel.h. */
#include <errno.h>

#include "bootsand.h"
#include "kernel.h"
#include "log.h"

int kernel_start(struct bsd *d)
{
	(void)d;
	log_warn("kernel side not built into this bootsand: iSCSI targets are not served");
	return 0;
}

void kernel_stop(struct bsd *d)
{
	(void)d;
}

json_t *kernel_status(struct bsd *d)
{
	(void)d;
	return json_pack("{s:b, s:s}", "available", 0,
			 "error", "the kernel side is not built into this bootsand");
}

int kernel_add_routes(struct bsd *d, struct http *h)
{
	(void)d;
	(void)h;
	return 0;
}

const char *kernel_openapi_paths(void)
{
	return NULL;
}

void kernel_metrics(struct bsd *d, FILE *out)
{
	(void)d;
	fprintf(out, "# HELP bootsand_kernel_available Whether bootsan.ko is loaded and reachable.\n"
		     "# TYPE bootsand_kernel_available gauge\n"
		     "bootsand_kernel_available 0\n");
}

/* Without the module there is nothing to want. */
int kernel_want(struct bsd *d, struct ks_state *want)
{
	(void)d;
	(void)want;
	return -ENODEV;
}

int kernel_sync(struct bsd *d)
{
	(void)d;
	return 0;
}

int kernel_portal_added(struct bsd *d, const struct store_portal *p)
{
	(void)d;
	(void)p;
	return 0;
}

int kernel_portal_removed(struct bsd *d, const struct store_portal *p)
{
	(void)d;
	(void)p;
	return 0;
}

int kernel_image_resized(struct bsd *d, const char *image, uint64_t size_bytes)
{
	(void)d;
	(void)image;
	(void)size_bytes;
	return 0;
}
