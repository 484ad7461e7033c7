//! Id lookup: from an id to the dense index of the object that bears it.
//!
//! The table holds indices only; the ids themselves stay in the objects
//! (`Node::id`, `Link::id`, ...), so no id is stored twice. Ids are hashed
//! with Fx (`rustc-hash`), which is fast on short keys; ids come from the
//! user's own file, so a hash-flooding attack is not a concern here.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Maps ids to indices `0..n` of a slice whose elements carry the ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    table: HashTable<u32>,
}

fn hash(id: &str) -> u64 {
    FxBuildHasher.hash_one(id)
}

impl IdIndex {
    /// The index of `id`, where `id_of(ix)` is the id of the element at `ix`.
    pub fn get<'a>(&self, id: &str, id_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        self.table.find(hash(id), |&ix| id_of(ix) == id).copied()
    }

    /// Makes room for `additional` more ids without growing the table on
    /// the way, where `id_of(ix)` is the id of the element at `ix`.
    pub fn reserve<'a>(&mut self, additional: usize, id_of: impl Fn(u32) -> &'a str) {
        self.table.reserve(additional, |&ix| hash(id_of(ix)));
    }

    /// Records that `id` is the id of the element at `ix`, unless `id` is
    /// already taken; returns whether it was inserted.
    pub fn insert<'a>(&mut self, id: &str, ix: u32, id_of: impl Fn(u32) -> &'a str) -> bool {
        let h = hash(id);
        if self.table.find(h, |&other| id_of(other) == id).is_some() {
            return false;
        }
        self.table.insert_unique(h, ix, |&other| hash(id_of(other)));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_id_and_refuses_a_second_use() {
        let ids: Vec<String> = (0..1000).map(|i| format!("J{i}")).collect();
        let mut index = IdIndex::default();
        for (i, id) in ids.iter().enumerate() {
            assert!(index.insert(id, i as u32, |ix| &ids[ix as usize]));
        }
        assert!(!index.insert("J7", 1000, |ix| &ids[ix as usize]));
        assert_eq!(index.get("J7", |ix| &ids[ix as usize]), Some(7));
        assert_eq!(index.get("J999", |ix| &ids[ix as usize]), Some(999));
        assert_eq!(index.get("j7", |ix| &ids[ix as usize]), None);
    }
}
