//! The rows of `data/outages.csv` the catalog cites: an RFC 4180 reader
//! (quoted fields may hold commas, line breaks and doubled quotes) and the
//! columns the catalog reads, found by their header names.

/// One row of data/outages.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    /// `id`: the date and the provider (`2017-02-28-aws`).
    pub id: String,
    /// `date`, `YYYY-MM-DD`.
    pub date: String,
    /// `provider`, as the reports name it.
    pub provider: String,
    /// `scope`: `single AZ`, `single region`, ...
    pub scope: String,
    /// `regions`, as the reports name them.
    pub regions: String,
    /// `duration_h`; `None` when no end time was published.
    pub duration_h: Option<f64>,
    /// `sources`: the URLs.
    pub sources: Vec<String>,
}

/// Why data/outages.csv cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OutagesError {
    /// A column the catalog reads is missing from the header.
    #[error("data/outages.csv: no `{0}` column")]
    MissingColumn(&'static str),
    /// A row has fewer fields than the header.
    #[error("data/outages.csv:{line}: {found} fields, the header has {expected}")]
    ShortRow {
        /// The row's record number (the header is 1).
        line: usize,
        /// Its fields.
        found: usize,
        /// The header's.
        expected: usize,
    },
    /// `duration_h` is neither empty nor a positive number.
    #[error("data/outages.csv:{line}: `{text}` is not a duration in hours")]
    BadDuration {
        /// The row's record number.
        line: usize,
        /// The field.
        text: String,
    },
    /// A quoted field is not closed.
    #[error("data/outages.csv: a quoted field is not closed")]
    Unterminated,
}

/// Splits CSV text into records of fields.
fn records(text: &str) -> Result<Vec<Vec<String>>, OutagesError> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, _) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\r') => {}
            (false, _) => field.push(c),
        }
    }
    if quoted {
        return Err(OutagesError::Unterminated);
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

/// The rows of data/outages.csv.
///
/// # Errors
/// [`OutagesError`] when a column is missing or a row is malformed.
pub fn parse_outages(text: &str) -> Result<Vec<Outage>, OutagesError> {
    let mut records = records(text)?.into_iter();
    let header = records.next().unwrap_or_default();
    let column = |name: &'static str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(OutagesError::MissingColumn(name))
    };
    let at = [
        column("id")?,
        column("date")?,
        column("provider")?,
        column("scope")?,
        column("regions")?,
        column("duration_h")?,
        column("sources")?,
    ];
    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        let line = i + 2;
        if record.len() < header.len() {
            return Err(OutagesError::ShortRow {
                line,
                found: record.len(),
                expected: header.len(),
            });
        }
        let field = |k: usize| record[at[k]].clone();
        let duration = field(5);
        let duration_h = match duration.as_str() {
            "" => None,
            text => match text.parse::<f64>() {
                Ok(h) if h.is_finite() && h > 0.0 => Some(h),
                _ => {
                    return Err(OutagesError::BadDuration {
                        line,
                        text: duration,
                    })
                }
            },
        };
        rows.push(Outage {
            id: field(0),
            date: field(1),
            provider: field(2),
            scope: field(3),
            regions: field(4),
            duration_h,
            sources: field(6).split_whitespace().map(str::to_string).collect(),
        });
    }
    Ok(rows)
}
