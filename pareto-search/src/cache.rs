//! Frontier cache keyed by (SKU, kernel class, shape, SLO share, model hash), plus the priced points behind it
//! keyed the same way without the SLO (an op's SLO share depends on its fastest point, so points come first).
//!
//! Lookups are made in request order before any pricing starts, and each distinct missing key is priced once:
//! hit and miss counts are therefore the same whatever the thread count (two threads never race to miss).

use crate::frontier::{frontier_of, Frontier};
use crate::priced::Priced;
use riir_dialect::KernelClass;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// What identifies a kernel's priced points: everything that changes a price except the SLO.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct KeyData {
    /// SKU id.
    pub sku: String,
    pub class: KernelClass,
    /// Named dimensions, as written.
    pub shape: Vec<(String, i64)>,
    /// IEEE-754 bits of the other inputs of a price (bytes, flops, link bytes, reuse confidence, tokens and
    /// GPUs per step, variant assumptions): a hand-written kernel block may disagree with its shape, and a
    /// stale price must never be reused.
    pub inputs: Vec<u64>,
    pub model_hash: u64,
}

/// A shared [`KeyData`] with its hash computed once: a module repeats each layer's kernels many times, so keys
/// are cloned and compared far more often than made.
#[derive(Clone, Debug)]
pub struct KernelKey {
    data: Arc<KeyData>,
    hash: u64,
}

impl KernelKey {
    pub fn new(data: KeyData) -> KernelKey {
        let mut h = Fnv1a::default();
        data.hash(&mut h);
        KernelKey {
            hash: h.finish(),
            data: Arc::new(data),
        }
    }
}

/// FNV-1a, 64-bit: deterministic across runs and cheap on the short keys hashed here.
#[derive(Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Hashes keys that already carry a hash (a [`KernelKey`], a pair of one and SLO bits, a fingerprint) by
/// mixing their words, instead of SipHash-ing them again.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by kernel keys (or fingerprints), hashing each by the hash it carries.
pub type KeyMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

impl std::ops::Deref for KernelKey {
    type Target = KeyData;
    fn deref(&self) -> &KeyData {
        &self.data
    }
}

impl PartialEq for KernelKey {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.data, &other.data) || (self.hash == other.hash && self.data == other.data)
    }
}

impl Eq for KernelKey {}

impl Hash for KernelKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Counts of lookups since the cache was made.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub frontier_hits: u64,
    pub frontier_misses: u64,
    pub point_hits: u64,
    pub point_misses: u64,
}

/// Priced points of one kernel, shared between every op with the same key.
pub type Points<R> = Arc<Priced<R>>;

type FrontierKey = (KernelKey, u64);

/// Fewest frontiers to prune that are worth spreading over the thread pool.
const PARALLEL_PRUNE_MIN: usize = 8;

/// The cache. `R` is the pricer's reason type.
pub struct FrontierCache<R> {
    points: Mutex<KeyMap<KernelKey, Points<R>>>,
    frontiers: Mutex<KeyMap<FrontierKey, Arc<Frontier>>>,
    stats: Mutex<CacheStats>,
}

impl<R> Default for FrontierCache<R> {
    fn default() -> Self {
        FrontierCache {
            points: Mutex::new(KeyMap::default()),
            frontiers: Mutex::new(KeyMap::default()),
            stats: Mutex::new(CacheStats::default()),
        }
    }
}

/// Splits `keys` into hits and first-occurrence misses against `map`, counting each. A key repeated within
/// `keys` is a miss the first time and a hit afterwards.
fn classify<K: Clone + Eq + Hash, V>(map: &KeyMap<K, V>, keys: &[K]) -> (Vec<usize>, u64) {
    let mut first_miss: KeyMap<&K, usize> = KeyMap::default();
    let mut misses = Vec::new();
    let mut hits = 0;
    for (i, k) in keys.iter().enumerate() {
        if map.contains_key(k) || first_miss.contains_key(k) {
            hits += 1;
        } else {
            first_miss.insert(k, i);
            misses.push(i);
        }
    }
    (misses, hits)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a half-inserted entry (inserts are single calls), so a
    // poisoned lock still guards consistent data.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<R: Send + Sync> FrontierCache<R> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn stats(&self) -> CacheStats {
        *lock(&self.stats)
    }

    /// The priced points of each key. `price(i)` prices `keys[i]`; it is called once per distinct missing key
    /// (in parallel), with the index of that key's first occurrence.
    pub fn points<F>(&self, keys: &[KernelKey], price: F) -> Vec<Points<R>>
    where
        F: Fn(usize) -> Priced<R> + Sync,
    {
        let misses = {
            let map = lock(&self.points);
            let (misses, hits) = classify(&map, keys);
            let mut s = lock(&self.stats);
            s.point_hits += hits;
            s.point_misses += misses.len() as u64;
            misses
        };
        let priced: Vec<(usize, Points<R>)> =
            crate::parallel::map(misses.len(), |k| (misses[k], Arc::new(price(misses[k]))));
        let mut map = lock(&self.points);
        for (i, p) in priced {
            map.insert(keys[i].clone(), p);
        }
        keys.iter().map(|k| map[k].clone()).collect()
    }

    /// The frontier of each (key, SLO share) request, pruning each distinct missing one once, in parallel.
    /// `points[i]` are the priced points of `requests[i].0`.
    pub fn frontiers(&self, requests: &[(KernelKey, f64)], points: &[Points<R>]) -> Vec<Arc<Frontier>> {
        let keys: Vec<FrontierKey> = requests.iter().map(|(k, slo)| (k.clone(), slo.to_bits())).collect();
        let misses = {
            let map = lock(&self.frontiers);
            let (misses, hits) = classify(&map, &keys);
            let mut s = lock(&self.stats);
            s.frontier_hits += hits;
            s.frontier_misses += misses.len() as u64;
            misses
        };
        // Pruning one kernel takes several microseconds: for a handful, waking the thread pool costs more than
        // it saves.
        let prune = |&i: &usize| (i, Arc::new(frontier_of(&points[i], requests[i].1)));
        let pruned: Vec<(usize, Arc<Frontier>)> = if misses.len() < PARALLEL_PRUNE_MIN {
            misses.iter().map(prune).collect()
        } else {
            crate::parallel::map(misses.len(), |k| prune(&misses[k]))
        };
        let mut map = lock(&self.frontiers);
        for (i, f) in pruned {
            map.insert(keys[i].clone(), f);
        }
        keys.iter().map(|k| map[k].clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::Cost;
    use crate::frontier::evaluate;
    use crate::space::Axes;
    use riir_dialect::LinkState;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key(n: i64) -> KernelKey {
        KernelKey::new(KeyData {
            sku: "h200".into(),
            class: KernelClass::Linear,
            shape: vec![("m".into(), n)],
            inputs: vec![],
            model_hash: 7,
        })
    }

    #[test]
    fn keys_compare_by_content_not_by_allocation() {
        assert_eq!(key(1), key(1));
        assert_ne!(key(1), key(2));
        let mut m = HashMap::new();
        m.insert(key(1), 1);
        assert_eq!(m.get(&key(1)), Some(&1));
    }

    fn axes() -> Axes {
        Axes::new(
            [1980, 1680, 1530, 1200],
            [4.8, 3.35, 2.1],
            [LinkState::CpoActive, LinkState::LpoSleep, LinkState::CpoSleep],
        )
        .unwrap()
    }

    #[test]
    fn each_distinct_key_is_priced_once_and_counted_deterministically() {
        let cache: FrontierCache<&str> = FrontierCache::new();
        let calls = AtomicUsize::new(0);
        let keys = vec![key(1), key(2), key(1), key(1)];
        let price = |i: usize| {
            calls.fetch_add(1, Ordering::SeqCst);
            Priced::from_evaluated(
                &axes(),
                evaluate(&axes(), |p| {
                    Ok::<_, &str>(Cost::new((i + 1) as f64 + p.index as f64, 1.0))
                }),
            )
        };
        let pts = cache.points(&keys, price);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(Arc::ptr_eq(&pts[0], &pts[2]) && Arc::ptr_eq(&pts[0], &pts[3]));
        let s = cache.stats();
        assert_eq!((s.point_hits, s.point_misses), (2, 2));

        let reqs: Vec<(KernelKey, f64)> = keys.iter().map(|k| (k.clone(), 5.0)).collect();
        cache.frontiers(&reqs, &pts);
        let s = cache.stats();
        assert_eq!((s.frontier_hits, s.frontier_misses), (2, 2));
        // A second module with the same kernels hits everything; another SLO share misses.
        cache.points(&keys, price);
        cache.frontiers(&reqs, &pts);
        cache.frontiers(&[(key(1), 6.0)], &pts[..1]);
        let s = cache.stats();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(
            (s.point_hits, s.point_misses, s.frontier_hits, s.frontier_misses),
            (6, 2, 6, 3)
        );
    }
}
