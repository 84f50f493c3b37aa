// SPDX-License-Identifier: GPL-2.0
/*
 * The block backend: a block device claimed exclusively for the LUN, and
 * bios built on the command's own pages in both directions (the socket
 * received write data into them, and sends read data from them by
 * reference), so the CPU copies nothing. SYNCHRONIZE CACHE is a flush,
 * FUA a REQ_FUA write, UNMAP and WRITE SAME of zeros the device's
 * write-zeroes (which falls back to writing zeros where it has none).
 *
 * lun->backend_data is the struct bootsan_block of the claimed device.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include "backend.h"
#include "compat.h"

struct bootsan_block {
	struct bootsan_bdev claim;
};

static struct block_device *lun_bdev(struct bootsan_lun *lun)
{
	struct bootsan_block *b = lun->backend_data;

	return bootsan_bdev_get(&b->claim);
}

/* Is @path a block device? Opened as any reader would, to tell why not. */
static int block_check_path(struct bootsan_lun *lun, const struct bootsan_backend_attrs *at,
			    struct netlink_ext_ack *extack)
{
	struct file *f = filp_open(lun->path, O_LARGEFILE |
				   (lun->read_only ? O_RDONLY : O_RDWR), 0);
	bool blk;

	if (IS_ERR(f)) {
		NL_SET_ERR_MSG_ATTR(extack, at->path, "cannot open path");
		return PTR_ERR(f);
	}
	blk = S_ISBLK(file_inode(f)->i_mode);
	fput(f);
	if (!blk) {
		NL_SET_ERR_MSG_ATTR(extack, at->path, "block backend needs a block device");
		return -ENOTBLK;
	}
	return 0;
}

/*
 * Claim the device at lun->path for @lun; no one else may claim it
 * meanwhile. Blocks are no smaller than the device's own: by default,
 * its own.
 */
static int block_open(struct bootsan_lun *lun, const struct bootsan_backend_attrs *at,
		      struct netlink_ext_ack *extack)
{
	struct bootsan_block *b;
	u32 logical;
	int ret;

	ret = block_check_path(lun, at, extack);
	if (ret)
		return ret;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	ret = bootsan_bdev_open(&b->claim, lun->path, !lun->read_only, lun);
	if (ret) {
		NL_SET_ERR_MSG_ATTR(extack, at->path,
				    "block device is in use (mounted or claimed)");
		kfree(b);
		return ret;
	}
	lun->backend_data = b;
	logical = bdev_logical_block_size(lun_bdev(lun));
	if (!at->block_size)
		lun->block_size = max(lun->block_size, logical);
	if (lun->block_size < logical) {
		NL_SET_ERR_MSG_ATTR(extack, at->block_size,
				    "block size is smaller than the device's");
		bootsan_bdev_close(&b->claim);
		kfree(b);
		lun->backend_data = NULL;
		return -EINVAL;
	}
	return 0;
}

static void block_close(struct bootsan_lun *lun)
{
	struct bootsan_block *b = lun->backend_data;

	bootsan_bdev_close(&b->claim);
	kfree(b);
	lun->backend_data = NULL;
}

static u64 block_capacity(struct bootsan_lun *lun)
{
	return bdev_nr_bytes(lun_bdev(lun));
}

/*
 * The device's own properties the SCSI answers report. Thin when the
 * device can deallocate: UNMAP becomes write-zeroes that may unmap, so
 * unmapped blocks still read back as zeros (LBPRZ).
 */
static void block_info(struct bootsan_lun *lun, struct scsi_lun_info *info)
{
	struct block_device *bdev = lun_bdev(lun);

	info->write_cache = true;
	info->rotational = !bdev_nonrot(bdev);
	info->thin = !lun->read_only && bdev_max_discard_sectors(bdev) > 0;
}

/*
 * Bios for [buf_off, buf_off + len) of @buf to or from the device at @pos,
 * chained to the last one, which is returned unsubmitted (the others are
 * in flight): it completes when all of them have, with the first error.
 */
static struct bio *block_bios(struct bootsan_lun *lun, struct bootsan_buf *buf,
			      size_t buf_off, u64 pos, size_t len, bool write, bool fua)
{
	struct block_device *bdev = lun_bdev(lun);
	blk_opf_t opf = write ? REQ_OP_WRITE | (fua ? REQ_FUA : 0) : REQ_OP_READ;
	struct bio *bio = NULL, *next;
	unsigned int i;

	for (i = 0; i < buf->nr_pages && len; i++) {
		const struct bio_vec *bv = &buf->bvec[i];
		unsigned int off = bv->bv_offset, n = bv->bv_len;

		if (buf_off >= n) {
			buf_off -= n;
			continue;
		}
		off += buf_off;
		n = min_t(size_t, n - buf_off, len);
		buf_off = 0;
		if (!bio) {
			bio = bio_alloc(bdev, bio_max_segs(DIV_ROUND_UP(len, PAGE_SIZE)),
					opf, GFP_KERNEL);
			bio->bi_iter.bi_sector = pos >> SECTOR_SHIFT;
		}
		if (bio_add_page(bio, bv->bv_page, n, off) != n) {
			/* Full: start the next bio where this one ends. */
			next = bio_alloc(bdev, bio_max_segs(DIV_ROUND_UP(len, PAGE_SIZE)),
					 opf, GFP_KERNEL);
			next->bi_iter.bi_sector = bio_end_sector(bio);
			bio_chain(bio, next);
			submit_bio(bio);
			bio = next;
			if (WARN_ON_ONCE(bio_add_page(bio, bv->bv_page, n, off) != n)) {
				/* A fresh bio takes a page: never here. */
				submit_bio_wait(bio);
				bio_put(bio);
				return ERR_PTR(-EIO);
			}
		}
		len -= n;
	}
	return bio ?: ERR_PTR(-EINVAL);
}

/* Move [buf_off, buf_off + len) of @buf to or from the device, and wait. */
static int block_rw(struct bootsan_lun *lun, struct bootsan_buf *buf, size_t buf_off,
		     u64 pos, size_t len, bool write, bool fua)
{
	struct bio *bio;
	int ret;

	if (!len)
		return 0;
	bio = block_bios(lun, buf, buf_off, pos, len, write, fua);
	if (IS_ERR(bio))
		return PTR_ERR(bio);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

/*
 * The same without waiting: @done runs (maybe in interrupt context, maybe
 * before this returns) when all of it is on the device or failed, with
 * the last bio, whose bi_private is @private; it puts that bio.
 */
static int block_submit(struct bootsan_lun *lun, struct bootsan_buf *buf, u64 pos,
			size_t len, bool write, bool fua, bio_end_io_t *done, void *private)
{
	struct bio *bio = block_bios(lun, buf, 0, pos, len, write, fua);

	if (IS_ERR(bio))
		return PTR_ERR(bio);
	bio->bi_end_io = done;
	bio->bi_private = private;
	submit_bio(bio);
	return 0;
}

/*
 * Read [pos, pos + len) into pages of our own: the device DMAs into them,
 * and nobody else can change them (@stable holds without asking).
 */
static int block_read(struct bootsan_lun *lun, struct bootsan_buf *buf, u64 pos,
		      size_t len, bool stable)
{
	int ret = bootsan_buf_alloc(buf, len);

	return ret ? ret : block_rw(lun, buf, 0, pos, len, false, false);
}

/* The whole device's cache: a flush has no range. */
static int block_flush(struct bootsan_lun *lun, u64 pos, u64 len)
{
	return blkdev_issue_flush(lun_bdev(lun));
}

/*
 * Zeros over [pos, pos + len): the device's WRITE ZEROES where it has it
 * (deallocating where @may_unmap and the device can), else written zero
 * pages. Reads of the range give zeros either way.
 */
static int block_zero(struct bootsan_lun *lun, u64 pos, u64 len, bool may_unmap)
{
	return blkdev_issue_zeroout(lun_bdev(lun), pos >> SECTOR_SHIFT, len >> SECTOR_SHIFT,
				    GFP_KERNEL, may_unmap ? 0 : BLKDEV_ZERO_NOUNMAP);
}

static int block_write_zeroes(struct bootsan_lun *lun, u64 pos, u64 len)
{
	return block_zero(lun, pos, len, false);
}

static int block_discard(struct bootsan_lun *lun, u64 pos, u64 len)
{
	return block_zero(lun, pos, len, true);
}

/*
 * No nowait: bios complete asynchronously through submit instead. No
 * mapped: a device has no holes to report, all of it is mapped.
 */
const struct bootsan_backend_ops bootsan_block_ops = {
	.open		= block_open,
	.close		= block_close,
	.capacity	= block_capacity,
	.info		= block_info,
	.read		= block_read,
	.rw		= block_rw,
	.submit		= block_submit,
	.flush		= block_flush,
	.write_zeroes	= block_write_zeroes,
	.discard	= block_discard,
};
