//! The database key and how it is kept.
//!
//! The SQLCipher key is 32 random bytes made at first run. It is never written in the clear:
//! `keys.json` in the data folder holds one copy per user, encrypted (XChaCha20-Poly1305) with
//! a key derived from that user's password (Argon2id). Logging in unwraps the user's copy, so a
//! stolen disk reveals nothing without an officer's password, and a user's password unlocks the
//! database on its own, offline. When the chief creates an account or someone changes a
//! password, the session (which holds the key) writes the new user's copy.
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const KEY_LEN: usize = 32;

/// The database key in memory; wiped when dropped (on lock and on exit).
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; KEY_LEN]>);

impl DbKey {
    pub fn random() -> DbKey {
        let mut k = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(k.as_mut());
        DbKey(k)
    }

    /// SQLCipher's raw-key form (`x'…'`): no passphrase derivation at open, the key is already random.
    pub fn sqlcipher_key(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Wrapped {
    salt: String,
    nonce: String,
    key: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    users: BTreeMap<String, Wrapped>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("Tên đăng nhập hoặc mật khẩu không đúng.")]
    BadCredentials,
    #[error(
        "Tài khoản “{0}” chưa được cấp quyền mở dữ liệu trên máy này. Nhờ trưởng Công an đăng nhập rồi đặt lại mật khẩu cho tài khoản này trong Cài đặt."
    )]
    NoKeyForUser(String),
    #[error("Tệp khóa {path} bị hỏng: {reason}. Khôi phục từ bản sao lưu hoặc liên hệ quản trị.")]
    Corrupt { path: String, reason: String },
    #[error("Không ghi được tệp khóa: {0}")]
    Io(#[from] std::io::Error),
}

/// Argon2id as OWASP recommends for interactive logins (19 MiB, 2 passes): slow for a guesser,
/// a fraction of a second for an officer.
fn kdf(password: &str, salt: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    let params = Params::new(19 * 1024, 2, 1, Some(KEY_LEN)).expect("valid Argon2 parameters");
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, out.as_mut())
        .expect("Argon2 output length is valid");
    out
}

pub fn normalize_username(u: &str) -> String {
    u.trim().to_lowercase()
}

pub struct Keyring {
    path: PathBuf,
}

impl Keyring {
    pub fn new(data_dir: &Path) -> Keyring {
        Keyring {
            path: data_dir.join("keys.json"),
        }
    }

    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    fn read(&self) -> Result<File, KeyringError> {
        if !self.path.exists() {
            return Ok(File {
                version: 1,
                users: BTreeMap::new(),
            });
        }
        let text = std::fs::read_to_string(&self.path)?;
        serde_json::from_str(&text).map_err(|e| self.corrupt(e.to_string()))
    }

    fn corrupt(&self, reason: String) -> KeyringError {
        KeyringError::Corrupt {
            path: self.path.display().to_string(),
            reason,
        }
    }

    /// Written to a temporary file and renamed, so a power cut leaves the old file or the new.
    fn write(&self, f: &File) -> Result<(), KeyringError> {
        let tmp = self.path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(f).map_err(|e| self.corrupt(e.to_string()))?;
        crate::files::write_private(&tmp, text.as_bytes())?;
        std::fs::rename(&tmp, &self.path)?;
        Ok(())
    }

    pub fn has_user(&self, username: &str) -> Result<bool, KeyringError> {
        Ok(self
            .read()?
            .users
            .contains_key(&normalize_username(username)))
    }

    /// Stores (or replaces) `username`'s copy of the key, encrypted with `password`.
    pub fn wrap(&self, username: &str, password: &str, key: &DbKey) -> Result<(), KeyringError> {
        let mut f = self.read()?;
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let kek = kdf(password, &salt);
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), &key.0[..])
            .expect("encryption of 32 bytes cannot fail");
        f.version = 1;
        f.users.insert(
            normalize_username(username),
            Wrapped {
                salt: hex::encode(salt),
                nonce: hex::encode(nonce),
                key: hex::encode(ct),
            },
        );
        self.write(&f)
    }

    /// The database key, if `password` is `username`'s.
    pub fn unwrap(&self, username: &str, password: &str) -> Result<DbKey, KeyringError> {
        let f = self.read()?;
        let user = normalize_username(username);
        let Some(w) = f.users.get(&user) else {
            return Err(KeyringError::NoKeyForUser(user));
        };
        let salt = hex::decode(&w.salt).map_err(|e| self.corrupt(e.to_string()))?;
        let nonce = hex::decode(&w.nonce).map_err(|e| self.corrupt(e.to_string()))?;
        let ct = hex::decode(&w.key).map_err(|e| self.corrupt(e.to_string()))?;
        if nonce.len() != 24 {
            return Err(self.corrupt("nonce".into()));
        }
        let kek = kdf(password, &salt);
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let pt = Zeroizing::new(
            cipher
                .decrypt(XNonce::from_slice(&nonce), ct.as_slice())
                .map_err(|_| KeyringError::BadCredentials)?,
        );
        if pt.len() != KEY_LEN {
            return Err(self.corrupt("key length".into()));
        }
        let mut k = Zeroizing::new([0u8; KEY_LEN]);
        k.copy_from_slice(&pt);
        Ok(DbKey(k))
    }

    /// Forgets a user's copy (account disabled): that password no longer opens the database.
    pub fn remove(&self, username: &str) -> Result<(), KeyringError> {
        let mut f = self.read()?;
        if f.users.remove(&normalize_username(username)).is_some() {
            self.write(&f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_unwraps_its_own_copy_only() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::new(dir.path());
        let key = DbKey::random();
        ring.wrap("TruongCA", "mat-khau-1", &key).unwrap();
        ring.wrap("canbo1", "mat-khau-2", &key).unwrap();

        let got = ring.unwrap(" truongca ", "mat-khau-1").unwrap();
        assert_eq!(got.sqlcipher_key().as_str(), key.sqlcipher_key().as_str());
        assert!(matches!(
            ring.unwrap("truongca", "mat-khau-2"),
            Err(KeyringError::BadCredentials)
        ));
        assert!(matches!(
            ring.unwrap("ai-do", "x"),
            Err(KeyringError::NoKeyForUser(_))
        ));

        let text = std::fs::read_to_string(dir.path().join("keys.json")).unwrap();
        assert!(
            !text.contains(&hex::encode(key.0.as_ref())),
            "the key is never stored in the clear"
        );

        ring.remove("canbo1").unwrap();
        assert!(matches!(
            ring.unwrap("canbo1", "mat-khau-2"),
            Err(KeyringError::NoKeyForUser(_))
        ));
    }

    #[test]
    fn raw_key_form_is_what_sqlcipher_expects() {
        let k = DbKey::random().sqlcipher_key();
        assert!(k.starts_with("x'") && k.ends_with('\'') && k.len() == 2 + 64 + 1);
    }
}
