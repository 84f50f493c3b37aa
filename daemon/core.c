// SPDX-License-Identifier: GPL-2.0
/* The daemon's state directory, store and token; see bootsand.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "boot/enroll.h"
#include "core.h"
#include "lib/bootsand.h"
#include "san/images.h"
#include "lib/log.h"
#include "store/store.h"
#include "lib/util.h"

void bsd_init(struct bsd *d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->jobs_lock, NULL);
	pthread_cond_init(&d->jobs_cond, NULL);
	d->clones_max = IMAGE_CLONES_MAX;
	d->started_mono = now_mono();
	d->started_wall = now_wall();
	d->forget_client = enroll_forget_client;
}

void bsd_fini(struct bsd *d)
{
	store_close(d->store);
	d->store = NULL;
	pthread_cond_destroy(&d->jobs_cond);
	pthread_mutex_destroy(&d->jobs_lock);
}

/* mkdir -p with @mode for what it creates. */
static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

static int dir_usable(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int e = mkdir_p(path, 0700);

	if (e) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(-e));
		return -1;
	}
	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", path);
		return -1;
	}
	if (access(path, R_OK | W_OK | X_OK)) {
		snprintf(err, errlen, "%s is not writable: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int bsd_open_state(struct bsd *d, const char *state_dir, char *err, size_t errlen)
{
	char db[PATH_MAX + 16], e[512], v[16];
	int rc;

	if (!state_dir[0] || (size_t)snprintf(d->state_dir, sizeof(d->state_dir), "%s",
					      state_dir) >= sizeof(d->state_dir) - 32) {
		snprintf(err, errlen, "state directory path too long or empty");
		return -1;
	}
	if ((size_t)snprintf(d->images_dir, sizeof(d->images_dir), "%s/images",
			     d->state_dir) >= sizeof(d->images_dir))
		return -1;	/* unreachable: checked above */
	if (dir_usable(d->state_dir, e, sizeof(e)) || dir_usable(d->images_dir, e, sizeof(e))) {
		snprintf(err, errlen, "state directory unusable: %s", e);
		return -1;
	}
	snprintf(db, sizeof(db), "%s/bootsand.db", d->state_dir);
	d->store = store_open(db, e, sizeof(e));
	if (!d->store) {
		snprintf(err, errlen, "%s", e);
		return -1;
	}
	/* A first start: the default portal. Deleting it later sticks. */
	rc = store_setting_get(d->store, "initialized", v, sizeof(v));
	if (rc == -ENOENT) {
		struct store_portal p = { .address = "0.0.0.0", .port = 3260, .tpgt = 1 };

		rc = store_portal_create(d->store, &p);
		if ((rc && rc != -EEXIST) ||
		    (rc = store_setting_set(d->store, "initialized", "1"))) {
			snprintf(err, errlen, "%s: setting up a new database: %s", db,
				 strerror(-rc));
			return -1;
		}
		log_info("new state in %s: default portal 0.0.0.0:3260", d->state_dir);
	} else if (rc) {
		snprintf(err, errlen, "%s: %s", db, strerror(-rc));
		return -1;
	}
	images_recover(d);
	return 0;
}

int bsd_load_token(const char *path, char *token, size_t size, char *err, size_t errlen)
{
	char buf[512];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		char hex[65];

		if (random_hex(hex, 32)) {
			snprintf(err, errlen, "no random bytes for a token: %s", strerror(errno));
			return -1;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			snprintf(err, errlen, "cannot create the API token file %s: %s", path,
				 strerror(errno));
			return -1;
		}
		if (dprintf(fd, "%s\n", hex) != 65 || fsync(fd)) {
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
			close(fd);
			unlink(path);
			return -1;
		}
		close(fd);
		log_info("new API token in %s", path);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot read the API token file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (!fstat(fd, &st) && (st.st_mode & 077))
		log_warn("the API token file %s is readable by others (mode %03o); chmod 600 it",
			 path, (unsigned int)(st.st_mode & 0777));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	len = strcspn(buf, " \t\r\n");
	if (buf[len] && buf[len + strspn(buf + len, " \t\r\n")]) {
		snprintf(err, errlen, "%s: the token must be one word on one line", path);
		return -1;
	}
	buf[len] = '\0';
	if (len < 16) {
		snprintf(err, errlen, "%s: the token is too short (at least 16 characters)", path);
		return -1;
	}
	if (len >= size) {
		snprintf(err, errlen, "%s: the token is too long", path);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (buf[i] < 0x21 || buf[i] > 0x7e) {
			snprintf(err, errlen, "%s: the token must be printable ASCII", path);
			return -1;
		}
	}
	memcpy(token, buf, len + 1);
	return 0;
}
