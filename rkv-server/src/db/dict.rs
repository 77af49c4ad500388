//! Temporary stand-in for the incremental-rehash dict (being written on the
//! `dict` branch); same API, backed by std's HashMap.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

/// A hash table.
#[derive(Debug)]
pub struct Dict<K, V> {
    map: HashMap<K, V>,
}

impl<K: Hash + Eq, V> Default for Dict<K, V> {
    fn default() -> Self {
        Dict {
            map: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq, V> Dict<K, V> {
    /// An empty dict.
    pub fn new() -> Self {
        Self::default()
    }
    /// Entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// Lookup.
    pub fn get<Q: ?Sized + Hash + Eq>(&self, k: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(k)
    }
    /// Mutable lookup.
    pub fn get_mut<Q: ?Sized + Hash + Eq>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.map.get_mut(k)
    }
    /// Lookup returning the stored key.
    pub fn get_key_value<Q: ?Sized + Hash + Eq>(&self, k: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        self.map.get_key_value(k)
    }
    /// Membership.
    pub fn contains_key<Q: ?Sized + Hash + Eq>(&self, k: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.contains_key(k)
    }
    /// Insert or replace.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        self.map.insert(k, v)
    }
    /// Remove.
    pub fn remove<Q: ?Sized + Hash + Eq>(&mut self, k: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
    {
        self.map.remove_entry(k)
    }
    /// All entries.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter()
    }
    /// Remove all.
    pub fn clear(&mut self) {
        self.map.clear()
    }
    /// Swap out everything.
    pub fn take_all(&mut self) -> Dict<K, V> {
        std::mem::take(self)
    }
    /// Cursor scan (not yet guaranteed across growth in this stand-in).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&K, &V)) -> u64 {
        let step = 10usize;
        let start = cursor as usize;
        let mut n = 0;
        for (k, v) in self.map.iter().skip(start).take(step) {
            f(k, v);
            n += 1;
        }
        if start + n >= self.map.len() {
            0
        } else {
            (start + n) as u64
        }
    }
    /// Some entry.
    pub fn random_entry(&self) -> Option<(&K, &V)> {
        let n = self.map.len();
        if n == 0 {
            return None;
        }
        let i = (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos() as usize)
            % n;
        self.map.iter().nth(i)
    }
    /// Up to `count` entries.
    pub fn sample<'a>(&'a self, count: usize, out: &mut Vec<(&'a K, &'a V)>) {
        out.extend(self.map.iter().take(count));
    }
    /// Rehash work.
    pub fn rehash_for(&mut self, _budget: Duration) -> bool {
        false
    }
    /// Shrink.
    pub fn shrink_if_needed(&mut self) {}
    /// Memory.
    pub fn approx_heap_bytes(&self) -> usize {
        self.map.capacity() * (std::mem::size_of::<(K, V)>() + 1)
    }
}
