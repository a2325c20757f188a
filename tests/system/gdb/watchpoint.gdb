watch ticks
continue
p ticks
# Stepping the storing instruction with the watchpoint set stops before it too (as on QEMU):
# GDB steps it again with the watchpoint removed and reports the change.
tbreak *($pc - 4)
continue
stepi
p ticks
delete
continue
