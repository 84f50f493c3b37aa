// SPDX-License-Identifier: GPL-2.0
/*
 * The file backend. Reads of a buffered LUN borrow the page cache's own
 * pages (spliced, as nfsd serves READ), so the socket sends them by
 * reference and the CPU copies nothing; a direct LUN reads with O_DIRECT
 * into the command's pages. Writes go from the command's pages, into
 * which the socket received the data: with O_DIRECT those very pages are
 * written, a buffered LUN copies them into the page cache.
 *
 * lun->backend_data is the open image file.
 */
#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/mm.h>
#include <linux/uio.h>

#include "backend.h"

static struct file *lun_file(struct bootsan_lun *lun)
{
	return lun->backend_data;
}

static int file_open(struct bootsan_lun *lun, const struct bootsan_backend_attrs *at,
		     struct netlink_ext_ack *extack)
{
	int flags = O_LARGEFILE | (lun->read_only ? O_RDONLY : O_RDWR);
	struct file *f;

	if (lun->direct)
		flags |= O_DIRECT;
	f = filp_open(lun->path, flags, 0);
	if (IS_ERR(f)) {
		NL_SET_ERR_MSG_ATTR(extack, at->path, "cannot open path");
		return PTR_ERR(f);
	}
	if (!S_ISREG(file_inode(f)->i_mode)) {
		NL_SET_ERR_MSG_ATTR(extack, at->path, "file backend needs a regular file");
		fput(f);
		return -EINVAL;
	}
	lun->backend_data = f;
	return 0;
}

static void file_close(struct bootsan_lun *lun)
{
	fput(lun_file(lun));
	lun->backend_data = NULL;
}

static u64 file_capacity(struct bootsan_lun *lun)
{
	return i_size_read(file_inode(lun_file(lun)));
}

/* Borrow the page-cache pages of [pos, pos + len); false if that failed. */
static bool file_splice_pages(struct bootsan_lun *lun, struct bootsan_buf *buf,
			      u64 pos, size_t len)
{
	struct bootsan_lend lend;

	if (bootsan_lend_init(&lend, buf, len))
		return false;
	if (bootsan_lend_file(&lend, lun_file(lun), pos, len))
		return true;
	bootsan_buf_free(buf);
	return false;
}

/*
 * A LUN whose write cache is off (WCE=0: direct LUNs unless MODE SELECT
 * turned it on, buffered ones if it turned it off) must have every write
 * it acknowledges on stable media, not only a FUA one. O_DIRECT alone does
 * not give that: the allocation of a thin file's new blocks waits in the
 * file system's journal, and the device may still hold the data in its
 * volatile cache. So such a LUN writes with RWF_DSYNC (LIO opens such a
 * file O_DSYNC for the same reason).
 */
static rwf_t file_write_flags(struct bootsan_lun *lun, bool fua)
{
	return fua || !READ_ONCE(lun->write_cache) ? RWF_DSYNC : 0;
}

/* Move [buf_off, buf_off + len) of @buf to or from the file at @pos. */
static int file_rw(struct bootsan_lun *lun, struct bootsan_buf *buf, size_t buf_off,
		   u64 pos, size_t len, bool write, bool fua)
{
	struct file *file = lun_file(lun);
	struct iov_iter iter;
	loff_t off = pos;
	ssize_t ret;

	bootsan_buf_iter(buf, &iter, write ? ITER_SOURCE : ITER_DEST, buf_off, len);
	if (write && !lun->direct)
		atomic64_add(len, &lun->stats.write_bytes_copied);
	while (iov_iter_count(&iter)) {
		if (write)
			ret = vfs_iter_write(file, &iter, &off, file_write_flags(lun, fua));
		else
			ret = vfs_iter_read(file, &iter, &off, 0);
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

/*
 * Fill @buf (not yet allocated) with [pos, pos + len) of the LUN for a
 * READ. Buffered LUNs lend their page-cache pages; direct LUNs, and any
 * range splice cannot serve whole (a file shrunk under us), are read into
 * pages of our own. @stable asks for pages nobody else can change until
 * they are sent (a data digest is computed over them first): page-cache
 * pages are copied then. Only copies from the page cache are counted.
 */
static int file_read(struct bootsan_lun *lun, struct bootsan_buf *buf, u64 pos,
		     size_t len, bool stable)
{
	int ret;

	if (!lun->direct && !stable && file_splice_pages(lun, buf, pos, len))
		return 0;
	ret = bootsan_buf_alloc(buf, len);
	if (ret)
		return ret;
	if (!lun->direct)
		atomic64_add(len, &lun->stats.read_bytes_copied);
	return file_rw(lun, buf, 0, pos, len, false, false);
}

/*
 * Is all of [pos, pos + len) of a buffered file LUN in the page cache and
 * up to date, so that reading it will not wait for the disk? Looked up
 * page by page, only for short ranges: a miss just means a work item.
 */
static bool file_cached(struct bootsan_lun *lun, u64 pos, size_t len)
{
	if (lun->direct || len > BOOTSAN_INLINE_READ_MAX)
		return false;
	return bootsan_file_cached(lun_file(lun), pos, len);
}

/*
 * A buffered write only copies into the page cache; reads wait for the
 * disk unless the page cache has all of the range.
 */
static bool file_nowait(struct bootsan_lun *lun, u64 pos, size_t len, bool write)
{
	if (write)
		return !lun->direct;
	return file_cached(lun, pos, len);
}

/* Flush [pos, pos + len) to stable storage; len 0: the whole file. */
static int file_flush(struct bootsan_lun *lun, u64 pos, u64 len)
{
	if (!len || pos + len > READ_ONCE(lun->size))
		return vfs_fsync(lun_file(lun), 0);
	return vfs_fsync_range(lun_file(lun), pos, pos + len - 1, 0);
}

/* Write zeros over [pos, pos + len) from the zero page: no buffer needed. */
static int file_write_zeroes(struct bootsan_lun *lun, u64 pos, u64 len)
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
		ret = vfs_iter_write(lun_file(lun), &iter, &off, file_write_flags(lun, false));
		if (ret < 0)
			return ret;
		if (!ret)
			return -ENOSPC;
		len -= ret;
	}
	return 0;
}

/* Can UNMAP really deallocate: a regular file we may change, with fallocate. */
static bool file_can_punch(struct bootsan_lun *lun)
{
	struct file *f = lun_file(lun);

	return S_ISREG(file_inode(f)->i_mode) && (f->f_mode & FMODE_WRITE) &&
	       f->f_op->fallocate;
}

/*
 * Deallocate [pos, pos + len): a hole, which reads back as zeros. A file
 * system that cannot punch gets zeros written instead (LBPRZ holds).
 */
static int file_discard(struct bootsan_lun *lun, u64 pos, u64 len)
{
	int ret;

	ret = vfs_fallocate(lun_file(lun), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    pos, len);
	if (ret == -EOPNOTSUPP)
		return file_write_zeroes(lun, pos, len);
	/* With the write cache off the hole is stable too (file_write_flags()). */
	if (!ret && !READ_ONCE(lun->write_cache))
		ret = vfs_fsync_range(lun_file(lun), pos, pos + len - 1, 1);
	return ret;
}

/*
 * Is the byte at @pos allocated, and for how many bytes (*@run, up to the
 * end of the LUN) does that stay so? SEEK_DATA and SEEK_HOLE tell.
 */
static int file_mapped(struct bootsan_lun *lun, u64 pos, bool *mapped, u64 *run)
{
	loff_t data, hole;

	*mapped = true;
	*run = max(READ_ONCE(lun->size), pos) - pos;
	data = vfs_llseek(lun_file(lun), pos, SEEK_DATA);
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
	hole = vfs_llseek(lun_file(lun), pos, SEEK_HOLE);
	if (hole > pos)
		*run = min_t(u64, hole - pos, *run);
	return 0;
}

/*
 * The page cache is the write cache (off with direct, until MODE SELECT
 * turns it on: lun->write_cache); thin where UNMAP
 * really deallocates: holes in an image file.
 */
static void file_info(struct bootsan_lun *lun, struct scsi_lun_info *info)
{
	info->write_cache = !lun->direct;
	info->rotational = false;
	info->thin = file_can_punch(lun);
}

const struct bootsan_backend_ops bootsan_file_ops = {
	.direct_io	= true,
	.lends_pages	= true,
	.open		= file_open,
	.close		= file_close,
	.capacity	= file_capacity,
	.info		= file_info,
	.read		= file_read,
	.rw		= file_rw,
	.nowait		= file_nowait,
	.flush		= file_flush,
	.write_zeroes	= file_write_zeroes,
	.discard	= file_discard,
	.mapped		= file_mapped,
};
