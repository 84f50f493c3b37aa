/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How much of a file is in the page cache: what the dashboard shows of a
 * golden image, read by all its overlays through one page cache.
 */
#ifndef BOOTSAND_PAGE_CACHE_H
#define BOOTSAND_PAGE_CACHE_H

#include <stdint.h>

/*
 * Bytes of the open file @fd (@size bytes long) in the page cache, by
 * mincore(2) over read-only mappings of it, a window at a time (no page is
 * read in), or -errno. One page-cache lookup per page: 6-17 ms per GiB
 * measured on this project's test host (cached or not, sparse or not).
 */
int64_t fd_cached_bytes(int fd, uint64_t size);

#endif /* BOOTSAND_PAGE_CACHE_H */
