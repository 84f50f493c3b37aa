// SPDX-License-Identifier: GPL-2.0
/* Overlays, golden images and their versions; see overlays.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lib/bootsand.h"
#include "image_file.h"
#include "images.h"
#include "kernel.h"
#include "kernel_nl.h"
#include "lib/log.h"
#include "lib/util.h"
#include "overlays.h"
#include "store/store.h"

int images_dir_sync(struct bsd *d)
{
	int fd = open(d->images_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

/* Append @name to the list in @out ("a, b"), "..." once it is full. */
static void list_add(char *out, size_t size, const char *name)
{
	size_t len = strlen(out);

	if (len >= size - 4 || (len && !strcmp(out + len - 3, "...")))
		return;
	if ((size_t)snprintf(out + len, size - len, "%s%s", len ? ", " : "", name) >= size - len)
		snprintf(out + size - 4, 4, "...");
}

int golden_users(struct bsd *d, const char *golden, uint32_t version, char *out, size_t size)
{
	struct store_image *v = NULL;
	size_t n = 0;
	int count = 0, err = store_image_list(d->store, &v, &n);

	out[0] = '\0';
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].golden, golden) || (version && v[i].golden_version != version))
			continue;
		count++;
		list_add(out, size, v[i].name);
	}
	free(v);
	return count;
}

bool golden_in_use(struct bsd *d, const struct store_image *im)
{
	int64_t n = 0;

	return !store_image_overlay_count(d->store, im->name, im->version ? im->version : 1, &n) &&
	       n > 0;
}

uint32_t image_sessions(struct bsd *d, const char *name, char *target, size_t size)
{
	struct store_lun *ls = NULL;
	uint32_t total = 0;
	size_t n = 0;

	target[0] = '\0';
	if (!knl_available() || store_lun_list(d->store, NULL, &ls, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = 0;

		if (strcmp(ls[i].image, name) || knl_target_sessions(ls[i].target, &c) || !c)
			continue;
		if (!target[0])
			snprintf(target, size, "%s", ls[i].target);
		total += c;
	}
	free(ls);
	return total;
}

/*
 * The LUNs on @golden that write it (their target is not read-only):
 * "LUN 0 of iqn..." in @why, and true, when there is one.
 */
static bool served_read_write(struct bsd *d, const char *golden, char *why, size_t whylen)
{
	struct store_lun *ls = NULL;
	size_t n = 0;
	bool found = false;

	if (store_lun_list(d->store, NULL, &ls, &n))
		return false;
	for (size_t i = 0; i < n && !found; i++) {
		struct store_target t;

		if (strcmp(ls[i].image, golden) || store_target_get(d->store, ls[i].target, &t))
			continue;
		if (!t.read_only) {
			snprintf(why, whylen, "image '%s' is served read-write by LUN %u of %s: "
				 "a golden must not change under its overlays (make that target "
				 "read_only, or remove the LUN)", golden, ls[i].lun, ls[i].target);
			found = true;
		}
		explicit_bzero(&t, sizeof(t));
	}
	free(ls);
	return found;
}

/*
 * <golden>@<version>.img, a hard link to <golden>.img (its current
 * version): made if missing. A link by that name to another file is left
 * from a golden deleted and made again: replaced when no overlay uses it.
 */
static int link_version(struct bsd *d, const char *golden, uint32_t version)
{
	char cur[PATH_MAX], ver[PATH_MAX];
	struct stat a, b;
	int64_t users = 0;
	int err;

	err = image_path(d, golden, cur, sizeof(cur)) ?:
	      golden_version_path(d, golden, version, ver, sizeof(ver));
	if (err)
		return err;
	if (stat(cur, &a))
		return -errno;
	if (!stat(ver, &b)) {
		if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return 0;
		err = store_image_overlay_count(d->store, golden, version, &users);
		if (err)
			return err;
		if (users) {
			log_err("image %s: %s is not its version %u, and overlays use it", golden,
				ver, version);
			return -EIO;
		}
		unlink(ver);
	}
	if (link(cur, ver))
		return -errno;
	return images_dir_sync(d);
}

/* A new sparse delta of @size bytes at @path (whatever was there goes). */
static int make_delta(const char *path, uint64_t size)
{
	int fd, err = 0;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) || fsync(fd))
		err = -errno;
	close(fd);
	if (err)
		unlink(path);
	return err;
}

int overlay_create(struct bsd *d, const char *name, const char *golden,
		   struct store_image *out, char *why, size_t whylen)
{
	struct store_image g, im = {};
	char delta[PATH_MAX];
	int err;

	why[0] = '\0';
	err = overlay_delta_path(d, name, delta, sizeof(delta));
	if (err)
		return err;
	if (!name_valid(golden))
		return -ENOENT;
	pthread_mutex_lock(&image_names_lock);
	err = store_image_get(d->store, golden, &g);
	if (!err && g.golden[0])
		err = -EMEDIUMTYPE;
	else if (!err && strcmp(g.state, "ready"))
		err = -EBUSY;
	else if (!err && image_missing(d, &g))
		err = -ENODATA;
	else if (!err && served_read_write(d, golden, why, whylen))
		err = -ETXTBSY;
	if (!err) {
		err = store_image_get(d->store, name, &im);
		err = err == -ENOENT ? 0 : err ?: -EEXIST;
	}
	if (!g.version)
		g.version = 1;
	if (!err)
		err = link_version(d, golden, g.version);
	if (!err)
		err = make_delta(delta, g.size_bytes);
	if (err)
		goto out;
	memset(&im, 0, sizeof(im));
	snprintf(im.name, sizeof(im.name), "%s", name);
	snprintf(im.state, sizeof(im.state), "ready");
	snprintf(im.golden, sizeof(im.golden), "%s", golden);
	im.golden_version = g.version;
	im.size_bytes = g.size_bytes;
	err = images_dir_sync(d) ?: store_image_create(d->store, &im);
	if (err) {
		unlink(delta);
		golden_versions_gc(d, golden);
		goto out;
	}
	log_info("image %s: an overlay of %s version %u", name, golden, g.version);
	if (store_image_get(d->store, name, out))
		*out = im;
out:
	pthread_mutex_unlock(&image_names_lock);
	return err;
}

/* @from's file becomes @golden's: the rename an update is made of. */
static int move_version(struct bsd *d, const char *golden, const char *from)
{
	char src[PATH_MAX], dst[PATH_MAX];
	int err = image_path(d, from, src, sizeof(src)) ?: image_path(d, golden, dst, sizeof(dst));

	if (err)
		return err;
	if (rename(src, dst))
		return -errno;
	return images_dir_sync(d);
}

int golden_update(struct bsd *d, const char *golden, const char *from,
		  struct store_image *out, char *why, size_t whylen)
{
	struct store_image g, f;
	struct store_image_version v = {};
	int64_t luns = 0, overlays = 0;
	int err;

	why[0] = '\0';
	if (!name_valid(golden))
		return -ENOENT;
	if (!name_valid(from))
		return -ENXIO;
	if (!strcmp(golden, from))
		return -EINVAL;
	pthread_mutex_lock(&image_names_lock);
	err = store_image_get(d->store, golden, &g);
	if (!err) {
		err = store_image_get(d->store, from, &f);
		if (err == -ENOENT)
			err = -ENXIO;
	}
	if (!err && (g.golden[0] || f.golden[0])) {
		snprintf(why, whylen, "image '%s' is an overlay", g.golden[0] ? golden : from);
		err = -EMEDIUMTYPE;
	}
	if (!err && (strcmp(g.state, "ready") || strcmp(f.state, "ready"))) {
		snprintf(why, whylen, "image '%s' is still being cloned",
			 strcmp(g.state, "ready") ? golden : from);
		err = -EBUSY;
	}
	if (!err && (image_missing(d, &g) || image_missing(d, &f))) {
		snprintf(why, whylen, "image '%s' is missing: its file is gone",
			 image_missing(d, &g) ? golden : from);
		err = -ENODATA;
	}
	/* A LUN on either would go on serving the file it opened. */
	if (!err)
		err = store_image_lun_count(d->store, golden, &luns);
	if (!err && luns) {
		snprintf(why, whylen, "image '%s' is served by %lld LUN(s) of its own: remove "
			 "them first (its overlays keep their version)", golden, (long long)luns);
		err = -EBUSY;
	}
	if (!err)
		err = store_image_lun_count(d->store, from, &luns);
	if (!err && luns) {
		snprintf(why, whylen, "image '%s' is served by %lld LUN(s): remove them first",
			 from, (long long)luns);
		err = -EBUSY;
	}
	if (!err)
		err = store_image_overlay_count(d->store, from, 0, &overlays);
	if (!err && overlays) {
		snprintf(why, whylen, "image '%s' is the golden of overlays itself", from);
		err = -EBUSY;
	}
	if (err)
		goto out;
	/* The new version, the source's row gone, and the journal row: one step. */
	snprintf(v.image, sizeof(v.image), "%s", golden);
	snprintf(v.source, sizeof(v.source), "%s", from);
	v.version = (g.version ? g.version : 1) + 1;
	v.size_bytes = f.size_bytes;
	v.pending = true;
	g.version = v.version;
	g.size_bytes = f.size_bytes;
	err = store_tx_begin(d->store);
	if (err)
		goto out;
	err = store_image_version_add(d->store, &v) ?: store_image_delete(d->store, from) ?:
	      store_image_update(d->store, &g);
	if (err) {
		store_tx_rollback(d->store);
		goto out;
	}
	err = store_tx_commit(d->store);
	if (err)
		goto out;
	/* Committed: from here on only a finish, at once or at the next start. */
	err = move_version(d, golden, from);
	if (err) {
		log_err("image %s: moving %s in as version %u: %s (retried at the next start)",
			golden, from, v.version, strerror(-err));
		snprintf(why, whylen, "moving the file of '%s': %s", from, strerror(-err));
		goto out;
	}
	store_image_version_done(d->store, golden, v.version);
	golden_versions_gc(d, golden);
	log_info("image %s: version %u, from image %s", golden, v.version, from);
	if (store_image_get(d->store, golden, out))
		*out = g;
out:
	pthread_mutex_unlock(&image_names_lock);
	return err;
}

int overlay_reset(struct bsd *d, const char *name, bool force, struct store_image *out,
		  char *why, size_t whylen)
{
	struct store_image im, g = {};
	char delta[PATH_MAX], fresh[PATH_MAX], target[256];
	uint32_t sessions;
	uint64_t size;
	int err;

	why[0] = '\0';
	err = overlay_delta_path(d, name, delta, sizeof(delta));
	if (err)
		return err == -EINVAL ? -ENOENT : err;
	snprintf(fresh, sizeof(fresh), "%.*s.reset", (int)(strlen(delta) - strlen(".delta")),
		 delta);
	pthread_mutex_lock(&image_names_lock);
	err = store_image_get(d->store, name, &im);
	if (!err && !im.golden[0])
		err = -EMEDIUMTYPE;
	if (!err && strcmp(im.state, "ready")) {
		snprintf(why, whylen, "image '%s' is being flattened", name);
		err = -EBUSY;
	}
	if (!err)
		err = store_image_get(d->store, im.golden, &g);
	if (!err && (strcmp(g.state, "ready") || image_missing(d, &g))) {
		snprintf(why, whylen, "its golden '%s' is %s", g.name,
			 strcmp(g.state, "ready") ? "not ready" : "missing");
		err = -EBUSY;
	}
	if (!err && !force && (sessions = image_sessions(d, name, target, sizeof(target)))) {
		snprintf(why, whylen, "image '%s' is in use: %u iSCSI session(s) of %s; stop the "
			 "machine, or reset with force", name, sessions, target);
		err = -EBUSY;
	}
	if (!g.version)
		g.version = 1;
	if (!err && served_read_write(d, g.name, why, whylen))
		err = -ETXTBSY;
	if (!err)
		err = link_version(d, g.name, g.version);
	/* Of either size: a delta at least as large as its golden, whichever row holds. */
	size = g.size_bytes > im.size_bytes ? g.size_bytes : im.size_bytes;
	if (!err)
		err = make_delta(fresh, size);
	if (err)
		goto out;
	/*
	 * Its LUNs out of the kernel while the delta is swapped: one left
	 * would go on serving the old file. The new file before the row that
	 * says which version it is over: a crash between them leaves an empty
	 * delta over the old version, a clean disk too.
	 */
	if (d->kernel)
		kernel_lock(d);
	if (d->kernel)
		kernel_withhold_locked(d, name);
	if (rename(fresh, delta)) {
		err = -errno;
		unlink(fresh);
	}
	if (!err)
		err = images_dir_sync(d);
	if (!err) {
		im.golden_version = g.version;
		im.size_bytes = g.size_bytes;
		err = store_image_update(d->store, &im);
	}
	if (d->kernel) {
		kernel_withhold_locked(d, NULL);
		kernel_unlock(d);
	}
	if (err)
		goto out;
	golden_versions_gc(d, g.name);
	log_info("image %s: reset to %s version %u", name, g.name, g.version);
	if (store_image_get(d->store, name, out))
		*out = im;
out:
	pthread_mutex_unlock(&image_names_lock);
	return err;
}

/*
 * "<golden>@<N>.img" -> @golden and *@version; false for any other name.
 * Image names have no '@', so no image's own file matches.
 */
static bool version_file(const char *file, char *golden, size_t size, uint32_t *version)
{
	const char *at = strchr(file, '@'), *end;
	char *stop;
	unsigned long v;

	if (!at || (size_t)(at - file) >= size)
		return false;
	end = file + strlen(file);
	if (end - at < 6 || strcmp(end - 4, ".img") || at[1] < '1' || at[1] > '9')
		return false;
	errno = 0;
	v = strtoul(at + 1, &stop, 10);
	if (errno || stop != end - 4 || v > INT32_MAX)
		return false;
	memcpy(golden, file, (size_t)(at - file));
	golden[at - file] = '\0';
	*version = (uint32_t)v;
	return name_valid(golden);
}

/* The name before @suffix, when @file ends in it and the rest is a name. */
static bool file_of(const char *file, const char *suffix, char *name, size_t size)
{
	size_t n = strlen(file), k = strlen(suffix);

	if (n <= k || n - k >= size || strcmp(file + n - k, suffix))
		return false;
	memcpy(name, file, n - k);
	name[n - k] = '\0';
	return name_valid(name);
}

/* Remove @file of the images' directory, saying why. */
static void remove_file(struct bsd *d, const char *file, const char *why)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", d->images_dir, file) >= sizeof(path))
		return;
	if (unlink(path) == 0)
		log_info("images: removed %s: %s", path, why);
}

/*
 * One pass over the images' directory: version links of @golden (NULL:
 * any) no overlay uses; with @all also deltas no overlay owns and the
 * reset deltas a crash left.
 */
static void sweep(struct bsd *d, const char *golden, bool all)
{
	char name[STORE_NAME_SIZE];
	struct store_image im;
	struct dirent *e;
	uint32_t version;
	int64_t users;
	DIR *dir = opendir(d->images_dir);

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (version_file(e->d_name, name, sizeof(name), &version)) {
			if ((golden && strcmp(name, golden)) ||
			    store_image_overlay_count(d->store, name, version, &users) || users)
				continue;
			remove_file(d, e->d_name, "no overlay uses that version");
		} else if (all && file_of(e->d_name, ".delta", name, sizeof(name))) {
			int err = store_image_get(d->store, name, &im);

			if (err == -ENOENT || (!err && !im.golden[0]))
				remove_file(d, e->d_name, "no overlay of that name");
		} else if (all && file_of(e->d_name, ".reset", name, sizeof(name))) {
			remove_file(d, e->d_name, "a reset cut short");
		}
	}
	closedir(dir);
}

void golden_versions_gc(struct bsd *d, const char *golden)
{
	sweep(d, golden, false);
}

void overlays_recover(struct bsd *d)
{
	struct store_image_version *v = NULL;
	size_t n = 0;

	/* Updates committed but not moved in: the source's file is still there. */
	if (!store_image_version_list(d->store, NULL, &v, &n)) {
		for (size_t i = 0; i < n; i++) {
			char src[PATH_MAX];
			struct stat st;
			int err = 0;

			if (!image_path(d, v[i].source, src, sizeof(src)) && !stat(src, &st))
				err = move_version(d, v[i].image, v[i].source);
			if (err) {
				log_err("image %s: finishing its update to version %u: %s",
					v[i].image, v[i].version, strerror(-err));
				continue;
			}
			log_warn("image %s: its update to version %u (from %s) was cut short; "
				 "finished", v[i].image, v[i].version, v[i].source);
			store_image_version_done(d->store, v[i].image, v[i].version);
		}
		free(v);
	}
	sweep(d, NULL, true);
}
