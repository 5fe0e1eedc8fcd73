/* See paths.h. */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int paths_default_database(char *buf, size_t len)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;
	if (state && state[0] == '/')
		n = snprintf(buf, len, "%s/tallykiosk/tally.db", state);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/.local/state/tallykiosk/tally.db", home);
	else
		return -1;
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int paths_socket(const char *database, const char *configured, char *buf, size_t len)
{
	struct sockaddr_un sa;
	int n = (configured && configured[0]) ? snprintf(buf, len, "%s", configured)
					      : snprintf(buf, len, "%s.sock", database);
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof sa.sun_path)
		return -1;
	return 0;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int paths_make_parents(const char *file)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s", file) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	*slash = '\0';
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(path, 0750) == 0) {
			char parent[4096];
			snprintf(parent, sizeof parent, "%s", path);
			char *ps = strrchr(parent, '/');
			if (ps == parent)
				ps[1] = '\0';
			else if (ps)
				*ps = '\0';
			sync_dir(parent);
		} else if (errno != EEXIST) {
			return -1;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	struct stat sb;
	if (stat(path, &sb) != 0)
		return -1;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}
