// SPDX-License-Identifier: GPL-2.0
/* Disk images and clone jobs; see images.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "lib/bootsand.h"
#include "image_file.h"
#include "images.h"
#include "kernel.h"
#include "overlay_merge.h"
#include "overlays.h"
#include "lib/log.h"
#include "store/store.h"
#include "lib/util.h"

#define COPY_CHUNK (1024 * 1024)

/*
 * Create, clone, resize and delete of an image change a row and a file:
 * each holds this from its first look at the row to the last change of
 * either, so no other sees a row without its file or a file without its
 * row (a create racing a delete of one name, two clones of one name).
 */
pthread_mutex_t image_names_lock = PTHREAD_MUTEX_INITIALIZER;
#define names_lock image_names_lock

/*
 * A file where no image row is: left by a crash between a delete's row
 * and its unlink. The caller holds names_lock and has just made the row,
 * so no LUN can use the file: it goes.
 */
static void remove_leftover(const char *name, const char *path)
{
	if (unlink(path) == 0)
		log_warn("image %s: removed a file no image owned: %s", name, path);
}

int image_create(struct bsd *d, const char *name, uint64_t size, struct store_image *out)
{
	struct store_image im = { .size_bytes = size };
	char path[PATH_MAX];
	int fd, err;

	if (!image_size_valid(size))
		return -EINVAL;
	err = image_path(d, name, path, sizeof(path));
	if (err)
		return err;
	snprintf(im.name, sizeof(im.name), "%s", name);
	snprintf(im.state, sizeof(im.state), "ready");
	pthread_mutex_lock(&names_lock);
	err = store_image_create(d->store, &im);
	if (err)
		goto out;
	remove_leftover(name, path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size) || fsync(fd)) {
		err = -errno;
		if (err != -EFBIG)	/* the caller's error: bigger than this file system takes */
			log_err("image %s: %s: %s", name, path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		store_image_delete(d->store, name);
		goto out;
	}
	close(fd);
	log_info("image %s created (%llu bytes)", name, (unsigned long long)size);
	/* As made: a delete may take it once the lock is let go. */
	if (store_image_get(d->store, name, out))
		*out = im;
out:
	pthread_mutex_unlock(&names_lock);
	return err;
}

int image_resize(struct bsd *d, const char *name, uint64_t size)
{
	struct store_image im;
	char path[PATH_MAX];
	int err;

	err = image_path(d, name, path, sizeof(path));
	if (err)
		return err;
	pthread_mutex_lock(&names_lock);
	err = store_image_get(d->store, name, &im);
	if (!err && strcmp(im.state, "ready"))
		err = -EBUSY;
	else if (!err && im.golden[0])
		err = -EMEDIUMTYPE;	/* its golden's size, which does not change */
	else if (!err && (!image_size_valid(size) || size < im.size_bytes))
		err = -EINVAL;
	else if (!err && image_missing(d, &im))
		err = -ENODATA;	/* truncate() would not make it again */
	else if (!err && size != im.size_bytes && golden_in_use(d, &im))
		err = -ETXTBSY;
	if (err || size == im.size_bytes) {
		pthread_mutex_unlock(&names_lock);
		return err;
	}
	if (truncate(path, (off_t)size))
		err = -errno;
	im.size_bytes = size;
	if (!err)
		err = store_image_update(d->store, &im);
	pthread_mutex_unlock(&names_lock);
	if (err)
		return err;
	log_info("image %s grown to %llu bytes", name, (unsigned long long)size);
	err = kernel_sync(d);
	if (err)
		log_warn("image %s: telling the kernel about the new size: %s", name,
			 strerror(-err));
	return 0;
}

/*
 * The LUNs on missing image @name go with it: they serve nothing (they are
 * not exported) and would keep the row. *@dropped is set when one was
 * removed. The caller holds names_lock and has a transaction open: a LUN
 * that cannot go fails it.
 */
static int drop_missing_luns(struct bsd *d, const char *name, bool *dropped)
{
	struct store_lun *ls = NULL;
	size_t n = 0;
	int err = store_lun_list(d->store, NULL, &ls, &n);

	for (size_t i = 0; !err && i < n; i++) {
		if (strcmp(ls[i].image, name))
			continue;
		log_warn("image %s: its file is missing: removing LUN %u of %s with it", name,
			 ls[i].lun, ls[i].target);
		err = store_lun_delete(d->store, ls[i].target, ls[i].lun);
		if (!err)
			*dropped = true;
	}
	free(ls);
	return err;
}

int image_delete(struct bsd *d, const char *name)
{
	struct store_image im;
	char path[PATH_MAX];
	int64_t luns = 0;
	bool dropped = false;
	int err;

	err = image_path(d, name, path, sizeof(path));
	if (err)
		return err;
	pthread_mutex_lock(&names_lock);
	err = store_tx_begin(d->store);
	if (err) {
		pthread_mutex_unlock(&names_lock);
		return err;
	}
	/* A missing image's LUNs and its record: all or none. */
	err = store_image_get(d->store, name, &im);
	if (!err && strcmp(im.state, "ready"))
		err = -EBUSY;
	if (!err && im.golden[0])
		err = overlay_delta_path(d, name, path, sizeof(path));
	if (!err && image_missing(d, &im))
		err = drop_missing_luns(d, name, &dropped);
	if (!err)
		err = store_image_lun_count(d->store, name, &luns);
	if (!err && luns)
		err = -EBUSY;
	if (!err)
		err = store_image_delete(d->store, name);
	if (err) {
		store_tx_rollback(d->store);
		dropped = false;
	} else {
		err = store_tx_commit(d->store);
	}
	if (!err && unlink(path) && errno != ENOENT)
		log_warn("image %s: removing %s: %s", name, path, strerror(errno));
	/* The version its overlay used, or the versions of a golden without overlays. */
	if (!err)
		golden_versions_gc(d, im.golden[0] ? im.golden : name);
	pthread_mutex_unlock(&names_lock);
	if (dropped)
		kernel_sync(d);
	if (!err)
		log_info("image %s deleted", name);
	return err;
}

/* ---- copying ---- */

static bool all_zero(const char *b, size_t n)
{
	static const char zero[4096];

	while (n) {
		size_t k = n < sizeof(zero) ? n : sizeof(zero);

		if (memcmp(b, zero, k))
			return false;
		b += k;
		n -= k;
	}
	return true;
}

int image_sparse_copy(int src, int dst, uint64_t size,
		      int (*progress)(uint64_t done, void *arg), void *arg)
{
	char *buf;
	uint64_t off = 0;
	bool seek = true;
	int err = 0;

	if (ftruncate(dst, 0) || ftruncate(dst, (off_t)size))
		return -errno;
	buf = malloc(COPY_CHUNK);
	if (!buf)
		return -ENOMEM;
	while (off < size) {
		uint64_t data = off, hole = size;
		off_t r;

		if (seek) {
			r = lseek(src, (off_t)off, SEEK_DATA);
			if (r < 0 && errno == ENXIO)
				break;			/* only a hole is left */
			if (r < 0 && errno == EINVAL) {
				seek = false;		/* no SEEK_DATA here: copy it all */
			} else if (r < 0) {
				err = -errno;
				break;
			} else {
				data = (uint64_t)r;
				r = lseek(src, r, SEEK_HOLE);
				if (r < 0) {
					err = -errno;
					break;
				}
				hole = (uint64_t)r;
			}
		}
		if (hole > size)
			hole = size;
		for (off = data; off < hole;) {
			size_t n = hole - off < COPY_CHUNK ? (size_t)(hole - off) : COPY_CHUNK;
			ssize_t got = pread(src, buf, n, (off_t)off);

			if (got < 0) {
				if (errno == EINTR)
					continue;
				err = -errno;
				goto out;
			}
			if (got == 0) {
				off = size;	/* the source shrank */
				break;
			}
			if (!all_zero(buf, (size_t)got)) {
				for (ssize_t w = 0; w < got;) {
					ssize_t k = pwrite(dst, buf + w, (size_t)(got - w),
							   (off_t)off + w);

					if (k < 0) {
						if (errno == EINTR)
							continue;
						err = -errno;
						goto out;
					}
					w += k;
				}
			}
			off += (uint64_t)got;
			if (progress && progress(off, arg)) {
				err = -ECANCELED;
				goto out;
			}
		}
		if (!seek)
			break;
		off = hole;
	}
out:
	free(buf);
	if (!err && fsync(dst))
		err = -errno;
	return err;
}

/* ---- clone and flatten jobs ---- */

struct clone_job {
	struct bsd *d;
	int64_t id;
	char name[STORE_NAME_SIZE];
	char from[STORE_NAME_SIZE];	/* a clone's source; "" for a flatten */
	bool flatten;		/* overlay @name made an ordinary image in place */
	uint64_t size;
	int last_pct;
	int phase, phases;	/* progress: this copy of so many (an overlay: 2) */
	uint64_t ticket;	/* its place in the queue */
};

static int clone_progress(uint64_t done, void *arg)
{
	struct clone_job *j = arg;
	uint64_t all = j->size * (uint64_t)j->phases;
	int pct = all ? (int)((j->size * (uint64_t)j->phase + done) * 100 / all) : 100;
	bool stop;

	if (pct > 99)
		pct = 99;	/* 100 is for done */
	if (pct != j->last_pct) {
		j->last_pct = pct;
		store_job_update(j->d->store, j->id, "running", pct, NULL);
	}
	pthread_mutex_lock(&j->d->jobs_lock);
	stop = j->d->stopping;
	pthread_mutex_unlock(&j->d->jobs_lock);
	return stop;
}

/*
 * What image @src holds, into @dst (new and empty): its file, reflinked
 * when the file system can, else copied keeping holes; an overlay's is
 * its version of the golden with the chunks it wrote laid over.
 */
static int copy_content(struct clone_job *j, const struct store_image *src, int dst,
			char *why, size_t whylen)
{
	char path[PATH_MAX], delta_path[PATH_MAX];
	bool overlay = src->golden[0];
	int fd, delta = -1, err;

	err = overlay ? golden_version_path(j->d, src->golden, src->golden_version, path,
					    sizeof(path)) ?:
			overlay_delta_path(j->d, src->name, delta_path, sizeof(delta_path)) :
			image_path(j->d, src->name, path, sizeof(path));
	if (err) {
		snprintf(why, whylen, "bad image name");
		return err;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && overlay)
		delta = open(delta_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (overlay && delta < 0)) {
		err = -errno;
		snprintf(why, whylen, "opening %.160s: %s", fd < 0 ? path : delta_path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	j->phase = 0;
	j->phases = overlay ? 2 : 1;
	if (ioctl(dst, FICLONE, fd) == 0) {
		log_info("job %lld: %s reflinked from %s", (long long)j->id, j->name, path);
	} else {
		log_debug("job %lld: no reflink (%s), copying", (long long)j->id,
			  strerror(errno));
		err = image_sparse_copy(fd, dst, j->size, clone_progress, j);
	}
	if (!err && overlay) {
		j->phase = 1;
		err = overlay_apply_delta(delta, dst, j->size, clone_progress, j);
	}
	if (err == -ECANCELED)
		snprintf(why, whylen, "interrupted: bootsand is stopping");
	else if (err)
		snprintf(why, whylen, "copying %s to %s: %s", src->name, j->name, strerror(-err));
	close(fd);
	if (delta >= 0)
		close(delta);
	return err;
}

/* The clone, or the flatten, into <name>.img: made here, removed on failure. */
static int clone_run(struct clone_job *j, char *why, size_t whylen)
{
	char dst_path[PATH_MAX];
	struct store_image src;
	int dst, err;

	if (image_path(j->d, j->name, dst_path, sizeof(dst_path))) {
		snprintf(why, whylen, "bad image name");
		return -EINVAL;
	}
	err = store_image_get(j->d->store, j->flatten ? j->name : j->from, &src);
	if (err) {
		snprintf(why, whylen, "reading image %s: %s", j->flatten ? j->name : j->from,
			 strerror(-err));
		return err;
	}
	/* An overlay has no <name>.img of its own: one there is left from a crash. */
	if (j->flatten)
		unlink(dst_path);
	dst = open(dst_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (dst < 0) {
		err = -errno;
		snprintf(why, whylen, "creating image %s: %s", j->name, strerror(errno));
		return err;
	}
	err = copy_content(j, &src, dst, why, whylen);
	if (close(dst) && !err) {
		err = -errno;
		snprintf(why, whylen, "closing %s: %s", j->name, strerror(errno));
	}
	if (err)
		unlink(dst_path);
	return err;
}

/*
 * A clone that will not finish (it failed, bootsand stopped, or a start
 * finds it half-made) must not leave a machine waiting for it forever, nor
 * an image that cannot be deleted: a client provisioned onto it goes with
 * its target (its next boot provisions it afresh), any other LUN on it is
 * removed (a client made through the API keeps its record and needs the
 * image made again), then the row and the file. The caller holds
 * names_lock.
 */
static void abandon(struct bsd *d, const char *name)
{
	struct store_client *cs = NULL;
	struct store_lun *ls = NULL;
	char path[PATH_MAX];
	size_t n = 0;
	bool changed = false;
	int err;

	if (!store_client_list(d->store, &cs, &n)) {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(cs[i].image, name))
				continue;
			if (!strcmp(cs[i].origin, "provision")) {
				log_warn("image %s: removing client %s, provisioned onto it: its "
					 "next boot provisions it again", name, cs[i].name);
				if (d->forget_client)
					d->forget_client(d, cs[i].name);
			} else {
				log_warn("image %s: client %s keeps naming it: make the image "
					 "again for it", name, cs[i].name);
			}
		}
		free(cs);
	}
	/* The LUNs on it and its record: all or none (a next start tries again). */
	err = store_tx_begin(d->store);
	if (!err)
		err = store_lun_list(d->store, NULL, &ls, &n);
	for (size_t i = 0; !err && i < n; i++) {
		if (strcmp(ls[i].image, name))
			continue;
		log_warn("image %s: removing LUN %u of %s, which used it", name, ls[i].lun,
			 ls[i].target);
		err = store_lun_delete(d->store, ls[i].target, ls[i].lun);
		if (!err)
			changed = true;
	}
	free(ls);
	if (!err) {
		err = store_image_delete(d->store, name);
		if (err == -ENOENT)
			err = 0;
	}
	if (err) {
		log_err("image %s: removing its record and the LUNs on it: %s", name,
			strerror(-err));
		store_tx_rollback(d->store);
		changed = false;
	} else {
		err = store_tx_commit(d->store);
	}
	if (changed && !err)
		kernel_sync(d);
	/* Half-made: its file is of no use whatever became of the record. */
	if (!image_path(d, name, path, sizeof(path)))
		unlink(path);
}


/*
 * A flatten that will not finish: overlay @name is served again as it
 * was (its delta was only read), the partial <name>.img goes. The caller
 * holds names_lock; a kernel_sync() after puts its LUNs back.
 */
static void flatten_undo(struct bsd *d, const char *name)
{
	struct store_image im;
	char path[PATH_MAX];

	if (!image_path(d, name, path, sizeof(path)))
		unlink(path);
	if (store_image_get(d->store, name, &im))
		return;
	snprintf(im.state, sizeof(im.state), "ready");
	im.job = 0;
	if (store_image_update(d->store, &im))
		log_err("image %s: recording it an overlay again failed", name);
}

/*
 * The flattened copy is on disk (fsynced): the row says ordinary image,
 * then the delta goes, and the golden's version with it if it was the
 * last overlay of it. The caller holds names_lock.
 */
static int flatten_finish(struct clone_job *j, char *why, size_t whylen)
{
	struct store_image im;
	char golden[STORE_NAME_SIZE], delta[PATH_MAX];
	int err = images_dir_sync(j->d) ?: store_image_get(j->d->store, j->name, &im);

	if (!err) {
		snprintf(golden, sizeof(golden), "%s", im.golden);
		im.golden[0] = '\0';
		im.golden_version = 0;
		snprintf(im.state, sizeof(im.state), "ready");
		im.job = 0;
		err = store_image_update(j->d->store, &im);
	}
	if (err) {
		snprintf(why, whylen, "recording image %s: %s", j->name, strerror(-err));
		return err;
	}
	if (!overlay_delta_path(j->d, j->name, delta, sizeof(delta)) && unlink(delta))
		log_warn("image %s: removing its delta %s: %s (removed at the next start)",
			 j->name, delta, strerror(errno));
	golden_versions_gc(j->d, golden);
	return 0;
}

static void *clone_thread(void *arg)
{
	struct clone_job *j = arg;
	struct bsd *d = j->d;
	struct store_image im;
	char why[256] = "";
	bool stopping;
	int err;

	/* Wait for a copy slot; jobs_cond is signalled when one frees. */
	pthread_mutex_lock(&d->jobs_lock);
	while (!d->stopping && (d->clones_copying >= d->clones_max ||
				j->ticket != d->clones_serving))
		pthread_cond_wait(&d->jobs_cond, &d->jobs_lock);
	if (!d->stopping) {
		d->clones_copying++;
		d->clones_serving++;
		pthread_cond_broadcast(&d->jobs_cond);
	}
	stopping = d->stopping;
	pthread_mutex_unlock(&d->jobs_lock);
	if (stopping) {
		snprintf(why, sizeof(why), "interrupted: bootsand is stopping");
		err = -ECANCELED;
	} else {
		store_job_update(d->store, j->id, "running", 0, NULL);
		err = clone_run(j, why, sizeof(why));
	}
	pthread_mutex_lock(&names_lock);
	if (!err && j->flatten) {
		err = flatten_finish(j, why, sizeof(why));
	} else if (!err && !store_image_get(d->store, j->name, &im)) {
		snprintf(im.state, sizeof(im.state), "ready");
		im.job = 0;
		err = store_image_update(d->store, &im);
		if (err)
			snprintf(why, sizeof(why), "recording image %s: %s", j->name,
				 strerror(-err));
	}
	if (err && j->flatten) {
		log_err("job %lld: flatten of %s failed: %s; it stays an overlay",
			(long long)j->id, j->name, why);
		flatten_undo(d, j->name);
	} else if (err) {
		log_err("job %lld: clone %s from %s failed: %s", (long long)j->id, j->name,
			j->from, why);
		abandon(d, j->name);
	}
	pthread_mutex_unlock(&names_lock);
	/*
	 * Its LUNs into the kernel: a clone's were withheld while it was
	 * copied (san/kernel.c), a flatten's are on the new image or the
	 * overlay again; an abandoned clone's are gone.
	 */
	kernel_sync(d);
	if (err) {
		store_job_update(d->store, j->id, "failed", j->last_pct < 0 ? 0 : j->last_pct,
				 why);
	} else {
		if (j->flatten)
			log_info("job %lld: overlay %s flattened into an ordinary image",
				 (long long)j->id, j->name);
		else
			log_info("job %lld: image %s cloned from %s", (long long)j->id, j->name,
				 j->from);
		store_job_update(d->store, j->id, "done", 100, NULL);
	}
	/*
	 * The copy slot frees only once the job's end is recorded: freed
	 * earlier, the next job shows "running" beside this one still shown
	 * "running", and a reader counts more copies than clones_max.
	 */
	pthread_mutex_lock(&d->jobs_lock);
	if (!stopping)
		d->clones_copying--;
	d->jobs_running--;
	pthread_cond_broadcast(&d->jobs_cond);
	pthread_mutex_unlock(&d->jobs_lock);
	free(j);
	return NULL;
}

/* A new job, counted as running; NULL with *err when it cannot be. */
static struct clone_job *job_new(struct bsd *d, int *err)
{
	struct clone_job *j = calloc(1, sizeof(*j));

	*err = -ENOMEM;
	if (!j)
		return NULL;
	j->d = d;
	j->last_pct = -1;
	j->phases = 1;
	pthread_mutex_lock(&d->jobs_lock);
	if (d->stopping) {
		pthread_mutex_unlock(&d->jobs_lock);
		free(j);
		*err = -ESHUTDOWN;
		return NULL;
	}
	d->jobs_running++;
	pthread_mutex_unlock(&d->jobs_lock);
	*err = 0;
	return j;
}

/* A job that never ran: not counted any more. */
static void job_drop(struct clone_job *j)
{
	struct bsd *d = j->d;

	free(j);
	pthread_mutex_lock(&d->jobs_lock);
	d->jobs_running--;
	pthread_cond_broadcast(&d->jobs_cond);
	pthread_mutex_unlock(&d->jobs_lock);
}

/* Its thread, with its ticket in the copy queue. */
static int job_thread(struct clone_job *j)
{
	pthread_attr_t attr;
	pthread_t t;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* The ticket under the lock, so no other job can take one meanwhile. */
	pthread_mutex_lock(&j->d->jobs_lock);
	j->ticket = j->d->clones_next_ticket++;
	err = -pthread_create(&t, &attr, clone_thread, j);
	if (err)
		j->d->clones_next_ticket--;
	pthread_mutex_unlock(&j->d->jobs_lock);
	pthread_attr_destroy(&attr);
	return err;
}

int image_clone_start(struct bsd *d, const char *name, const char *from, int64_t *job)
{
	struct store_image src, im = { 0 };
	struct clone_job *j;
	char path[PATH_MAX];
	int err;

	err = image_path(d, name, path, sizeof(path));
	if (err)
		return err;
	if (!name_valid(from))
		return -ENOENT;
	err = store_image_get(d->store, from, &src);
	if (err)
		return err;
	if (strcmp(src.state, "ready"))
		return -EBUSY;
	if (image_missing(d, &src))
		return -ENODATA;
	j = job_new(d, &err);
	if (!j)
		return err;
	j->size = src.size_bytes;
	snprintf(j->name, sizeof(j->name), "%s", name);
	snprintf(j->from, sizeof(j->from), "%s", from);

	/* The row before the job: a name taken already makes no failed job. */
	pthread_mutex_lock(&names_lock);
	snprintf(im.name, sizeof(im.name), "%s", name);
	snprintf(im.state, sizeof(im.state), "cloning");
	im.size_bytes = src.size_bytes;
	err = store_image_create(d->store, &im);
	if (!err) {
		remove_leftover(name, path);
		err = store_job_create(d->store, "clone", name, &j->id);
		im.job = j->id;
		if (!err)
			err = store_image_update(d->store, &im);
		if (err) {
			if (j->id)
				store_job_update(d->store, j->id, "failed", 0, strerror(-err));
			store_image_delete(d->store, name);
		}
	}
	pthread_mutex_unlock(&names_lock);
	if (err)
		goto fail;
	err = job_thread(j);
	if (err) {
		pthread_mutex_lock(&names_lock);
		store_image_delete(d->store, name);
		pthread_mutex_unlock(&names_lock);
		store_job_update(d->store, j->id, "failed", 0, strerror(-err));
		goto fail;
	}
	*job = j->id;
	log_info("job %lld: cloning image %s from %s", (long long)j->id, name, from);
	return 0;
fail:
	job_drop(j);
	return err;
}

int image_flatten_start(struct bsd *d, const char *name, bool force, int64_t *job,
			char *why, size_t whylen)
{
	struct store_image im;
	struct clone_job *j;
	char target[256];
	uint32_t sessions;
	int err;

	why[0] = '\0';
	if (!name_valid(name))
		return -ENOENT;
	j = job_new(d, &err);
	if (!j)
		return err;
	snprintf(j->name, sizeof(j->name), "%s", name);
	j->flatten = true;
	pthread_mutex_lock(&names_lock);
	err = store_image_get(d->store, name, &im);
	if (!err && !im.golden[0])
		err = -EMEDIUMTYPE;
	else if (!err && strcmp(im.state, "ready"))
		err = -EBUSY;
	else if (!err && image_missing(d, &im))
		err = -ENODATA;
	if (!err && !force && (sessions = image_sessions(d, name, target, sizeof(target)))) {
		snprintf(why, whylen, "image '%s' is in use: %u iSCSI session(s) of %s; stop the "
			 "machine, or flatten with force (its LUNs are taken away while the copy "
			 "runs)", name, sessions, target);
		err = -EBUSY;
	}
	if (!err)
		err = store_job_create(d->store, "flatten", name, &j->id);
	if (!err) {
		/* From here its LUNs stay out of the kernel: the delta must hold still. */
		snprintf(im.state, sizeof(im.state), "flattening");
		im.job = j->id;
		err = store_image_update(d->store, &im);
		if (err)
			store_job_update(d->store, j->id, "failed", 0, strerror(-err));
	}
	j->size = im.size_bytes;
	pthread_mutex_unlock(&names_lock);
	if (err)
		goto fail;
	kernel_sync(d);
	err = job_thread(j);
	if (err) {
		pthread_mutex_lock(&names_lock);
		flatten_undo(d, name);
		pthread_mutex_unlock(&names_lock);
		kernel_sync(d);
		store_job_update(d->store, j->id, "failed", 0, strerror(-err));
		goto fail;
	}
	*job = j->id;
	log_info("job %lld: flattening overlay %s", (long long)j->id, name);
	return 0;
fail:
	job_drop(j);
	return err;
}

void images_recover(struct bsd *d)
{
	struct store_image *v;
	int64_t n = 0;
	size_t cnt;
	bool flattens = false;

	if (store_image_list(d->store, &v, &cnt) == 0) {
		pthread_mutex_lock(&names_lock);
		for (size_t i = 0; i < cnt; i++) {
			char path[PATH_MAX];

			if (!strcmp(v[i].state, "ready") && image_missing(d, &v[i]) &&
			    !image_file_path(d, &v[i], path, sizeof(path)))
				log_warn("image %s: its file %s%s is missing (deleted behind "
					 "bootsand's back?): it is shown as missing and not exported "
					 "to the kernel; DELETE /api/v1/images/%s removes it",
					 v[i].name, path, v[i].golden[0] ? " or its golden's version" :
					 "", v[i].name);
			if (!strcmp(v[i].state, "ready"))
				continue;
			if (!strcmp(v[i].state, "flattening")) {
				log_warn("image %s: its flatten was interrupted by a restart; it "
					 "stays an overlay (flatten it again)", v[i].name);
				flatten_undo(d, v[i].name);
				flattens = true;
				continue;
			}
			log_warn("image %s: its clone was interrupted by a restart; removing it",
				 v[i].name);
			abandon(d, v[i].name);
		}
		overlays_recover(d);
		pthread_mutex_unlock(&names_lock);
		free(v);
	}
	if (store_job_fail_unfinished(d->store, "interrupted: bootsand stopped", &n) == 0 && n)
		log_warn("%lld unfinished job(s) of an earlier run marked failed", (long long)n);
	if (flattens)
		kernel_sync(d);
}

void images_stop_jobs(struct bsd *d)
{
	pthread_mutex_lock(&d->jobs_lock);
	d->stopping = true;
	while (d->jobs_running)
		pthread_cond_wait(&d->jobs_cond, &d->jobs_lock);
	pthread_mutex_unlock(&d->jobs_lock);
}
