/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Debian's iPXE binaries (package ipxe), the first thing a network-booting
 * machine runs: GET|HEAD /ipxe/<name> for UEFI HTTP Boot, and a TFTP root
 * holding exactly them for firmware that can only PXE. Only these names:
 *   ipxe.efi       UEFI, iPXE's own NIC drivers (HTTP Boot)
 *   snponly.efi    UEFI, the firmware's NIC driver (UEFI PXE)
 *   undionly.kpxe  BIOS PXE ROMs
 * They are read from the iPXE folder (--ipxe-dir, /usr/lib/ipxe), whose
 * ipxe.efi is a symbolic link to /boot/ipxe.efi: links are followed, as
 * the names are fixed and the folder is the system's.
 */
#ifndef BOOTSAND_IPXE_FILES_H
#define BOOTSAND_IPXE_FILES_H

#include <stdbool.h>
#include <stddef.h>

#define IPXE_DIR_DEFAULT "/usr/lib/ipxe"

struct bsd;
struct http;

extern const char *const ipxe_file_names[];	/* NULL-terminated */

bool ipxe_file_name_ok(const char *name);

/* Open @name of @dir for reading: an fd, -ENOENT for a name not served, or -errno. */
int ipxe_file_open(const char *dir, const char *name);

/*
 * Make @tftp_dir (created 0755 if missing) hold copies of the binaries of
 * @ipxe_dir, mode 0644. 0, or -errno with the reason in @why; -ENOTEMPTY
 * when it holds any other file (it is not bootsand's then). A binary missing from @ipxe_dir is
 * left out, named in @why, and is not an error.
 */
int ipxe_files_fill_tftp(const char *ipxe_dir, const char *tftp_dir, char *why, size_t why_size);

/* GET|HEAD /ipxe/{name}, no auth: clients fetch it before they have a script. */
int ipxe_files_add_routes(struct bsd *d, struct http *h, const char *ipxe_dir);

#endif /* BOOTSAND_IPXE_FILES_H */
