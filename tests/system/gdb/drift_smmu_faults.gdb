# Device accesses, DMA and faults with code hooks present all along: a breakpoint on code that
# never runs here, one hit in the middle of the DMA sequence, steps, a watchpoint on the
# driver's event-queue consumer index (hit when it reads a fault's event, then continued).
monitor stop-on none
break iova_alloc_shared
break edu_load_buffer
continue
stepi
stepi
stepi
delete 2
watch 'smmu_faults.c'::s.smmu.evtq.index
continue
x/i $pc - 4
continue
delete 3
continue
