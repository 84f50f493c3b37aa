// SPDX-License-Identifier: GPL-2.0
/*
 * The file backend: image files read and written through read_iter and
 * write_iter straight into and out of a command's pages (O_DIRECT when the
 * LUN is in direct mode, so no copy at all there).
 */
#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/mm.h>
#include <linux/uio.h>

#include "engine.h"

int bootsan_file_rw(struct bootsan_lun *lun, struct bootsan_buf *buf, u64 pos,
		    size_t len, bool write, bool fua)
{
	return bootsan_file_rw_off(lun, buf, 0, pos, len, write, fua);
}

/* Move [buf_off, buf_off + len) of @buf to or from the file at @pos. */
int bootsan_file_rw_off(struct bootsan_lun *lun, struct bootsan_buf *buf,
			size_t buf_off, u64 pos, size_t len, bool write, bool fua)
{
	struct iov_iter iter;
	loff_t off = pos;
	ssize_t ret;

	bootsan_buf_iter(buf, &iter, write ? ITER_SOURCE : ITER_DEST, buf_off, len);
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

/* Flush [pos, pos + len) to stable storage; len 0: the whole file. */
int bootsan_file_flush(struct bootsan_lun *lun, u64 pos, u64 len)
{
	if (!len || pos + len > lun->size)
		return vfs_fsync(lun->file, 0);
	return vfs_fsync_range(lun->file, pos, pos + len - 1, 0);
}

/* Write zeros over [pos, pos + len) from the zero page: no buffer needed. */
int bootsan_file_zero(struct bootsan_lun *lun, u64 pos, u64 len)
{
	struct bio_vec bv[32];
	struct iov_iter iter;
	loff_t off = pos;
	ssize_t ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(bv); i++)
		bvec_set_page(&bv[i], ZERO_PAGE(0), PAGE_SIZE, 0);
	while (len) {
		size_t chunk = min_t(u64, len, ARRAY_SIZE(bv) * PAGE_SIZE);

		iov_iter_bvec(&iter, ITER_SOURCE, bv, ARRAY_SIZE(bv), chunk);
		ret = vfs_iter_write(lun->file, &iter, &off, 0);
		if (ret < 0)
			return ret;
		if (!ret)
			return -ENOSPC;
		len -= ret;
	}
	return 0;
}

/* Can UNMAP really deallocate: a regular file we may change, with fallocate. */
bool bootsan_file_can_punch(struct bootsan_lun *lun)
{
	struct file *f = lun->file;

	return f && S_ISREG(file_inode(f)->i_mode) && (f->f_mode & FMODE_WRITE) &&
	       f->f_op->fallocate;
}

/*
 * Deallocate [pos, pos + len): a hole, which reads back as zeros. A file
 * system that cannot punch gets zeros written instead (LBPRZ holds).
 */
int bootsan_file_punch(struct bootsan_lun *lun, u64 pos, u64 len)
{
	int ret;

	ret = vfs_fallocate(lun->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    pos, len);
	if (ret == -EOPNOTSUPP)
		ret = bootsan_file_zero(lun, pos, len);
	return ret;
}

/*
 * Is the byte at @pos allocated, and for how many bytes (*@run, up to the
 * end of the LUN) does that stay so? SEEK_DATA and SEEK_HOLE tell.
 */
int bootsan_file_mapped(struct bootsan_lun *lun, u64 pos, bool *mapped, u64 *run)
{
	loff_t data, hole;

	*mapped = true;
	*run = lun->size - pos;
	data = vfs_llseek(lun->file, pos, SEEK_DATA);
	if (data == -ENXIO) {		/* a hole up to the end of the file */
		*mapped = false;
		return 0;
	}
	if (data < 0)
		return data == -EINVAL ? 0 : data;	/* no SEEK_DATA: all mapped */
	if (data > pos) {
		*mapped = false;
		*run = min_t(u64, data - pos, *run);
		return 0;
	}
	hole = vfs_llseek(lun->file, pos, SEEK_HOLE);
	if (hole > pos)
		*run = min_t(u64, hole - pos, *run);
	return 0;
}
