//! Typed `u32` handles and the arena that owns what they index (as in Cranelift and naga: no `Rc<RefCell>`).

use std::fmt;
use std::marker::PhantomData;

/// A typed index into an [`Arena`].
pub trait EntityRef: Copy + Eq {
    fn new(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! entity {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub struct $name(u32);

        impl EntityRef for $name {
            fn new(index: usize) -> Self {
                // An arena of more than u32::MAX entities is not a module anyone can print; refuse it loudly.
                $name(u32::try_from(index).expect(concat!(stringify!($name), " arena overflow")))
            }
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

entity!(
    /// A function of a module. Prints as `func0`, its position in the file.
    FuncId,
    "func"
);
entity!(
    /// An op in a function body. Prints as `op3`: its position in the module, the op's debug name.
    OpId,
    "op"
);
entity!(
    /// An SSA value (a function argument). Prints as `v2`; the text form uses the value's own name (`%kv42`).
    ValueId,
    "v"
);

/// A dense vector indexed by a typed handle.
#[derive(Clone, PartialEq, Debug)]
pub struct Arena<K: EntityRef, V> {
    items: Vec<V>,
    _key: PhantomData<K>,
}

impl<K: EntityRef, V> Default for Arena<K, V> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            _key: PhantomData,
        }
    }
}

impl<K: EntityRef, V> Arena<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, value: V) -> K {
        let key = K::new(self.items.len());
        self.items.push(value);
        key
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, key: K) -> Option<&V> {
        self.items.get(key.index())
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (K, &V)> + '_ {
        self.items.iter().enumerate().map(|(i, v)| (K::new(i), v))
    }

    pub fn iter_mut(&mut self) -> impl ExactSizeIterator<Item = (K, &mut V)> + '_ {
        self.items.iter_mut().enumerate().map(|(i, v)| (K::new(i), v))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = K> {
        (0..self.items.len()).map(K::new)
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> + '_ {
        self.items.iter()
    }
}

impl<K: EntityRef, V> std::ops::Index<K> for Arena<K, V> {
    type Output = V;
    fn index(&self, key: K) -> &V {
        &self.items[key.index()]
    }
}

impl<K: EntityRef, V> std::ops::IndexMut<K> for Arena<K, V> {
    fn index_mut(&mut self, key: K) -> &mut V {
        &mut self.items[key.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_print_with_their_prefix() {
        assert_eq!(OpId::new(3).to_string(), "op3");
        assert_eq!(FuncId::new(0).to_string(), "func0");
        assert_eq!(ValueId::new(7).to_string(), "v7");
    }

    #[test]
    fn arena_indexes_by_typed_handle() {
        let mut arena: Arena<OpId, &str> = Arena::new();
        let a = arena.push("a");
        let b = arena.push("b");
        assert_eq!((arena[a], arena[b]), ("a", "b"));
        assert_eq!(arena.keys().collect::<Vec<_>>(), vec![a, b]);
    }
}
