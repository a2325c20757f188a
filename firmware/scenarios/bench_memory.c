/*
 * bench_memory: like bench_compute, but every iteration stores into and loads from a 4 KiB
 * array, to measure guest memory traffic. Iterations: /chosen "socsim,bench-iterations",
 * default 100000000.
 */
#include <inttypes.h>
#include <stdio.h>

#include "dtb.h"

#define WORDS 512	/* 4 KiB of uint64_t */

static uint64_t buffer[WORDS];

int main(void)
{
	uint32_t iterations = dtb_chosen_u32("socsim,bench-iterations", 100000000);
	uint64_t a = 0x9e3779b97f4a7c15u, sum = 0;

	for (uint32_t i = 0; i < iterations; i++) {
		a ^= a << 13;		/* xorshift64 picks the words */
		a ^= a >> 7;
		a ^= a << 17;
		buffer[i % WORDS] += a;			/* load + store, sequential */
		sum += buffer[(a >> 32) % WORDS];	/* load, scattered */
		/* Memory clobber: every access above really goes to memory, every iteration. */
		__asm__ volatile("" : "+r"(a), "+r"(sum) : : "memory");
	}

	printf("bench_memory: %" PRIu32 " iterations, result %016" PRIx64 "\n", iterations, sum);
	return 0;
}
