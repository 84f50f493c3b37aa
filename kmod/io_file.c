// SPDX-License-Identifier: GPL-2.0
/*
 * The file backend: image files read and written through read_iter and
 * write_iter straight into and out of a command's pages (O_DIRECT when the
 * LUN is in direct mode, so no copy at all there).
 */
#include <linux/fs.h>
#include <linux/uio.h>

#include "engine.h"

int bootsan_file_rw(struct bootsan_lun *lun, struct bootsan_buf *buf, u64 pos,
		    size_t len, bool write, bool fua)
{
	struct iov_iter iter;
	loff_t off = pos;
	ssize_t ret;

	bootsan_buf_iter(buf, &iter, write ? ITER_SOURCE : ITER_DEST, 0, len);
	while (iov_iter_count(&iter)) {
		if (write)
			ret = vfs_iter_write(lun->file, &iter, &off, fua ? RWF_DSYNC : 0);
		else
			ret = vfs_iter_read(lun->file, &iter, &off, 0);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			/* Past the end of a file shrunk under us: zeros, not garbage. */
			if (write)
				return -ENOSPC;
			iov_iter_zero(iov_iter_count(&iter), &iter);
			break;
		}
	}
	return 0;
}

int bootsan_file_flush(struct bootsan_lun *lun)
{
	return vfs_fsync(lun->file, 0);
}
