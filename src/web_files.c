/* See web_files.h. */
#include "web_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *ctype_of(const char *name)
{
	static const char *const map[][2] = {
		{ ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },   { ".svg", "image/svg+xml" },
		{ ".png", "image/png" },                 { ".webmanifest", "application/manifest+json" },
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(dot, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

int web_files_load(struct web_files *w, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: cannot open the web page's folder: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) && !rc) {
		const char *n = e->d_name;
		if (n[0] == '.' || strlen(n) >= sizeof w->v[0].name ||
		    n[strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789._-")] || !ctype_of(n))
			continue;
		if (w->n == WEB_FILES_MAX)
			break;
		char path[1200];
		snprintf(path, sizeof path, "%s/%s", dir, n);
		FILE *f = fopen(path, "rbe");
		struct stat sb;
		if (!f || fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode) || sb.st_size > WEB_FILE_SIZE_MAX) {
			snprintf(err, errlen, "%s: cannot read (or larger than 1 MiB)", path);
			if (f)
				fclose(f);
			rc = -1;
			break;
		}
		struct web_file *fl = &w->v[w->n];
		fl->data = malloc((size_t)sb.st_size + 1);
		if (!fl->data || fread(fl->data, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
			snprintf(err, errlen, "%s: cannot read", path);
			rc = -1;
		} else {
			/* n is shorter than name (checked above); the precision says so to gcc. */
			snprintf(fl->name, sizeof fl->name, "%.*s", (int)sizeof fl->name - 1, n);
			fl->ctype = ctype_of(n);
			fl->len = (size_t)sb.st_size;
			w->n++;
		}
		fclose(f);
	}
	closedir(d);
	if (!rc) {
		int have_index = 0;
		for (int i = 0; i < w->n; i++)
			have_index |= strcmp(w->v[i].name, "index.html") == 0;
		if (!have_index) {
			snprintf(err, errlen, "%s: no index.html (the staff page)", dir);
			rc = -1;
		}
	}
	return rc;
}

const struct web_file *web_files_find(const struct web_files *w, const char *name)
{
	for (int i = 0; i < w->n; i++)
		if (strcmp(w->v[i].name, name) == 0)
			return &w->v[i];
	return NULL;
}

void web_files_free(struct web_files *w)
{
	for (int i = 0; i < w->n; i++)
		free(w->v[i].data);
	w->n = 0;
}

char *web_read_pem(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rbe");
	char *buf = f ? malloc(65537) : NULL;
	size_t n = buf ? fread(buf, 1, 65536, f) : 0;
	if (f)
		fclose(f);
	if (!buf || n == 0 || n == 65536) {
		snprintf(err, errlen, "%s: cannot read the TLS file (missing, empty or over 64 KiB)",
			 path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}
