//! The server's embedded store (sled): scans, their findings and reports, and API keys (hashed).
//!
//! Layout, one sled tree each:
//! - `scans`: scan id → [`ScanRecord`] (JSON). The scan request is *not* stored: its secrets
//!   (tokens, passwords) live in memory only while the scan is queued or running.
//! - `findings`: `<scan id>/<8-digit index>` → [`Finding`] (JSON), in report order.
//! - `reports`: scan id → [`ScanReport`] (JSON) without its findings; they are merged back from
//!   `findings` on rendering, so triage status shows in every report.
//! - `keys`: key id → [`keys::ApiKey`] (JSON), with the SHA-256 of the key, never the key itself.
//!
//! sled lets one process at a time open a data dir; [`Store::open`] turns that lock into
//! [`StoreError::Locked`], whose message tells the operator what to do.

pub mod keys;

use crate::findings::{Finding, Status};
use crate::report::ScanReport;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (a running `nat serve`) holds the data dir.
    #[error(
        "the data dir {} is in use by a running `nat serve`; manage keys through its API instead \
         (e.g. `curl -X POST http://HOST:PORT/api/v1/keys -H \"Authorization: Bearer <admin key>\" \
         -H 'Content-Type: application/json' -d '{{\"name\":\"ci\",\"role\":\"scan\"}}'`), \
         or stop the server and run the command again",
        .data_dir.display()
    )]
    Locked { data_dir: PathBuf },
    /// The data dir could not be created or opened.
    #[error("cannot open the data dir {}: {reason}", .data_dir.display())]
    Open { data_dir: PathBuf, reason: String },
    /// sled failed.
    #[error("store error: {0}")]
    Db(#[from] sled::Error),
    /// A stored record is not valid JSON of its type.
    #[error("corrupt record {key}: {reason}")]
    Corrupt { key: String, reason: String },
    /// A named object does not exist.
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// An argument is invalid (e.g. an empty key name).
    #[error("{0}")]
    Invalid(String),
}

/// Shorthand for results of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Lifecycle of a scan. A cancelled scan ends as `failed` with reason `cancelled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanStatus {
    Queued,
    Running,
    Complete,
    Failed,
}

impl ScanStatus {
    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Queued => "queued",
            ScanStatus::Running => "running",
            ScanStatus::Complete => "complete",
            ScanStatus::Failed => "failed",
        }
    }
    /// Parses a contract name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "queued" => Some(ScanStatus::Queued),
            "running" => Some(ScanStatus::Running),
            "complete" => Some(ScanStatus::Complete),
            "failed" => Some(ScanStatus::Failed),
            _ => None,
        }
    }
    /// True once the scan can no longer change (complete or failed).
    pub fn is_finished(self) -> bool {
        matches!(self, ScanStatus::Complete | ScanStatus::Failed)
    }
}

/// Live counters of a scan (`progress` in the contract).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub endpoints_discovered: u64,
    pub endpoints_tested: u64,
    pub findings: u64,
}

/// A scan as stored and as `GET /scans/{id}` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanRecord {
    pub scan_id: String,
    pub status: ScanStatus,
    pub progress: Progress,
    /// RFC 3339.
    pub created_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    /// Why a scan failed (`cancelled`, `interrupted by a server restart`, the engine's error); null
    /// otherwise.
    pub reason: Option<String>,
    /// The target base URL (any password in it replaced by `<redacted>`).
    pub url: String,
    /// The estimate given when the scan was created.
    pub estimated_duration_seconds: u64,
}

/// Current time, RFC 3339 in UTC with seconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The open store. Cheap to clone (sled handles are reference counted).
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    scans: sled::Tree,
    findings: sled::Tree,
    reports: sled::Tree,
    keys: sled::Tree,
    dir: PathBuf,
}

fn decode<T: serde::de::DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason: e.to_string(),
    })
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt {
        key: "<new>".into(),
        reason: e.to_string(),
    })
}

fn finding_key(scan_id: &str, index: usize) -> String {
    format!("{scan_id}/{index:08}")
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir`. A dir held by another process gives
    /// [`StoreError::Locked`].
    pub fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Open {
            data_dir: data_dir.to_path_buf(),
            reason: e.to_string(),
        })?;
        // sled's background flusher can hold a just-dropped store's lock for a moment, so a lock
        // is retried for up to a second before it counts as held by another process.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        let db = loop {
            match sled::Config::new().path(data_dir.join("nat.sled")).open() {
                Err(sled::Error::Io(ref io))
                    if io.to_string().contains("could not acquire lock")
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other,
            }
        }
        .map_err(|e| match e {
            sled::Error::Io(ref io) if io.to_string().contains("could not acquire lock") => {
                StoreError::Locked {
                    data_dir: data_dir.to_path_buf(),
                }
            }
            other => StoreError::Open {
                data_dir: data_dir.to_path_buf(),
                reason: other.to_string(),
            },
        })?;
        Ok(Store {
            scans: db.open_tree("scans")?,
            findings: db.open_tree("findings")?,
            reports: db.open_tree("reports")?,
            keys: db.open_tree("keys")?,
            db,
            dir: data_dir.to_path_buf(),
        })
    }

    /// The data dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Waits until every write so far is on disk.
    ///
    /// A blocking flush on tokio's blocking pool, not sled's `flush_async`: that one waits inside
    /// sled's own small I/O thread pool for a buffer write queued on the same pool, so a handful of
    /// concurrent flushes (concurrent `POST /scans`) took every thread and hung the server for good.
    pub async fn flush(&self) -> Result<()> {
        let db = self.db.clone();
        match tokio::task::spawn_blocking(move || db.flush()).await {
            Ok(flushed) => flushed.map(drop).map_err(StoreError::from),
            Err(e) => Err(StoreError::Db(sled::Error::Io(std::io::Error::other(
                format!("the flush task failed: {e}"),
            )))),
        }
    }

    /// Flushes synchronously (for the CLI's key commands and shutdown).
    pub fn flush_blocking(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    /// Writes (inserts or replaces) a scan record. Not flushed: call [`Store::flush`] when it matters.
    pub fn put_scan(&self, scan: &ScanRecord) -> Result<()> {
        self.scans.insert(scan.scan_id.as_bytes(), encode(scan)?)?;
        Ok(())
    }

    /// One scan.
    pub fn get_scan(&self, id: &str) -> Result<Option<ScanRecord>> {
        match self.scans.get(id.as_bytes())? {
            Some(v) => Ok(Some(decode(id.as_bytes(), &v)?)),
            None => Ok(None),
        }
    }

    /// Every scan, newest first.
    pub fn list_scans(&self) -> Result<Vec<ScanRecord>> {
        let mut out = Vec::new();
        for kv in self.scans.iter() {
            let (k, v) = kv?;
            out.push(decode::<ScanRecord>(&k, &v)?);
        }
        out.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.scan_id.cmp(&b.scan_id))
        });
        Ok(out)
    }

    /// Replaces a scan's findings with `findings` (in order). Triage status of a finding with the same
    /// fingerprint already stored is kept.
    ///
    /// Not a sled batch on purpose: the first batch (or transaction) switches sled 0.34 into a mode
    /// where every read takes a shared lock, and a flush that holds it while waiting for the log
    /// flusher, which needs it too, deadlocks against a batch waiting for the exclusive lock (the
    /// server hung under concurrent `POST /scans` while a scan finished). The new list is written over
    /// the old one, then the surplus is removed; a crash in between leaves the scan `running`, so it
    /// is marked failed at the next start.
    pub fn replace_findings(&self, scan_id: &str, findings: &[Finding]) -> Result<()> {
        let old = self.findings(scan_id)?;
        for (i, f) in findings.iter().enumerate() {
            let mut f = f.clone();
            if let Some(prev) = old.iter().find(|o| o.fingerprint == f.fingerprint) {
                if prev.status != Status::Open {
                    f.status = prev.status;
                }
            }
            self.findings
                .insert(finding_key(scan_id, i).as_bytes(), encode(&f)?)?;
        }
        for i in findings.len()..old.len() {
            self.findings.remove(finding_key(scan_id, i).as_bytes())?;
        }
        Ok(())
    }

    /// Appends one finding after those stored (used while a scan runs).
    pub fn append_finding(&self, scan_id: &str, finding: &Finding) -> Result<()> {
        let n = self
            .findings
            .scan_prefix(format!("{scan_id}/").as_bytes())
            .count();
        self.findings
            .insert(finding_key(scan_id, n).as_bytes(), encode(finding)?)?;
        Ok(())
    }

    /// A scan's findings in report order.
    pub fn findings(&self, scan_id: &str) -> Result<Vec<Finding>> {
        let mut out = Vec::new();
        for kv in self.findings.scan_prefix(format!("{scan_id}/").as_bytes()) {
            let (k, v) = kv?;
            out.push(decode::<Finding>(&k, &v)?);
        }
        Ok(out)
    }

    /// Sets the triage status of one finding; returns the updated finding, or `None` when the scan
    /// has no finding with that id.
    pub fn set_finding_status(
        &self,
        scan_id: &str,
        finding_id: &str,
        status: Status,
    ) -> Result<Option<Finding>> {
        for kv in self.findings.scan_prefix(format!("{scan_id}/").as_bytes()) {
            let (k, v) = kv?;
            let mut f: Finding = decode(&k, &v)?;
            if f.id == finding_id {
                f.status = status;
                self.findings.insert(k, encode(&f)?)?;
                return Ok(Some(f));
            }
        }
        Ok(None)
    }

    /// Stores a scan's report (its findings are stored apart, see [`Store::replace_findings`]).
    pub fn put_report(&self, scan_id: &str, report: &ScanReport) -> Result<()> {
        let mut r = report.clone();
        r.findings.clear();
        self.reports.insert(scan_id.as_bytes(), encode(&r)?)?;
        Ok(())
    }

    /// A scan's report with its current findings (triage status included), if it has one.
    pub fn report(&self, scan_id: &str) -> Result<Option<ScanReport>> {
        let Some(v) = self.reports.get(scan_id.as_bytes())? else {
            return Ok(None);
        };
        let mut r: ScanReport = decode(scan_id.as_bytes(), &v)?;
        r.findings = self.findings(scan_id)?;
        Ok(Some(r))
    }

    /// Marks every queued or running scan `failed` with `reason` (after a restart their secrets are
    /// gone, so they cannot be resumed). Returns how many were marked. Flushes.
    pub fn fail_unfinished(&self, reason: &str) -> Result<usize> {
        let mut n = 0;
        for mut scan in self.list_scans()? {
            if !scan.status.is_finished() {
                scan.status = ScanStatus::Failed;
                scan.reason = Some(reason.to_string());
                scan.completed_at = Some(now_rfc3339());
                self.put_scan(&scan)?;
                n += 1;
            }
        }
        self.flush_blocking()?;
        Ok(n)
    }

    pub(crate) fn keys_tree(&self) -> &sled::Tree {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_open_of_a_dir_is_a_typed_lock_error() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path()).unwrap();
        let err = Store::open(dir.path()).err().unwrap();
        assert!(matches!(err, StoreError::Locked { .. }), "{err}");
        assert!(err.to_string().contains("/api/v1/keys"), "{err}");
    }
}
