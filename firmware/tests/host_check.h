/*
 * CHECK() for the host tests of firmware code: a failed condition prints file, line and the
 * condition on stderr and counts in `failures`; each test's main() exits non-zero when it is not 0.
 * One test per program, so the counter can live in this header. read_file() loads a test input
 * (a DTB) whole, exiting with status 2 when it cannot.
 */
#ifndef HOST_CHECK_H
#define HOST_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int failures;

static inline uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *data = n > 0 ? malloc((size_t)n) : NULL;
	if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(2);
	}
	fclose(f);
	*size = (size_t)n;
	return data;
}

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			failures++;                                                   \
		}                                                                     \
	} while (0)

#endif
