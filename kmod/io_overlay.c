// SPDX-License-Identifier: GPL-2.0
/*
 * The overlay backend: copy-on-write over a golden image that many LUNs
 * share. lun->path is the golden, an image file opened read-only, whose
 * writers are refused while the LUN lives (deny_write_access, as exec does
 * for a running binary). lun->delta_path is the LUN's own delta, a sparse
 * file at least as large as the golden, holding every chunk it wrote.
 *
 * Chunks of 64 KiB: small enough that a copy-up (below) costs little,
 * large enough that the in-memory map is 2 KiB per GiB of disk, and a
 * multiple of any block size of the file systems the delta lives on, so
 * a chunk is whole allocation blocks. A chunk is "written" when its data
 * is in the delta; else it is read from the golden's page cache, lent by
 * reference like the file backend's buffered READ (and shared by every
 * LUN on that golden). A READ spanning both kinds is cut per run.
 *
 * The map of written chunks is the delta's own allocation, read into a
 * bitmap at open with SEEK_DATA/SEEK_HOLE: nothing else to keep in step.
 * A WRITE to an unwritten chunk that does not cover all of it first copies
 * the rest from the golden (copy-up): the whole chunk is written to the
 * delta at once, and only then is its bit set. So:
 * - while the LUN runs, a set bit means the delta holds the whole chunk;
 * - after a crash, the file system shows allocated only blocks whose data
 *   reached the disk (ext4 data=ordered, xfs unwritten extents, btrfs,
 *   tmpfs; not ext4 data=writeback), and a chunk counts as written only
 *   if ALL of it is allocated. A partly allocated chunk is one whose
 *   copy-up never completed a SYNCHRONIZE CACHE or FUA: it reads from the
 *   golden again, the state before that unacknowledged write. Every chunk
 *   acknowledged as stable is allocated whole and reads back.
 * Copy-ups of one LUN are serialised by copy_lock, so two writes into one
 * unwritten chunk cannot each copy the golden over the other's data.
 *
 * UNMAP and WRITE SAME with UNMAP must never show golden data again, and a
 * hole in the delta means "golden": they write zeros into the delta, so
 * the LUN is thin (LBPRZ: an unmapped block reads zeros) but an UNMAP
 * frees no space. Zeros over a chunk not yet written where the golden
 * reads zeros anyway (a hole in it, or zeros) write nothing, so that a
 * client's fstrim over its free space does not fill the delta (below,
 * chunk_copy_up()). A written chunk is not punched back to a hole: that
 * would show the golden again unless it reads zeros there, and even then
 * a write into the chunk (written chunks take no lock) landing between
 * the punch and its bit's clearing would read zeros now and its data
 * after a reopen. SYNCHRONIZE CACHE and FUA flush the delta (the golden
 * is never written).
 *
 * lun->backend_data is a struct overlay.
 */
#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>

#include "backend.h"

#define OVERLAY_CHUNK_SHIFT	16
#define OVERLAY_CHUNK		(1u << OVERLAY_CHUNK_SHIFT)

struct overlay {
	struct file *golden;
	struct file *delta;
	u64 golden_size;		/* fixed: its writers are denied */
	unsigned long nr_chunks;
	/* A set bit: the delta holds all of that chunk (set after it does). */
	unsigned long *written;
	struct mutex copy_lock;		/* writes into unwritten chunks */
	void *chunk_buf;		/* OVERLAY_CHUNK bytes for copy-up, under copy_lock */
};

static struct overlay *lun_overlay(struct bootsan_lun *lun)
{
	return lun->backend_data;
}

static bool chunk_written(struct overlay *o, u64 pos)
{
	return test_bit_acquire(pos >> OVERLAY_CHUNK_SHIFT, o->written);
}

/* End of the chunk holding @pos: the golden's end for its last chunk. */
static u64 chunk_end(struct overlay *o, u64 pos)
{
	return min(round_down(pos, OVERLAY_CHUNK) + OVERLAY_CHUNK, o->golden_size);
}

/*
 * From @pos (before @end), the bytes up to where chunks stop being all
 * written or all unwritten; *@written says which they are.
 */
static u64 chunk_run(struct overlay *o, u64 pos, u64 end, bool *written)
{
	u64 next = chunk_end(o, pos);

	*written = chunk_written(o, pos);
	while (next < end && chunk_written(o, next) == *written)
		next = chunk_end(o, next);
	return min(next, end) - pos;
}

/* Mark the chunks that lie wholly in [start, end), an allocated extent. */
static void map_extent(struct overlay *o, u64 start, u64 end)
{
	unsigned long first = DIV_ROUND_UP(start, OVERLAY_CHUNK), last;

	if (end >= o->golden_size)
		last = o->nr_chunks;
	else
		last = end >> OVERLAY_CHUNK_SHIFT;
	if (last > first)
		bitmap_set(o->written, first, last - first);
}

/* The map of written chunks from the delta's allocation. */
static int map_load(struct overlay *o)
{
	loff_t pos = 0, data, hole;

	while (pos < o->golden_size) {
		data = vfs_llseek(o->delta, pos, SEEK_DATA);
		if (data == -ENXIO || data >= o->golden_size)
			break;
		if (data < 0)
			return data;
		hole = vfs_llseek(o->delta, data, SEEK_HOLE);
		if (hole < 0)
			return hole;
		if (hole <= data)
			return -EIO;
		map_extent(o, data, min_t(u64, hole, o->golden_size));
		pos = hole;
		cond_resched();
	}
	return 0;
}

/*
 * A file system without SEEK_DATA reports a file all data: a fresh, empty
 * delta would hide the golden entirely. Caught where it shows for sure.
 */
static bool delta_hides_holes(struct file *delta)
{
	struct inode *inode = file_inode(delta);

	return !inode->i_blocks && !delta->f_mapping->nrpages && i_size_read(inode) &&
	       vfs_llseek(delta, 0, SEEK_DATA) == 0 &&
	       vfs_llseek(delta, 0, SEEK_HOLE) == i_size_read(inode);
}

static void overlay_free(struct overlay *o)
{
	if (o->golden) {
		allow_write_access(o->golden);
		fput(o->golden);
	}
	if (o->delta)
		fput(o->delta);
	kvfree(o->written);
	kvfree(o->chunk_buf);
	kfree(o);
}

static int overlay_open_golden(struct bootsan_lun *lun, struct overlay *o,
			       const struct bootsan_backend_attrs *at,
			       struct netlink_ext_ack *extack)
{
	struct file *f;
	int ret;

	f = filp_open(lun->path, O_RDONLY | O_LARGEFILE, 0);
	if (IS_ERR(f)) {
		NL_SET_ERR_MSG_ATTR(extack, at->path, "cannot open the golden image");
		return PTR_ERR(f);
	}
	if (!S_ISREG(file_inode(f)->i_mode)) {
		NL_SET_ERR_MSG_ATTR(extack, at->path, "golden image must be a regular file");
		fput(f);
		return -EINVAL;
	}
	ret = deny_write_access(f);
	if (ret) {
		NL_SET_ERR_MSG_ATTR(extack, at->path, "golden image is open for writing");
		fput(f);
		return ret;
	}
	o->golden = f;
	o->golden_size = i_size_read(file_inode(f));
	return 0;
}

static int overlay_open_delta(struct bootsan_lun *lun, struct overlay *o,
			      const struct bootsan_backend_attrs *at,
			      struct netlink_ext_ack *extack)
{
	int flags = O_LARGEFILE | (lun->read_only ? O_RDONLY : O_RDWR);
	struct file *f;

	f = filp_open(lun->delta_path, flags, 0);
	if (IS_ERR(f)) {
		/* The golden's own inode: its writers are denied. */
		if (PTR_ERR(f) == -ETXTBSY)
			NL_SET_ERR_MSG_ATTR(extack, at->delta_path,
					    "delta must not be the golden image");
		else
			NL_SET_ERR_MSG_ATTR(extack, at->delta_path, "cannot open the delta file");
		return PTR_ERR(f);
	}
	o->delta = f;
	if (!S_ISREG(file_inode(f)->i_mode)) {
		NL_SET_ERR_MSG_ATTR(extack, at->delta_path, "delta must be a regular file");
		return -EINVAL;
	}
	if (file_inode(f) == file_inode(o->golden)) {
		NL_SET_ERR_MSG_ATTR(extack, at->delta_path, "delta must not be the golden image");
		return -EINVAL;
	}
	if (i_size_read(file_inode(f)) < o->golden_size) {
		NL_SET_ERR_MSG_ATTR(extack, at->delta_path,
				    "delta file is smaller than the golden image");
		return -EINVAL;
	}
	if (i_blocksize(file_inode(f)) > OVERLAY_CHUNK) {
		NL_SET_ERR_MSG_ATTR(extack, at->delta_path,
				    "delta's file system blocks are larger than 64 KiB");
		return -EINVAL;
	}
	if (delta_hides_holes(f)) {
		NL_SET_ERR_MSG_ATTR(extack, at->delta_path,
				    "delta's file system does not report holes (SEEK_DATA)");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int overlay_open(struct bootsan_lun *lun, const struct bootsan_backend_attrs *at,
			struct netlink_ext_ack *extack)
{
	struct overlay *o;
	u64 chunks;
	int ret;

	if (!lun->delta_path) {
		NL_SET_ERR_MSG_ATTR(extack, at->backend, "overlay needs delta-path");
		return -EINVAL;
	}
	if (lun->delta_path[0] != '/') {
		NL_SET_ERR_MSG_ATTR(extack, at->delta_path, "delta-path must be absolute");
		return -EINVAL;
	}
	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	mutex_init(&o->copy_lock);
	ret = overlay_open_golden(lun, o, at, extack);
	if (!ret)
		ret = overlay_open_delta(lun, o, at, extack);
	if (ret)
		goto fail;
	chunks = DIV_ROUND_UP(o->golden_size, OVERLAY_CHUNK);
	if (chunks > INT_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, at->path, "golden image is larger than 128 TiB");
		ret = -EFBIG;
		goto fail;
	}
	o->nr_chunks = chunks;
	ret = -ENOMEM;
	o->written = kvcalloc(BITS_TO_LONGS(chunks) ?: 1, sizeof(long), GFP_KERNEL);
	if (!lun->read_only)
		o->chunk_buf = kvmalloc(OVERLAY_CHUNK, GFP_KERNEL);
	if (!o->written || (!lun->read_only && !o->chunk_buf))
		goto fail;
	ret = map_load(o);
	if (ret) {
		NL_SET_ERR_MSG_ATTR(extack, at->delta_path, "cannot read the delta's allocation");
		goto fail;
	}
	lun->backend_data = o;
	return 0;
fail:
	overlay_free(o);
	return ret;
}

static void overlay_close(struct bootsan_lun *lun)
{
	overlay_free(lun_overlay(lun));
	lun->backend_data = NULL;
}

/* The golden's size, unless the delta was shrunk under us. */
static u64 overlay_capacity(struct bootsan_lun *lun)
{
	struct overlay *o = lun_overlay(lun);

	return min_t(u64, o->golden_size, i_size_read(file_inode(o->delta)));
}

/*
 * Move all of @iter to or from @file at @pos. Reads past the end of a
 * file (shrunk under us) give zeros, not garbage.
 */
static int file_io(struct file *file, struct iov_iter *iter, u64 pos, bool write, rwf_t flags)
{
	loff_t off = pos;
	ssize_t ret;

	while (iov_iter_count(iter)) {
		if (write)
			ret = vfs_iter_write(file, iter, &off, flags);
		else
			ret = vfs_iter_read(file, iter, &off, 0);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			if (write)
				return -ENOSPC;
			iov_iter_zero(iov_iter_count(iter), iter);
		}
	}
	return 0;
}

/* The next @len bytes of @iter to or from @file at @pos. */
static int file_io_part(struct file *file, struct iov_iter *iter, u64 pos, size_t len,
			bool write, rwf_t flags)
{
	size_t rest = iov_iter_count(iter) - len;
	int ret;

	iov_iter_truncate(iter, len);
	ret = file_io(file, iter, pos, write, flags);
	iov_iter_reexpand(iter, rest);
	return ret;
}

/* Zeros over [pos, pos + len) of the delta, from the zero page. */
static int delta_zero(struct overlay *o, u64 pos, u64 len, rwf_t flags)
{
	struct bio_vec bv[16];
	struct iov_iter iter;
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(bv); i++)
		bvec_set_page(&bv[i], ZERO_PAGE(0), PAGE_SIZE, 0);
	while (len) {
		size_t n = min_t(u64, len, ARRAY_SIZE(bv) * PAGE_SIZE);

		iov_iter_bvec(&iter, ITER_SOURCE, bv, ARRAY_SIZE(bv), n);
		ret = file_io(o->delta, &iter, pos, true, flags);
		if (ret)
			return ret;
		pos += n;
		len -= n;
	}
	return 0;
}

/* [pos, pos + len) to the delta from @src, or zeros when @src is NULL. */
static int delta_put(struct overlay *o, struct iov_iter *src, u64 pos, u64 len, rwf_t flags)
{
	if (!src)
		return delta_zero(o, pos, len, flags);
	return file_io_part(o->delta, src, pos, len, true, flags);
}

/*
 * Whether the golden has no data in [pos, pos + len): a hole there reads
 * zeros. Only a regular file can say (a block device has no SEEK_DATA).
 */
static bool golden_hole(struct overlay *o, u64 pos, u64 len)
{
	loff_t data;

	if (!S_ISREG(file_inode(o->golden)->i_mode))
		return false;
	data = vfs_llseek(o->golden, pos, SEEK_DATA);
	return data == -ENXIO || (data >= 0 && data >= pos + len);
}

/*
 * Write [pos, pos + len), within one chunk not yet written: the golden's
 * data around it first if it does not cover the whole chunk, all of the
 * chunk to the delta, and then its bit.
 *
 * Zeros (@src NULL: UNMAP, WRITE SAME of zeros) where the golden already
 * reads zeros change nothing the LUN reads, so they write nothing: an
 * fstrim in the client over the golden's free space, mostly holes or
 * zeros, does not fill the delta. Where the golden has data there, the
 * chunk is written as any other (a hole would show that data again).
 */
static int chunk_copy_up(struct overlay *o, struct iov_iter *src, u64 pos, u64 len,
			 rwf_t flags)
{
	u64 start = round_down(pos, OVERLAY_CHUNK), size = chunk_end(o, pos) - start;
	struct kvec kv = { .iov_base = o->chunk_buf, .iov_len = size };
	struct iov_iter iter;
	int ret;

	if (!src && golden_hole(o, pos, len))
		return 0;
	mutex_lock(&o->copy_lock);
	if (chunk_written(o, pos)) {		/* by a write before us */
		mutex_unlock(&o->copy_lock);
		return delta_put(o, src, pos, len, flags);
	}
	if (src && len == size) {
		ret = delta_put(o, src, pos, len, flags);
	} else {
		iov_iter_kvec(&iter, ITER_DEST, &kv, 1, size);
		ret = file_io(o->golden, &iter, start, false, 0);
		if (!ret && !src && !memchr_inv(o->chunk_buf + (pos - start), 0, len)) {
			mutex_unlock(&o->copy_lock);	/* zeros over zeros */
			return 0;
		}
		if (!ret && src && copy_from_iter(o->chunk_buf + (pos - start), len, src) != len)
			ret = -EFAULT;
		else if (!ret && !src)
			memset(o->chunk_buf + (pos - start), 0, len);
		if (!ret) {
			iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, size);
			ret = file_io(o->delta, &iter, start, true, flags);
		}
	}
	if (!ret) {
		/* Readers who see the bit see the data: test_bit_acquire(). */
		smp_mb__before_atomic();
		set_bit(pos >> OVERLAY_CHUNK_SHIFT, o->written);
	}
	mutex_unlock(&o->copy_lock);
	return ret;
}

/* Write [pos, pos + len) from @src, or zeros when @src is NULL. */
static int overlay_write(struct bootsan_lun *lun, struct iov_iter *src, u64 pos, u64 len,
			 bool fua)
{
	struct overlay *o = lun_overlay(lun);
	rwf_t flags = fua ? RWF_DSYNC : 0;
	u64 end = pos + len, n;
	bool written;
	int ret;

	if (end > o->golden_size)
		return -EIO;
	while (pos < end) {
		n = chunk_run(o, pos, end, &written);
		if (written) {
			ret = delta_put(o, src, pos, n, flags);
		} else {
			n = min(chunk_end(o, pos), end) - pos;
			ret = chunk_copy_up(o, src, pos, n, flags);
		}
		if (ret)
			return ret;
		pos += n;
		cond_resched();
	}
	return 0;
}

/* Read [pos, pos + len) into @iter, each run from the file that holds it. */
static int overlay_read_iter(struct overlay *o, struct iov_iter *iter, u64 pos, u64 len)
{
	u64 end = pos + len, n;
	bool written;
	int ret;

	while (pos < end) {
		n = chunk_run(o, pos, end, &written);
		ret = file_io_part(written ? o->delta : o->golden, iter, pos, n, false, 0);
		if (ret)
			return ret;
		pos += n;
	}
	return 0;
}

static int overlay_rw(struct bootsan_lun *lun, struct bootsan_buf *buf, size_t buf_off,
		      u64 pos, size_t len, bool write, bool fua)
{
	struct iov_iter iter;

	bootsan_buf_iter(buf, &iter, write ? ITER_SOURCE : ITER_DEST, buf_off, len);
	if (write) {
		atomic64_add(len, &lun->stats.write_bytes_copied);
		return overlay_write(lun, &iter, pos, len, fua);
	}
	if (pos + len > lun_overlay(lun)->golden_size)
		return -EIO;
	return overlay_read_iter(lun_overlay(lun), &iter, pos, len);
}

/* Lend the page-cache pages of each run, of the golden or of the delta. */
static bool overlay_lend(struct overlay *o, struct bootsan_buf *buf, u64 pos, size_t len)
{
	struct bootsan_lend lend;
	u64 end = pos + len, n;
	bool written;

	if (bootsan_lend_init(&lend, buf, len))
		return false;
	while (pos < end) {
		n = chunk_run(o, pos, end, &written);
		if (!bootsan_lend_file(&lend, written ? o->delta : o->golden, pos, n)) {
			bootsan_buf_free(buf);
			return false;
		}
		pos += n;
	}
	return true;
}

/*
 * A READ lends page-cache pages unless @stable asks for pages nobody
 * changes before they are sent; then, or if lending failed, it copies.
 */
static int overlay_read(struct bootsan_lun *lun, struct bootsan_buf *buf, u64 pos,
			size_t len, bool stable)
{
	struct overlay *o = lun_overlay(lun);
	int ret;

	if (pos + len > o->golden_size)
		return -EIO;
	if (!stable && overlay_lend(o, buf, pos, len))
		return 0;
	ret = bootsan_buf_alloc(buf, len);
	if (ret)
		return ret;
	atomic64_add(len, &lun->stats.read_bytes_copied);
	return overlay_rw(lun, buf, 0, pos, len, false, false);
}

/*
 * Inline (no work item) when no device is waited for: a read all in the
 * page cache, a write into written chunks only (a copy-up reads the
 * golden and waits for other copy-ups).
 */
static bool overlay_nowait(struct bootsan_lun *lun, u64 pos, size_t len, bool write)
{
	struct overlay *o = lun_overlay(lun);
	u64 end = pos + len, n;
	bool written;

	if (!len || end > o->golden_size || (!write && len > BOOTSAN_INLINE_READ_MAX))
		return false;
	while (pos < end) {
		n = chunk_run(o, pos, end, &written);
		if (write ? !written :
		    !bootsan_file_cached(written ? o->delta : o->golden, pos, n))
			return false;
		pos += n;
	}
	return true;
}

/* SYNCHRONIZE CACHE: the delta holds all the LUN wrote. */
static int overlay_flush(struct bootsan_lun *lun, u64 pos, u64 len)
{
	struct file *delta = lun_overlay(lun)->delta;

	if (!len || pos + len > READ_ONCE(lun->size))
		return vfs_fsync(delta, 0);
	return vfs_fsync_range(delta, pos, pos + len - 1, 0);
}

static int overlay_write_zeroes(struct bootsan_lun *lun, u64 pos, u64 len)
{
	return overlay_write(lun, NULL, pos, len, false);
}

/* Deallocating would show the golden again: zeros, written (LBPRZ). */
static int overlay_discard(struct bootsan_lun *lun, u64 pos, u64 len)
{
	return overlay_write(lun, NULL, pos, len, false);
}

static void overlay_info(struct bootsan_lun *lun, struct scsi_lun_info *info)
{
	info->write_cache = true;
	info->rotational = false;
	info->thin = !lun->read_only;
}

const struct bootsan_backend_ops bootsan_overlay_ops = {
	.lends_pages	= true,
	.delta		= true,
	.open		= overlay_open,
	.close		= overlay_close,
	.capacity	= overlay_capacity,
	.info		= overlay_info,
	.read		= overlay_read,
	.rw		= overlay_rw,
	.nowait		= overlay_nowait,
	.flush		= overlay_flush,
	.write_zeroes	= overlay_write_zeroes,
	.discard	= overlay_discard,
};
