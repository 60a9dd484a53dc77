//! Merkle tree heads over the audit register, in the manner of RFC 6962:
//! leaves hashed with a 0x00 prefix, nodes with 0x01, the tree split at
//! the largest power of two below its size. Built as the leaves stream
//! past, holding one hash per set bit of the size, so verifying a million
//! entries needs no more memory than verifying ten.
use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A register row as a leaf: which chain, which entry, and its hash.
pub fn register_leaf(chain: &str, seq: i32, hash: &str) -> Vec<u8> {
    format!("{chain}\n{seq}\n{hash}").into_bytes()
}

/// The root of the leaves pushed so far, kept as the perfect subtrees
/// that make up the tree (largest first).
#[derive(Default, Clone)]
pub struct TreeBuilder {
    subtrees: Vec<(u64, Hash)>,
    size: u64,
}

impl TreeBuilder {
    pub fn push(&mut self, leaf: &[u8]) {
        let (mut size, mut hash) = (1u64, leaf_hash(leaf));
        while let Some(&(top_size, top)) = self.subtrees.last() {
            if top_size != size {
                break;
            }
            self.subtrees.pop();
            hash = node_hash(&top, &hash);
            size *= 2;
        }
        self.subtrees.push((size, hash));
        self.size += 1;
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The tree head's root; SHA-256 of nothing for an empty tree.
    pub fn root(&self) -> Hash {
        let mut from_right = self.subtrees.iter().rev();
        let Some(&(_, mut acc)) = from_right.next() else {
            return Sha256::digest([]).into();
        };
        for (_, left) in from_right {
            acc = node_hash(left, &acc);
        }
        acc
    }
}

/// What a tree head's own hash covers: the head before it, the size, the
/// last register row and the root.
pub fn tree_head_hash(prev_hash: &str, tree_size: i64, last_log_id: i64, root: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{prev_hash}\n{tree_size}\n{last_log_id}\n{root}").as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6962's definition, written the way it reads.
    fn mth(leaves: &[Vec<u8>]) -> Hash {
        match leaves.len() {
            0 => Sha256::digest([]).into(),
            1 => leaf_hash(&leaves[0]),
            n => {
                let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    #[test]
    fn the_streamed_root_is_rfc_6962s_for_every_size() {
        let leaves: Vec<Vec<u8>> = (0..70).map(|i| register_leaf("c", i, "h")).collect();
        let mut tree = TreeBuilder::default();
        assert_eq!(tree.root(), mth(&[]));
        for n in 1..=leaves.len() {
            tree.push(&leaves[n - 1]);
            assert_eq!(tree.root(), mth(&leaves[..n]), "size {n}");
        }
        assert!(tree.subtrees.len() <= 7, "one hash per set bit of the size");
        // A leaf removed or changed changes the root.
        let mut cut = leaves.clone();
        cut.remove(33);
        assert_ne!(mth(&cut), mth(&leaves[..69]));
    }
}
