/*
 * CHECK() for the host tests of firmware code: a failed condition prints file, line and the
 * condition on stderr and counts in `failures`; each test's main() exits non-zero when it is not 0.
 * One test per program, so the counter can live in this header.
 */
#ifndef HOST_CHECK_H
#define HOST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			failures++;                                                   \
		}                                                                     \
	} while (0)

#endif
