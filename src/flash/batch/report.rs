//! The batch report: one CSV line (and one JSON line in the log) per finished card, appended
//! as each card ends, and the parser `--resume` reads the numbering back with.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::card::{CardOutcome, CardResult};
use crate::flash::error::FlashError;

/// The report's columns, in order (the CSV header).
pub const COLUMNS: [&str; 16] = [
    "time",
    "number",
    "slot",
    "reader_model",
    "reader_serial",
    "card_size",
    "image",
    "image_sha256",
    "identity",
    "target",
    "bytes_written",
    "write_rate",
    "verify_rate",
    "result",
    "reason",
    "message",
];

/// One card's line.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportLine {
    /// UTC, RFC 3339.
    pub time: String,
    pub number: u32,
    pub slot: String,
    pub reader_model: String,
    pub reader_serial: String,
    pub card_size: u64,
    pub image: String,
    pub image_sha256: String,
    pub identity: String,
    pub target: String,
    pub bytes_written: u64,
    /// Bytes per second.
    pub write_rate: u64,
    pub verify_rate: u64,
    /// `done` or `failed`.
    pub result: String,
    /// The failure's reason code (empty when done).
    pub reason: String,
    pub message: String,
}

impl ReportLine {
    pub fn new(time: String, image: &str, sha256: &str, outcome: &CardOutcome) -> ReportLine {
        let job = &outcome.job;
        let (result, reason, message) = match &outcome.result {
            CardResult::Done => ("done", String::new(), String::new()),
            CardResult::Failed {
                reason, message, ..
            } => ("failed", reason.code().to_string(), message.clone()),
        };
        ReportLine {
            time,
            number: job.number,
            slot: job.slot.clone(),
            reader_model: job.reader_model.clone(),
            reader_serial: job.reader_serial.clone(),
            card_size: job.card_size,
            image: image.to_string(),
            image_sha256: sha256.to_string(),
            identity: job.identity.clone(),
            target: job.target.path.display().to_string(),
            bytes_written: outcome.written,
            write_rate: outcome.write_rate as u64,
            verify_rate: outcome.verify_rate as u64,
            result: result.to_string(),
            reason,
            message,
        }
    }

    fn fields(&self) -> [String; 16] {
        [
            self.time.clone(),
            self.number.to_string(),
            self.slot.clone(),
            self.reader_model.clone(),
            self.reader_serial.clone(),
            self.card_size.to_string(),
            self.image.clone(),
            self.image_sha256.clone(),
            self.identity.clone(),
            self.target.clone(),
            self.bytes_written.to_string(),
            self.write_rate.to_string(),
            self.verify_rate.to_string(),
            self.result.clone(),
            self.reason.clone(),
            self.message.clone(),
        ]
    }

    /// The CSV record with its newline (RFC 4180 quoting).
    pub fn to_csv(&self) -> String {
        csv_record(&self.fields())
    }
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

fn csv_record(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// Splits CSV text into records of fields (quoted fields may span lines).
fn parse_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                records.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
                any = false;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(format!("line {start}: a quoted field is not closed"));
    }
    if any {
        fields.push(field);
        records.push((start, fields));
    }
    Ok(records)
}

/// Reads a report written by `--report`. Errors name the line and what is wrong with it.
pub fn parse_report(text: &str) -> Result<Vec<ReportLine>, String> {
    let records = parse_csv(text)?;
    let mut lines = Vec::new();
    for (i, (line, fields)) in records.into_iter().enumerate() {
        if i == 0 {
            if fields != COLUMNS {
                return Err(format!(
                    "line {line}: the header is not a skiff batch report's ({})",
                    COLUMNS.join(",")
                ));
            }
            continue;
        }
        if fields.len() != COLUMNS.len() {
            return Err(format!(
                "line {line}: {} fields, a report line has {}",
                fields.len(),
                COLUMNS.len()
            ));
        }
        let number = |i: usize| -> Result<u64, String> {
            fields[i].parse::<u64>().map_err(|_| {
                format!(
                    "line {line}: {} {:?} is not a number",
                    COLUMNS[i], fields[i]
                )
            })
        };
        lines.push(ReportLine {
            time: fields[0].clone(),
            number: u32::try_from(number(1)?)
                .map_err(|_| format!("line {line}: the card number is too large"))?,
            slot: fields[2].clone(),
            reader_model: fields[3].clone(),
            reader_serial: fields[4].clone(),
            card_size: number(5)?,
            image: fields[6].clone(),
            image_sha256: fields[7].clone(),
            identity: fields[8].clone(),
            target: fields[9].clone(),
            bytes_written: number(10)?,
            write_rate: number(11)?,
            verify_rate: number(12)?,
            result: fields[13].clone(),
            reason: fields[14].clone(),
            message: fields[15].clone(),
        });
    }
    Ok(lines)
}

/// The number the next card gets after a report's lines (1 for an empty report).
pub fn next_number(lines: &[ReportLine]) -> u32 {
    lines
        .iter()
        .map(|l| l.number)
        .max()
        .map_or(1, |n| n.saturating_add(1))
}

/// Appends whole lines to the report and the log: each line is one `write` to a file opened
/// for appending, so a reader never sees half a line from this writer.
pub struct ReportWriter {
    csv: Option<std::fs::File>,
    log: Option<std::fs::File>,
}

fn open_append(path: &Path) -> Result<std::fs::File, FlashError> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| FlashError::io(path, "open the report for appending", source))
}

impl ReportWriter {
    /// Opens (creating) the report and the log; writes the CSV header into an empty report.
    pub fn open(csv: Option<&Path>, log: Option<&Path>) -> Result<ReportWriter, FlashError> {
        let mut writer = ReportWriter {
            csv: csv.map(open_append).transpose()?,
            log: log.map(open_append).transpose()?,
        };
        if let (Some(file), Some(path)) = (writer.csv.as_mut(), csv) {
            let empty = file.metadata().map(|m| m.len() == 0).unwrap_or(false);
            if empty {
                let header = csv_record(&COLUMNS.map(String::from));
                file.write_all(header.as_bytes())
                    .map_err(|source| FlashError::io(path, "write the report", source))?;
            }
        }
        Ok(writer)
    }

    /// Appends one card's line to both files.
    pub fn append(&mut self, line: &ReportLine) -> std::io::Result<()> {
        if let Some(file) = self.csv.as_mut() {
            file.write_all(line.to_csv().as_bytes())?;
        }
        if let Some(file) = self.log.as_mut() {
            let mut json = serde_json::to_string(line).map_err(std::io::Error::other)?;
            json.push('\n');
            file.write_all(json.as_bytes())?;
        }
        Ok(())
    }
}

/// The fuzz target's body: never panics; whatever parses writes back to the same lines.
pub fn fuzz_one(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(lines) = parse_report(&text) {
        let mut again = csv_record(&COLUMNS.map(String::from));
        for line in &lines {
            again.push_str(&line.to_csv());
        }
        let reread = parse_report(&again);
        assert_eq!(
            reread.as_ref().ok(),
            Some(&lines),
            "a report does not round-trip"
        );
        let _ = next_number(&lines);
    }
}
