//! What an output path names, and whether writing it is safe: a regular file
//! is replaced atomically, a FIFO or character device is written in place,
//! anything else is refused, and so is a path naming an input.

use std::fs::{File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use super::OutputError;

/// How a file output is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Missing or a regular file: a temporary file renamed over it.
    Replace,
    /// A FIFO or character device: opened and written in place.
    InPlace,
}

/// How `path` (named by `flag`) would be written.
///
/// # Errors
/// A folder, a missing folder, a symbolic link to anything but a FIFO or
/// character device, a block device or socket, or an unreadable path.
pub fn kind(flag: &'static str, path: &Path) -> Result<Kind, OutputError> {
    let owned = || path.to_path_buf();
    if path.as_os_str().to_string_lossy().ends_with('/') {
        return Err(OutputError::Folder {
            flag,
            path: owned(),
        });
    }
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return missing(path).map(|()| Kind::Replace)
        }
        Err(source) => {
            return Err(OutputError::File {
                path: owned(),
                source,
            })
        }
    };
    if !meta.file_type().is_symlink() {
        return by_type(&meta).map_err(|kind| unsupported(flag, path, kind));
    }
    // a link: followed only to what is written in place
    let link = |target: PathBuf| OutputError::Link {
        flag,
        path: owned(),
        target,
    };
    let target = std::fs::read_link(path).unwrap_or_default();
    match std::fs::metadata(path) {
        Ok(meta) => match by_type(&meta) {
            Ok(Kind::InPlace) => Ok(Kind::InPlace),
            Ok(Kind::Replace) => Err(link(target)),
            Err(kind) => Err(unsupported(flag, path, kind)),
        },
        Err(_) => Err(link(target)),
    }
}

/// The kind of an existing file, or what it is when it cannot be written.
fn by_type(meta: &Metadata) -> Result<Kind, &'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        Ok(Kind::Replace)
    } else if kind.is_dir() {
        Err("folder")
    } else {
        special(&kind)
    }
}

#[cfg(unix)]
fn special(kind: &std::fs::FileType) -> Result<Kind, &'static str> {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() || kind.is_char_device() {
        Ok(Kind::InPlace)
    } else if kind.is_block_device() {
        Err("block device")
    } else {
        Err("socket")
    }
}

#[cfg(not(unix))]
fn special(_: &std::fs::FileType) -> Result<Kind, &'static str> {
    Ok(Kind::InPlace)
}

fn unsupported(flag: &'static str, path: &Path, kind: &'static str) -> OutputError {
    let path = path.to_path_buf();
    match kind {
        "folder" => OutputError::Folder { flag, path },
        _ => OutputError::Unsupported { flag, path, kind },
    }
}

/// The folder a new file at `path` would go in.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A new file at `path` needs its folder.
fn missing(path: &Path) -> Result<(), OutputError> {
    let folder = folder_of(path);
    if folder.is_dir() {
        Ok(())
    } else {
        Err(OutputError::MissingFolder {
            path: path.to_path_buf(),
            folder: folder.to_path_buf(),
        })
    }
}

/// Why `path` (named by `flag`) cannot be written or would overwrite one of
/// `inputs`: checked before the work rather than after.
///
/// # Errors
/// As [`kind`], or [`OutputError::Input`].
pub fn check(flag: &'static str, path: &Path, inputs: &Inputs) -> Result<(), OutputError> {
    inputs.refuse(flag, path)?;
    kind(flag, path).map(|_| ())
}

/// Refuses two outputs that name the same file (the second would replace the
/// first). A FIFO or device may take both.
///
/// # Errors
/// [`OutputError::SameFile`].
pub fn check_distinct(
    (first, a): (&'static str, &Path),
    (second, b): (&'static str, &Path),
) -> Result<(), OutputError> {
    let in_place = |p: &Path| matches!(std::fs::metadata(p), Ok(m) if !m.is_file() && !m.is_dir());
    let same = match (Identity::of(a), Identity::of(b)) {
        (Some(x), Some(y)) => x == y && !in_place(a),
        // neither exists yet: the same name in the same folder
        (None, None) => new_file_location(a).is_some_and(|x| Some(x) == new_file_location(b)),
        _ => false,
    };
    if same {
        return Err(OutputError::SameFile {
            first,
            second,
            path: b.to_path_buf(),
        });
    }
    Ok(())
}

/// Where a file that does not exist yet would be created: its folder's
/// canonical path and its name.
fn new_file_location(path: &Path) -> Option<PathBuf> {
    let folder = std::fs::canonicalize(folder_of(path)).ok()?;
    Some(folder.join(path.file_name()?))
}

/// What makes two paths the same file: device and inode on Unix, the
/// canonical path elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Canonical(PathBuf),
}

impl Identity {
    /// The identity of the file `path` names (following links), if it exists.
    fn of(path: &Path) -> Option<Identity> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(path).ok()?;
            Some(Identity::Inode(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            std::fs::canonicalize(path).ok().map(Identity::Canonical)
        }
    }
}

/// The files a command reads (scenarios, their `extends` bases, partials),
/// so that no output overwrites one.
#[derive(Debug, Default)]
pub struct Inputs {
    paths: Vec<PathBuf>,
}

impl Inputs {
    /// Adds a file the command reads.
    pub fn add(&mut self, path: &Path) {
        if !self.paths.iter().any(|p| p == path) {
            self.paths.push(path.to_path_buf());
        }
    }

    /// Refuses `output` when it is the same regular file as an input (a
    /// FIFO or a device is written in place, never replaced: `faultline
    /// run /dev/stdin --output /dev/stdout` reads and writes one terminal).
    fn refuse(&self, flag: &'static str, output: &Path) -> Result<(), OutputError> {
        if !std::fs::metadata(output).is_ok_and(|m| m.is_file()) {
            return Ok(());
        }
        let Some(out) = Identity::of(output) else {
            return Ok(());
        };
        match (self.paths.iter()).find(|p| Identity::of(p).as_ref() == Some(&out)) {
            Some(input) => Err(OutputError::Input {
                flag,
                path: output.to_path_buf(),
                input: input.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// A temporary file beside an output, removed when dropped unless renamed
/// over the output.
#[derive(Debug)]
pub struct Temporary {
    /// The temporary file; `None` once renamed.
    path: Option<PathBuf>,
    /// The output it replaces.
    target: PathBuf,
}

impl Temporary {
    /// Creates `.NAME.PID.tmp` (or `.NAME.PID-N.tmp` when that exists) in
    /// the folder of `target`, never through an existing file or link.
    ///
    /// # Errors
    /// The file cannot be created.
    pub fn create(target: &Path) -> io::Result<(File, Temporary)> {
        let folder = folder_of(target);
        let name = target
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let pid = std::process::id();
        let mut attempt = 0;
        loop {
            let suffix = if attempt == 0 {
                String::new()
            } else {
                format!("-{attempt}")
            };
            let path = folder.join(format!(".{name}.{pid}{suffix}.tmp"));
            match File::options().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    let temporary = Temporary {
                        path: Some(path),
                        target: target.to_path_buf(),
                    };
                    return Ok((file, temporary));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Renames the temporary file over the output.
    ///
    /// # Errors
    /// The rename failed; the temporary file is then removed.
    pub fn rename(mut self) -> io::Result<()> {
        let Some(path) = self.path.take() else {
            return Ok(());
        };
        let renamed = std::fs::rename(&path, &self.target);
        if renamed.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        renamed
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}
