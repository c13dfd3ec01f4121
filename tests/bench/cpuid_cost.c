/*
 * What one CPUID instruction costs here, in microseconds (median of
 * batches).  glibc runs dozens of them at the start of every program to
 * size its caches; on a virtual machine each may exit to the hypervisor,
 * which sets a floor under every exec that instruction counts do not show.
 * Prints "-" where there is no CPUID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static int
cmp_d(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(void)
{
#if defined(__x86_64__) || defined(__i386__)
	double		t[51];
	unsigned	a, b, c, d;

	for (int k = 0; k < 51; k++) {
		struct timespec	t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (unsigned i = 0; i < 100; i++)
			__cpuid_count(4, i & 3, a, b, c, d);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		t[k] = ((t1.tv_sec - t0.tv_sec) * 1e9 +
		    (t1.tv_nsec - t0.tv_nsec)) / 100 / 1e3;
	}
	qsort(t, 51, sizeof(t[0]), cmp_d);
	printf("%.2f\n", t[25]);
	(void)a; (void)b; (void)c; (void)d;
#else
	printf("-\n");
#endif
	return 0;
}
