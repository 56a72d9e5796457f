//! An ordered map and set kept as a sorted ring buffer.
//!
//! The engine needs ordered maps for determinism (iteration in key order,
//! never a hash order), and every `BTreeMap<K, V>` type brings its own
//! copy of the B-tree's insert, remove, rebalancing, clone and drop code:
//! about 3 KB of wasm per key/value type, ~30 KB across the app. The maps
//! here hold at most a few thousand entries, mostly added at the end
//! (message ids and due times only grow) and taken from the front (the
//! oldest expires first), which a sorted `VecDeque` does in O(1); a key in
//! the middle costs a shift of the shorter side. Lookups are binary
//! searches.

use std::borrow::Borrow;
use std::collections::VecDeque;

/// An ordered map: [`BTreeMap`](std::collections::BTreeMap)'s semantics
/// for the operations the engine uses, iteration in key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VecMap<K, V> {
    items: VecDeque<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap {
            items: VecDeque::new(),
        }
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub const fn new() -> Self {
        VecMap {
            items: VecDeque::new(),
        }
    }

    /// `Ok(index)` of `key`, or `Err(index)` where it would go.
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        // Most lookups are of the newest key: check the end first.
        match self.items.back() {
            Some((last, _)) if last.borrow() < key => Err(self.items.len()),
            _ => self.items.binary_search_by(|(k, _)| k.borrow().cmp(key)),
        }
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.items[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.items[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; returns the value it had.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.items[i].1, value)),
            Err(i) => {
                self.items.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of `key`, inserting `make()` first if there is none
    /// (`entry(key).or_insert_with(make)`).
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.items.insert(i, (key, make()));
                i
            }
        };
        &mut self.items[i].1
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let i = self.find(key).ok()?;
        self.items.remove(i).map(|(_, v)| v)
    }

    /// Keeps only the entries `keep` says yes to (in key order).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.items.retain_mut(|(k, v)| keep(k, v));
    }

    /// The entry with the smallest key.
    pub fn first(&self) -> Option<(&K, &V)> {
        self.items.front().map(|(k, v)| (k, v))
    }

    pub fn pop_first(&mut self) -> Option<(K, V)> {
        self.items.pop_front()
    }

    /// Entries with a key at or above `from`.
    pub fn count_from<Q: Ord + ?Sized>(&self, from: &Q) -> usize
    where
        K: Borrow<Q>,
    {
        let start = self.items.partition_point(|(k, _)| k.borrow() < from);
        self.items.len() - start
    }
}

impl<K, V> VecMap<K, V> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.items.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.items.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.items.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.items.iter_mut().map(|(_, v)| v)
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<
        std::collections::vec_deque::Iter<'a, (K, V)>,
        fn(&'a (K, V)) -> (&'a K, &'a V),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter().map(|(k, v)| (k, v))
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for VecMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.items.iter().map(|(k, v)| (k, v)))
    }
}

/// An ordered set on [`VecMap`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VecSet<K> {
    map: VecMap<K, ()>,
}

impl<K> Default for VecSet<K> {
    fn default() -> Self {
        VecSet {
            map: VecMap::default(),
        }
    }
}

impl<K: Ord> VecSet<K> {
    /// Adds `key`; false if it was there already.
    pub fn insert(&mut self, key: K) -> bool {
        self.map.insert(key, ()).is_none()
    }

    pub fn remove(&mut self, key: &K) -> bool {
        self.map.remove(key).is_some()
    }

    pub fn contains(&self, key: &K) -> bool {
        self.map.contains_key(key)
    }

    pub fn first(&self) -> Option<&K> {
        self.map.first().map(|(k, _)| k)
    }

    pub fn pop_first(&mut self) -> Option<K> {
        self.map.pop_first().map(|(k, _)| k)
    }

    /// Members at or above `from`.
    pub fn count_from(&self, from: &K) -> usize {
        self.map.count_from(from)
    }
}

impl<K> VecSet<K> {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Members in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.map.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The same operations on a `BTreeMap` and a `VecMap` give the same
    /// answers and the same order, for keys in any order.
    #[test]
    fn behaves_like_a_btree_map() {
        let mut rng = crate::rng::SimRng::stream(7, 1);
        let mut b = BTreeMap::new();
        let mut v = VecMap::new();
        for step in 0..20_000u32 {
            // Mostly growing keys (ids, due times), some anywhere.
            let key = if rng.chance(0.7) {
                step as u64
            } else {
                rng.below(20_000)
            };
            match rng.below(5) {
                0 | 1 => assert_eq!(b.insert(key, step), v.insert(key, step)),
                2 => assert_eq!(b.remove(&key), v.remove(&key)),
                3 => assert_eq!(b.get(&key), v.get(&key)),
                _ => assert_eq!(b.pop_first(), v.pop_first()),
            }
            assert_eq!(b.len(), v.len());
        }
        assert!(b.iter().eq(v.iter()), "same entries in the same order");
        assert_eq!(b.first_key_value(), v.first());
        let from = 10_000;
        assert_eq!(b.range(from..).count(), v.count_from(&from));
        *v.get_or_insert_with(5, || 0) += 1;
        *b.entry(5).or_insert_with(|| 0) += 1;
        v.retain(|k, _| k % 3 != 0);
        b.retain(|k, _| k % 3 != 0);
        assert!(b.iter().eq(v.iter()));
    }

    #[test]
    fn a_set_keeps_one_of_each_in_order() {
        let mut s = VecSet::default();
        assert!(s.insert((5, 1)));
        assert!(s.insert((2, 9)));
        assert!(!s.insert((5, 1)), "already there");
        assert_eq!(s.first(), Some(&(2, 9)));
        assert_eq!(s.count_from(&(3, 0)), 1);
        assert!(s.remove(&(2, 9)) && !s.contains(&(2, 9)));
        assert_eq!(s.pop_first(), Some((5, 1)));
        assert!(s.is_empty());
    }
}
