/* See monotime.h. */
#include "monotime.h"

#include <time.h>

long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long mono_ms(void)
{
	return mono_ns() / 1000000;
}
