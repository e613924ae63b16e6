//! SARIF 2.1.0 for code scanning (GitHub and others), built with `serde-sarif`.
//!
//! - One rule per check of [`crate::checks::CHECKS`] (all of them, with or without results), plus a rule
//!   for any finding whose check nat no longer has. Rules carry `security-severity`, tags (`security`,
//!   the OWASP category, `external/cwe/cwe-N`) and relationships into two taxonomies: the OWASP API
//!   Security Top 10 (2023) and CWE.
//! - One result per finding: `level` from severity, `partialFingerprints["natFingerprint/v1"]`, the
//!   evidence under `properties.evidence`, a physical location and a logical one (the endpoint).
//! - Physical location: when the description is a local file, its path relative to the working
//!   directory (`uriBaseId: %SRCROOT%`) and the operation's line; otherwise (a URL, an upload, a
//!   discovered description) the description's URL — or the target's when there is none — at line 1,
//!   so that every result still has the location code scanning requires. Such results cannot point
//!   into the repository; upload SARIF from scans of a checked-in description to see them on the file.

use super::locate::operation_line;
use super::text::{
    cwe_name, cwe_number, cwe_uri, first_line, owasp_label, owasp_name, owasp_uri, OWASP_API_2023,
    OWASP_API_2023_URI,
};
use super::{to_json, BaselineState, RenderError, ScanReport};
use crate::checks::{CheckMeta, CHECKS};
use crate::findings::{Finding, Severity, Status};
use serde_json::{json, Value};
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Where nat's documentation lives (SARIF `informationUri`): the package's `homepage`, else its
/// `repository`; omitted while Cargo.toml has neither.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
}
/// The SARIF 2.1.0 JSON schema.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Key of nat's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "natFingerprint/v1";
/// Name of the OWASP taxonomy (run.taxonomies[0]).
const OWASP_TAXONOMY: &str = "OWASP API Security Top 10";
/// Name of the CWE taxonomy (run.taxonomies[1]).
const CWE_TAXONOMY: &str = "CWE";
/// Largest description file read for line numbers.
const MAX_SPEC_BYTES: u64 = 32 * 1024 * 1024;

/// GitHub's `security-severity` for a severity: critical 9.5, high 8.0, medium 5.5, low 3.0, info 0.0.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// SARIF `level` for a severity: critical/high → error, medium → warning, low/info → note.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// Where results point when the description is a local file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SarifOptions {
    /// The description's text, to find each operation's line.
    pub spec_text: Option<String>,
    /// The description's URI for `artifactLocation`: a path relative to the working directory
    /// (with `/` separators), or an absolute `file://` URI when it lies outside it.
    pub spec_uri: Option<String>,
    /// The working directory as a `file://` URI (written to `invocations[0].workingDirectory`
    /// when `spec_uri` is absolute, so code scanning can relate it to the checkout).
    pub working_directory: Option<String>,
}

impl SarifOptions {
    /// Options for a description at `spec` (what `ScanReport.scan.spec` holds): when it names a
    /// readable local file, its text is read now and its URI made relative to the current directory.
    /// URLs, `spec_content` and missing files give the default (no file).
    pub fn from_environment(spec: &str) -> SarifOptions {
        if spec.is_empty() || spec.contains("://") || spec == "spec_content" {
            return SarifOptions::default();
        }
        let path = Path::new(spec.strip_prefix("file:").unwrap_or(spec));
        let Ok(meta) = std::fs::metadata(path) else {
            return SarifOptions::default();
        };
        if !meta.is_file() || meta.len() > MAX_SPEC_BYTES {
            return SarifOptions::default();
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            return SarifOptions::default();
        };
        let cwd = std::env::current_dir().ok();
        let (uri, wd) = artifact_uri(path, cwd.as_deref());
        SarifOptions {
            spec_text: Some(text),
            spec_uri: Some(uri),
            working_directory: wd,
        }
    }
}

/// The artifact URI of a local file: relative to `cwd` when inside it, else an absolute `file://` URI
/// (then also the working directory's URI).
fn artifact_uri(path: &Path, cwd: Option<&Path>) -> (String, Option<String>) {
    let abs = match (path.is_absolute(), cwd) {
        (true, _) => normalize(path),
        (false, Some(c)) => normalize(&c.join(path)),
        (false, None) => return (encode_path(&slashes(&normalize(path))), None),
    };
    if let Some(c) = cwd {
        if let Ok(rel) = abs.strip_prefix(normalize(c)) {
            return (encode_path(&slashes(rel)), None);
        }
    }
    let wd = cwd.map(|c| {
        format!(
            "file://{}/",
            encode_path(slashes(&normalize(c)).trim_end_matches('/'))
        )
    });
    (format!("file://{}", encode_path(&slashes(&abs))), wd)
}

/// Removes `.` and resolves `..` lexically.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn slashes(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Percent-encodes what may not appear in a URI path.
fn encode_path(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'[')
        .add(b']')
        .add(b'\\')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// A rule's display name from its id: `NAT-API2-AUTH-BYPASS` → `AuthBypass`.
fn rule_name(id: &str) -> String {
    let is_category = |p: &str| {
        p.strip_prefix("API")
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
    };
    id.split('-')
        .filter(|p| !p.eq_ignore_ascii_case("NAT") && !is_category(p))
        .map(|p| {
            let lower = p.to_ascii_lowercase();
            let mut cs = lower.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Ends a sentence with a period.
fn sentence(s: &str) -> String {
    let s = s.trim();
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

/// What a rule is made of: a check of the registry, or a finding whose check nat no longer has.
struct RuleSource {
    id: String,
    title: String,
    owasp: String,
    cwe: String,
    severity: Severity,
    description: String,
    remediation: String,
}

impl From<&CheckMeta> for RuleSource {
    fn from(m: &CheckMeta) -> Self {
        RuleSource {
            id: m.id.into(),
            title: m.title.into(),
            owasp: m.owasp.into(),
            cwe: m.cwe.into(),
            severity: m.severity,
            description: m.description.into(),
            remediation: m.remediation.into(),
        }
    }
}

impl From<&Finding> for RuleSource {
    fn from(f: &Finding) -> Self {
        RuleSource {
            id: f.check.clone(),
            title: f.title.clone(),
            owasp: f.owasp.clone(),
            cwe: f.cwe.clone(),
            severity: f.severity,
            description: f.title.clone(),
            remediation: f.remediation.clone(),
        }
    }
}

/// The taxa of the two taxonomies, by id, with their index.
struct Taxa {
    owasp: Vec<(String, String)>,
    cwe: Vec<String>,
}

impl Taxa {
    fn owasp_index(&self, id: &str) -> Option<usize> {
        self.owasp
            .iter()
            .position(|(i, _)| i.eq_ignore_ascii_case(id))
    }
    fn cwe_index(&self, number: &str) -> Option<usize> {
        self.cwe.iter().position(|n| n == number)
    }
}

fn msg(text: impl Into<String>) -> sarif::Message {
    sarif::Message::builder().text(text.into()).build()
}

fn mfs(text: impl Into<String>, markdown: Option<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString {
        markdown,
        properties: None,
        text: text.into(),
    }
}

fn props(map: BTreeMap<String, Value>, tags: Option<Vec<String>>) -> sarif::PropertyBag {
    sarif::PropertyBag {
        tags,
        additional_properties: map,
    }
}

fn taxon_ref(
    id: &str,
    index: usize,
    component: &str,
    component_index: i64,
) -> sarif::ReportingDescriptorReference {
    sarif::ReportingDescriptorReference::builder()
        .id(id.to_string())
        .index(index as i64)
        .tool_component(
            sarif::ToolComponentReference::builder()
                .name(component.to_string())
                .index(component_index)
                .build(),
        )
        .build()
}

fn rule(src: &RuleSource, taxa: &Taxa) -> sarif::ReportingDescriptor {
    let owasp = owasp_label(&src.owasp);
    let mut tags = vec![
        "security".to_string(),
        format!("owasp-api-2023/{}", src.owasp.to_ascii_lowercase()),
    ];
    if let Some(n) = cwe_number(&src.cwe) {
        tags.push(format!("external/cwe/cwe-{n}"));
    }
    let mut refs = format!("- OWASP [{owasp}]({})", owasp_uri(&src.owasp));
    if let Some(uri) = cwe_uri(&src.cwe) {
        let name = cwe_name(&src.cwe)
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        refs.push_str(&format!("\n- [{}{name}]({uri})", src.cwe));
    }
    let help_md = format!(
        "## {}\n\n{}\n\n### Remediation\n\n{}\n\n### References\n\n{refs}\n",
        src.title, src.description, src.remediation
    );
    let help_text = format!(
        "{}\n\nRemediation: {}\n\nOWASP {owasp}; {}.",
        sentence(&src.description),
        src.remediation,
        src.cwe
    );
    let mut relationships = Vec::new();
    if let Some(i) = taxa.owasp_index(&src.owasp) {
        relationships.push(
            sarif::ReportingDescriptorRelationship::builder()
                .target(taxon_ref(&taxa.owasp[i].0, i, OWASP_TAXONOMY, 0))
                .kinds(vec!["superset".to_string()])
                .build(),
        );
    }
    if let Some(i) = cwe_number(&src.cwe).and_then(|n| taxa.cwe_index(n)) {
        relationships.push(
            sarif::ReportingDescriptorRelationship::builder()
                .target(taxon_ref(&taxa.cwe[i], i, CWE_TAXONOMY, 1))
                .kinds(vec!["superset".to_string()])
                .build(),
        );
    }
    let mut bag = BTreeMap::new();
    bag.insert(
        "security-severity".into(),
        json!(security_severity(src.severity)),
    );
    bag.insert("precision".into(), json!("high"));
    bag.insert(
        "problem.severity".into(),
        json!(problem_severity(src.severity)),
    );
    bag.insert("owasp".into(), json!(src.owasp));
    bag.insert("cwe".into(), json!(src.cwe));
    let mut r = sarif::ReportingDescriptor::builder()
        .id(src.id.clone())
        .name(rule_name(&src.id))
        .short_description(mfs(sentence(&src.title), None))
        .full_description(mfs(sentence(&src.description), None))
        .help(mfs(help_text, Some(help_md)))
        .help_uri(owasp_uri(&src.owasp))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(level(src.severity)))
                .build(),
        )
        .properties(props(bag, Some(tags)))
        .build();
    if !relationships.is_empty() {
        r.relationships = Some(relationships);
    }
    r
}

/// `problem.severity` (error/warning/recommendation), which GitHub uses for non-security rules.
fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "recommendation",
    }
}

fn taxonomies(taxa: &Taxa) -> Vec<sarif::ToolComponent> {
    let owasp_taxa = taxa
        .owasp
        .iter()
        .map(|(id, name)| {
            sarif::ReportingDescriptor::builder()
                .id(id.clone())
                .name(name.clone())
                .short_description(mfs(format!("{id}:2023 {name}."), None))
                .help_uri(owasp_uri(id))
                .build()
        })
        .collect::<Vec<_>>();
    let cwe_taxa = taxa
        .cwe
        .iter()
        .map(|n| {
            let cwe = format!("CWE-{n}");
            let mut t = sarif::ReportingDescriptor::builder()
                .id(n.clone())
                .short_description(mfs(sentence(cwe_name(&cwe).unwrap_or(&cwe)), None))
                .help_uri(cwe_uri(&cwe).unwrap_or_default())
                .build();
            t.name = Some(cwe_name(&cwe).map(|_| cwe.clone()).unwrap_or(cwe));
            t
        })
        .collect::<Vec<_>>();
    vec![
        sarif::ToolComponent::builder()
            .name(OWASP_TAXONOMY)
            .full_name("OWASP API Security Top 10 (2023)")
            .organization("OWASP")
            .version("2023")
            .information_uri(OWASP_API_2023_URI)
            .short_description(mfs(
                "The ten most critical API security risks, 2023 edition.",
                None,
            ))
            .is_comprehensive(true)
            .taxa(owasp_taxa)
            .build(),
        sarif::ToolComponent::builder()
            .name(CWE_TAXONOMY)
            .full_name("Common Weakness Enumeration")
            .organization("MITRE")
            .version("4.16")
            .information_uri("https://cwe.mitre.org/")
            .short_description(mfs("The MITRE Common Weakness Enumeration.", None))
            .is_comprehensive(false)
            .taxa(cwe_taxa)
            .build(),
    ]
}

/// Renders SARIF 2.1.0. `options` says where the description file is (see [`SarifOptions`]).
pub fn render_sarif(report: &ScanReport, options: &SarifOptions) -> Result<String, RenderError> {
    // Rules: every registered check, then checks only the findings know.
    let mut sources: Vec<RuleSource> = CHECKS.iter().map(|c| RuleSource::from(c.meta())).collect();
    for f in &report.findings {
        if !sources.iter().any(|s| s.id == f.check) {
            sources.push(RuleSource::from(f));
        }
    }
    let mut cwes: Vec<String> = sources
        .iter()
        .filter_map(|s| cwe_number(&s.cwe).map(str::to_string))
        .collect();
    cwes.sort_by_key(|n| n.parse::<u32>().unwrap_or(u32::MAX));
    cwes.dedup();
    let taxa = Taxa {
        owasp: OWASP_API_2023
            .iter()
            .map(|(i, n, _)| (i.to_string(), n.to_string()))
            .collect(),
        cwe: cwes,
    };
    let rules: Vec<sarif::ReportingDescriptor> = sources.iter().map(|s| rule(s, &taxa)).collect();

    let (uri, base_id) = match &options.spec_uri {
        Some(u) if !u.contains("://") => (u.clone(), Some("%SRCROOT%".to_string())),
        Some(u) => (u.clone(), None),
        None => (remote_uri(report), None),
    };
    let results: Vec<sarif::Result> = report
        .findings
        .iter()
        .map(|f| {
            let index = sources.iter().position(|s| s.id == f.check).unwrap_or(0);
            result(
                report,
                f,
                index,
                &uri,
                base_id.as_deref(),
                options.spec_text.as_deref(),
            )
        })
        .collect();

    let mut invocation = sarif::Invocation::builder()
        .execution_successful(!report.scan.partial)
        .build();
    if !report.scan.started_at.is_empty() {
        invocation.start_time_utc = Some(report.scan.started_at.clone());
    }
    if !report.scan.completed_at.is_empty() {
        invocation.end_time_utc = Some(report.scan.completed_at.clone());
    }
    if base_id.is_none() && uri.starts_with("file://") {
        invocation.working_directory = options
            .working_directory
            .clone()
            .map(|wd| sarif::ArtifactLocation::builder().uri(wd).build());
    }
    let mut notes: Vec<sarif::Notification> = report
        .warnings
        .iter()
        .map(|w| {
            sarif::Notification::builder()
                .message(msg(sentence(w)))
                .level(json!("warning"))
                .build()
        })
        .collect();
    if report.scan.partial {
        notes.push(
            sarif::Notification::builder()
                .message(msg("The scan stopped early (cancelled or request budget spent): results are what was proven until then."))
                .level(json!("warning"))
                .build(),
        );
    }
    if !notes.is_empty() {
        invocation.tool_execution_notifications = Some(notes);
    }

    let version = env!("CARGO_PKG_VERSION");
    let mut driver = sarif::ToolComponent::builder()
        .name("nat")
        .full_name(format!("nat {version}"))
        .version(report.tool.version.clone())
        .semantic_version(version)
        .rules(rules)
        .supported_taxonomies(vec![
            sarif::ToolComponentReference::builder()
                .name(OWASP_TAXONOMY)
                .index(0)
                .build(),
            sarif::ToolComponentReference::builder()
                .name(CWE_TAXONOMY)
                .index(1)
                .build(),
        ])
        .build();
    driver.information_uri = information_uri().map(str::to_string);

    let mut run_props = BTreeMap::new();
    run_props.insert("target".into(), json!(report.scan.target));
    run_props.insert("spec".into(), json!(report.scan.spec));
    run_props.insert("partial".into(), json!(report.scan.partial));
    run_props.insert(
        "summary".into(),
        serde_json::to_value(&report.summary).unwrap_or(Value::Null),
    );
    if let Some(b) = &report.baseline {
        run_props.insert(
            "baseline".into(),
            serde_json::to_value(b).unwrap_or(Value::Null),
        );
    }
    if let Some(s) = &report.suppressions {
        run_props.insert(
            "suppressions".into(),
            serde_json::to_value(s).unwrap_or(Value::Null),
        );
    }
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .taxonomies(taxonomies(&taxa))
        .column_kind(json!("unicodeCodePoints"))
        .properties(props(run_props, None))
        .build();
    if base_id.is_some() {
        run.original_uri_base_ids = options.working_directory.clone().map(|wd| {
            BTreeMap::from([(
                "%SRCROOT%".to_string(),
                sarif::ArtifactLocation::builder().uri(wd).build(),
            )])
        });
    }
    let log = sarif::Sarif::builder()
        .schema(SARIF_SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    to_json(&log, "sarif")
}

/// The artifact URI when there is no local description file: the description's URL when it has one,
/// else the target's.
fn remote_uri(report: &ScanReport) -> String {
    let spec = &report.scan.spec;
    if spec.starts_with("http://") || spec.starts_with("https://") {
        spec.clone()
    } else if !report.scan.target.is_empty() {
        report.scan.target.clone()
    } else {
        "openapi".into()
    }
}

fn result(
    report: &ScanReport,
    f: &Finding,
    rule_index: usize,
    uri: &str,
    base_id: Option<&str>,
    spec_text: Option<&str>,
) -> sarif::Result {
    let (method, path) = f
        .endpoint
        .split_once(' ')
        .unwrap_or(("", f.endpoint.as_str()));
    let line = spec_text
        .and_then(|t| operation_line(t, path, method))
        .unwrap_or(1);
    let mut artifact = sarif::ArtifactLocation::builder()
        .uri(uri.to_string())
        .build();
    artifact.uri_base_id = base_id.map(str::to_string);
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(artifact)
        .region(sarif::Region::builder().start_line(line as i64).build())
        .build();
    let logical = sarif::LogicalLocation::builder()
        .name(f.endpoint.clone())
        .fully_qualified_name(f.endpoint.clone())
        .kind("function")
        .build();
    let location = sarif::Location::builder()
        .physical_location(physical)
        .logical_locations(vec![logical])
        .build();

    let mut text = format!("{} on '{}'.", f.title.trim_end_matches('.'), f.endpoint);
    let req = first_line(&f.evidence.request);
    let resp = first_line(&f.evidence.response);
    if !req.is_empty() {
        text.push_str(&format!(" Proven by '{req}'"));
        if !resp.is_empty() {
            text.push_str(&format!(", answered '{resp}'"));
        }
        text.push('.');
    }
    if let Some(name) = owasp_name(&f.owasp) {
        text.push_str(&format!(" OWASP {}:2023 {name}.", f.owasp));
    }

    let mut bag = BTreeMap::new();
    bag.insert("id".into(), json!(f.id));
    bag.insert("severity".into(), json!(f.severity));
    bag.insert("confidence".into(), json!(f.confidence));
    bag.insert("riskScore".into(), json!(f.risk_score));
    bag.insert("status".into(), json!(f.status));
    bag.insert("owasp".into(), json!(f.owasp));
    bag.insert("cwe".into(), json!(f.cwe));
    bag.insert("endpoint".into(), json!(f.endpoint));
    bag.insert("remediation".into(), json!(f.remediation));
    bag.insert(
        "evidence".into(),
        json!({"request": f.evidence.request, "response": f.evidence.response}),
    );
    let mut r = sarif::Result::builder()
        .rule_id(f.check.clone())
        .rule_index(rule_index as i64)
        .level(level_enum(f.severity))
        .message(msg(text))
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            f.fingerprint.clone(),
        )]))
        .properties(props(bag, None))
        .build();
    if let Some(state) = report.baseline_state(f) {
        r.baseline_state = Some(json!(match state {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }));
    }
    if f.status == Status::Accepted {
        let justification = report
            .suppression_of(f)
            .map(|a| a.reason.clone())
            .unwrap_or_else(|| "accepted in nat".to_string());
        r.suppressions = Some(vec![sarif::Suppression::builder()
            .kind(json!("external"))
            .status(json!("accepted"))
            .justification(justification)
            .build()]);
    }
    r
}

fn level_enum(s: Severity) -> sarif::ResultLevel {
    match level(s) {
        "error" => sarif::ResultLevel::Error,
        "warning" => sarif::ResultLevel::Warning,
        _ => sarif::ResultLevel::Note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_levels() {
        assert_eq!(rule_name("NAT-API2-AUTH-BYPASS"), "AuthBypass");
        assert_eq!(rule_name("NAT-INJ-SQLI"), "InjSqli");
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Info), "note");
        assert_eq!(security_severity(Severity::High), "8.0");
    }

    #[test]
    fn artifact_uris_are_relative_inside_the_working_directory() {
        let cwd = Path::new("/repo");
        assert_eq!(
            artifact_uri(Path::new("api/openapi.yaml"), Some(cwd)),
            ("api/openapi.yaml".into(), None)
        );
        assert_eq!(
            artifact_uri(Path::new("./api/../x y.json"), Some(cwd)),
            ("x%20y.json".into(), None)
        );
        assert_eq!(
            artifact_uri(Path::new("/repo/a.yaml"), Some(cwd)),
            ("a.yaml".into(), None)
        );
        assert_eq!(
            artifact_uri(Path::new("/elsewhere/a.yaml"), Some(cwd)),
            (
                "file:///elsewhere/a.yaml".into(),
                Some("file:///repo/".into())
            )
        );
    }
}
