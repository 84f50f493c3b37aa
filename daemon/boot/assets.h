/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GET|HEAD /assets/<path>: files under <state-dir>/assets for booting
 * clients (kernels, initrds, ISOs), without auth. Range (one range: 206,
 * or 416), ETag and Last-Modified with If-None-Match, If-Modified-Since
 * and If-Range (304), and the body sent by sendfile() from the file
 * (libmicrohttpd fd responses). The path's rules are asset_rules.h's;
 * the file is opened beneath the tree with openat2(RESOLVE_BENEATH) so a
 * symlink may point inside the tree but never out of it (403), or, on a
 * kernel without openat2, component by component with O_NOFOLLOW, which
 * refuses every symlink.
 */
#ifndef BOOTSAND_ASSETS_H
#define BOOTSAND_ASSETS_H

struct bsd;
struct http;

int assets_add_routes(struct bsd *d, struct http *h);

/*
 * Opens @rel (an asset_path_decode()d path) beneath the directory @dirfd
 * for reading: an fd, or -ENOENT, -EXDEV (a symlink leads out of the
 * tree), -ELOOP (a symlink the fallback walk refuses), -EISDIR / -EACCES
 * (not a regular file), or another -errno.
 */
int assets_open_beneath(int dirfd, const char *rel);

#endif /* BOOTSAND_ASSETS_H */
