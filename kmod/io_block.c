// SPDX-License-Identifier: GPL-2.0
/*
 * The block backend: a block device claimed exclusively for the LUN, and
 * bios built on the command's own pages in both directions (the socket
 * received write data into them, and sends read data from them by
 * reference), so the CPU copies nothing. SYNCHRONIZE CACHE is a flush,
 * FUA a REQ_FUA write, UNMAP and WRITE SAME of zeros the device's
 * write-zeroes (which falls back to writing zeros where it has none).
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/slab.h>

#include "compat.h"
#include "engine.h"

struct bootsan_block {
	struct bootsan_bdev claim;
};

/* Claim the device at @path for @lun; no one else may claim it meanwhile. */
int bootsan_block_open(struct bootsan_lun *lun, const char *path)
{
	struct bootsan_block *b;
	int ret;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	ret = bootsan_bdev_open(&b->claim, path, !lun->read_only, lun);
	if (ret) {
		kfree(b);
		return ret;
	}
	lun->block = b;
	return 0;
}

void bootsan_block_close(struct bootsan_lun *lun)
{
	if (!lun->block)
		return;
	bootsan_bdev_close(&lun->block->claim);
	kfree(lun->block);
	lun->block = NULL;
}

static struct block_device *lun_bdev(struct bootsan_lun *lun)
{
	return bootsan_bdev_get(&lun->block->claim);
}

/* The device's own properties the SCSI answers report. */
bool bootsan_block_rotational(struct bootsan_lun *lun)
{
	return !bdev_nonrot(lun_bdev(lun));
}

/*
 * Thin when the device can deallocate: UNMAP becomes write-zeroes that
 * may unmap, so unmapped blocks still read back as zeros (LBPRZ).
 */
bool bootsan_block_thin(struct bootsan_lun *lun)
{
	return !lun->read_only && bdev_max_discard_sectors(lun_bdev(lun)) > 0;
}

u32 bootsan_block_logical_size(struct bootsan_lun *lun)
{
	return bdev_logical_block_size(lun_bdev(lun));
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
int bootsan_block_rw(struct bootsan_lun *lun, struct bootsan_buf *buf, size_t buf_off,
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
int bootsan_block_submit(struct bootsan_lun *lun, struct bootsan_buf *buf, u64 pos,
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

/* Read [pos, pos + len) into pages of our own: the device DMAs into them. */
int bootsan_block_read(struct bootsan_lun *lun, struct bootsan_buf *buf, u64 pos, size_t len)
{
	int ret = bootsan_buf_alloc(buf, len);

	return ret ? ret : bootsan_block_rw(lun, buf, 0, pos, len, false, false);
}

int bootsan_block_flush(struct bootsan_lun *lun)
{
	return blkdev_issue_flush(lun_bdev(lun));
}

/*
 * Zeros over [pos, pos + len): the device's WRITE ZEROES where it has it
 * (deallocating where @may_unmap and the device can), else written zero
 * pages. Reads of the range give zeros either way.
 */
int bootsan_block_zero(struct bootsan_lun *lun, u64 pos, u64 len, bool may_unmap)
{
	return blkdev_issue_zeroout(lun_bdev(lun), pos >> SECTOR_SHIFT, len >> SECTOR_SHIFT,
				    GFP_KERNEL, may_unmap ? 0 : BLKDEV_ZERO_NOUNMAP);
}
