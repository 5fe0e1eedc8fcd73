/*
 * The files the staff web server sends: the page's (index.html, app.js, ...), read into
 * memory once at start, so what is served is fixed and no request can name a path on disk;
 * and the TLS certificate and key.
 */
#ifndef TALLYKIOSK_WEB_FILES_H
#define TALLYKIOSK_WEB_FILES_H

#include <stddef.h>

#define WEB_FILES_MAX 32
#define WEB_FILE_SIZE_MAX (1024 * 1024)

struct web_file {
	char name[64];       /* e.g. "app.js" */
	const char *ctype;   /* its Content-Type */
	char *data;
	size_t len;
};

struct web_files {
	struct web_file v[WEB_FILES_MAX];
	int n;
};

/* Reads the page's files in dir: names of lower-case letters, digits, '.', '_' and '-' with
 * a known type (.html .js .css .svg .png .webmanifest), at most 1 MiB each. Returns 0, or -1
 * with a line in err (the folder or a file cannot be read, or there is no index.html); free
 * with web_files_free either way. */
int web_files_load(struct web_files *f, const char *dir, char *err, size_t errlen);

/* The file called name, or NULL. */
const struct web_file *web_files_find(const struct web_files *f, const char *name);

void web_files_free(struct web_files *f);

/* A PEM file (at most 64 KiB) as a malloc'd string, or NULL with a line in err. */
char *web_read_pem(const char *path, char *err, size_t errlen);

#endif
