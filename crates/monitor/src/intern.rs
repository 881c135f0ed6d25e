//! Small building blocks for the hot loops: string interning and hashers.
//!
//! Rows carry a handful of low-cardinality text values (neighbourhood code, provision
//! code, period, organisation). Interning them once turns each row into a few integers,
//! which keeps memory proportional to the number of distinct households and makes the
//! per-row work a couple of integer compares.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (from rustc): fast and good enough for interning trusted, low-cardinality
/// values. Not used for anything an outsider could choose to collide on at scale.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(crate) type FxBuildHasher = BuildHasherDefault<FxHasher>;
pub(crate) type FxHashMap<K, V> = HashMap<K, V, FxBuildHasher>;

/// Maps distinct byte strings to dense ids `0..len`, with a one-entry cache because
/// exports tend to repeat the previous row's value. Values up to 31 bytes (nearly all)
/// are looked up as a fixed-size array: hashing and comparing four words instead of a
/// call to `memcmp`.
#[derive(Default)]
pub(crate) struct Interner {
    short: FxHashMap<[u64; 4], u32>,
    long: FxHashMap<Box<[u8]>, u32>,
    values: Vec<Box<[u8]>>,
    last: Option<u32>,
}

impl Interner {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    #[inline]
    pub(crate) fn intern(&mut self, value: &[u8]) -> u32 {
        if let Some(last) = self.last {
            if *self.values[last as usize] == *value {
                return last;
            }
        }
        let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let id = if value.len() < 32 {
            let mut bytes = [0u8; 32];
            bytes[..value.len()].copy_from_slice(value);
            bytes[31] = value.len() as u8;
            let mut key = [0u64; 4];
            for (k, chunk) in key.iter_mut().zip(bytes.chunks_exact(8)) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                *k = u64::from_le_bytes(word);
            }
            *self.short.entry(key).or_insert(next)
        } else {
            match self.long.get(value) {
                Some(&id) => id,
                None => {
                    self.long.insert(value.into(), next);
                    next
                }
            }
        };
        if id == next {
            self.values.push(value.into());
        }
        self.last = Some(id);
        id
    }

    #[cfg(test)]
    pub(crate) fn get(&self, id: u32) -> &[u8] {
        &self.values[id as usize]
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The interned values as strings. Every value was checked to be UTF-8 before it was
    /// interned; anything else is replaced rather than trusted.
    pub(crate) fn into_strings(self) -> Vec<Box<str>> {
        self.values
            .into_iter()
            .map(|v| String::from_utf8_lossy(&v).into_owned().into_boxed_str())
            .collect()
    }
}

/// Interns short values (at most 8 bytes, such as the digits of a neighbourhood code
/// or a period) by packing them into a `u64`: no byte comparisons on look-up.
#[derive(Default)]
pub(crate) struct PackedInterner {
    ids: FxHashMap<u64, u32>,
    values: Vec<Box<str>>,
    last: Option<(u64, u32)>,
}

impl PackedInterner {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// `key` are the distinguishing bytes (at most 8); `value` the full text.
    #[inline]
    pub(crate) fn intern(&mut self, key: &[u8], value: &str) -> u32 {
        debug_assert!(key.len() <= 8);
        let mut word = [0u8; 8];
        word[..key.len()].copy_from_slice(key);
        let packed = u64::from_le_bytes(word);
        if let Some((k, id)) = self.last {
            if k == packed {
                return id;
            }
        }
        let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let id = *self.ids.entry(packed).or_insert(next);
        if id == next {
            self.values.push(value.into());
        }
        self.last = Some((packed, id));
        id
    }

    pub(crate) fn into_strings(self) -> Vec<Box<str>> {
        self.values
    }
}

/// A set of small integers, kept sorted, stored inline while it is small. Most
/// households hold one to four provisions, so this avoids a heap allocation each.
#[derive(Clone, Debug)]
pub(crate) enum SmallSet {
    Inline { len: u8, items: [u32; 5] },
    Heap(Vec<u32>),
}

impl Default for SmallSet {
    fn default() -> Self {
        SmallSet::Inline {
            len: 0,
            items: [0; 5],
        }
    }
}

impl SmallSet {
    #[inline]
    pub(crate) fn insert(&mut self, value: u32) {
        match self {
            SmallSet::Inline { len, items } => {
                let n = usize::from(*len);
                let slice = &items[..n];
                let pos = match slice.binary_search(&value) {
                    Ok(_) => return,
                    Err(pos) => pos,
                };
                if n < items.len() {
                    items.copy_within(pos..n, pos + 1);
                    items[pos] = value;
                    *len += 1;
                } else {
                    let mut v = Vec::with_capacity(n * 2);
                    v.extend_from_slice(&items[..pos]);
                    v.push(value);
                    v.extend_from_slice(&items[pos..n]);
                    *self = SmallSet::Heap(v);
                }
            }
            SmallSet::Heap(v) => {
                if let Err(pos) = v.binary_search(&value) {
                    v.insert(pos, value);
                }
            }
        }
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[u32] {
        match self {
            SmallSet::Inline { len, items } => &items[..usize::from(*len)],
            SmallSet::Heap(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn interner_gives_the_same_id_to_the_same_value() {
        let mut i = Interner::new();
        let a = i.intern(b"WMO-HV");
        let b = i.intern(b"JW-AMB");
        assert_eq!(i.intern(b"WMO-HV"), a);
        assert_ne!(a, b);
        assert_eq!(i.get(b), b"JW-AMB");
        assert_eq!(i.len(), 2);
    }

    proptest! {
        #[test]
        fn small_set_behaves_like_a_sorted_set(values in proptest::collection::vec(0u32..20, 0..40)) {
            let mut set = SmallSet::default();
            for &v in &values {
                set.insert(v);
            }
            let mut expected = values.clone();
            expected.sort_unstable();
            expected.dedup();
            prop_assert_eq!(set.as_slice(), &expected[..]);
        }
    }
}
