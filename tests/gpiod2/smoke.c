/*
 * Both GPIO backends must refuse a missing chip or line the same way, with a message that
 * names it. Built against libgpiod 1.6 (make test) and against Debian 13's libgpiod 2
 * (make check-gpiod2) and run on a machine with no GPIO chip.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "gpio.h"

static int passed, failed;

static void expect(const char *what, int ok, const char *detail)
{
	printf("  %s %s%s%s\n", ok ? "ok  " : "FAIL", what, ok ? "" : ": ", ok ? "" : detail);
	if (ok)
		passed++;
	else
		failed++;
}

static void try_open(const char *chip, const char *line, enum gpio_status want,
		     const char *fragment)
{
	struct gpio_request r = { .chip = chip, .line = line, .active_low = 1,
				  .bias = CONFIG_BIAS_PULL_UP, .consumer = "smoke" };
	struct gpio_line *l;
	char err[256] = "", what[160];
	enum gpio_status s = gpio_open(&l, &r, err, sizeof err);
	snprintf(what, sizeof what, "chip \"%s\" line \"%s\" gives status %d", chip, line, want);
	expect(what, s == want, err);
	snprintf(what, sizeof what, "and says \"%s\"", fragment);
	expect(what, strstr(err, fragment) != NULL, err);
	if (s == GPIO_OK)
		gpio_close(l);
}

int main(void)
{
	printf("backend: libgpiod %s\n", gpio_backend());
	try_open("gpiochip99", "5", GPIO_ERR_NOCHIP, "chip gpiochip99 not found");
	try_open("/dev/gpiochip99", "GPIO17", GPIO_ERR_NOCHIP, "chip /dev/gpiochip99 not found");
	try_open("", "NO_SUCH_LINE", GPIO_ERR_NOCHIP, "no chip has a line named NO_SUCH_LINE");
	try_open("", "17", GPIO_ERR_NOLINE, "an offset needs a chip");
	gpio_close(NULL);
	printf("gpio smoke: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
