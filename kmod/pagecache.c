// SPDX-License-Identifier: GPL-2.0
/*
 * Page-cache helpers of the backends that keep their blocks in files
 * (io_file.c, io_overlay.c): lending page-cache pages to a READ by
 * reference, as nfsd's splice READ does, and asking whether a range is
 * cached. They serve a backend and know none.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pipe_fs_i.h>
#include <linux/splice.h>

#include "backend.h"

int bootsan_lend_init(struct bootsan_lend *lend, struct bootsan_buf *buf, size_t len)
{
	/* The range can start inside a page and so touch one page more. */
	lend->buf = buf;
	lend->cap = DIV_ROUND_UP(len, PAGE_SIZE) + 1;
	buf->len = 0;
	buf->nr_pages = 0;
	buf->bvec = kvcalloc(lend->cap, sizeof(*buf->bvec), GFP_KERNEL);
	return buf->bvec ? 0 : -ENOMEM;
}

/*
 * One pipe buffer of page-cache data: keep a reference to each page it
 * covers (a large folio is cut into pages, so every bvec stays within one
 * page, as the 6.1 sendpage path needs).
 */
static int lend_take_pages(struct pipe_inode_info *pipe, struct pipe_buffer *pb,
			   struct splice_desc *sd)
{
	struct bootsan_lend *lend = sd->u.data;
	struct bootsan_buf *buf = lend->buf;
	struct page *page = pb->page + pb->offset / PAGE_SIZE;
	unsigned int off = offset_in_page(pb->offset);
	size_t left = sd->len;

	/* Room for the worst case first: take nothing unless all fits. */
	if (buf->nr_pages + DIV_ROUND_UP(off + left, PAGE_SIZE) > lend->cap)
		return -EIO;
	while (left) {
		unsigned int part = min_t(size_t, left, PAGE_SIZE - off);
		struct bio_vec *last = buf->nr_pages ? &buf->bvec[buf->nr_pages - 1] : NULL;

		if (last && last->bv_page == page && last->bv_offset + last->bv_len == off) {
			last->bv_len += part;	/* the rest of a page we hold */
		} else {
			get_page(page);
			bvec_set_page(&buf->bvec[buf->nr_pages++], page, part, off);
		}
		buf->len += part;
		left -= part;
		off = 0;
		page++;
	}
	return sd->len;
}

static int lend_drain(struct pipe_inode_info *pipe, struct splice_desc *sd)
{
	return __splice_from_pipe(pipe, sd, lend_take_pages);
}

bool bootsan_lend_file(struct bootsan_lend *lend, struct file *file, u64 pos, size_t len)
{
	size_t before = lend->buf->len;
	struct splice_desc sd = {
		.total_len = len,
		.pos = pos,
		.u.data = lend,
	};
	ssize_t ret;

	ret = splice_direct_to_actor(file, &sd, lend_drain);
	return ret == len && lend->buf->len - before == len;
}

bool bootsan_file_cached(struct file *file, u64 pos, size_t len)
{
	struct address_space *mapping = file->f_mapping;
	pgoff_t idx = pos >> PAGE_SHIFT, last;
	struct page *page;
	bool uptodate;

	if (!len)
		return false;
	for (last = (pos + len - 1) >> PAGE_SHIFT; idx <= last; idx++) {
		page = find_get_page(mapping, idx);
		if (!page)
			return false;
		uptodate = PageUptodate(page);
		put_page(page);
		if (!uptodate)
			return false;
	}
	return true;
}
