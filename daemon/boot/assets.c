// SPDX-License-Identifier: GPL-2.0
/* The asset server; see assets.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <microhttpd.h>

#include "asset_rules.h"
#include "assets.h"
#include "lib/bootsand.h"
#include "lib/http.h"
#include "lib/log.h"

#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define HAVE_OPENAT2 1
#endif

#define PREFIX "/assets/"

/* Without openat2: each component with O_NOFOLLOW, so no symlink at all. */
static int open_walk(int dirfd, const char *rel)
{
	char buf[ASSET_PATH_MAX + 1], *comp = buf, *slash;
	int cur = dirfd, next;

	snprintf(buf, sizeof(buf), "%s", rel);
	while ((slash = strchr(comp, '/'))) {
		*slash = '\0';
		next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cur != dirfd)
			close(cur);
		if (next < 0)
			return errno == ENOTDIR ? -ELOOP : -errno;
		cur = next;
		comp = slash + 1;
	}
	next = openat(cur, comp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (cur != dirfd)
		close(cur);
	return next < 0 ? -errno : next;
}

int assets_open_beneath(int dirfd, const char *rel)
{
	struct stat st;
	int fd = -ENOSYS;

#ifdef HAVE_OPENAT2
	struct open_how how = {
		/* O_NONBLOCK: a FIFO in the tree must not block a server thread. */
		.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd < 0)
		fd = -errno;
#endif
	if (fd == -ENOSYS || fd == -EPERM)	/* old kernel, or a seccomp filter */
		fd = open_walk(dirfd, rel);
	if (fd < 0)
		return fd == -ENOTDIR ? -ENOENT : fd;
	if (fstat(fd, &st)) {
		int e = -errno;

		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EACCES;
	}
	/* Regular files ignore O_NONBLOCK, but sendfile() need not see it. */
	fcntl(fd, F_SETFL, 0);
	return fd;
}

static const char *content_type(const char *rel)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".ipxe", "text/plain" }, { ".cfg", "text/plain" }, { ".txt", "text/plain" },
		{ ".iso", "application/x-iso9660-image" }, { ".json", "application/json" },
		{ ".html", "text/html" },
	};
	const char *dot = strrchr(rel, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static void add_validators(struct MHD_Response *resp, const char *etag, const char *date)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
}

/* Does a conditional header make this a 304? If-None-Match wins when present. */
static bool not_modified(struct http_req *r, const char *etag, time_t mtime)
{
	const char *inm = http_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *ims = http_header(r, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	time_t t;

	if (inm)
		return asset_etag_listed(inm, etag);
	return ims && !asset_parse_http_date(ims, &t) && mtime <= t;
}

static void reply_empty(struct http_req *r, int status, const char *etag, const char *date,
			const char *content_range)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);

	if (!resp)
		return;
	add_validators(resp, etag, date);
	if (content_range)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
	http_reply_response(r, status, resp);
}

static void get_asset(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *raw = http_raw_url(r);
	char rel[ASSET_PATH_MAX + 1], dir[PATH_MAX + 16], etag[ASSET_ETAG_SIZE];
	char date[ASSET_DATE_SIZE], crange[96];
	uint64_t start, len;
	struct MHD_Response *resp;
	struct stat st;
	int dirfd, fd, err, status = 200;

	if (strncmp(raw, PREFIX, strlen(PREFIX))) {
		http_reply_error(r, 400, "path", "the request target must be a path");
		return;
	}
	raw += strlen(PREFIX);
	err = asset_path_decode(raw, strcspn(raw, "?#"), rel, sizeof(rel));
	if (err) {
		http_reply_error(r, 400, "path", err == -ENAMETOOLONG ? "the asset path is too long" :
				 "refused asset path: it must be relative, without . or .. "
				 "components, empty components or control bytes");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/assets", d->state_dir);
	dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		http_reply_error(r, 404, "path", "no such asset (there is no asset directory)");
		return;
	}
	fd = assets_open_beneath(dirfd, rel);
	close(dirfd);
	if (fd < 0) {
		switch (-fd) {
		case ENOENT: case EISDIR: case ENAMETOOLONG:
			http_reply_error(r, 404, "path", "no such asset");
			break;
		case EXDEV: case ELOOP:
			http_reply_error(r, 403, "path", "refused: a symbolic link leads out of "
					 "the asset tree");
			break;
		case EACCES: case EPERM:
			http_reply_error(r, 403, "path", "refused: not a readable regular file");
			break;
		case EMFILE: case ENFILE: case ENOMEM:
			http_add_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
			http_reply_error(r, 503, NULL, "out of file descriptors, retry");
			break;
		default:
			log_warn("asset %s: %s", rel, strerror(-fd));
			http_reply_error(r, 404, "path", "no such asset");
		}
		return;
	}
	if (fstat(fd, &st)) {
		close(fd);
		http_reply_error(r, 404, "path", "no such asset");
		return;
	}
	asset_etag(etag, (uint64_t)st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ino);
	asset_http_date(date, st.st_mtim.tv_sec);
	if (not_modified(r, etag, st.st_mtim.tv_sec)) {
		close(fd);
		reply_empty(r, 304, etag, date, NULL);
		return;
	}
	start = 0;
	len = (uint64_t)st.st_size;
	if (asset_if_range_ok(http_header(r, MHD_HTTP_HEADER_IF_RANGE), etag, st.st_mtim.tv_sec)) {
		switch (asset_range_parse(http_header(r, MHD_HTTP_HEADER_RANGE), len, &start, &len)) {
		case ASSET_RANGE_PARTIAL:
			status = 206;
			snprintf(crange, sizeof(crange), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
				 start, start + len - 1, (uint64_t)st.st_size);
			break;
		case ASSET_RANGE_UNSATISFIABLE:
			close(fd);
			snprintf(crange, sizeof(crange), "bytes */%" PRIu64, (uint64_t)st.st_size);
			reply_empty(r, 416, etag, date, crange);
			return;
		case ASSET_RANGE_NONE:
			break;
		}
	}
	/* MHD owns fd from here and sends it with sendfile(). */
	resp = MHD_create_response_from_fd_at_offset64(len, fd, start);
	if (!resp) {
		close(fd);
		http_reply_error(r, 503, NULL, "cannot answer now, retry");
		return;
	}
	add_validators(resp, etag, date);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(rel));
	if (status == 206)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, crange);
	http_reply_response(r, status, resp);
}

int assets_add_routes(struct bsd *d, struct http *h)
{
	static const struct http_route routes[] = {
		{ "GET", "/assets/{path}", get_asset, HTTP_ROUTE_PUBLIC | HTTP_ROUTE_REST },
	};

	(void)d;
	return http_add_routes(h, routes, sizeof(routes) / sizeof(routes[0]));
}
