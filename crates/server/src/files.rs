//! The province's copy is protected like a station's: every file of the data directory is the
//! server's user's only (0600, folders 0700), whatever the umask.
use std::io::Write;
use std::path::Path;

/// Creates `dir` (and its parents) readable by this user only.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn private_options() -> std::fs::OpenOptions {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts
}

/// Creates an empty file readable by this user only, if there is none (SQLite then keeps its
/// mode for its -wal and -shm files).
pub fn create_private(path: &Path) -> std::io::Result<()> {
    private_options().create(true).truncate(false).open(path)?;
    restrict(path)
}

/// Writes a new file readable by this user only; fails if it exists.
pub fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = private_options().create_new(true).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Makes an existing file readable by this user only.
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

/// Whether others than the owner may read `path` (a key file left 0644, say).
pub fn readable_by_others(path: &Path) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}
