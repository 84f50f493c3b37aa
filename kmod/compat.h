/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels bootsan supports (Debian 12's 6.1
 * and 6.12) is resolved here, so the rest of the module is written once.
 *
 * Debian's 6.1 carries many later APIs through stable backports, so a
 * LINUX_VERSION_CODE test at the upstream boundary is often wrong: test
 * for the feature itself where that is possible.
 */
#ifndef BOOTSAN_COMPAT_H
#define BOOTSAN_COMPAT_H

/* 6.12 moved the unaligned helpers out of asm/; 6.1 has only asm/. */
#if __has_include("linux/unaligned.h")
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Attributes of a dump request: 6.2 put a genl_info into the dump info
 * (genl_info_dump()), which Debian's 6.1 does not have. GENL_SET_ERR_MSG_FMT
 * came with the same genetlink rework and, being a macro, can be tested.
 */
#include <net/genetlink.h>
#ifdef GENL_SET_ERR_MSG_FMT
#define bootsan_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define bootsan_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

/*
 * The ops a family's pre_doit and post_doit receive: the same rework split
 * do and dump ops into struct genl_split_ops, which netlink-gen.h names;
 * 6.1 passes its struct genl_ops (both have the cmd the hooks look at).
 */
#ifndef GENL_SET_ERR_MSG_FMT
#define genl_split_ops genl_ops
#endif

/*
 * Hand the pages under a bvec iterator to a socket by reference (TCP takes
 * its own page references), sending what it can; returns the bytes sent
 * (the iterator advanced past them) or an error. Every bvec of the
 * iterator lies within one page.
 *
 * 6.5 replaced sendpage with sendmsg(MSG_SPLICE_PAGES). Debian's 6.1
 * defines MSG_SPLICE_PAGES but its TCP ignores the flag and copies, so the
 * define is no feature test; MSG_SENDPAGE_NOTLAST left with sendpage.
 */
#include <linux/net.h>
#include <linux/uio.h>
#ifdef MSG_SENDPAGE_NOTLAST
static inline int bootsan_send_pages(struct socket *sock, struct msghdr *msg)
{
	const struct bio_vec *bv = msg->msg_iter.bvec;
	size_t off = msg->msg_iter.iov_offset;
	size_t left = iov_iter_count(&msg->msg_iter);
	size_t len = min_t(size_t, bv->bv_len - off, left);
	int flags = msg->msg_flags;
	int ret;

	if (len < left)
		flags |= MSG_MORE | MSG_SENDPAGE_NOTLAST;
	ret = kernel_sendpage(sock, bv->bv_page, bv->bv_offset + off, len, flags);
	if (ret > 0)
		iov_iter_advance(&msg->msg_iter, ret);
	return ret;
}
#else
static inline int bootsan_send_pages(struct socket *sock, struct msghdr *msg)
{
	msg->msg_flags |= MSG_SPLICE_PAGES;
	return sock_sendmsg(sock, msg);
}
#endif

/*
 * An exclusively claimed block device. 6.9 made the open return a struct
 * file (bdev_file_open_by_path, file_bdev, fput); 6.1 has
 * blkdev_get_by_path with FMODE_EXCL and blkdev_put with the same mode.
 * BLK_OPEN_READ came with blk_mode_t in 6.5 and is a macro.
 */
#include <linux/blkdev.h>
#include <linux/err.h>
#include <linux/file.h>
#ifdef BLK_OPEN_READ
struct bootsan_bdev {
	struct file *file;
};

static inline int bootsan_bdev_open(struct bootsan_bdev *b, const char *path,
				    bool write, void *holder)
{
	struct file *f = bdev_file_open_by_path(path, BLK_OPEN_READ |
						(write ? BLK_OPEN_WRITE : 0), holder, NULL);

	if (IS_ERR(f))
		return PTR_ERR(f);
	b->file = f;
	return 0;
}

static inline struct block_device *bootsan_bdev_get(const struct bootsan_bdev *b)
{
	return file_bdev(b->file);
}

static inline void bootsan_bdev_close(struct bootsan_bdev *b)
{
	fput(b->file);
}
#else
struct bootsan_bdev {
	struct block_device *bdev;
	fmode_t mode;
};

static inline int bootsan_bdev_open(struct bootsan_bdev *b, const char *path,
				    bool write, void *holder)
{
	fmode_t mode = FMODE_READ | (write ? FMODE_WRITE : 0) | FMODE_EXCL;
	struct block_device *bdev = blkdev_get_by_path(path, mode, holder);

	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	b->bdev = bdev;
	b->mode = mode;
	return 0;
}

static inline struct block_device *bootsan_bdev_get(const struct bootsan_bdev *b)
{
	return b->bdev;
}

static inline void bootsan_bdev_close(struct bootsan_bdev *b)
{
	blkdev_put(b->bdev, b->mode);
}
#endif

#endif /* BOOTSAN_COMPAT_H */
