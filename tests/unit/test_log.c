/* Unit tests of log.c: priority prefixes only when stderr is the journal's own stream. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* Logs one line with stderr sent to a fresh file; returns what was written. */
static void log_to_file(const char *journal_stream, char *out, size_t len, int same_file)
{
	char path[] = "/tmp/tk-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	char js[64];
	if (journal_stream) {
		setenv("JOURNAL_STREAM", journal_stream, 1);
	} else if (same_file) {
		snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino);
		setenv("JOURNAL_STREAM", js, 1);
	} else {
		unsetenv("JOURNAL_STREAM");
	}
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	log_msg(LOG_PRIO_NOTICE, "counting: total=%d", 7);
	dup2(saved, STDERR_FILENO);
	close(saved);
	ssize_t n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

static void test_plain_on_a_terminal_or_file(void **state)
{
	(void)state;
	char out[128];
	log_to_file(NULL, out, sizeof out, 0);
	assert_string_equal(out, "counting: total=7\n");
	/* Inherited from a parent whose stderr was the journal: not ours. */
	log_to_file("1:2", out, sizeof out, 0);
	assert_string_equal(out, "counting: total=7\n");
	log_to_file("garbage", out, sizeof out, 0);
	assert_string_equal(out, "counting: total=7\n");
}

static void test_prefixed_for_the_journal(void **state)
{
	(void)state;
	char out[128];
	log_to_file(NULL, out, sizeof out, 1);
	assert_string_equal(out, "<5>counting: total=7\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_on_a_terminal_or_file),
		cmocka_unit_test(test_prefixed_for_the_journal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
