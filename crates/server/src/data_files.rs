//! Who may read what the server keeps on disk: a data directory it creates is `0700`, and every
//! file it creates there — the SQLite store (`rahunok.db` and the `-wal` and `-shm` SQLite makes
//! beside it), the master key, the admin token, a backup — is `0600`.
//!
//! Why this exists: those files hold the panel's password hashes, every payment, the request log
//! with guests' phone numbers, and the key that opens the sealed secrets. Left to the usual
//! umask (`022`) they were `0644` in a `0755` directory: readable by every account on the
//! machine. Each file is created with its mode given explicitly (the umask can only take bits
//! away), and the store file is made before SQLite opens it: SQLite gives its `-wal` and `-shm`
//! the mode of the database file, whatever the umask. The `rahunok` command also sets the umask
//! to `077` when it starts, so nothing else it writes is readable by others.
//!
//! What the server did not create it does not change: an operator may have chosen a mode (a
//! backup agent's group, say). At start, [`warn_if_readable_by_others`] says once per path which
//! existing directory or file is looser than the rule, and the command that makes it private.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The mode of a directory the server creates.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// The mode of a file the server creates.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parents, each only its owner may enter (`0700`); a directory
/// already there is left as it is.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(PRIVATE_DIR_MODE);
    }
    builder.create(dir)
}

fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(PRIVATE_FILE_MODE);
    }
    options
}

/// Creates `file` empty and `0600` when it does not exist; one already there is left as it is
/// (neither emptied nor its mode changed).
pub fn create_private_file(file: &Path) -> std::io::Result<()> {
    match private_options().open(file) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Writes `text` to a new `0600` file; a file already there is left as it is.
pub fn write_new_private(file: &Path, text: &str) -> std::io::Result<()> {
    match private_options().open(file) {
        Ok(mut opened) => opened.write_all(text.as_bytes()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Makes `file` `0600`, whatever it was (for a file copied from elsewhere, which keeps its
/// source's mode).
pub fn make_private(file: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// The permission bits of `path` when others than its owner may use it (group or world bits
/// set); `None` when it is private or does not exist.
pub fn readable_by_others(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// What the server keeps, to be checked at start.
#[derive(Debug, Default, Clone)]
pub struct KeptFiles {
    /// Directories that should be `0700`.
    pub dirs: Vec<PathBuf>,
    /// Files that should be `0600`.
    pub files: Vec<PathBuf>,
}

/// Warns (once per path for the life of the process) about each of `kept` that exists and is
/// looser than the rule; changes nothing. The paths warned about.
pub fn warn_if_readable_by_others(kept: &KeptFiles) -> Vec<PathBuf> {
    static WARNED: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    let mut warned = WARNED.get_or_init(Mutex::default).lock().unwrap_or_else(|e| e.into_inner());
    let mut said = Vec::new();
    let checks =
        kept.dirs.iter().map(|d| (d, PRIVATE_DIR_MODE)).chain(kept.files.iter().map(|f| (f, PRIVATE_FILE_MODE)));
    for (path, wanted) in checks {
        let Some(mode) = readable_by_others(path) else { continue };
        if !warned.insert(path.clone()) {
            continue;
        }
        tracing::warn!(
            path = %path.display(),
            mode = %format!("{mode:o}"),
            "readable by other accounts on this machine: it holds the store's data or secrets; \
             the server leaves an existing mode as it is, make it private with `chmod {wanted:o} {}`",
            path.display()
        );
        said.push(path.clone());
    }
    said
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_directories_and_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("a").join("data");
        create_private_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&dir.path().join("a")), 0o700, "a parent it made too");
        create_private_file(&data.join("rahunok.db")).unwrap();
        assert_eq!(mode(&data.join("rahunok.db")), 0o600);
        write_new_private(&data.join("key"), "k").unwrap();
        assert_eq!(mode(&data.join("key")), 0o600);
    }

    #[test]
    fn what_exists_is_left_as_it_is_and_warned_about_once() {
        let dir = tempfile::tempdir().unwrap();
        let open_dir = dir.path().join("open");
        std::fs::create_dir(&open_dir).unwrap();
        std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = open_dir.join("rahunok.db");
        std::fs::write(&file, "kept").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_private_dir(&open_dir).unwrap();
        create_private_file(&file).unwrap();
        write_new_private(&file, "other").unwrap();
        assert_eq!((mode(&open_dir), mode(&file)), (0o755, 0o644));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept");
        let kept = KeptFiles { dirs: vec![open_dir.clone()], files: vec![file.clone(), open_dir.join("missing")] };
        assert_eq!(warn_if_readable_by_others(&kept), vec![open_dir.clone(), file.clone()]);
        assert!(warn_if_readable_by_others(&kept).is_empty(), "once per path");
    }
}
