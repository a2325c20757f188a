monitor stop-on stale
continue
monitor stop-on none
continue
