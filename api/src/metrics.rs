//! The click-day funnel as CloudWatch metrics: one embedded-metric-format line on standard output
//! per event (PIN request accepted, session opened, answers saved, application sent), which
//! CloudWatch Logs turns into the metrics of the `Sportello` namespace that the dashboard and the
//! load model read (ADR 0021). No `PutMetricData` call: nothing on the request's path but a line.
//! On with `SPORTELLO_METRICS=emf` (the Lambda function's template sets it); off locally.

use std::io::Write;

use chrono::{DateTime, Utc};

/// The namespace of the metrics (infra/template.yaml's dashboard reads it).
pub const NAMESPACE: &str = "Sportello";

/// An event of the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// A PIN request accepted (201).
    PinRequests,
    /// A session opened, whatever the credential.
    Logins,
    /// A citizen's answers saved (a draft, or a step's Avanti).
    DraftSaves,
    /// An application sent (Conferma's 201, not a replay).
    Submissions,
}

impl Metric {
    /// Its name in CloudWatch.
    pub fn name(self) -> &'static str {
        match self {
            Metric::PinRequests => "PinRequests",
            Metric::Logins => "Logins",
            Metric::DraftSaves => "DraftSaves",
            Metric::Submissions => "Submissions",
        }
    }
}

/// The embedded-metric-format line counting one `metric` at `at`.
pub fn line(metric: Metric, at: DateTime<Utc>) -> String {
    let name = metric.name();
    serde_json::json!({
        "_aws": {
            "Timestamp": at.timestamp_millis(),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [[]],
                "Metrics": [{ "Name": name, "Unit": "Count" }],
            }],
        },
        name: 1,
    })
    .to_string()
}

/// Counts one `metric` when metrics are on: the line is the whole of a log line, as CloudWatch
/// wants it (a field inside a `tracing` event would not be extracted). A failed write is not the
/// citizen's problem and is ignored.
pub fn count(enabled: bool, metric: Metric, at: DateTime<Utc>) {
    if enabled {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", line(metric, at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_embedded_metric_format_with_the_dashboards_names() {
        let at = DateTime::from_timestamp(1_712_000_000, 0).unwrap();
        let json: serde_json::Value = serde_json::from_str(&line(Metric::Submissions, at)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "_aws": {"Timestamp": 1_712_000_000_000i64, "CloudWatchMetrics": [{"Namespace": "Sportello",
                    "Dimensions": [[]], "Metrics": [{"Name": "Submissions", "Unit": "Count"}]}]},
                "Submissions": 1
            })
        );
        let names: Vec<_> = [
            Metric::PinRequests,
            Metric::Logins,
            Metric::DraftSaves,
            Metric::Submissions,
        ]
        .map(Metric::name)
        .to_vec();
        // The dashboard of infra/template.yaml draws exactly these, and the API function turns
        // them on.
        let template = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml")).unwrap();
        for name in names {
            assert!(
                template.contains(&format!("[\"{NAMESPACE}\", \"{name}\"")),
                "the dashboard does not draw {name}"
            );
        }
        assert!(template.contains("SPORTELLO_METRICS: emf"));
    }
}
