/*
 * Who draws the kiosk's window ([display] renderer; see render_priv.h), decided before SDL's
 * video starts, because once SDL has loaded the GL library it stays mapped.
 *
 * A GPU blends a frame for next to nothing, so where there is one (the Pi: KMSDRM with vc4 or
 * v3d) SDL's accelerated renderer draws. Where OpenGL would be Mesa's software rasteriser
 * (llvmpipe, softpipe: a PC or VM without a graphics driver) the accelerated renderer is the
 * CPU drawing every frame whole through GL, with LLVM loaded to do it; there the software path
 * draws only what changed, with no GL at all. auto decides:
 *   - no X11 or Wayland display: KMSDRM, the GPU;
 *   - SDL's offscreen or dummy driver: nothing to accelerate, software;
 *   - no DRI device in /dev/dri: OpenGL can only be software, software;
 *   - otherwise a child process asks OpenGL for GL_RENDERER (so the parent never loads GL)
 *     and a software rasteriser there means software.
 */
#include <SDL.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "render_priv.h"

#define PROBE_TIMEOUT_MS 5000
#define GL_RENDERER_ENUM 0x1F01

static int has_dri_device(void)
{
	DIR *d = opendir("/dev/dri");
	if (!d)
		return 0;
	int found = 0;
	struct dirent *e;
	while (!found && (e = readdir(d)))
		found = !strncmp(e->d_name, "renderD", 7) || !strncmp(e->d_name, "card", 4);
	closedir(d);
	return found;
}

/* In the child: GL_RENDERER of a hidden window's context, written to fd. Never returns. */
static void probe_child(int fd)
{
	const char *name = "";
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) == 0) {
		SDL_Window *w = SDL_CreateWindow("tallykiosk-probe", 0, 0, 16, 16,
						 SDL_WINDOW_OPENGL | SDL_WINDOW_HIDDEN);
		SDL_GLContext ctx = w ? SDL_GL_CreateContext(w) : NULL;
		typedef const unsigned char *(*get_string_fn)(unsigned int);
		get_string_fn get = ctx ? (get_string_fn)SDL_GL_GetProcAddress("glGetString") : NULL;
		const unsigned char *s = get ? get(GL_RENDERER_ENUM) : NULL;
		if (s)
			name = (const char *)s;
	}
	ssize_t n = write(fd, name, strlen(name));
	(void)n;
	_exit(0);
}

/* GL_RENDERER as a separate process sees it; "" if no context could be made, -1 on error. */
static int probe_gl_renderer(char *out, size_t len)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		probe_child(p[1]);
	}
	close(p[1]);
	size_t got = 0;
	int rc = 0;
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		if (poll(&pfd, 1, PROBE_TIMEOUT_MS) <= 0) {
			rc = -1; /* a driver that hangs: treat it as no GPU */
			kill(pid, SIGKILL);
			break;
		}
		ssize_t n = read(p[0], out + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got >= len - 1)
			break;
	}
	out[got] = '\0';
	close(p[0]);
	waitpid(pid, NULL, 0);
	return rc;
}

static int is_software_rasteriser(const char *gl)
{
	static const char *const names[] = { "llvmpipe", "softpipe", "swrast", "software rasterizer",
					     "lavapipe", NULL };
	char low[128];
	size_t i = 0;
	for (; gl[i] && i < sizeof low - 1; i++)
		low[i] = (char)(gl[i] >= 'A' && gl[i] <= 'Z' ? gl[i] - 'A' + 'a' : gl[i]);
	low[i] = '\0';
	for (int k = 0; names[k]; k++)
		if (strstr(low, names[k]))
			return 1;
	return 0;
}

int rp_choose_software(int setting, char *why, size_t whylen)
{
	if (setting == CONFIG_RENDERER_GPU) {
		snprintf(why, whylen, "GPU path: [display] renderer = gpu");
		return 0;
	}
	if (setting == CONFIG_RENDERER_SOFTWARE) {
		snprintf(why, whylen, "software path: [display] renderer = software");
		return 1;
	}
	const char *video = SDL_GetHint(SDL_HINT_VIDEODRIVER);
	if (video && (!strcasecmp(video, "offscreen") || !strcasecmp(video, "dummy"))) {
		snprintf(why, whylen, "software path: SDL's %s driver has nothing to accelerate",
			 video);
		return 1;
	}
	const char *x11 = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
	if ((video && !strcasecmp(video, "kmsdrm")) || ((!x11 || !*x11) && (!wl || !*wl))) {
		snprintf(why, whylen, "GPU path: no X11 or Wayland display, so KMSDRM, where the "
				      "GPU draws");
		return 0;
	}
	if (!has_dri_device()) {
		snprintf(why, whylen, "software path: no DRI device in /dev/dri, so OpenGL could "
				      "only be a software rasteriser");
		return 1;
	}
	char gl[128];
	if (probe_gl_renderer(gl, sizeof gl) != 0 || !gl[0]) {
		snprintf(why, whylen, "software path: no OpenGL context could be made");
		return 1;
	}
	if (is_software_rasteriser(gl)) {
		snprintf(why, whylen, "software path: OpenGL is a software rasteriser (%s)", gl);
		return 1;
	}
	snprintf(why, whylen, "GPU path: OpenGL renderer %s", gl);
	return 0;
}
