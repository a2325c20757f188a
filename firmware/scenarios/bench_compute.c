/*
 * bench_compute: a compute-bound loop for the CPU benchmark. All state stays in registers;
 * the only memory traffic is the CPU fetching the loop. Iterations: /chosen
 * "socsim,bench-iterations", default 100000000.
 */
#include <inttypes.h>
#include <stdio.h>

#include "dtb.h"

int main(void)
{
	uint32_t iterations = dtb_chosen_u32("socsim,bench-iterations", 100000000);
	uint64_t a = 0x9e3779b97f4a7c15u, b = 0xbf58476d1ce4e5b9u;
	uint64_t c = 0x94d049bb133111ebu, d = 1;

	for (uint32_t i = 0; i < iterations; i++) {
		a ^= a << 13;		/* xorshift64 */
		a ^= a >> 7;
		a ^= a << 17;
		b = b * 6364136223846793005u + a;	/* multiply-add (LCG) */
		c += (b >> 29) ^ a;
		d = (d ^ c) * 0xff51afd7ed558ccdu;
		/* Opaque to the compiler: the loop cannot be folded or vectorised away. */
		__asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
	}

	printf("bench_compute: %" PRIu32 " iterations, result %016" PRIx64 "\n", iterations,
	       a ^ b ^ c ^ d);
	return 0;
}
