// SPDX-License-Identifier: GPL-2.0
/* The iPXE binaries over HTTP and in the TFTP root; see ipxe_files.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <microhttpd.h>

#include "dhcp/ipxe_files.h"
#include "lib/http.h"
#include "lib/log.h"

const char *const ipxe_file_names[] = { "ipxe.efi", "snponly.efi", "undionly.kpxe", NULL };

/* The folder the route serves from: set once before the server starts. */
static char served_dir[4096] = IPXE_DIR_DEFAULT;

bool ipxe_file_name_ok(const char *name)
{
	for (size_t i = 0; name && ipxe_file_names[i]; i++)
		if (!strcmp(name, ipxe_file_names[i]))
			return true;
	return false;
}

int ipxe_file_open(const char *dir, const char *name)
{
	char path[4200];
	struct stat st;
	int fd;

	if (!ipxe_file_name_ok(name))
		return -ENOENT;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EACCES;
	}
	fcntl(fd, F_SETFL, 0);
	return fd;
}

static int copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t done = 0, w; done < n; done += w) {
			w = write(out, buf + done, (size_t)(n - done));
			if (w < 0)
				return -errno;
		}
	return n < 0 ? -errno : 0;
}

/* ".<binary>.tmp": a copy_one() that a crash interrupted. */
static bool tmp_name_ok(const char *n)
{
	size_t len = strlen(n);
	char name[64];

	if (n[0] != '.' || len < 6 || len - 5 >= sizeof(name) || strcmp(n + len - 4, ".tmp"))
		return false;
	memcpy(name, n + 1, len - 5);
	name[len - 5] = '\0';
	return ipxe_file_name_ok(name);
}

/* Copy @name into @tftp_dir through a temporary file, then rename. */
static int copy_one(const char *ipxe_dir, const char *tftp_dir, const char *name)
{
	char tmp[4200], dst[4200];
	int in, out, err;

	in = ipxe_file_open(ipxe_dir, name);
	if (in < 0)
		return in;
	snprintf(dst, sizeof(dst), "%s/%s", tftp_dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", tftp_dir, name);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	err = copy_fd(in, out);
	close(in);
	/* umask is 077 in bootsand: TFTP's user must read it. */
	if (!err && fchmod(out, 0644))
		err = -errno;
	if (close(out) && !err)
		err = -errno;
	if (!err && rename(tmp, dst))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int ipxe_files_fill_tftp(const char *ipxe_dir, const char *tftp_dir, char *why, size_t why_size)
{
	struct dirent *e;
	DIR *dir;
	size_t len = 0;
	int err;

	why[0] = '\0';
	if (mkdir(tftp_dir, 0755) && errno != EEXIST) {
		err = -errno;
		snprintf(why, why_size, "TFTP folder %s: %s", tftp_dir, strerror(errno));
		return err;
	}
	dir = opendir(tftp_dir);
	if (!dir) {
		err = -errno;
		snprintf(why, why_size, "TFTP folder %s: %s", tftp_dir, strerror(errno));
		return err;
	}
	/*
	 * Nothing but the binaries (and copies of them under way): a
	 * folder that holds anything else is someone else's, and is
	 * neither served nor cleaned up.
	 */
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    ipxe_file_name_ok(e->d_name) || tmp_name_ok(e->d_name))
			continue;
		snprintf(why, why_size, "TFTP folder %.300s holds %.100s: it must hold the "
			 "iPXE binaries only (give bootsand an empty folder)", tftp_dir, e->d_name);
		closedir(dir);
		return -ENOTEMPTY;
	}
	closedir(dir);
	/* bootsand's umask is 077: dnsmasq's user must get in. */
	if (chmod(tftp_dir, 0755)) {
		err = -errno;
		snprintf(why, why_size, "TFTP folder %s: %s", tftp_dir, strerror(errno));
		return err;
	}
	for (size_t i = 0; ipxe_file_names[i]; i++) {
		err = copy_one(ipxe_dir, tftp_dir, ipxe_file_names[i]);
		if (err == -ENOENT) {
			char path[4200];

			snprintf(path, sizeof(path), "%s/%s", tftp_dir, ipxe_file_names[i]);
			unlink(path);
			len += (size_t)snprintf(why + len, len < why_size ? why_size - len : 0,
						"%s%s/%s missing", len ? ", " : "", ipxe_dir,
						ipxe_file_names[i]);
			if (len >= why_size)
				len = why_size;
			continue;
		}
		if (err) {
			snprintf(why, why_size, "copying %s/%s into %s: %s", ipxe_dir,
				 ipxe_file_names[i], tftp_dir, strerror(-err));
			return err;
		}
	}
	return 0;
}

static void get_ipxe_file(struct http_req *r)
{
	const char *name = http_param(r, "name");
	struct MHD_Response *resp;
	struct stat st;
	int fd = ipxe_file_open(served_dir, name);

	if (fd < 0) {
		if (fd != -ENOENT || ipxe_file_name_ok(name))
			log_warn("iPXE binary %s/%s: %s", served_dir, name, strerror(-fd));
		http_reply_error(r, 404, "name", ipxe_file_name_ok(name) ?
				 "this iPXE binary is not installed (Debian package ipxe)" :
				 "no such iPXE binary: ipxe.efi, snponly.efi or undionly.kpxe");
		return;
	}
	if (fstat(fd, &st)) {
		close(fd);
		http_reply_error(r, 404, "name", "no such iPXE binary");
		return;
	}
	/* MHD owns fd from here and sends it with sendfile(). */
	resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		http_reply_error(r, 503, NULL, "cannot answer now, retry");
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
	http_reply_response(r, 200, resp);
}

int ipxe_files_add_routes(struct bsd *d, struct http *h, const char *ipxe_dir)
{
	static const struct http_route routes[] = {
		{ "GET", "/ipxe/{name}", get_ipxe_file, HTTP_ROUTE_PUBLIC },
	};

	(void)d;
	if (ipxe_dir && (size_t)snprintf(served_dir, sizeof(served_dir), "%s", ipxe_dir) >=
	    sizeof(served_dir))
		return -ENAMETOOLONG;
	return http_add_routes(h, routes, sizeof(routes) / sizeof(routes[0]));
}
