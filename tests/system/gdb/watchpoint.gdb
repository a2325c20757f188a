watch ticks
continue
p ticks
delete
continue
