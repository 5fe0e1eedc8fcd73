/* libFuzzer target: cases_load on arbitrary file contents (truncated, binary, hostile). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cases.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/tk-fuzz-cases-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	struct cases c;
	char err[1024];
	cases_load(&c, path, err, sizeof err);
	cases_free(&c); /* the contract: safe to free whatever cases_load returned */
	unlink(path);
	return 0;
}
