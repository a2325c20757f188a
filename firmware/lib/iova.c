/*
 * IOVA allocator: see iova.h.
 */
#include "iova.h"

#include <errno.h>
#include <stddef.h>

static int is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* Smallest power of two >= x (x <= 2^63). */
static uint64_t roundup_pow2(uint64_t x)
{
	uint64_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

uint64_t iova_align(const struct iova_domain *d, uint64_t size)
{
	uint64_t mask = d->granule - 1;

	if (size > UINT64_MAX - mask)
		return 0;
	return (size + mask) & ~mask;
}

int iova_domain_init(struct iova_domain *d, const char *name, uint64_t granule,
		     uint64_t aperture_first, uint64_t aperture_last)
{
	if (!d || !is_pow2(granule) || aperture_first > aperture_last)
		return -EINVAL;

	uint64_t mask = granule - 1;
	uint64_t first = aperture_first < granule ? granule : aperture_first;

	if (first > UINT64_MAX - mask)
		return -EINVAL;
	first = (first + mask) & ~mask;
	/* The last usable byte is the end of the last whole granule inside the aperture. */
	uint64_t last = aperture_last == UINT64_MAX ? UINT64_MAX : ((aperture_last + 1) & ~mask) - 1;
	if (aperture_last != UINT64_MAX && ((aperture_last + 1) & ~mask) == 0)
		return -EINVAL;
	if (first > last)
		return -EINVAL;

	d->name = name;
	d->granule = granule;
	d->first = first;
	d->last = last;
	d->count = 0;
	return 0;
}

/* Insert a busy range at index <at>, keeping the array sorted. */
static int insert_at(struct iova_domain *d, unsigned at, uint64_t first, uint64_t last, int reserved)
{
	if (d->count == IOVA_MAX_RANGES)
		return -ENOMEM;
	for (unsigned i = d->count; i > at; i--)
		d->busy[i] = d->busy[i - 1];
	d->busy[at].first = first;
	d->busy[at].last = last;
	d->busy[at].reserved = reserved;
	d->count++;
	return 0;
}

static void remove_at(struct iova_domain *d, unsigned at)
{
	for (unsigned i = at; i + 1 < d->count; i++)
		d->busy[i] = d->busy[i + 1];
	d->count--;
}

int iova_is_busy(const struct iova_domain *d, uint64_t first, uint64_t last)
{
	for (unsigned i = 0; i < d->count; i++)
		if (d->busy[i].first <= last && first <= d->busy[i].last)
			return 1;
	return 0;
}

int iova_reserve(struct iova_domain *d, uint64_t first, uint64_t last)
{
	if (!d || first > last)
		return -EINVAL;
	if (last < d->first || first > d->last)
		return 0;	/* outside the aperture: nothing can be allocated there anyway */
	if (first < d->first)
		first = d->first;
	if (last > d->last)
		last = d->last;
	/* Widen to whole granules (the aperture is granule-aligned, so this stays inside it). */
	first &= ~(d->granule - 1);
	last |= d->granule - 1;

	/* Merge with every reservation it overlaps or touches; refuse to cover an allocation. */
	unsigned i = 0;
	while (i < d->count) {
		struct iova_busy *b = &d->busy[i];
		int touches = b->first <= last + (last != UINT64_MAX) && first <= b->last + (b->last != UINT64_MAX);
		if (!touches) {
			i++;
			continue;
		}
		if (!b->reserved) {
			if (b->first <= last && first <= b->last)
				return -EBUSY;
			i++;
			continue;	/* adjacent to an allocation: keep both */
		}
		if (b->first < first)
			first = b->first;
		if (b->last > last)
			last = b->last;
		remove_at(d, i);
	}
	unsigned at = 0;
	while (at < d->count && d->busy[at].first < first)
		at++;
	return insert_at(d, at, first, last, 1);
}

int iova_inbound_gaps(const struct iova_range *inbound, unsigned n_inbound, struct iova_range *gaps,
		      unsigned *n_gaps)
{
	*n_gaps = 0;
	if (n_inbound > IOVA_MAX_WINDOWS)
		return -E2BIG;
	if (n_inbound == 0)
		return 0;	/* no dma-ranges: the bridge forwards every bus address */

	/* Walk the windows in address order (selection by "next above cursor", so the caller's
	 * array is not modified) and collect the gaps between them. */
	uint64_t cursor = 0;	/* lowest address not yet known to be inside a window */
	int at_top = 0;
	for (unsigned done = 0; done < n_inbound; done++) {
		const struct iova_range *next = NULL;
		for (unsigned i = 0; i < n_inbound; i++) {
			if (inbound[i].first > inbound[i].last)
				return -EINVAL;
			if ((done == 0 || inbound[i].first >= cursor) &&
			    (!next || inbound[i].first < next->first))
				next = &inbound[i];
		}
		/* A window that starts below the cursor overlaps one already walked. */
		if (!next || next->first < cursor || at_top)
			return -EINVAL;
		if (next->first > cursor)
			gaps[(*n_gaps)++] = (struct iova_range){cursor, next->first - 1};
		if (next->last == UINT64_MAX)
			at_top = 1;
		else
			cursor = next->last + 1;
	}
	if (!at_top)
		gaps[(*n_gaps)++] = (struct iova_range){cursor, UINT64_MAX};
	return 0;
}

int iova_reserve_pci_windows(struct iova_domain *d, const struct iova_range *outbound,
			     unsigned n_outbound, const struct iova_range *inbound, unsigned n_inbound)
{
	struct iova_range gaps[IOVA_MAX_WINDOWS + 1];
	unsigned n_gaps;
	int err;

	if ((err = iova_inbound_gaps(inbound, n_inbound, gaps, &n_gaps)))
		return err;
	for (unsigned i = 0; i < n_outbound; i++)
		if ((err = iova_reserve(d, outbound[i].first, outbound[i].last)))
			return err;
	for (unsigned i = 0; i < n_gaps; i++)
		if ((err = iova_reserve(d, gaps[i].first, gaps[i].last)))
			return err;
	return 0;
}

int iova_alloc(struct iova_domain *d, uint64_t size, uint64_t limit, uint64_t *iova)
{
	if (!d || !iova || size == 0)
		return -EINVAL;
	size = iova_align(d, size);
	if (size == 0 || size > (1ull << 63))
		return -EINVAL;

	uint64_t align = roundup_pow2(size);
	uint64_t top = limit < d->last ? limit : d->last;
	if (top < d->first)
		return -ENOSPC;

	/* Gap k lies below busy[k] (k == count: above the last busy range). Top-down. */
	for (unsigned k = d->count + 1; k-- > 0;) {
		uint64_t hi = k == d->count ? d->last : d->busy[k].first - 1;
		uint64_t lo = k == 0 ? d->first : d->busy[k - 1].last + 1;
		if (k > 0 && d->busy[k - 1].last == UINT64_MAX)
			continue;	/* nothing above the top */
		if (hi > top)
			hi = top;
		if (hi < lo || hi - lo < size - 1)
			continue;
		uint64_t start = (hi - (size - 1)) & ~(align - 1);
		if (start < lo)
			continue;
		int err = insert_at(d, k, start, start + size - 1, 0);
		if (err)
			return err;
		*iova = start;
		return 0;
	}
	return -ENOSPC;
}

int iova_alloc_at(struct iova_domain *d, uint64_t iova, uint64_t size)
{
	if (!d || size == 0 || (iova & (d->granule - 1)))
		return -EINVAL;
	size = iova_align(d, size);
	if (size == 0 || iova < d->first || iova > d->last || size - 1 > d->last - iova)
		return -EINVAL;
	uint64_t last = iova + (size - 1);
	if (iova_is_busy(d, iova, last))
		return -EBUSY;
	unsigned at = 0;
	while (at < d->count && d->busy[at].first < iova)
		at++;
	return insert_at(d, at, iova, last, 0);
}

/* The busy range of <d> overlapping [first, last] with the lowest start, or NULL. */
static const struct iova_busy *first_overlap(const struct iova_domain *d, uint64_t first, uint64_t last)
{
	for (unsigned i = 0; i < d->count; i++)
		if (d->busy[i].first <= last && first <= d->busy[i].last)
			return &d->busy[i];
	return NULL;
}

int iova_alloc_shared(struct iova_domain *const *d, unsigned n, uint64_t size, uint64_t limit,
		      uint64_t *iova)
{
	if (!d || n == 0 || !iova || size == 0)
		return -EINVAL;
	uint64_t granule = d[0]->granule, lo = 0, top = limit;
	for (unsigned i = 0; i < n; i++) {
		if (d[i]->granule != granule)
			return -EINVAL;
		if (d[i]->first > lo)
			lo = d[i]->first;
		if (d[i]->last < top)
			top = d[i]->last;
	}
	size = iova_align(d[0], size);
	if (size == 0 || size > (1ull << 63))
		return -EINVAL;
	uint64_t align = roundup_pow2(size);

	/* Top-down: a candidate that overlaps a busy range anywhere moves below that range, so
	 * the candidate only ever goes down and the search ends. */
	for (;;) {
		if (top < lo || top - lo < size - 1)
			return -ENOSPC;
		uint64_t start = (top - (size - 1)) & ~(align - 1);
		if (start < lo)
			return -ENOSPC;
		const struct iova_busy *hit = NULL;
		for (unsigned i = 0; i < n && !hit; i++)
			hit = first_overlap(d[i], start, start + (size - 1));
		if (hit) {
			if (hit->first == 0)
				return -ENOSPC;
			top = hit->first - 1;
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			int err = iova_alloc_at(d[i], start, size);
			if (err) {
				while (i-- > 0)
					iova_free(d[i], start, size);
				return err;
			}
		}
		*iova = start;
		return 0;
	}
}

int iova_free(struct iova_domain *d, uint64_t iova, uint64_t size)
{
	if (!d || size == 0)
		return -EINVAL;
	size = iova_align(d, size);
	for (unsigned i = 0; i < d->count; i++) {
		struct iova_busy *b = &d->busy[i];
		if (b->first == iova && !b->reserved) {
			if (b->last - b->first != size - 1)
				return -EINVAL;
			remove_at(d, i);
			return 0;
		}
	}
	return -ENOENT;
}
