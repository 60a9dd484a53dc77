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

/// The largest power of two below `n` (n > 1): where RFC 6962 splits.
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962's MTH over leaves already hashed with `leaf_hash`.
pub fn root_of(hashes: &[Hash]) -> Hash {
    match hashes.len() {
        0 => Sha256::digest([]).into(),
        1 => hashes[0],
        n => {
            let k = split(n);
            node_hash(&root_of(&hashes[..k]), &root_of(&hashes[k..]))
        }
    }
}

/// RFC 6962's audit path for leaf `m`: the sibling hashes, from the leaf
/// up, that lead to the root of `hashes`. An export hands it out so that
/// anyone can check an entry is under a sealed tree head.
pub fn inclusion_path(hashes: &[Hash], m: usize) -> Vec<Hash> {
    let n = hashes.len();
    if n <= 1 || m >= n {
        return Vec::new();
    }
    let k = split(n);
    let (mut path, sibling) = if m < k {
        (inclusion_path(&hashes[..k], m), root_of(&hashes[k..]))
    } else {
        (inclusion_path(&hashes[k..], m - k), root_of(&hashes[..k]))
    };
    path.push(sibling);
    path
}

/// The root an audit path leads to (RFC 9162, 2.1.3.2), or `None` when
/// the path cannot belong to leaf `index` of a tree of `size`.
pub fn root_from_path(index: u64, size: u64, leaf: Hash, path: &[Hash]) -> Option<Hash> {
    if index >= size {
        return None;
    }
    let (mut fi, mut si) = (index, size - 1);
    let mut r = leaf;
    for p in path {
        if si == 0 {
            return None;
        }
        if fi & 1 == 1 || fi == si {
            r = node_hash(p, &r);
            while fi & 1 == 0 && fi != 0 {
                fi >>= 1;
                si >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fi >>= 1;
        si >>= 1;
    }
    (si == 0).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_leafs_path_leads_to_the_root_and_no_other_leafs_does() {
        for n in 1..=33usize {
            let leaves: Vec<Vec<u8>> = (0..n).map(|i| format!("leaf {i}").into_bytes()).collect();
            let hashes: Vec<Hash> = leaves.iter().map(|l| leaf_hash(l)).collect();
            let mut built = TreeBuilder::default();
            for l in &leaves {
                built.push(l);
            }
            assert_eq!(root_of(&hashes), built.root(), "n = {n}");
            for m in 0..n {
                let path = inclusion_path(&hashes, m);
                let root = root_from_path(m as u64, n as u64, hashes[m], &path);
                assert_eq!(root, Some(built.root()), "n = {n}, m = {m}");
                let other = leaf_hash(b"not in the tree");
                assert_ne!(
                    root_from_path(m as u64, n as u64, other, &path),
                    Some(built.root())
                );
                if n > 1 {
                    let wrong_index = (m as u64 + 1) % n as u64;
                    assert_ne!(
                        root_from_path(wrong_index, n as u64, hashes[m], &path),
                        Some(built.root()),
                        "n = {n}, m = {m}"
                    );
                }
            }
        }
    }

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
