//! Long forms (a waiver request, a network application) are kept out of
//! workflow history: the API stores each version in the database by its
//! hash, and commands carry only this reference and the outline the
//! machine decides on. A case's history then stays small however often its
//! draft is edited.
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The most a stored document may weigh.
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// SHA-256 of the document's bytes, hex.
    pub hash: String,
    pub bytes: u32,
}

/// A document ready to store: its canonical bytes and their reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDocument {
    pub body: String,
    pub reference: DocumentRef,
}

pub fn hash_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Serializes a document the one way it is hashed and stored.
pub fn store<T: Serialize>(document: &T) -> Result<StoredDocument, String> {
    let body = serde_json::to_string(document).map_err(|e| e.to_string())?;
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "The form is {} KB; the most Leeway stores is {} KB. Shorten the longest sections.",
            body.len() / 1024,
            MAX_DOCUMENT_BYTES / 1024
        ));
    }
    Ok(StoredDocument {
        reference: DocumentRef {
            hash: hash_bytes(body.as_bytes()),
            bytes: body.len() as u32,
        },
        body,
    })
}

/// A submission freezes the current document as a numbered version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    pub document: DocumentRef,
}
