//! The database key and how it is kept.
//!
//! The SQLCipher key is 32 random bytes made at first run. It is never written in the clear:
//! `keys.json` in the data folder holds one entry per user. Each user has an X25519 key pair;
//! the secret half is encrypted (XChaCha20-Poly1305) with a key derived from the user's
//! password (Argon2id), and the database key is sealed to the public half. Logging in opens
//! the secret half with the password and the database key with it, so a stolen disk reveals
//! nothing without an officer's password, and a password unlocks the register offline. The
//! pairs let the chief re-key the register (`reseal_all`) without knowing anyone's password.
//! Entries written before the pairs (version 1: the database key wrapped by the password
//! directly) still open, and are rewritten as pairs at that user's next login.
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use crypto_box::{PublicKey, SecretKey};
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
    /// The user's secret key encrypted with the password's key; in a version-1 entry (no
    /// `public`), the database key itself.
    key: String,
    /// The user's public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    public: Option<String>,
    /// The database key, sealed to `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed: Option<String>,
    /// During a re-key only: the old database key, sealed, until the register has the new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous: Option<String>,
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

    /// Stores (or replaces) `username`'s entry: a new key pair, its secret half encrypted
    /// with `password`, and the database key sealed to it.
    pub fn wrap(&self, username: &str, password: &str, key: &DbKey) -> Result<(), KeyringError> {
        let mut f = self.read()?;
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let secret = SecretKey::generate(&mut OsRng);
        let public = secret.public_key();
        let kek = kdf(password, &salt);
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let secret_bytes = Zeroizing::new(secret.to_bytes());
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), &secret_bytes[..])
            .map_err(|_| self.corrupt("không mã hóa được khóa bí mật".into()))?;
        f.version = 2;
        f.users.insert(
            normalize_username(username),
            Wrapped {
                salt: hex::encode(salt),
                nonce: hex::encode(nonce),
                key: hex::encode(ct),
                public: Some(hex::encode(public.as_bytes())),
                sealed: Some(self.seal(&public, key)?),
                previous: None,
            },
        );
        self.write(&f)
    }

    fn seal(&self, public: &PublicKey, key: &DbKey) -> Result<String, KeyringError> {
        public
            .seal(&mut OsRng, &key.0[..])
            .map(hex::encode)
            .map_err(|_| self.corrupt("không niêm phong được khóa dữ liệu".into()))
    }

    fn public_of(&self, w: &Wrapped) -> Result<Option<PublicKey>, KeyringError> {
        let Some(p) = &w.public else {
            return Ok(None);
        };
        let bytes: [u8; 32] = hex::decode(p)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| self.corrupt("khóa công khai sai dạng".into()))?;
        Ok(Some(PublicKey::from_bytes(bytes)))
    }

    /// The database key, if `password` is `username`'s.
    pub fn unwrap(&self, username: &str, password: &str) -> Result<DbKey, KeyringError> {
        Ok(self.unwrap_both(username, password)?.0)
    }

    /// The database key and, while a re-key is unfinished, the key before it.
    pub fn unwrap_both(
        &self,
        username: &str,
        password: &str,
    ) -> Result<(DbKey, Option<DbKey>), KeyringError> {
        let f = self.read()?;
        let user = normalize_username(username);
        let Some(w) = f.users.get(&user) else {
            return Err(KeyringError::NoKeyForUser(user));
        };
        let salt = hex::decode(&w.salt).map_err(|e| self.corrupt(e.to_string()))?;
        let nonce = hex::decode(&w.nonce).map_err(|e| self.corrupt(e.to_string()))?;
        let ct = hex::decode(&w.key).map_err(|e| self.corrupt(e.to_string()))?;
        if nonce.len() != 24 {
            return Err(self.corrupt("số dùng một lần sai độ dài".into()));
        }
        let kek = kdf(password, &salt);
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let pt = Zeroizing::new(
            cipher
                .decrypt(XNonce::from_slice(&nonce), ct.as_slice())
                .map_err(|_| KeyringError::BadCredentials)?,
        );
        if w.public.is_none() {
            return Ok((self.db_key(&pt)?, None));
        }
        let bytes: [u8; 32] = pt
            .as_slice()
            .try_into()
            .map_err(|_| self.corrupt("khóa bí mật sai độ dài".into()))?;
        let secret = SecretKey::from_bytes(bytes);
        let open = |sealed: &str| -> Result<DbKey, KeyringError> {
            let ct = hex::decode(sealed).map_err(|e| self.corrupt(e.to_string()))?;
            let pt = Zeroizing::new(
                secret
                    .unseal(&ct)
                    .map_err(|_| self.corrupt("bản niêm phong khóa dữ liệu hỏng".into()))?,
            );
            self.db_key(&pt)
        };
        let sealed = w
            .sealed
            .as_deref()
            .ok_or_else(|| self.corrupt("bản niêm phong khóa dữ liệu hỏng".into()))?;
        let previous = w.previous.as_deref().map(open).transpose()?;
        Ok((open(sealed)?, previous))
    }

    fn db_key(&self, bytes: &[u8]) -> Result<DbKey, KeyringError> {
        if bytes.len() != KEY_LEN {
            return Err(self.corrupt("khóa dữ liệu sai độ dài".into()));
        }
        let mut k = Zeroizing::new([0u8; KEY_LEN]);
        k.copy_from_slice(bytes);
        Ok(DbKey(k))
    }

    /// Whether `username`'s entry predates key pairs (rewritten at their next login).
    pub fn is_old_entry(&self, username: &str) -> Result<bool, KeyringError> {
        Ok(self
            .read()?
            .users
            .get(&normalize_username(username))
            .is_some_and(|w| w.public.is_none()))
    }

    /// Re-key, step 1: every entry gets `new` sealed, and `old` kept as `previous` until the
    /// register has been re-encrypted (`finish_reseal`), so a power cut between the two steps
    /// leaves every officer able to open the register with whichever key it has. Entries of
    /// version 1 cannot be resealed without their password: they are removed, and returned.
    pub fn reseal_all(&self, new: &DbKey, old: &DbKey) -> Result<Vec<String>, KeyringError> {
        let mut f = self.read()?;
        let mut dropped = Vec::new();
        let mut kept = BTreeMap::new();
        for (user, mut w) in std::mem::take(&mut f.users) {
            match self.public_of(&w)? {
                Some(public) => {
                    w.sealed = Some(self.seal(&public, new)?);
                    w.previous = Some(self.seal(&public, old)?);
                    kept.insert(user, w);
                }
                None => dropped.push(user),
            }
        }
        f.users = kept;
        self.write(&f)?;
        Ok(dropped)
    }

    /// Re-key, step 2 (the register has the new key): the old key is forgotten.
    pub fn finish_reseal(&self) -> Result<(), KeyringError> {
        let mut f = self.read()?;
        if f.users.values().any(|w| w.previous.is_some()) {
            for w in f.users.values_mut() {
                w.previous = None;
            }
            self.write(&f)?;
        }
        Ok(())
    }

    /// The re-key did not reach the register: the previous key is put back as the key.
    pub fn undo_reseal(&self) -> Result<(), KeyringError> {
        let mut f = self.read()?;
        if f.users.values().any(|w| w.previous.is_some()) {
            for w in f.users.values_mut() {
                if let Some(p) = w.previous.take() {
                    w.sealed = Some(p);
                }
            }
            self.write(&f)?;
        }
        Ok(())
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
    fn a_version_1_entry_still_opens() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::new(dir.path());
        let key = DbKey::random();
        // What the app wrote before key pairs: the database key wrapped by the password.
        let salt = [7u8; 16];
        let nonce = [9u8; 24];
        let kek = kdf("mat-khau-cu", &salt);
        let ct = XChaCha20Poly1305::new(kek.as_ref().into())
            .encrypt(XNonce::from_slice(&nonce), &key.0[..])
            .unwrap();
        let text = format!(
            r#"{{"version":1,"users":{{"canbo":{{"salt":"{}","nonce":"{}","key":"{}"}}}}}}"#,
            hex::encode(salt),
            hex::encode(nonce),
            hex::encode(ct)
        );
        std::fs::write(dir.path().join("keys.json"), text).unwrap();
        assert!(ring.is_old_entry("canbo").unwrap());
        let got = ring.unwrap("canbo", "mat-khau-cu").unwrap();
        assert_eq!(got.sqlcipher_key().as_str(), key.sqlcipher_key().as_str());
        assert!(matches!(
            ring.unwrap("canbo", "sai"),
            Err(KeyringError::BadCredentials)
        ));
        // A re-key cannot reseal it without the password: it is dropped, and named.
        ring.wrap("truong", "mat-khau-truong", &key).unwrap();
        let new = DbKey::random();
        assert_eq!(
            ring.reseal_all(&new, &key).unwrap(),
            vec!["canbo".to_string()]
        );
    }

    /// The chief re-keys without anyone's password; until the register has the new key the
    /// old one stays openable, and an undone re-key puts it back.
    #[test]
    fn a_reseal_gives_every_pair_the_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::new(dir.path());
        let old = DbKey::random();
        ring.wrap("truong", "mat-khau-1", &old).unwrap();
        ring.wrap("canbo", "mat-khau-2", &old).unwrap();
        let new = DbKey::random();
        assert!(ring.reseal_all(&new, &old).unwrap().is_empty());
        let (cur, prev) = ring.unwrap_both("canbo", "mat-khau-2").unwrap();
        assert_eq!(cur.sqlcipher_key().as_str(), new.sqlcipher_key().as_str());
        assert_eq!(
            prev.unwrap().sqlcipher_key().as_str(),
            old.sqlcipher_key().as_str()
        );
        ring.undo_reseal().unwrap();
        let (cur, prev) = ring.unwrap_both("canbo", "mat-khau-2").unwrap();
        assert_eq!(cur.sqlcipher_key().as_str(), old.sqlcipher_key().as_str());
        assert!(prev.is_none());
        ring.reseal_all(&new, &old).unwrap();
        ring.finish_reseal().unwrap();
        let (cur, prev) = ring.unwrap_both("truong", "mat-khau-1").unwrap();
        assert_eq!(cur.sqlcipher_key().as_str(), new.sqlcipher_key().as_str());
        assert!(prev.is_none());
        let text = std::fs::read_to_string(dir.path().join("keys.json")).unwrap();
        assert!(!text.contains(&hex::encode(new.0.as_ref())));
        assert!(!text.contains(&hex::encode(old.0.as_ref())));
    }

    #[test]
    fn raw_key_form_is_what_sqlcipher_expects() {
        let k = DbKey::random().sqlcipher_key();
        assert!(k.starts_with("x'") && k.ends_with('\'') && k.len() == 2 + 64 + 1);
    }
}
