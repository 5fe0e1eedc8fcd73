/*
 * The monotonic clock, for every timeout, deadline and duration in the kiosk and tallyctl:
 * it never jumps when the wall clock is set (a Raspberry Pi has no real-time clock and
 * may set its time long after start).
 */
#ifndef TALLYKIOSK_MONOTIME_H
#define TALLYKIOSK_MONOTIME_H

long long mono_ms(void);
long long mono_ns(void);

#endif
