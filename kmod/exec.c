// SPDX-License-Identifier: GPL-2.0
/*
 * The SCSI core: running a SCSI command against its LUN's backend
 * (through lun->ops, backend.h). It builds no PDU and knows no sequence
 * number: a command that ran goes back to its transport through
 * cmd->ops->queue_response (engine.h), as nvmet's core completes through
 * req->ops->queue_response.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/slab.h>
#include <linux/sched/clock.h>

#include "backend.h"
#include "compat.h"
#include "ffp.h"
#include "lun_state.h"

#include <scsi/scsi_proto.h>

void bootsan_fill_lun_info(struct bootsan_conn *conn, struct bootsan_lun *l,
			  struct scsi_lun_info *info)
{
	struct bootsan_target *t = conn->sess->target;

	memset(info, 0, sizeof(*info));
	info->nr_blocks = READ_ONCE(l->size) / l->block_size;
	info->block_size = l->block_size;
	info->read_only = l->read_only;
	/* Write cache, rotation, and thin only where UNMAP really deallocates. */
	l->ops->info(l, info);
	info->write_cache = READ_ONCE(l->write_cache);
	info->serial = l->serial;
	info->naa = l->naa;
	info->target_name = t->iqn;
	info->relative_port = 1;
	info->target_port_group = 1;
	info->lun = l->lun;
	info->max_xfer_blocks = BOOTSAN_MAX_IO / l->block_size;
	info->opt_xfer_blocks = (128u << 10) / l->block_size;
	/* Descriptors: Linux sends one; "no limit" confuses some initiators. */
	info->max_unmap_descriptors = 256;
	info->max_write_same_blocks = 0xffff;
	info->vendor = "BOOTSAN ";
	info->product = "bootsan disk";
	info->revision = "0001";
}

/* REPORT LUNS needs the target's LUN numbers; nothing else does. */
u32 *bootsan_collect_luns(struct bootsan_target *t, u32 *nr)
{
	struct bootsan_lun *l;
	u32 *luns, n = 0, cap;

	mutex_lock(&bootsan_config_mutex);
	cap = t->nr_luns;
	luns = kmalloc_array(max(cap, 1u), sizeof(*luns), GFP_KERNEL);
	if (luns)
		list_for_each_entry(l, &t->luns, node)
			if (n < cap)
				luns[n++] = l->lun;
	mutex_unlock(&bootsan_config_mutex);
	*nr = n;
	return luns;
}

static void account(struct bootsan_scsi_cmd *cmd, struct scsi_req *req, bool error)
{
	struct bootsan_lun_stats *st = &cmd->lun->stats;
	u64 bytes = (u64)req->nr_blocks * cmd->lun->block_size;

	if (req->action == SCSI_ACT_READ) {
		atomic64_inc(&st->read_cmds);
		atomic64_add(bytes, &st->read_bytes);
		atomic64_add(bytes, &cmd->conn->sess->read_bytes);
	} else if (req->action == SCSI_ACT_WRITE) {
		atomic64_inc(&st->write_cmds);
		atomic64_add(bytes, &st->write_bytes);
		atomic64_add(bytes, &cmd->conn->sess->write_bytes);
	}
	if (error)
		atomic64_inc(&st->errors);
	atomic64_add(local_clock() - cmd->start_ns, &st->latency_ns);
}

/* The core's part of a command's end: its data, buffers and LUN. */
void bootsan_scsi_cmd_release(struct bootsan_scsi_cmd *cmd)
{
	bootsan_din_mem_give(cmd->conn, &cmd->buf);
	bootsan_buf_free(&cmd->buf);
	if (cmd->lun)
		bootsan_lun_put(cmd->lun);
	kfree(cmd->req.data_in);
}

/* Bytes of data-out the command can use: what arrived of what the CDB asks. */
static u32 dout_usable(struct bootsan_scsi_cmd *cmd)
{
	return min(cmd->data_out_received, cmd->req.data_out_len);
}

/*
 * CHECK CONDITION, MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION, with
 * the offset of the first differing byte in the INFORMATION field.
 */
static void miscompare_sense(struct scsi_req *req, u32 offset)
{
	bootsan_scsi_set_sense(req, SCSI_SK_MISCOMPARE, SCSI_ASC_MISCOMPARE_VERIFY, 0x00);
	req->sense[0] |= 0x80;		/* VALID: INFORMATION is set */
	put_unaligned_be32(offset, &req->sense[3]);
}

/*
 * Compare @len bytes of @a from @a_off with @b from 0 (both start on a
 * page boundary plus the offset). Returns the offset of the first
 * difference, or -1 when they are equal.
 */
static s64 buf_compare(struct bootsan_buf *a, u32 a_off, struct bootsan_buf *b, u32 len)
{
	u8 x[256], y[256];
	struct iov_iter ia, ib;
	u32 done = 0, chunk, i;

	bootsan_buf_iter(a, &ia, ITER_SOURCE, a_off, len);
	bootsan_buf_iter(b, &ib, ITER_SOURCE, 0, len);
	while (done < len) {
		chunk = min_t(u32, len - done, sizeof(x));
		if (copy_from_iter(x, chunk, &ia) != chunk ||
		    copy_from_iter(y, chunk, &ib) != chunk)
			return done;
		if (memcmp(x, y, chunk))
			for (i = 0; i < chunk; i++)
				if (x[i] != y[i])
					return done + i;
		done += chunk;
	}
	return -1;
}

/*
 * Read @len bytes at @pos and compare them with the data-out from
 * @dout_off. Returns 0 when equal; sets the sense and returns -1 if not.
 */
static int verify_medium(struct bootsan_scsi_cmd *cmd, u64 pos, u32 len, u32 dout_off)
{
	struct bootsan_buf medium;
	struct scsi_req *req = &cmd->req;
	s64 diff;
	int ret;

	if (bootsan_buf_alloc(&medium, len)) {
		bootsan_scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		return -1;
	}
	ret = cmd->lun->ops->rw(cmd->lun, &medium, 0, pos, len, false, false);
	if (ret) {
		bootsan_scsi_set_io_error(req, false, ret);
		diff = 0;
	} else {
		diff = buf_compare(&cmd->buf, dout_off, &medium, len);
		if (diff >= 0)
			miscompare_sense(req, diff);
	}
	bootsan_buf_free(&medium);
	return diff >= 0 ? -1 : 0;
}

static void exec_compare_and_write(struct bootsan_scsi_cmd *cmd)
{
	struct mutex *caw_lock = &cmd->lun->state->caw_lock;
	struct scsi_req *req = &cmd->req;
	u64 pos = req->lba * cmd->lun->block_size;
	u32 len = req->nr_blocks * cmd->lun->block_size;

	/* The data-out holds the data to compare, then the data to write. */
	mutex_lock(caw_lock);
	if (!verify_medium(cmd, pos, len, 0)) {
		int ret = cmd->lun->ops->rw(cmd->lun, &cmd->buf, len, pos, len, true, req->fua);

		if (ret)
			bootsan_scsi_set_io_error(req, true, ret);
	}
	mutex_unlock(caw_lock);
}

/* The data-out of UNMAP or MODE SELECT as one flat buffer. */
static u8 *dout_flat(struct bootsan_scsi_cmd *cmd, u32 len)
{
	struct iov_iter it;
	u8 *p = kvmalloc(max(len, 1u), GFP_KERNEL);

	if (!p)
		return NULL;
	bootsan_buf_iter(&cmd->buf, &it, ITER_SOURCE, 0, len);
	if (copy_from_iter(p, len, &it) != len) {
		kvfree(p);
		return NULL;
	}
	return p;
}

struct unmap_ctx {
	struct bootsan_lun *lun;
	int err;
};

static void unmap_one(void *data, u64 lba, u32 nr)
{
	struct unmap_ctx *ctx = data;
	u32 bs = ctx->lun->block_size;

	if (!ctx->err)
		ctx->err = ctx->lun->ops->discard(ctx->lun, lba * bs, (u64)nr * bs);
}

static void exec_unmap(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct scsi_lun_info info;
	struct unmap_ctx ctx = { .lun = cmd->lun };
	u32 len = dout_usable(cmd);
	u8 *param = dout_flat(cmd, len);

	if (!param) {
		bootsan_scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		return;
	}
	bootsan_fill_lun_info(cmd->conn, cmd->lun, &info);
	if (!bootsan_scsi_parse_unmap(param, len, &info, req, unmap_one, &ctx) &&
	    ctx.err)
		bootsan_scsi_set_io_error(req, true, ctx.err);
	kvfree(param);
}

static bool all_zero(struct bootsan_buf *b, u32 len)
{
	u8 x[256];
	struct iov_iter it;
	u32 done = 0, chunk;

	bootsan_buf_iter(b, &it, ITER_SOURCE, 0, len);
	while (done < len) {
		chunk = min_t(u32, len - done, sizeof(x));
		if (copy_from_iter(x, chunk, &it) != chunk || memchr_inv(x, 0, chunk))
			return false;
		done += chunk;
	}
	return true;
}

/* WRITE SAME: one block replicated over the range, in chunks of 128 KiB. */
static void exec_write_same(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_lun_info info;
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;
	u32 bs = l->block_size, per, i;
	u64 pos = req->lba * bs, left = (u64)req->nr_blocks * bs;
	struct bootsan_buf chunk = {};
	u8 *block;
	int ret = 0;

	bootsan_fill_lun_info(cmd->conn, l, &info);
	if (req->ndob || all_zero(&cmd->buf, bs)) {
		/* Zeros: a hole where we may deallocate, else written zeros. */
		if (req->unmap && info.thin)
			ret = l->ops->discard(l, pos, left);
		else
			ret = l->ops->write_zeroes(l, pos, left);
		goto out;
	}
	block = dout_flat(cmd, bs);
	per = max_t(u32, 1, (128u << 10) / bs);
	per = min_t(u64, per, req->nr_blocks);
	if (!block || bootsan_buf_alloc(&chunk, (size_t)per * bs)) {
		kvfree(block);
		bootsan_scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		return;
	}
	for (i = 0; i < per && !ret; i++) {
		struct iov_iter it;

		bootsan_buf_iter(&chunk, &it, ITER_DEST, (size_t)i * bs, bs);
		if (copy_to_iter(block, bs, &it) != bs)
			ret = -EFAULT;
	}
	while (left && !ret) {
		u64 n = min_t(u64, left, (u64)per * bs);

		ret = l->ops->rw(l, &chunk, 0, pos, n, true, false);
		pos += n;
		left -= n;
		cond_resched();
	}
	bootsan_buf_free(&chunk);
	kvfree(block);
out:
	if (ret)
		bootsan_scsi_set_io_error(req, true, ret);
}

static void exec_get_lba_status(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;
	u32 bs = l->block_size;
	u64 pos = req->lba * bs, run, blocks;
	bool mapped;

	int ret = bootsan_backend_mapped(l, pos, &mapped, &run);

	if (ret) {
		bootsan_scsi_set_io_error(req, false, ret);
		return;
	}
	if (mapped) {
		blocks = DIV_ROUND_UP(run, bs);
	} else {
		/* A block with any data in it counts as mapped. */
		blocks = run / bs;
		if (!blocks) {
			mapped = true;
			if (!bootsan_backend_mapped(l, pos + run, &mapped, &run) && mapped)
				blocks = 1 + DIV_ROUND_UP(run, bs);
			else
				blocks = 1;
			mapped = true;
		}
	}
	/* The LUN may have shrunk since the command was decoded. */
	blocks = min(blocks, max_t(u64, READ_ONCE(l->size) / bs, req->lba) - req->lba);
	bootsan_scsi_fill_lba_status(req, req->lba, blocks, mapped, req->alloc_len);
}

/*
 * MODE SELECT turned the write cache on or off (WCE). The setting lasts
 * until the LUN is made again (nothing is saved: SP is refused), as a
 * disk's current values last until its power goes. Turned off, it is off
 * before the cache is flushed, so that every write acknowledged after this
 * MODE SELECT's GOOD is stable, whenever it started; the other nexuses are
 * told MODE PARAMETERS CHANGED.
 */
static void set_write_cache(struct bootsan_scsi_cmd *cmd, bool wce)
{
	struct bootsan_lun *l = cmd->lun;
	struct pr_nexus n;
	int ret;

	WRITE_ONCE(l->write_cache, wce);
	if (!wce) {
		ret = l->ops->flush(l, 0, 0);
		if (ret) {
			bootsan_scsi_set_io_error(&cmd->req, true, ret);
			return;
		}
	}
	bootsan_conn_nexus(cmd->conn, &n);
	spin_lock(&l->state->lock);
	bootsan_pr_ua_all(&l->state->pr, &n, PR_UA_MODE_PARAMETERS_CHANGED);
	spin_unlock(&l->state->lock);
}

static void exec_mode_select(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_lun_info info;
	struct scsi_req *req = &cmd->req;
	u32 len = dout_usable(cmd);
	u8 *param = dout_flat(cmd, len);
	bool wce;

	if (!param) {
		bootsan_scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		return;
	}
	bootsan_fill_lun_info(cmd->conn, cmd->lun, &info);
	if (!bootsan_scsi_mode_select(&info, req, param, len, &wce) && wce != info.write_cache)
		set_write_cache(cmd, wce);
	kvfree(param);
}

/* PERSISTENT RESERVE IN/OUT, RESERVE and RELEASE on the LUN's state. */
static void exec_reservation(struct bootsan_scsi_cmd *cmd)
{
	struct bootsan_lun_state *st = cmd->lun->state;
	struct scsi_req *req = &cmd->req;
	struct pr_nexus n;
	u8 *param = NULL;
	u32 len = 0;

	if (req->action == SCSI_ACT_PR_OUT) {
		len = dout_usable(cmd);
		param = dout_flat(cmd, len);
		if (!param) {
			bootsan_scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
			return;
		}
	}
	bootsan_conn_nexus(cmd->conn, &n);
	spin_lock(&st->lock);
	if (req->action == SCSI_ACT_PR_IN)
		bootsan_pr_in(&st->pr, &n, 1, req);
	else if (req->action == SCSI_ACT_PR_OUT)
		bootsan_pr_out(&st->pr, &n, req, param, len);
	else
		bootsan_pr_spc2(&st->pr, &n, cmd->conn->sess->id, req);
	spin_unlock(&st->lock);
	kvfree(param);
}

static void exec_read(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;
	u32 len = req->nr_blocks * l->block_size;
	int ret;

	ret = l->ops->read(l, &cmd->buf, req->lba * l->block_size, len,
			   cmd->conn->params.data_digest);
	if (ret)
		bootsan_scsi_set_io_error(req, false, ret);
	cmd->xfer_len = len;
}

/* WRITE, and WRITE AND VERIFY: through to the medium, which verifies it. */
static void exec_write(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;
	/* Only whole blocks of what the initiator sent (iSCSI EDTL < SCSI TL). */
	u32 len = round_down(dout_usable(cmd), l->block_size);
	int ret = 0;

	if (len)
		ret = l->ops->rw(l, &cmd->buf, 0, req->lba * l->block_size, len, true,
				 req->fua || req->action == SCSI_ACT_WRITE_VERIFY);
	if (ret)
		bootsan_scsi_set_io_error(req, true, ret);
	cmd->xfer_len = len;
}

static void exec_verify(struct bootsan_scsi_cmd *cmd)
{
	struct bootsan_lun *l = cmd->lun;
	u32 len = round_down(dout_usable(cmd), l->block_size);

	if (len)
		verify_medium(cmd, cmd->req.lba * l->block_size, len, 0);
	cmd->xfer_len = len;
}

static void exec_flush(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;
	int ret = l->ops->flush(l, req->lba * l->block_size,
				(u64)req->nr_blocks * l->block_size);

	if (ret)
		bootsan_scsi_set_io_error(req, true, ret);
}

/*
 * A read or a write waits when the backend cannot do it at once (buffered
 * LUNs do page-cache I/O in io_work, where the hand-off to another worker
 * would cost more than the command itself). A digest needs the data in
 * hand; a FUA write waits for the medium whatever the backend.
 */
static bool read_may_sleep(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;

	return cmd->conn->params.data_digest ||
	       !bootsan_backend_nowait(l, req->lba * l->block_size,
				       (size_t)req->nr_blocks * l->block_size, false);
}

static bool write_may_sleep(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;

	return req->fua ||
	       !bootsan_backend_nowait(l, req->lba * l->block_size,
				       (size_t)req->nr_blocks * l->block_size, true);
}

static bool always_sleeps(struct bootsan_scsi_cmd *cmd)
{
	return true;
}

/*
 * What runs for each action a decoded command asks for (scsi.h; the
 * commands themselves are scsi.c's table): @run does it, and @may_sleep
 * says whether it may wait for a device and so runs as a work item (NULL:
 * never; it runs in io_work). SCSI_ACT_DONE has nothing to run.
 */
struct exec_action {
	void (*run)(struct bootsan_scsi_cmd *cmd);
	bool (*may_sleep)(struct bootsan_scsi_cmd *cmd);
};

static const struct exec_action exec_actions[] = {
	[SCSI_ACT_READ] = { exec_read, read_may_sleep },
	[SCSI_ACT_WRITE] = { exec_write, write_may_sleep },
	[SCSI_ACT_WRITE_VERIFY] = { exec_write, always_sleeps },
	[SCSI_ACT_VERIFY_READ] = { exec_verify, always_sleeps },
	[SCSI_ACT_COMPARE_AND_WRITE] = { exec_compare_and_write, always_sleeps },
	[SCSI_ACT_FLUSH] = { exec_flush, always_sleeps },
	[SCSI_ACT_UNMAP] = { exec_unmap, always_sleeps },
	[SCSI_ACT_WRITE_SAME] = { exec_write_same, always_sleeps },
	[SCSI_ACT_GET_LBA_STATUS] = { exec_get_lba_status, always_sleeps },
	[SCSI_ACT_MODE_SELECT] = { exec_mode_select, always_sleeps },
	[SCSI_ACT_PR_IN] = { exec_reservation, NULL },
	[SCSI_ACT_PR_OUT] = { exec_reservation, NULL },
	[SCSI_ACT_RESERVE] = { exec_reservation, NULL },
};

/* The action @req asks for; NULL: nothing to run (SCSI_ACT_DONE). */
static const struct exec_action *exec_action_of(const struct scsi_req *req)
{
	if (req->action >= ARRAY_SIZE(exec_actions) || !exec_actions[req->action].run)
		return NULL;
	return &exec_actions[req->action];
}

/* Run a command against its LUN: may sleep for as long as the I/O takes. */
static void cmd_run(struct bootsan_scsi_cmd *cmd)
{
	const struct exec_action *a = exec_action_of(&cmd->req);
	struct scsi_req *req = &cmd->req;
	int ret;

	cmd->xfer_len = 0;
	if (a)
		a->run(cmd);
	/*
	 * With the write cache off, what WRITE SAME and UNMAP changed is
	 * stable before GOOD too (writes themselves go with FUA).
	 */
	if ((req->action == SCSI_ACT_WRITE_SAME || req->action == SCSI_ACT_UNMAP) &&
	    req->status == SCSI_STATUS_GOOD && !READ_ONCE(cmd->lun->write_cache)) {
		ret = cmd->lun->ops->flush(cmd->lun, 0, 0);
		if (ret)
			bootsan_scsi_set_io_error(req, true, ret);
	}
	if (cmd->lun)
		account(cmd, &cmd->req, cmd->req.status != SCSI_STATUS_GOOD);
}

/*
 * Commands that may wait for a device run as work items. The rest run in
 * io_work and are answered at once: emulated commands, reservations, and
 * I/O the backend can do without waiting (exec_actions[]).
 */
static bool cmd_may_sleep(struct bootsan_scsi_cmd *cmd)
{
	const struct exec_action *a = exec_action_of(&cmd->req);

	return a && a->may_sleep && a->may_sleep(cmd);
}

static void cmd_io_work(struct work_struct *work)
{
	struct bootsan_scsi_cmd *cmd = container_of(work, struct bootsan_scsi_cmd, work);

	cmd_run(cmd);
	cmd->ops->queue_response(cmd);
}

static void cmd_bio_done(struct bio *bio)
{
	struct bootsan_scsi_cmd *cmd = bio->bi_private;
	struct scsi_req *req = &cmd->req;

	/* A thin device out of space says BLK_STS_NOSPC: -ENOSPC here. */
	if (bio->bi_status)
		bootsan_scsi_set_io_error(req, req->action == SCSI_ACT_WRITE,
					  blk_status_to_errno(bio->bi_status));
	bio_put(bio);
	account(cmd, req, req->status != SCSI_STATUS_GOOD);
	cmd->ops->queue_response(cmd);
}

/*
 * READ and WRITE of a LUN whose backend submits bios, the way nvmet does
 * it: the bios go out from io_work and their completion hands the command
 * back, so no worker waits for the device (and a device that completes at
 * once, like a RAM disk, costs no hand-off at all). False when it must run
 * the usual way.
 */
static bool cmd_submit_bios(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;
	u64 pos = req->lba * l->block_size;
	bool write = req->action == SCSI_ACT_WRITE;
	u32 len;
	int ret;

	if (!l->ops->submit || (req->action != SCSI_ACT_READ && !write))
		return false;
	if (write) {
		/* Only whole blocks of what the initiator sent (iSCSI EDTL < SCSI TL). */
		len = round_down(dout_usable(cmd), l->block_size);
	} else {
		len = req->nr_blocks * l->block_size;
		if (bootsan_buf_alloc(&cmd->buf, len))
			return false;	/* cmd_run() answers it: resources exhausted */
	}
	if (!len)
		return false;
	cmd->xfer_len = len;
	ret = l->ops->submit(l, &cmd->buf, pos, len, write, req->fua, cmd_bio_done, cmd);
	if (ret) {
		bootsan_scsi_set_io_error(req, write, ret);
		account(cmd, req, true);
		cmd->ops->queue_response(cmd);
	}
	return true;
}

/*
 * Run a command whose data-out (if any) has all arrived; it is the core's
 * until it goes back through cmd->ops->queue_response. I/O runs as its
 * own work item (or as bios) so that io_work goes on receiving; anything
 * else (emulated commands, reservations, failures) runs here and is
 * handed back before this returns.
 */
void bootsan_scsi_execute(struct bootsan_scsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;

	if (!cmd->lun || req->status != SCSI_STATUS_GOOD)
		req->action = SCSI_ACT_DONE;
	/* A LUN whose write cache is off (WCE=0) writes every block through. */
	if ((req->action == SCSI_ACT_WRITE || req->action == SCSI_ACT_COMPARE_AND_WRITE) &&
	    !READ_ONCE(cmd->lun->write_cache))
		req->fua = true;
	if (req->action != SCSI_ACT_DONE && cmd_submit_bios(cmd))
		return;
	if (cmd_may_sleep(cmd)) {
		INIT_WORK(&cmd->work, cmd_io_work);
		queue_work(bootsan_io_wq, &cmd->work);
		return;
	}
	cmd_run(cmd);
	cmd->ops->queue_response(cmd);
}
