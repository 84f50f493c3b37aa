/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A LUN's backend: where its blocks live and how they are moved. Each
 * backend is one file (io_file.c, io_block.c) that fills in one ops table
 * and knows no other backend; backend.c maps the configured type to its
 * table once, when the LUN is opened, and from then on the engine calls
 * through lun->ops only. A new backend is a new file and one entry in
 * backend.c's table.
 *
 * Positions and lengths are bytes, whole blocks of the LUN. Every call may
 * sleep unless it says otherwise.
 */
#ifndef BOOTSAN_BACKEND_H
#define BOOTSAN_BACKEND_H

#include <linux/blk_types.h>
#include <linux/fs.h>
#include <linux/netlink.h>

#include "config.h"
#include "engine.h"

/* The attributes a LUN's settings came from, for errors to point at. */
struct bootsan_backend_attrs {
	const struct nlattr *backend;
	const struct nlattr *path;
	const struct nlattr *direct;
	const struct nlattr *block_size;	/* NULL: not given, the backend chooses */
	const struct nlattr *delta_path;	/* the overlay's delta file */
};

struct bootsan_backend_ops {
	/* Accepts the direct option (I/O bypasses the page cache). */
	bool direct_io;
	/* Takes a delta file (lun->delta_path) as well as lun->path. */
	bool delta;
	/*
	 * Unless direct, a READ lends page-cache pages rather than filling
	 * pages of its own: it is not counted in the read budget (din_mem.c).
	 */
	bool lends_pages;
	/*
	 * Open lun->path for lun->read_only and lun->direct, check it is of
	 * the backend's kind, and set lun->backend_data. lun->block_size is
	 * set (512 unless @at->block_size was given): the backend may raise
	 * it to what the device needs. On failure nothing stays open.
	 */
	int (*open)(struct bootsan_lun *lun, const struct bootsan_backend_attrs *at,
		    struct netlink_ext_ack *extack);
	void (*close)(struct bootsan_lun *lun);
	/* Bytes the image or device holds now (a LUN's size may not exceed it). */
	u64 (*capacity)(struct bootsan_lun *lun);
	/* The properties the SCSI answers report: write cache, rotation, thin. */
	void (*info)(struct bootsan_lun *lun, struct scsi_lun_info *info);
	/*
	 * READ: fill @buf (not yet allocated) with [pos, pos + len). It may
	 * lend page-cache pages by reference unless @stable asks for pages
	 * nobody else changes until they are sent.
	 */
	int (*read)(struct bootsan_lun *lun, struct bootsan_buf *buf, u64 pos,
		    size_t len, bool stable);
	/* Move [buf_off, buf_off + len) of @buf to or from @pos, and wait. */
	int (*rw)(struct bootsan_lun *lun, struct bootsan_buf *buf, size_t buf_off,
		  u64 pos, size_t len, bool write, bool fua);
	/*
	 * Optional: start a READ or WRITE of @buf without waiting. @done runs
	 * (maybe in interrupt context, maybe before this returns) with the
	 * last bio, whose bi_private is @private, and puts that bio.
	 */
	int (*submit)(struct bootsan_lun *lun, struct bootsan_buf *buf, u64 pos,
		      size_t len, bool write, bool fua, bio_end_io_t *done, void *private);
	/*
	 * Optional: can a READ or WRITE of [pos, pos + len) be done without
	 * waiting for the device (page-cache I/O)? Does not sleep; a wrong
	 * "no" only costs a work item.
	 */
	bool (*nowait)(struct bootsan_lun *lun, u64 pos, size_t len, bool write);
	/* SYNCHRONIZE CACHE of [pos, pos + len); len 0: all of it. */
	int (*flush)(struct bootsan_lun *lun, u64 pos, u64 len);
	/* Zeros written over [pos, pos + len), allocated. */
	int (*write_zeroes)(struct bootsan_lun *lun, u64 pos, u64 len);
	/* Deallocate [pos, pos + len) where the backend can: reads give zeros. */
	int (*discard)(struct bootsan_lun *lun, u64 pos, u64 len);
	/*
	 * Optional (without it all is mapped): is the byte at @pos allocated,
	 * and for how many bytes (*@run, up to the LUN's end) does that hold?
	 */
	int (*mapped)(struct bootsan_lun *lun, u64 pos, bool *mapped, u64 *run);
};

extern const struct bootsan_backend_ops bootsan_file_ops;
extern const struct bootsan_backend_ops bootsan_block_ops;
extern const struct bootsan_backend_ops bootsan_overlay_ops;

/* Open the backend that lun->backend names and set lun->ops; netlink.c. */
int bootsan_backend_open(struct bootsan_lun *lun, const struct bootsan_backend_attrs *at,
			 struct netlink_ext_ack *extack);
/* Close what bootsan_backend_open() opened, if it did. */
void bootsan_backend_close(struct bootsan_lun *lun);

/* Reads up to this size are checked against the page cache to run inline. */
#define BOOTSAN_INLINE_READ_MAX	(256u << 10)

/*
 * Page-cache helpers of the backends whose blocks are in files
 * (pagecache.c). A READ lends page-cache pages by reference: init
 * allocates @buf's bvecs for @len bytes, then bootsan_lend_file() appends
 * [pos, pos + len) of a file, as often as needed up to @len bytes in all,
 * each range after the first starting on a page boundary. On failure the
 * caller frees @buf.
 */
struct bootsan_lend {
	struct bootsan_buf *buf;
	unsigned int cap;		/* bvecs in buf->bvec */
};

int bootsan_lend_init(struct bootsan_lend *lend, struct bootsan_buf *buf, size_t len);
bool bootsan_lend_file(struct bootsan_lend *lend, struct file *file, u64 pos, size_t len);
/*
 * Is all of [pos, pos + len) of @file in the page cache and up to date?
 * Page by page: for short ranges only. Does not sleep.
 */
bool bootsan_file_cached(struct file *file, u64 pos, size_t len);

static inline bool bootsan_backend_nowait(struct bootsan_lun *lun, u64 pos, size_t len,
					  bool write)
{
	return lun->ops->nowait && lun->ops->nowait(lun, pos, len, write);
}

static inline int bootsan_backend_mapped(struct bootsan_lun *lun, u64 pos, bool *mapped,
					 u64 *run)
{
	if (lun->ops->mapped)
		return lun->ops->mapped(lun, pos, mapped, run);
	*mapped = true;
	*run = max(READ_ONCE(lun->size), pos) - pos;
	return 0;
}

#endif /* BOOTSAN_BACKEND_H */
