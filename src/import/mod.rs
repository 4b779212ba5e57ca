//! Bringing a real system in: `faultline import terraform` and `faultline
//! import kubernetes` read what a team already has (the JSON of `terraform
//! show -json`, Kubernetes manifests) and write a first scenario from it.
//!
//! Both readers build a [`Draft`]: services with their deployments placed in
//! `provider/region/zone` domains, each inferred choice carrying the comment
//! that says where it came from; [`emit`] turns a draft into scenario text
//! with failure processes for the providers, regions and zones present. The
//! files read are untrusted: only regular files are read, each up to a size
//! limit, parsers are bounded in depth (and YAML aliases in expansion), and
//! every problem is an [`ImportError`] naming the file and, where the parser
//! knows it, the line and column.

pub mod emit;
mod failover;
pub mod kubernetes;
mod names;
mod placement;
pub mod terraform;
mod terraform_cloud;

use std::path::Path;

pub use names::sanitize;

/// The largest Terraform JSON file read (plans of large estates run to tens
/// of megabytes).
pub const MAX_TERRAFORM_BYTES: usize = 64 * 1024 * 1024;

/// The largest manifest file read.
pub const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;

/// The most services one import writes (a scenario past that is not a
/// first draft anyone reviews).
pub const MAX_SERVICES: usize = 2000;

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read (missing, a folder, a FIFO, ...).
    #[error("{file}: error: cannot read it: {source}")]
    Read {
        /// The file as given.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is larger than the limit.
    #[error("{file}: error: it is larger than {limit} bytes, the most `import` reads")]
    TooLarge {
        /// The file as given.
        file: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The text does not parse (JSON or YAML), at a known position.
    #[error("{file}:{line}:{col}: error: {message}")]
    Syntax {
        /// The file as given.
        file: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        col: usize,
        /// What the parser said.
        message: String,
    },
    /// The text parses but is not what the importer reads, or holds nothing
    /// it models.
    #[error("{file}: error: {message}")]
    Content {
        /// The file as given.
        file: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
    /// The built-in catalog does not load (a broken build).
    #[error("error: {0}")]
    Catalog(#[from] crate::catalog::CatalogError),
}

impl ImportError {
    /// A `hint:` line for the error, where one helps.
    pub fn hint(&self) -> Option<&str> {
        match self {
            ImportError::TooLarge { .. } => {
                Some("import a smaller part (one workspace, one module, one folder of manifests)")
            }
            ImportError::Content { hint, .. } => Some(hint),
            ImportError::Syntax { message, .. } if message.starts_with("not valid YAML") => Some(
                "a Helm chart or a kustomization must be rendered first: `helm template RELEASE CHART > manifests.yaml`, `kubectl kustomize DIR > manifests.yaml`",
            ),
            ImportError::Read { .. } | ImportError::Syntax { .. } | ImportError::Catalog(_) => {
                None
            }
        }
    }
}

/// The longest scenario name an import writes (well under the scenario's
/// limit on names).
const MAX_TITLE_CHARS: usize = 120;

/// The scenario name of an import from `inputs`: `imported from` the first
/// input (its end, where it is long) and how many more there are.
pub(crate) fn title(inputs: &[String]) -> String {
    let first = inputs.first().map_or("", String::as_str);
    let more = match inputs.len() {
        0 | 1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    let room = MAX_TITLE_CHARS - "imported from ".len() - more.len();
    let chars = first.chars().count();
    let first = if chars > room {
        let tail: String = first.chars().skip(chars + 3 - room).collect();
        format!("...{tail}")
    } else {
        first.to_string()
    };
    format!("imported from {first}{more}")
}

/// A file name as it may be printed (control characters escaped).
pub(crate) fn shown(path: &Path) -> String {
    crate::text::one_line(&path.display().to_string()).into_owned()
}

/// Reads a regular file of at most `limit` bytes as UTF-8 text.
///
/// # Errors
/// [`ImportError::Read`], [`ImportError::TooLarge`], or a
/// [`ImportError::Syntax`] at the first byte that is not UTF-8.
pub(crate) fn read_text(path: &Path, limit: usize) -> Result<String, ImportError> {
    let file = shown(path);
    let bytes = crate::input::read_regular(path, limit).map_err(|source| ImportError::Read {
        file: file.clone(),
        source,
    })?;
    if bytes.len() > limit {
        return Err(ImportError::TooLarge { file, limit });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        ImportError::Syntax {
            file,
            line,
            col,
            message: "the file is not UTF-8 text".into(),
        }
    })
}

/// How traffic moves between a service's deployments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// Every deployment serves (the default).
    ActiveActive,
    /// The first deployment serves; a managed failover promotes the next.
    ActivePassive {
        /// The detection time's distribution, as scenario text.
        detect: &'static str,
        /// The switch time's distribution, as scenario text.
        switch: &'static str,
        /// Where these figures come from.
        why: &'static str,
    },
}

/// One deployment of a drafted service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// The provider segment (`aws`, `gcp`, `azure`, `k8s`).
    pub provider: String,
    /// The region segment.
    pub region: String,
    /// Zone segments under the region; empty: placed at the region itself.
    pub zones: Vec<String>,
    /// Replicas (>= 1).
    pub replicas: u64,
    /// Replicas that must be up (1 to `replicas`).
    pub need: u64,
    /// Comments on the inferred placement and counts, one per line.
    pub notes: Vec<String>,
}

/// A drafted service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Its name (already valid as a scenario name).
    pub name: String,
    /// What it was made from and how, one comment line each.
    pub notes: Vec<String>,
    /// Its deployments (at least one).
    pub deployments: Vec<Deployment>,
    /// How traffic moves between them.
    pub routing: Routing,
}

/// A scenario drafted from someone's infrastructure, before it is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// The scenario's name.
    pub title: String,
    /// Comment lines written at the top.
    pub header: Vec<String>,
    /// The services, in the order of the input.
    pub services: Vec<Service>,
    /// What the input held that the draft does not model, one line each.
    pub unmodelled: Vec<String>,
}

/// Imports `terraform show -json` output from `path` as scenario text.
///
/// # Errors
/// Any [`ImportError`]: unreadable, too large, not JSON, not Terraform, or
/// nothing to model.
pub fn terraform_file(path: &Path) -> Result<String, ImportError> {
    let text = read_text(path, MAX_TERRAFORM_BYTES)?;
    let draft = terraform::draft(&shown(path), &text)?;
    Ok(emit::scenario(&draft, &crate::catalog::load()?))
}

/// Imports the Kubernetes manifests at `paths` (files, or folders whose
/// `.yaml`/`.yml` files are read) as scenario text.
///
/// # Errors
/// Any [`ImportError`]: unreadable, too large, not YAML, not Kubernetes, or
/// no workload.
pub fn kubernetes_paths(paths: &[std::path::PathBuf]) -> Result<String, ImportError> {
    let draft = kubernetes::draft(paths)?;
    Ok(emit::scenario(&draft, &crate::catalog::load()?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_stay_short_whatever_the_inputs() {
        let long = "d/".repeat(200) + "plan.json";
        let t = super::title(&[long]);
        assert!(t.chars().count() <= super::MAX_TITLE_CHARS && t.ends_with("d/d/plan.json"));
        let many: Vec<String> = (0..12).map(|i| format!("m/{i}.yaml")).collect();
        assert_eq!(super::title(&many), "imported from m/0.yaml and 11 more");
        assert_eq!(super::title(&["a.json".into()]), "imported from a.json");
    }
}
