//! The linking step's household map: pseudonym → what is known about the household.
//!
//! The map is split into [`PARTITIONS`] partitions by the high bits of the
//! pseudonym's hash, and every linking thread owns the partitions `t, t + T, …`, so
//! threads fold rows without locks. A partition is a flat open-addressing table
//! (linear probing) of 64-byte slots (one cache line each), grown by doubling on its own: growing a small
//! table stays in the cache, where growing one big table would move every household
//! through main memory once more. Folding a batch prefetches the slots of the rows a
//! few steps ahead: with millions of households nearly every row is a cache miss, and
//! prefetching overlaps them.
//!
//! The hash mixes all 32 bytes with keys drawn at random per link (two 64×64→128-bit
//! multiplications and a final multiply-shift), so files with crafted "pseudonyms"
//! cannot pile up in one probe run, and costs a few instructions per row.

use crate::input::DomainMask;

/// Partitions over all threads (a power of two).
pub(crate) const PARTITIONS: usize = 256;
const PARTITION_SHIFT: u32 = 64 - PARTITIONS.trailing_zeros();

/// Items in a household's overflow set with this bit are period ids (32 and up)...
pub(crate) const PERIOD_TAG: u32 = 1 << 31;
/// ... with this bit domain indices (32 and up); the others are provision ids.
const DOMAIN_TAG: u32 = 1 << 30;
/// Provision ids are below this.
pub(crate) const MAX_PROVISIONS: u32 = DOMAIN_TAG;

/// A household's provision ids: up to five inline (ids below 65,535), more (and any
/// domain or period that does not fit the bit masks) in an overflow set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Items {
    /// The number of inline items, or [`Items::SPILLED`]: `inline[0..2]` are then the
    /// index of the overflow set.
    len: u8,
    inline: [u16; 5],
}

impl Items {
    const SPILLED: u8 = u8::MAX;

    #[inline(always)]
    fn spilled_index(&self) -> usize {
        usize::from(self.inline[0]) | usize::from(self.inline[1]) << 16
    }

    /// Moves the items to a new overflow set.
    #[cold]
    fn spill(&mut self, overflow: &mut Vec<Vec<u32>>) -> usize {
        let set: Vec<u32> = self.inline[..usize::from(self.len)]
            .iter()
            .map(|&i| u32::from(i))
            .collect();
        let index = overflow.len();
        overflow.push(set);
        self.len = Self::SPILLED;
        self.inline = [index as u16, (index >> 16) as u16, 0, 0, 0];
        index
    }

    /// Adds a provision id if it is not in the set yet.
    #[inline(always)]
    fn insert_provision(&mut self, id: u32, overflow: &mut Vec<Vec<u32>>) {
        if self.len != Self::SPILLED && id < u32::from(u16::MAX) {
            let n = usize::from(self.len);
            if self.inline[..n].contains(&(id as u16)) {
                return;
            }
            if n < self.inline.len() {
                self.inline[n] = id as u16;
                self.len += 1;
                return;
            }
        }
        self.insert_spilled(id, overflow);
    }

    /// Adds an item to the overflow set (spilling first if needed).
    #[inline]
    fn insert_spilled(&mut self, item: u32, overflow: &mut Vec<Vec<u32>>) {
        let index = if self.len == Self::SPILLED {
            self.spilled_index()
        } else {
            self.spill(overflow)
        };
        let set = &mut overflow[index];
        if !set.contains(&item) {
            set.push(item);
        }
    }

    /// Calls `f` with every provision id and every tagged period (`PERIOD_TAG | id`),
    /// in no particular order.
    #[inline]
    pub(crate) fn for_each(&self, overflow: &[Vec<u32>], mut f: impl FnMut(u32)) {
        if self.len == Self::SPILLED {
            overflow[self.spilled_index()].iter().for_each(|&i| f(i));
        } else {
            self.inline[..usize::from(self.len)]
                .iter()
                .for_each(|&i| f(u32::from(i)));
        }
    }
}

/// What is known about a household while folding (half a cache line).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
struct Folding {
    /// Rows folded in; 0 marks an empty slot.
    records: u32,
    /// The neighbourhood code (the number after `BU`) and how often it was
    /// reported, or (with `buurt_count == CONFLICT`) the index of the household's
    /// tally in the partition's conflicts.
    buurt: u32,
    buurt_count: u32,
    /// Bit `i`: domain index `i` (below 32); others in `items` with `DOMAIN_TAG`.
    domains: u32,
    /// Bit `i`: period id `i` (below 32); others in `items` with [`PERIOD_TAG`].
    periods: u32,
    items: Items,
}

/// `buurt_count` of a household reported in more than one neighbourhood.
const CONFLICT: u32 = u32::MAX;

/// Everything known about one household, without its pseudonym: the linked dataset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Household {
    pub(crate) domains: DomainMask,
    /// Bit `i`: period id `i` (below 32), or after [`LinkedDataset`]'s renumbering its
    /// alphabetical rank; other periods are in `items` with [`PERIOD_TAG`].
    ///
    /// [`LinkedDataset`]: crate::LinkedDataset
    pub(crate) periods: u32,
    pub(crate) records: u32,
    /// The index of the most frequent neighbourhood code in the dataset's names.
    pub(crate) buurt: u32,
    pub(crate) items: Items,
}

/// A slot of a partition: one cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Slot {
    pseudonym: [u8; 32],
    household: Folding,
}

const _: () = assert!(std::mem::size_of::<Slot>() == 64);

const EMPTY: Slot = Slot {
    pseudonym: [0; 32],
    household: Folding {
        records: 0,
        buurt: 0,
        buurt_count: 0,
        domains: 0,
        periods: 0,
        items: Items {
            len: 0,
            inline: [0; 5],
        },
    },
};

/// A checked row on its way to the thread that owns its partition.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ParsedRow {
    pub(crate) pseudonym: [u8; 32],
    pub(crate) hash: u64,
    /// The neighbourhood code: the number after `BU`.
    pub(crate) buurt: u32,
    pub(crate) provision: u32,
    /// A period id, or [`NO_PERIOD`].
    pub(crate) period: u32,
    pub(crate) domain: u8,
}

pub(crate) const NO_PERIOD: u32 = u32::MAX;

/// The keys of the pseudonym hash.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HashKeys([u64; 4]);

impl HashKeys {
    pub(crate) fn new(keys: [u64; 4]) -> HashKeys {
        HashKeys(keys)
    }

    /// The hash of a pseudonym: its four words mixed with the keys by two full
    /// multiplications, both halves of the products folded in.
    #[inline(always)]
    pub(crate) fn hash(&self, pseudonym: &[u8; 32]) -> u64 {
        let w = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&pseudonym[8 * i..8 * i + 8]);
            u64::from_le_bytes(b) ^ self.0[i]
        };
        let a = u128::from(w(0)) * u128::from(w(1));
        let b = u128::from(w(2)) * u128::from(w(3).rotate_left(32));
        let x = a ^ b.rotate_left(64);
        // A final mix, so that every bit of the products reaches the high bits (the
        // partition) and the low bits (the slot).
        let h = ((x as u64) ^ (x >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^ (h >> 29)
    }
}

/// The partition a hash belongs to.
#[inline(always)]
pub(crate) fn partition_of(hash: u64) -> usize {
    (hash >> PARTITION_SHIFT) as usize
}

/// One partition of the household map.
pub(crate) struct Partition {
    slots: Vec<Slot>,
    len: usize,
    overflow: Vec<Vec<u32>>,
    /// Per conflicted household: (neighbourhood code, rows).
    conflicts: Vec<Vec<(u32, u32)>>,
}

/// Rows looked up this far ahead are prefetched.
const PREFETCH_AHEAD: usize = 8;

impl Partition {
    fn new() -> Partition {
        Partition {
            slots: vec![EMPTY; 16],
            len: 0,
            overflow: Vec::new(),
            conflicts: Vec::new(),
        }
    }

    #[inline(always)]
    fn slot_index(&self, hash: u64) -> usize {
        (hash as usize) & (self.slots.len() - 1)
    }

    #[inline(always)]
    fn prefetch(&self, hash: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let slot = &self.slots[self.slot_index(hash)] as *const Slot as *const i8;
            // SAFETY: prefetching has no observable effect; the address is in bounds
            // (a slot is one cache line).
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch(slot, _MM_HINT_T0);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hash;
    }

    /// Folds rows of this partition, prefetching the slots of those a few steps ahead.
    fn fold_all(&mut self, rows: &[ParsedRow], keys: &HashKeys) {
        for (i, row) in rows.iter().enumerate() {
            if let Some(ahead) = rows.get(i + PREFETCH_AHEAD) {
                self.prefetch(ahead.hash);
            }
            self.fold(row, keys);
        }
    }

    /// Folds one row into its household.
    #[inline(always)]
    fn fold(&mut self, row: &ParsedRow, keys: &HashKeys) {
        let (overflow, conflicts) = (&mut self.overflow, &mut self.conflicts);
        let household = Partial {
            slots: &mut self.slots,
            len: &mut self.len,
        }
        .entry(&row.pseudonym, row.hash, keys);
        if household.records == 0 {
            household.buurt = row.buurt;
        }
        household.records = household.records.saturating_add(1);
        if row.domain < 32 {
            household.domains |= 1u32 << row.domain;
        } else {
            household
                .items
                .insert_spilled(DOMAIN_TAG | u32::from(row.domain), overflow);
        }
        if household.buurt_count == CONFLICT {
            let tally = &mut conflicts[household.buurt as usize];
            match tally.iter_mut().find(|(c, _)| *c == row.buurt) {
                Some((_, n)) => *n += 1,
                None => tally.push((row.buurt, 1)),
            }
        } else if household.buurt == row.buurt {
            household.buurt_count += 1;
        } else {
            conflicts.push(vec![
                (household.buurt, household.buurt_count),
                (row.buurt, 1),
            ]);
            household.buurt = (conflicts.len() - 1) as u32;
            household.buurt_count = CONFLICT;
        }
        household.items.insert_provision(row.provision, overflow);
        match row.period {
            NO_PERIOD => {}
            p if p < 32 => household.periods |= 1u32 << p,
            p => household.items.insert_spilled(p | PERIOD_TAG, overflow),
        }
    }
}

/// The slots and length of a partition, borrowed apart from its side tables.
struct Partial<'a> {
    slots: &'a mut Vec<Slot>,
    len: &'a mut usize,
}

impl<'a> Partial<'a> {
    /// The household for `pseudonym`, created empty if new.
    #[inline(always)]
    fn entry(self, pseudonym: &[u8; 32], hash: u64, keys: &HashKeys) -> &'a mut Folding {
        // Keep the load at most 7/10 so that probe runs stay short.
        if (*self.len + 1) * 10 > self.slots.len() * 7 {
            grow(self.slots, keys);
        }
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let slot = &self.slots[i];
            if slot.household.records == 0 {
                *self.len += 1;
                self.slots[i].pseudonym = *pseudonym;
                return &mut self.slots[i].household;
            }
            if same(&slot.pseudonym, pseudonym) {
                return &mut self.slots[i].household;
            }
            i = (i + 1) & mask;
        }
    }
}

/// Whether two pseudonyms are equal: two 16-byte comparisons, no call.
#[inline(always)]
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let half = |x: &[u8; 32], i: usize| {
        let mut w = [0u8; 16];
        w.copy_from_slice(&x[16 * i..16 * i + 16]);
        u128::from_le_bytes(w)
    };
    (half(a, 0) ^ half(b, 0)) | (half(a, 1) ^ half(b, 1)) == 0
}

#[cold]
fn grow(slots: &mut Vec<Slot>, keys: &HashKeys) {
    let doubled = slots.len() * 2;
    let old = std::mem::replace(slots, vec![EMPTY; doubled]);
    let mask = doubled - 1;
    for slot in old {
        if slot.household.records == 0 {
            continue;
        }
        let mut i = (keys.hash(&slot.pseudonym) as usize) & mask;
        while slots[i].household.records != 0 {
            i = (i + 1) & mask;
        }
        slots[i] = slot;
    }
}

/// Rows buffered per partition before they are folded in one go: folding many rows
/// into one partition at a time keeps its pages in the TLB and its probes in flight.
const PENDING: usize = 512;

/// One thread's partitions.
pub(crate) struct Tables {
    /// This thread's index and the number of threads: it owns the partitions
    /// `thread, thread + threads, …`.
    thread: usize,
    threads: usize,
    partitions: Vec<Partition>,
    /// Rows waiting to be folded, per partition.
    pending: Vec<Vec<ParsedRow>>,
}

impl Tables {
    pub(crate) fn new(thread: usize, threads: usize) -> Tables {
        let owned = (thread..PARTITIONS).step_by(threads).count();
        Tables {
            thread,
            threads,
            partitions: (0..owned).map(|_| Partition::new()).collect(),
            pending: (0..owned).map(|_| Vec::new()).collect(),
        }
    }

    /// Which thread owns the partition of `hash`.
    #[inline(always)]
    pub(crate) fn owner(hash: u64, threads: usize) -> usize {
        partition_of(hash) % threads
    }

    #[inline(always)]
    fn local(&self, hash: u64) -> usize {
        partition_of(hash) / self.threads
    }

    /// Folds rows whose partitions this thread owns (some only at the next
    /// [`Tables::flush`]).
    pub(crate) fn fold(&mut self, batch: &[ParsedRow], keys: &HashKeys) {
        for row in batch {
            debug_assert_eq!(Tables::owner(row.hash, self.threads), self.thread);
            let p = self.local(row.hash);
            let pending = &mut self.pending[p];
            if pending.capacity() == 0 {
                pending.reserve_exact(PENDING);
            }
            pending.push(*row);
            if pending.len() == PENDING {
                self.partitions[p].fold_all(pending, keys);
                pending.clear();
            }
        }
    }

    /// Folds every row still waiting.
    pub(crate) fn flush(&mut self, keys: &HashKeys) {
        for (partition, pending) in self.partitions.iter_mut().zip(&mut self.pending) {
            partition.fold_all(pending, keys);
            *pending = Vec::new();
        }
    }

    /// The number of households (after [`Tables::flush`]).
    pub(crate) fn len(&self) -> usize {
        self.partitions.iter().map(|p| p.len).sum()
    }
}

/// The households of all threads' tables, without their pseudonyms.
pub(crate) struct Folded {
    pub(crate) households: Vec<Household>,
    /// Overflow sets, indexed by spilled [`Items`]: provision ids and, tagged with
    /// [`PERIOD_TAG`], period ids.
    pub(crate) overflow: Vec<Vec<u32>>,
    /// Neighbourhood codes, indexed by `Household::buurt`.
    pub(crate) buurt_codes: Vec<u32>,
    /// Households reported in more than one neighbourhood.
    pub(crate) conflicts: u64,
}

/// Drops the pseudonyms: every household in a canonical order (by partition, then by
/// hash, then by pseudonym), so that the result does not depend on which thread
/// folded which row first; neighbourhood tallies resolved to the most frequent code
/// (on a tie the code that sorts first). Each partition is freed once copied.
///
/// Also returns the CPU time of the busiest helper thread.
pub(crate) fn into_households(
    mut tables: Vec<Tables>,
    keys: &HashKeys,
) -> (Folded, std::time::Duration) {
    // Each thread's partitions are flushed and put in canonical order (by hash, then
    // pseudonym) on a thread of their own: hashing and sorting is most of this step.
    let (orders, busiest): (Vec<Vec<Vec<u32>>>, Vec<std::time::Duration>) =
        std::thread::scope(|scope| {
            let handles: Vec<_> = tables
                .iter_mut()
                .map(|t| {
                    scope.spawn(move || {
                        let begin = crate::cputime::thread_cpu();
                        t.flush(keys);
                        let orders = t
                            .partitions
                            .iter()
                            .map(|p| canonical_order(&p.slots, keys))
                            .collect::<Vec<_>>();
                        (orders, crate::cputime::thread_cpu() - begin)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .unzip()
        });
    let busiest = busiest.into_iter().max().unwrap_or_default();
    let total: usize = tables.iter().map(Tables::len).sum();
    let threads = tables.len();
    let mut by_thread: Vec<_> = tables
        .into_iter()
        .zip(orders)
        .map(|(t, o)| t.partitions.into_iter().zip(o))
        .collect();
    // The partitions in canonical order, their households built in two halves on two
    // threads, and the halves joined as if built in one go.
    let mut first = Vec::with_capacity(PARTITIONS);
    for g in 0..PARTITIONS {
        if let Some(p) = by_thread[g % threads].next() {
            first.push(p);
        }
    }
    let second = first.split_off(first.len() / 2);
    let (mut out, tail) = std::thread::scope(|scope| {
        let tail = scope.spawn(move || build_households(second, 0));
        let out = build_households(first, total);
        (
            out,
            tail.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    });
    // The second half's neighbourhoods get their index in order of first appearance
    // over both halves, its overflow sets come after the first half's.
    let mut code_index: crate::intern::FxHashMap<u32, u32> = out
        .buurt_codes
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, i as u32))
        .collect();
    let remap: Vec<u32> = tail
        .buurt_codes
        .iter()
        .map(|&code| {
            let next = out.buurt_codes.len() as u32;
            let buurt = *code_index.entry(code).or_insert(next);
            if buurt == next {
                out.buurt_codes.push(code);
            }
            buurt
        })
        .collect();
    let base = out.overflow.len();
    out.overflow.extend(tail.overflow);
    out.conflicts += tail.conflicts;
    out.households
        .extend(tail.households.into_iter().map(|mut h| {
            h.buurt = remap[h.buurt as usize];
            if h.items.len == Items::SPILLED {
                let index = base + h.items.spilled_index();
                h.items.inline[0] = index as u16;
                h.items.inline[1] = (index >> 16) as u16;
            }
            h
        }));
    (out, busiest)
}

/// The households of `parts` (partitions with their canonical order), in that order;
/// neighbourhoods and overflow sets indexed from 0. Each partition is freed once
/// copied.
fn build_households(parts: Vec<(Partition, Vec<u32>)>, capacity: usize) -> Folded {
    let mut out = Folded {
        households: Vec::with_capacity(capacity),
        overflow: Vec::new(),
        buurt_codes: Vec::new(),
        conflicts: 0,
    };
    let mut code_index: crate::intern::FxHashMap<u32, u32> = Default::default();
    for (partition, order) in parts {
        let Partition {
            slots,
            overflow,
            conflicts,
            ..
        } = partition;
        let base = out.overflow.len() as u32;
        out.overflow.extend(overflow);
        for i in order {
            let f = slots[i as usize].household;
            let code = if f.buurt_count == CONFLICT {
                out.conflicts += 1;
                conflicts[f.buurt as usize]
                    .iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .map_or(0, |c| c.0)
            } else {
                f.buurt
            };
            let next = out.buurt_codes.len() as u32;
            let buurt = *code_index.entry(code).or_insert(next);
            if buurt == next {
                out.buurt_codes.push(code);
            }
            let mut h = Household {
                domains: DomainMask::from(f.domains),
                periods: f.periods,
                records: f.records,
                buurt,
                items: f.items,
            };
            if h.items.len == Items::SPILLED {
                // Domains from 32 on join the mask; the set keeps provisions and
                // periods.
                let index = base as usize + h.items.spilled_index();
                let set = &mut out.overflow[index];
                set.retain(|&item| {
                    let domain = item & (PERIOD_TAG | DOMAIN_TAG) == DOMAIN_TAG;
                    if domain {
                        h.domains |= 1u64 << (item & !DOMAIN_TAG);
                    }
                    !domain
                });
                h.items.inline[0] = index as u16;
                h.items.inline[1] = (index >> 16) as u16;
            }
            out.households.push(h);
        }
        // `slots` (and the pseudonyms in it) is dropped here.
    }
    out
}

/// The occupied slots of a partition in canonical order: by hash, then pseudonym. It
/// does not depend on the order the rows came in, nor on the table's growth.
fn canonical_order(slots: &[Slot], keys: &HashKeys) -> Vec<u32> {
    let mut order: Vec<(u64, u32)> = slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.household.records != 0)
        .map(|(i, s)| (keys.hash(&s.pseudonym), i as u32))
        .collect();
    order.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            slots[a.1 as usize]
                .pseudonym
                .cmp(&slots[b.1 as usize].pseudonym)
        })
    });
    order.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pseudonym: [u8; 32], keys: &HashKeys, buurt: u32, provision: u32) -> ParsedRow {
        ParsedRow {
            pseudonym,
            hash: keys.hash(&pseudonym),
            buurt,
            provision,
            period: 70,
            domain: 1,
        }
    }

    #[test]
    fn the_map_keeps_every_pseudonym_apart_through_growth_and_collisions() {
        let keys = HashKeys::new([1, 2, 3, 4]);
        let threads = 3;
        let mut tables: Vec<Tables> = (0..threads).map(|t| Tables::new(t, threads)).collect();
        let key = |i: u32| {
            let mut k = [0u8; 32];
            // Half of them share their first 28 bytes.
            if i % 2 == 0 {
                k[..4].copy_from_slice(&i.to_le_bytes());
            }
            k[28..].copy_from_slice(&i.to_le_bytes());
            k
        };
        for round in 0..2u32 {
            for i in 0..50_000u32 {
                let r = row(key(i), &keys, 10 + round * (i % 3 / 2), i % 5);
                tables[Tables::owner(r.hash, threads)].fold(&[r], &keys);
            }
        }
        for t in &mut tables {
            t.flush(&keys);
        }
        assert_eq!(tables.iter().map(Tables::len).sum::<usize>(), 50_000);
        let (folded, _) = into_households(tables, &keys);
        assert_eq!(folded.households.len(), 50_000);
        assert!(folded.households.iter().all(|h| h.records == 2));
        // i % 3 == 2 was reported in neighbourhoods 10 and 11: a tie, so 10.
        assert_eq!(
            folded.conflicts,
            (0..50_000).filter(|i| i % 3 == 2).count() as u64
        );
        assert_eq!(folded.buurt_codes, vec![10]);
        for h in &folded.households {
            let mut items = Vec::new();
            h.items.for_each(&folded.overflow, |i| items.push(i));
            assert_eq!(items.len(), 2, "one provision and period 70");
            assert!(items.contains(&(70 | PERIOD_TAG)));
            assert_eq!(h.domains, 1 << 1);
        }
    }

    #[test]
    fn items_stay_distinct_inline_and_spilled() {
        for values in [
            vec![3, 1, 3, 2, 1, 7, 9, 7, 3],
            vec![3, 1, 3, 2, 1, 7, 9, 7, 3, 11, 12, 1],
            vec![70_000, 1, 70_000, 2],
        ] {
            let mut overflow = Vec::new();
            let mut items = Items::default();
            for &v in &values {
                items.insert_provision(v, &mut overflow);
            }
            let mut got = Vec::new();
            items.for_each(&overflow, |i| got.push(i));
            got.sort_unstable();
            let mut expected = values.clone();
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn domains_and_periods_beyond_the_masks_are_kept() {
        let keys = HashKeys::new([5, 6, 7, 8]);
        let mut tables = vec![Tables::new(0, 1)];
        let mut r = row([9; 32], &keys, 1, 4);
        for (domain, period) in [(1, 2), (40, 33), (63, NO_PERIOD)] {
            r.domain = domain;
            r.period = period;
            tables[0].fold(&[r], &keys);
        }
        let (folded, _) = into_households(tables, &keys);
        let h = folded.households[0];
        assert_eq!(h.domains, (1 << 1) | (1 << 40) | (1 << 63));
        assert_eq!(h.periods, 1 << 2);
        let mut items = Vec::new();
        h.items.for_each(&folded.overflow, |i| items.push(i));
        items.sort_unstable();
        assert_eq!(items, vec![4, 33 | PERIOD_TAG]);
    }
}
