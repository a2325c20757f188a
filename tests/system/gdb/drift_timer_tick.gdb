# A breakpoint on code that never runs here (iova_alloc_shared, for DARTs sharing a buffer) stays
# set the whole run: a code hook exists in Unicorn from the first instruction to the exit.
break iova_alloc_shared
break tick
continue
stepi
stepi
stepi
delete 2
# A write watchpoint on the tick counter, hit twice (the stores of the first two interrupts).
watch ticks
continue
# GDB shows the stop after the store (it steps the store itself, as on QEMU).
x/i $pc - 4
continue
delete 3
continue
