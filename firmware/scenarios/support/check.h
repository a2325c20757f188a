/*
 * Self-checking scenarios: check() prints "FAIL: <what>" for a condition that does not hold and
 * counts it; a scenario exits non-zero when check_failures is not 0 at its end.
 */
#ifndef CHECK_H
#define CHECK_H

extern unsigned check_failures;

/* Returns <ok>, so that a check can guard what depends on it. */
int check(int ok, const char *what);

#endif
