/*
 * uint64_t mmu_call_offset(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t offset)
 * Calls fn + offset with arg, SP and FP moved by offset (an alias of the same memory), and
 * moves them back afterwards. Used by mmu_call_aliased (runtime/mmu.c).
 */
	.text
	.balign 4
	.global mmu_call_offset
	.type mmu_call_offset, %function
mmu_call_offset:
	stp	x29, x30, [sp, #-32]!
	str	x19, [sp, #16]
	mov	x29, sp
	mov	x19, x2
	add	x3, x0, x19
	mov	x0, x1
	mov	x4, sp
	add	x4, x4, x19
	mov	sp, x4
	add	x29, x29, x19
	blr	x3
	mov	x4, sp
	sub	x4, x4, x19
	mov	sp, x4
	sub	x29, x29, x19
	ldr	x19, [sp, #16]
	ldp	x29, x30, [sp], #32
	ret
	.size mmu_call_offset, . - mmu_call_offset
