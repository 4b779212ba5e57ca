//! Where the command line writes: one sink for every output (stdout, a file
//! replaced atomically, or a FIFO or character device written in place) and
//! one printer for diagnostics on stderr.
//!
//! A reader that leaves early (`faultline run s.ron | head -1`) is not an
//! error: the output ends quietly. Any other failure to write is one clear
//! message and exit code 1. Nothing here panics on a closed stdout or stderr.

mod diagnostic;
mod target;

pub use diagnostic::{Problem, Severity};
pub use target::{check, check_distinct, Inputs};

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::Exit;
use target::Kind;

/// A path as it may be printed to a terminal or a CI log: control and
/// bidirectional characters written escaped (a path can come from a
/// scenario's `extends` or from a link a pull request planted).
fn shown(path: &std::path::Path) -> String {
    crate::text::one_line(&path.display().to_string()).into_owned()
}

/// Prints a line on stderr, ignoring a closed or failing stderr (where
/// `eprintln!` panics).
macro_rules! stderr {
    ($($arg:tt)*) => {
        $crate::cli::output::print_stderr(format_args!($($arg)*))
    };
}
pub(crate) use stderr;

/// Writes `line` and a newline to stderr; a write error is ignored (there is
/// nowhere left to report it).
pub fn print_stderr(line: fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(line).and_then(|()| err.write_all(b"\n"));
}

/// The flag of the main output file.
pub const OUTPUT: &str = "--output";

/// The flag of the JUnit file.
pub const JUNIT: &str = "--junit";

/// Why an output was refused or could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The path names a folder.
    #[error("{}: error: `{flag}` names a folder; give a file name", shown(.path))]
    Folder {
        /// The flag that named it.
        flag: &'static str,
        /// The path as given.
        path: PathBuf,
    },
    /// The folder the file would go in does not exist.
    #[error("{}: error: the folder `{}` does not exist", shown(.path), shown(.folder))]
    MissingFolder {
        /// The path as given.
        path: PathBuf,
        /// Its folder.
        folder: PathBuf,
    },
    /// A symbolic link to a regular file, or to nothing: faultline replaces
    /// files atomically and does not follow a link to do it.
    #[error("{}: error: `{flag}` names a symbolic link (to `{}`); give the file itself\n  hint: faultline follows links only to a FIFO or a device such as `/dev/stdout`", shown(.path), shown(.target))]
    Link {
        /// The flag that named it.
        flag: &'static str,
        /// The path as given.
        path: PathBuf,
        /// Where the link points.
        target: PathBuf,
    },
    /// A block device or a socket.
    #[error("{}: error: `{flag}` names a {kind}; give a regular file, a FIFO or a character device such as `/dev/null`", shown(.path))]
    Unsupported {
        /// The flag that named it.
        flag: &'static str,
        /// The path as given.
        path: PathBuf,
        /// What the path is.
        kind: &'static str,
    },
    /// The output would overwrite a file the command reads.
    #[error("{}: error: `{flag}` would overwrite `{}`, an input of this command\n  hint: write the output elsewhere; the input is left as it is", shown(.path), shown(.input))]
    Input {
        /// The flag that named it.
        flag: &'static str,
        /// The output path as given.
        path: PathBuf,
        /// The input, as given or as `extends` named it.
        input: PathBuf,
    },
    /// Two outputs of one command name the same file.
    #[error("{}: error: `{first}` and `{second}` name the same file; give each its own", shown(.path))]
    SameFile {
        /// The first flag.
        first: &'static str,
        /// The second flag.
        second: &'static str,
        /// The path of the second, as given.
        path: PathBuf,
    },
    /// Writing the file failed.
    #[error("{}: error: cannot write the output: {}", shown(.path), describe(.source))]
    File {
        /// The path as given.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// Writing to stdout failed (other than its reader leaving).
    #[error("error: cannot write to stdout: {}", describe(.0))]
    Stdout(io::Error),
}

impl OutputError {
    /// The exit code: 2 (usage) for an output naming an input or another
    /// output, 1 for the rest.
    pub fn exit(&self) -> Exit {
        match self {
            OutputError::Input { .. } | OutputError::SameFile { .. } => Exit::Usage,
            _ => Exit::Failure,
        }
    }
}

/// An I/O error's message without the ` (os error N)` the standard library adds.
fn describe(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) if e.raw_os_error().is_some() => text[..at].to_string(),
        _ => text,
    }
}

/// Where the bytes go.
enum Sink {
    /// Standard output.
    Stdout(BufWriter<io::Stdout>),
    /// A temporary file, renamed over `path` by [`Output::finish`].
    Replace {
        file: BufWriter<File>,
        temporary: target::Temporary,
    },
    /// A FIFO or character device, written in place.
    InPlace(BufWriter<File>),
}

/// One output of a command: stdout or a file named by a flag. Write to it,
/// then call [`Output::finish`]; an output dropped unfinished leaves no
/// temporary file and an existing file as it was.
pub struct Output {
    sink: Sink,
    /// The file as given (`None` for stdout), for messages.
    path: Option<PathBuf>,
    /// The first write error, kept for [`Output::finish`].
    failed: Option<io::Error>,
}

impl Output {
    /// Opens `path` (named by `flag`), or stdout when `None`: a missing or
    /// regular file is written to a temporary file in its folder, renamed over
    /// it at the end; a FIFO or character device (`/dev/null`) is written in
    /// place. A symbolic link is followed only to a FIFO or character device.
    ///
    /// # Errors
    /// As [`check`], or the temporary file cannot be created.
    pub fn open(flag: &'static str, path: Option<&Path>) -> Result<Output, OutputError> {
        let Some(path) = path else {
            return Ok(Output {
                sink: Sink::Stdout(BufWriter::with_capacity(1 << 16, io::stdout())),
                path: None,
                failed: None,
            });
        };
        let file_error = |source| OutputError::File {
            path: path.to_path_buf(),
            source,
        };
        let sink = match target::kind(flag, path)? {
            Kind::Replace => {
                let (file, temporary) = target::Temporary::create(path).map_err(file_error)?;
                Sink::Replace {
                    file: BufWriter::with_capacity(1 << 20, file),
                    temporary,
                }
            }
            Kind::InPlace => {
                let file = File::options().write(true).open(path).map_err(file_error)?;
                Sink::InPlace(BufWriter::with_capacity(1 << 16, file))
            }
        };
        Ok(Output {
            sink,
            path: Some(path.to_path_buf()),
            failed: None,
        })
    }

    /// Writes everything, flushes, and puts a file in place.
    ///
    /// # Errors
    /// The first write error, except a closed stdout pipe (its reader left:
    /// not an error); a temporary file is then removed.
    pub fn finish(mut self) -> Result<(), OutputError> {
        let _ = self.flush();
        if let Some(e) = self.failed.take() {
            return self.failure(e);
        }
        match self.sink {
            Sink::Stdout(_) | Sink::InPlace(_) => Ok(()),
            Sink::Replace { file, temporary } => {
                let placed = (file.into_inner().map_err(io::IntoInnerError::into_error))
                    .and_then(|file| file.sync_all())
                    .and_then(|()| temporary.rename());
                placed.map_err(|source| OutputError::File {
                    path: self.path.unwrap_or_default(),
                    source,
                })
            }
        }
    }

    /// Gives the output up after the code writing it failed with `message`:
    /// a temporary file is removed. `Ok` when the failure was stdout's
    /// reader leaving.
    ///
    /// # Errors
    /// The write error that made the writer fail, or `message`.
    pub fn abandon(mut self, message: String) -> Result<(), OutputError> {
        let e = self
            .failed
            .take()
            .unwrap_or_else(|| io::Error::other(message));
        self.failure(e)
    }

    /// `e` as this output's error (`Ok` for a closed stdout pipe).
    fn failure(self, e: io::Error) -> Result<(), OutputError> {
        match self.path {
            None if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            None => Err(OutputError::Stdout(e)),
            Some(path) => Err(OutputError::File { path, source: e }),
        }
    }

    /// `result`, keeping its error for [`Output::finish`] and handing the
    /// writer an error of the same kind.
    fn keep<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        result.map_err(|e| {
            let copy = io::Error::new(e.kind(), e.to_string());
            self.failed.get_or_insert(e);
            copy
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.sink {
            Sink::Stdout(w) => w,
            Sink::Replace { file, .. } | Sink::InPlace(file) => file,
        }
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.writer().write(bytes);
        self.keep(written)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let written = self.writer().write_all(bytes);
        self.keep(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.writer().flush();
        self.keep(flushed)
    }
}

/// Writes `bytes` to `path` (named by `flag`) or to stdout.
///
/// # Errors
/// As [`Output::open`] and [`Output::finish`].
pub fn write(flag: &'static str, path: Option<&Path>, bytes: &[u8]) -> Result<(), OutputError> {
    let mut output = Output::open(flag, path)?;
    // a write error is kept and reported by `finish`
    let _ = output.write_all(bytes);
    output.finish()
}

/// Writes `text` to `path` (named by `flag`) or to stdout, printing any
/// failure on stderr; the exit code.
pub fn emit(flag: &'static str, path: Option<&Path>, text: &str) -> Exit {
    match write(flag, path, text.as_bytes()) {
        Ok(()) => Exit::Success,
        Err(e) => {
            Problem::parse(&e.to_string()).print();
            e.exit()
        }
    }
}

/// Writes a rendered document (`what`: `rank`, `comparison`...) to `path`
/// or stdout as [`emit`] does, or says why it could not be rendered.
pub fn print_document(
    what: &str,
    path: Option<&Path>,
    text: Result<String, impl fmt::Display>,
) -> Exit {
    match text {
        Ok(text) => emit(OUTPUT, path, &text),
        Err(e) => {
            Problem::error(format!("could not write the {what} document: {e}")).print();
            Exit::Failure
        }
    }
}
