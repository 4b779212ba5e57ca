//! Reading the files faultline is given: scenarios, `extends` bases and
//! `merge` partials. They come from pull requests, so only regular files
//! are read: a path that is (or links to) a FIFO, a device, a socket or a
//! folder is refused before anything is read from it, and the check is
//! made twice, on the path and then on the opened handle, which is opened
//! without blocking, so a path swapped for a FIFO in between can neither
//! hang the open nor feed the reader.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// Why a path is not read: what it is instead of a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("it is {0}, not a regular file; faultline reads only regular files")]
pub struct NotRegular(pub &'static str);

/// What `meta` describes when it is not a regular file.
fn irregular(meta: &Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (a named pipe)");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a file")
}

/// `Ok` when `meta` is a regular file's, else [`NotRegular`] as an I/O error.
fn refuse_irregular(meta: &Metadata) -> io::Result<()> {
    match irregular(meta) {
        None => Ok(()),
        Some(kind) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            NotRegular(kind),
        )),
    }
}

/// Checks, without opening it, that `path` is (or links to) a regular file.
///
/// # Errors
/// The I/O error of `stat`, or [`NotRegular`] (kind `InvalidInput`).
pub fn check_regular(path: &Path) -> io::Result<()> {
    refuse_irregular(&std::fs::metadata(path)?)
}

/// Opens `path` for reading when it is a regular file: checks the path,
/// opens it without blocking (a FIFO put in its place cannot hang the
/// open) and checks the opened handle.
///
/// # Errors
/// The I/O error, or [`NotRegular`] (kind `InvalidInput`).
pub fn open_regular(path: &Path) -> io::Result<File> {
    check_regular(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    refuse_irregular(&file.metadata()?)?;
    Ok(file)
}

/// Reads the regular file at `path`, at most `limit` bytes and one more (so
/// the caller sees that it is too large).
///
/// # Errors
/// As [`open_regular`], or the error of the reading.
pub fn read_regular(path: &Path, limit: usize) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_and_folders_and_devices_refused() {
        let me = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        assert!(read_regular(&me, 10).is_ok_and(|b| b.len() == 11));
        let folder = read_regular(Path::new(env!("CARGO_MANIFEST_DIR")), 10);
        assert!(folder.is_err_and(|e| e.to_string().contains("a folder")));
        #[cfg(unix)]
        for device in ["/dev/null", "/dev/zero"] {
            let e = open_regular(Path::new(device)).map(|_| ());
            assert!(
                e.is_err_and(|e| e.to_string() == NotRegular("a device").to_string()),
                "{device}"
            );
        }
    }
}
