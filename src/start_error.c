/* See start_error.h. */
#include "start_error.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monotime.h"
#include "supervise.h"

#define WATCH_MAX 4
#define CHECK_MS 1000 /* how often the files are looked at: staff save, then look up */

struct file_state {
	int exists;
	struct stat st;
};

static void look(const char *path, struct file_state *f)
{
	memset(f, 0, sizeof *f);
	f->exists = stat(path, &f->st) == 0;
}

static int changed(const struct file_state *a, const struct file_state *b)
{
	if (a->exists != b->exists)
		return 1;
	if (!a->exists)
		return 0;
	return a->st.st_ino != b->st.st_ino || a->st.st_size != b->st.st_size ||
	       a->st.st_mtim.tv_sec != b->st.st_mtim.tv_sec ||
	       a->st.st_mtim.tv_nsec != b->st.st_mtim.tv_nsec;
}

enum start_error_result start_error_run(struct render *r, int signal_fd, const char *error,
					const char *const *watched)
{
	struct file_state before[WATCH_MAX];
	int n = 0;
	for (; watched && watched[n] && n < WATCH_MAX; n++)
		look(watched[n], &before[n]);

	char status[600];
	snprintf(status, sizeof status, "cannot start: %.560s", error);
	struct supervise sup;
	supervise_init(&sup, mono_ms());
	supervise_ready(status);

	const char *title = "This kiosk cannot start";
	const char *hint = "Counts already saved are safe. Fix the file named above and save it: "
			   "the kiosk then starts by itself.";
	render_draw_notice(r, title, error, hint);
	for (;;) {
		long long wait = supervise_tick(&sup, mono_ms(), 1);
		if (wait < 0 || wait > CHECK_MS)
			wait = CHECK_MS;
		struct pollfd fds[2] = { { .fd = signal_fd, .events = POLLIN },
					 { .fd = render_input_fd(r), .events = POLLIN } };
		int ready = poll(fds, fds[1].fd >= 0 ? 2 : 1, (int)wait);
		if (ready > 0 && fds[0].revents) {
			struct signalfd_siginfo si;
			if (read(signal_fd, &si, sizeof si) == (ssize_t)sizeof si)
				return START_ERROR_STOPPED;
		}
		for (enum render_input in; (in = render_next_input(r, 0, 0)) != RENDER_INPUT_NONE;) {
			if (in == RENDER_INPUT_QUIT)
				return START_ERROR_STOPPED;
			if (in == RENDER_INPUT_REDRAW)
				render_draw_notice(r, title, error, hint);
		}
		for (int i = 0; i < n; i++) {
			struct file_state now;
			look(watched[i], &now);
			if (changed(&before[i], &now))
				return START_ERROR_CHANGED;
		}
	}
}
