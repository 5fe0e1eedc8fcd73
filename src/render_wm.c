/*
 * Full screen on X11 without waiting for nobody (see rp_show_full_screen in render_priv.h).
 *
 * SDL 2 makes an X11 window full-screen by asking the window manager (_NET_WM_STATE_FULLSCREEN)
 * and then polls, 10 ms at a time for up to 100 ms, until the window has moved twice and
 * changed size. On an X server with no window manager (a bare xinit kiosk, Xvfb) no one
 * answers, and the first frame came 100 ms late: half the kiosk's start-up. Such a window is
 * created at the desktop's size already (render_open_window), so it covers the screen without
 * being asked; with a window manager the request goes out as before.
 */
#include <SDL.h>
#include <SDL_syswm.h>

#include "render_priv.h"

#if defined(SDL_VIDEO_DRIVER_X11)
#include <X11/Xatom.h>

/* The window that property prop of w names, or None. */
static Window window_property(Display *d, Window w, Atom prop)
{
	Atom type = None;
	int format = 0;
	unsigned long n = 0, left = 0;
	unsigned char *data = NULL;
	Window found = None;
	if (XGetWindowProperty(d, w, prop, 0, 1, False, XA_WINDOW, &type, &format, &n, &left,
			       &data) == Success && type == XA_WINDOW && format == 32 && n == 1 && data)
		found = (Window)*(unsigned long *)data;
	if (data)
		XFree(data);
	return found;
}

/* EWMH: a window manager names its check window on the root, and the window names itself. */
static int has_window_manager(Display *d)
{
	Atom check = XInternAtom(d, "_NET_SUPPORTING_WM_CHECK", False);
	Window wm = window_property(d, DefaultRootWindow(d), check);
	return wm != None && window_property(d, wm, check) == wm;
}
#endif

/*
 * 1 for an X11 window on a display with no window manager, else 0. Such a window is marked
 * full-screen all the same (a property, no request), so a window manager started after the
 * kiosk keeps it full-screen.
 */
static int x11_without_wm(SDL_Window *w)
{
#if defined(SDL_VIDEO_DRIVER_X11)
	SDL_SysWMinfo info;
	SDL_VERSION(&info.version);
	if (!SDL_GetWindowWMInfo(w, &info) || info.subsystem != SDL_SYSWM_X11)
		return 0;
	Display *d = info.info.x11.display;
	if (has_window_manager(d))
		return 0;
	Atom full = XInternAtom(d, "_NET_WM_STATE_FULLSCREEN", False);
	XChangeProperty(d, info.info.x11.window, XInternAtom(d, "_NET_WM_STATE", False), XA_ATOM,
			32, PropModeReplace, (unsigned char *)&full, 1);
	return 1;
#else
	(void)w;
	return 0;
#endif
}

int rp_show_full_screen(SDL_Window *w)
{
	int bare = x11_without_wm(w);
	/* As SDL_CreateWindow with the flag: a refusal leaves a window at the desktop's size. */
	if (!bare)
		SDL_SetWindowFullscreen(w, SDL_WINDOW_FULLSCREEN_DESKTOP);
	SDL_ShowWindow(w);
	return bare;
}
