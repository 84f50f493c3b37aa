// SPDX-License-Identifier: GPL-2.0
/*
 * Which backend serves a LUN: the one place that maps the configured
 * backend type to its ops table, and the checks every backend shares.
 */
#include "backend.h"

static const struct bootsan_backend_ops *const backends[] = {
	[BOOTSAN_BACKEND_FILE]	= &bootsan_file_ops,
	[BOOTSAN_BACKEND_BLOCK]	= &bootsan_block_ops,
	[BOOTSAN_BACKEND_OVERLAY] = &bootsan_overlay_ops,
};

int bootsan_backend_open(struct bootsan_lun *lun, const struct bootsan_backend_attrs *at,
			 struct netlink_ext_ack *extack)
{
	const struct bootsan_backend_ops *ops = NULL;
	struct scsi_lun_info info;
	int ret;

	if (lun->backend < ARRAY_SIZE(backends))
		ops = backends[lun->backend];
	if (!ops) {
		NL_SET_ERR_MSG_ATTR(extack, at->backend, "unknown backend");
		return -EOPNOTSUPP;
	}
	if (lun->direct && !ops->direct_io) {
		NL_SET_ERR_MSG_ATTR(extack, at->direct,
				    "direct applies to the file backend only");
		return -EINVAL;
	}
	if (lun->delta_path && !ops->delta) {
		NL_SET_ERR_MSG_ATTR(extack, at->delta_path,
				    "delta-path applies to the overlay backend only");
		return -EINVAL;
	}
	if (lun->path[0] != '/') {
		NL_SET_ERR_MSG_ATTR(extack, at->path, "path must be absolute");
		return -EINVAL;
	}
	ret = ops->open(lun, at, extack);
	if (ret)
		return ret;
	/* Open from here: bootsan_backend_close() closes it, whatever follows. */
	lun->ops = ops;
	if (ops->capacity(lun) < lun->block_size) {
		NL_SET_ERR_MSG_ATTR(extack, at->path,
				    "image or device is smaller than one block");
		return -EINVAL;
	}
	memset(&info, 0, sizeof(info));
	ops->info(lun, &info);
	lun->write_cache = info.write_cache;
	return 0;
}

void bootsan_backend_close(struct bootsan_lun *lun)
{
	if (!lun->ops)
		return;
	lun->ops->close(lun);
	lun->ops = NULL;
}
