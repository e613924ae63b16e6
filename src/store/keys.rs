//! API keys: `nat_` + 40 base62 characters, shown once on creation and stored only as their SHA-256.
//!
//! Roles are ordered: `read` may only read (GET); `scan` may also start and cancel scans and triage
//! findings; `admin` may also manage keys.
//!
//! The `*_in(data_dir, …)` functions are for `nat keys create|list|revoke --data-dir DIR`: they open
//! the store directly, and return [`StoreError::Locked`] while a `nat serve` holds the dir.

use super::{decode, encode, now_rfc3339, Result, Store, StoreError};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use subtle::ConstantTimeEq;

/// What a key may do. Ordered: `Read < Scan < Admin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// GET only.
    Read,
    /// Also POST/DELETE scans and PATCH findings.
    Scan,
    /// Also manage keys.
    Admin,
}

impl Role {
    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Scan => "scan",
            Role::Admin => "admin",
        }
    }
    /// Parses `read`, `scan` or `admin`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "read" => Some(Role::Read),
            "scan" => Some(Role::Scan),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A stored key, as listed: never the key itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// `key_` + 12 base62 characters.
    pub id: String,
    pub name: String,
    pub role: Role,
    /// RFC 3339.
    pub created_at: String,
    /// The first characters of the key (`nat_AbCd`), to tell keys apart; not enough to use one.
    pub prefix: String,
    /// Hex SHA-256 of the key.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub(crate) hash: String,
}

impl ApiKey {
    /// The key without its hash, for listing.
    pub fn public(&self) -> ApiKey {
        ApiKey {
            hash: String::new(),
            ..self.clone()
        }
    }
}

/// A key just created: the record and the key in clear, which exists nowhere else.
#[derive(Clone, Debug)]
pub struct CreatedKey {
    pub key: ApiKey,
    /// `nat_…`: show it once; it cannot be recovered.
    pub secret: String,
}

/// `n` random base62 characters from the thread's CSPRNG.
pub fn random_base62(n: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

fn hash_key(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

impl Store {
    /// Creates a key. `name` must be 1–100 characters.
    pub fn create_key(&self, name: &str, role: Role) -> Result<CreatedKey> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid(
                "a key name must be 1 to 100 characters".into(),
            ));
        }
        let secret = format!("nat_{}", random_base62(40));
        let key = ApiKey {
            id: format!("key_{}", random_base62(12)),
            name: name.to_string(),
            role,
            created_at: now_rfc3339(),
            prefix: secret[..8].to_string(),
            hash: hex::encode(hash_key(&secret)),
        };
        self.keys_tree().insert(key.id.as_bytes(), encode(&key)?)?;
        Ok(CreatedKey {
            key: key.public(),
            secret,
        })
    }

    /// Every key, oldest first, without hashes.
    pub fn list_keys(&self) -> Result<Vec<ApiKey>> {
        let mut keys = self.all_keys()?;
        for k in &mut keys {
            *k = k.public();
        }
        Ok(keys)
    }

    fn all_keys(&self) -> Result<Vec<ApiKey>> {
        let mut out = Vec::new();
        for kv in self.keys_tree().iter() {
            let (k, v) = kv?;
            out.push(decode::<ApiKey>(&k, &v)?);
        }
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Revokes (deletes) a key; [`StoreError::NotFound`] when there is no such key.
    pub fn revoke_key(&self, id: &str) -> Result<ApiKey> {
        match self.keys_tree().remove(id.as_bytes())? {
            Some(v) => Ok(decode::<ApiKey>(id.as_bytes(), &v)?.public()),
            None => Err(StoreError::NotFound {
                what: "API key",
                id: id.to_string(),
            }),
        }
    }

    /// True when no key exists.
    pub fn has_no_keys(&self) -> bool {
        self.keys_tree().is_empty()
    }

    /// Snapshot of the keys with their hashes, for [`KeyRing`].
    pub fn key_ring(&self) -> Result<KeyRing> {
        let keys = self
            .all_keys()?
            .into_iter()
            .filter_map(|k| {
                let mut h = [0u8; 32];
                hex::decode_to_slice(&k.hash, &mut h).ok()?;
                Some((h, k.public()))
            })
            .collect();
        Ok(KeyRing { keys })
    }
}

/// The keys in memory, for checking a presented key in constant time.
#[derive(Clone, Debug, Default)]
pub struct KeyRing {
    keys: Vec<([u8; 32], ApiKey)>,
}

impl KeyRing {
    /// The key whose hash equals the presented key's, compared in constant time against every key
    /// (no early exit).
    pub fn verify(&self, presented: &str) -> Option<ApiKey> {
        let h = hash_key(presented);
        let mut found = None;
        for (stored, key) in &self.keys {
            if bool::from(stored.ct_eq(&h)) {
                found = Some(key.clone());
            }
        }
        found
    }
}

/// `nat keys create`: opens the store in `data_dir`, creates a key, flushes. The returned
/// [`CreatedKey::secret`] is the only copy of the key.
pub fn create_in(data_dir: &Path, name: &str, role: Role) -> Result<CreatedKey> {
    let store = Store::open(data_dir)?;
    let created = store.create_key(name, role)?;
    store.flush_blocking()?;
    Ok(created)
}

/// `nat keys list`: every key (id, name, role, created_at, prefix), oldest first.
pub fn list_in(data_dir: &Path) -> Result<Vec<ApiKey>> {
    Store::open(data_dir)?.list_keys()
}

/// `nat keys revoke ID`: deletes the key, flushes, returns what it was.
pub fn revoke_in(data_dir: &Path, id: &str) -> Result<ApiKey> {
    let store = Store::open(data_dir)?;
    let key = store.revoke_key(id)?;
    store.flush_blocking()?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_hashed_verified_and_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let created = create_in(dir.path(), "ci", Role::Scan).unwrap();
        assert!(created.secret.starts_with("nat_"));
        assert_eq!(created.secret.len(), 44);
        let store = Store::open(dir.path()).unwrap();
        let raw: Vec<u8> = store
            .keys_tree()
            .iter()
            .flat_map(|kv| kv.unwrap().1.to_vec())
            .collect();
        assert!(!String::from_utf8_lossy(&raw).contains(&created.secret));
        let ring = store.key_ring().unwrap();
        assert_eq!(ring.verify(&created.secret).unwrap().role, Role::Scan);
        assert!(ring.verify("nat_wrong").is_none());
        let listed = store.list_keys().unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].hash.is_empty());
        drop(store);
        revoke_in(dir.path(), &created.key.id).unwrap();
        assert!(list_in(dir.path()).unwrap().is_empty());
        assert!(matches!(
            revoke_in(dir.path(), "key_nope"),
            Err(StoreError::NotFound { .. })
        ));
    }
}
