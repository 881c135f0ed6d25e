//! Small building blocks for the hot loops: string interning and a hasher.
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
    #[cfg(test)]
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
