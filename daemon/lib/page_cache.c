// SPDX-License-Identifier: GPL-2.0
/* How much of a file is in the page cache; see page_cache.h. */
#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>

#include "page_cache.h"

/* A window of 64 MiB: 16 Ki pages of 4 KiB, one byte each of the vector. */
#define WINDOW (UINT64_C(64) << 20)

int64_t fd_cached_bytes(int fd, uint64_t size)
{
	static _Thread_local unsigned char vec[WINDOW / 4096];
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), off, cached = 0;

	if (page == 0 || WINDOW / page > sizeof(vec))
		return -EINVAL;
	for (off = 0; off < size; off += WINDOW) {
		uint64_t len = size - off < WINDOW ? size - off : WINDOW;
		void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
		uint64_t pages = (len + page - 1) / page;
		int err = 0;

		if (p == MAP_FAILED)
			return -errno;
		if (mincore(p, len, vec))
			err = -errno;
		munmap(p, len);
		if (err)
			return err;
		for (uint64_t i = 0; i < pages; i++)
			if (vec[i] & 1)
				cached += page;
	}
	/* The last page may be partial: never more than the file. */
	return (int64_t)(cached < size ? cached : size);
}
