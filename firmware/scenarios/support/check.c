#include "check.h"

#include <stdio.h>

unsigned check_failures;

int check(int ok, const char *what)
{
	if (!ok) {
		printf("FAIL: %s\n", what);
		check_failures++;
	}
	return ok;
}
