// SPDX-License-Identifier: GPL-2.0
/* Loading and unloading bootsan.ko; see module.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "module.h"

static const char *module_path(char *buf, size_t len)
{
	const char *env = getenv("BOOTSAN_KO");
	struct utsname u;

	if (env)
		return env;
	uname(&u);
	snprintf(buf, len, "/lib/modules/%s/extra/" MODULE_NAME ".ko", u.release);
	return buf;
}

int load_module(void)
{
	char buf[256];
	int fd, ret;

	fd = open(module_path(buf, sizeof(buf)), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	if (ret)
		ret = -errno;
	close(fd);
	return ret;
}

int unload_module(void)
{
	return syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK) ? -errno : 0;
}

bool module_loaded(void)
{
	return access("/sys/module/" MODULE_NAME, F_OK) == 0;
}

void settle(void)
{
	int fd;

	sync();
	usleep(200 * 1000);
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
	usleep(200 * 1000);
}
