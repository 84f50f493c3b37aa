/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The writer of emulated SCSI response data (scsi.c, pr.c). Callers write
 * at the offsets of the full response; only what fits in both the CDB's
 * allocation length and the caller's data_in buffer is stored, while the
 * length of the whole response is still counted. Pure and bounded: built
 * into the module and into the host tests.
 */
#ifndef BOOTSAN_RESP_WRITER_H
#define BOOTSAN_RESP_WRITER_H

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include "host_shim.h"
#endif

#include "scsi.h"

struct resp {
	u8 *buf;
	u32 lim;	/* bytes that may be stored */
	u32 len;	/* bytes of the full response so far */
};

/* Starts an empty response to @req, zeroing the part that may be stored. */
static inline void resp_init(struct resp *r, struct scsi_req *req, u32 alloc_len)
{
	r->buf = req->data_in;
	r->lim = req->data_in_cap < alloc_len ? req->data_in_cap : alloc_len;
	r->len = 0;
	req->alloc_len = alloc_len;
	if (r->lim)
		memset(r->buf, 0, r->lim);
}

static inline void put_u8(struct resp *r, u32 off, u8 v)
{
	if (off < r->lim)
		r->buf[off] = v;
	if (off >= r->len)
		r->len = off + 1;
}

static inline void put_be16(struct resp *r, u32 off, u16 v)
{
	put_u8(r, off, v >> 8);
	put_u8(r, off + 1, v);
}

static inline void put_be32(struct resp *r, u32 off, u32 v)
{
	put_be16(r, off, v >> 16);
	put_be16(r, off + 2, v);
}

static inline void put_be64(struct resp *r, u32 off, u64 v)
{
	put_be32(r, off, v >> 32);
	put_be32(r, off + 4, v);
}

static inline void put_bytes(struct resp *r, u32 off, const u8 *src, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		put_u8(r, off + i, src[i]);
}

/* The response is complete: @req carries what was stored of it. */
static inline void resp_done(struct scsi_req *req, const struct resp *r)
{
	req->data_in_len = r->len < r->lim ? r->len : r->lim;
}

#endif /* BOOTSAN_RESP_WRITER_H */
