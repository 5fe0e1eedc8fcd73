/* libFuzzer target: config_load on arbitrary file contents (written to a temp file, since the
 * parser reads through inih from a path). Must never crash, leak or read out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/tk-fuzz-config-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	static struct config cfg; /* large */
	char err[CONFIG_PATH_MAX + 512];
	config_defaults(&cfg);
	config_load(&cfg, path, err, sizeof err);
	unlink(path);
	return 0;
}
