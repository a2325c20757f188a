continue
continue
monitor stop-on none
continue
