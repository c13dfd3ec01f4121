/*
 * Minimal TAP producer for the unit tests: one "ok N - name" line per
 * assertion, the plan at the end, exit status 1 if any failed.
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int	tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static int
ok(int cond, const char *fmt, ...)
{
	va_list	ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return cond;
}

__attribute__((unused)) static int
is_str(const char *got, const char *want, const char *name)
{
	int	r = ok(got != NULL && want != NULL ? strcmp(got, want) == 0 :
	    got == want, "%s", name);

	if (!r)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
	return r;
}

__attribute__((unused)) static int
is_long(long got, long want, const char *name)
{
	int	r = ok(got == want, "%s", name);

	if (!r)
		printf("#   got: %ld, want: %ld\n", got, want);
	return r;
}

__attribute__((unused)) static int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

#endif
