//! Attachments at rest: each file is encrypted with XChaCha20 under a key derived from the
//! store's key, its nonce derived from the content hash that names it. A stream cipher keeps
//! uploads and downloads resumable at any byte offset; integrity is the content hash itself,
//! checked when an upload completes. The files' names (content hashes) stay in clear: the
//! store's attachment records already say which station holds which hash.
use chacha20::XChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use sha2::{Digest, Sha256};
use std::path::Path;

#[derive(Clone)]
pub struct BlobKey(zeroize::Zeroizing<[u8; 32]>);

impl BlobKey {
    pub fn from_store_key(hex_key: &str) -> BlobKey {
        let mut h = Sha256::new();
        h.update(b"tinbao-server attachments v1\0");
        h.update(hex_key.as_bytes());
        BlobKey(zeroize::Zeroizing::new(h.finalize().into()))
    }

    /// Encrypts or decrypts (the same operation) `buf`, which sits at `offset` in the file of
    /// the attachment with content hash `sha`.
    pub fn apply(&self, sha: &str, offset: u64, buf: &mut [u8]) {
        let nonce: [u8; 32] = Sha256::digest(format!("nonce\0{sha}").as_bytes()).into();
        let mut c = XChaCha20::new(self.0.as_ref().into(), nonce[..24].into());
        c.seek(offset);
        c.apply_keystream(buf);
    }
}

impl std::fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlobKey(…)")
    }
}

/// The SHA-256 of the plain content of an encrypted file.
pub fn plain_digest(key: &BlobKey, sha: &str, path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut offset = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        key.apply(sha, offset, &mut buf[..n]);
        h.update(&buf[..n]);
        offset += n as u64;
    }
    Ok(hex::encode(h.finalize()))
}

/// Marks a folder whose attachments are encrypted.
const MARKER: &str = ".encrypted-v1";

/// Encrypts, once, the attachments a server stored before encryption at rest: each complete
/// file whose content matches its name is rewritten encrypted (through a copy renamed over it);
/// unfinished uploads are dropped (the devices resume them from the start). Returns how many
/// files were encrypted.
pub fn encrypt_existing(dir: &Path, key: &BlobKey) -> std::io::Result<usize> {
    if dir.join(MARKER).exists() {
        return Ok(0);
    }
    std::fs::create_dir_all(dir)?;
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_file()
            || name.len() != 64
            || !name.bytes().all(|b| b.is_ascii_hexdigit())
        {
            continue;
        }
        let mut bytes = std::fs::read(entry.path())?;
        if hex::encode(Sha256::digest(&bytes)) != name {
            continue;
        }
        key.apply(&name, 0, &mut bytes);
        let tmp = dir.join(format!("{name}.encrypting"));
        crate::files::write_new_private(&tmp, &bytes)?;
        std::fs::rename(&tmp, entry.path())?;
        n += 1;
    }
    if let Ok(rd) = std::fs::read_dir(dir.join("partial")) {
        for e in rd.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
    crate::files::write_new_private(&dir.join(MARKER), b"")?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_slice_decrypts_at_its_offset_and_old_files_are_encrypted_once() {
        let key = BlobKey::from_store_key(&"ab".repeat(32));
        let plain: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let sha = hex::encode(Sha256::digest(&plain));
        let mut enc = plain.clone();
        key.apply(&sha, 0, &mut enc);
        assert_ne!(enc, plain);
        let mut slice = enc[4321..7000].to_vec();
        key.apply(&sha, 4321, &mut slice);
        assert_eq!(slice, plain[4321..7000]);

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(&sha), &plain).unwrap();
        std::fs::create_dir(dir.path().join("partial")).unwrap();
        std::fs::write(dir.path().join("partial").join("x"), b"half").unwrap();
        assert_eq!(encrypt_existing(dir.path(), &key).unwrap(), 1);
        let stored = std::fs::read(dir.path().join(&sha)).unwrap();
        assert_eq!(stored, enc);
        assert_eq!(
            plain_digest(&key, &sha, &dir.path().join(&sha)).unwrap(),
            sha
        );
        assert!(!dir.path().join("partial").join("x").exists());
        assert_eq!(encrypt_existing(dir.path(), &key).unwrap(), 0, "once");
        assert_eq!(std::fs::read(dir.path().join(&sha)).unwrap(), enc);
    }
}
