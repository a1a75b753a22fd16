//! Files of the data folder are the officers' own: on a PC shared with other system accounts,
//! the folder is 0700 and each file 0600, so another local user reads nothing (the register is
//! encrypted anyway; the key file and the login counts are not all secret, but none is theirs).
use std::io::Write;
use std::path::Path;

/// Creates `dir` (and its parents) and makes it private to this user.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes `bytes` to a new or truncated file readable by this user only, synced to disk.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    restrict(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Makes an existing file readable by this user only (a file made by SQLite, say).
pub fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
