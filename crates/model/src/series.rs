//! Health over time: the hourly rollup of each action's calls as the Health screen's
//! sparklines and an action's chart see it, and the Logs screen's histogram.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How far back a health series reaches, in whole hours ending with the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum SeriesWindow {
    /// The last 24 hours.
    #[serde(rename = "24h")]
    Day,
    /// The last 7 days (168 hours).
    #[serde(rename = "7d")]
    Week,
}

impl SeriesWindow {
    /// How many hourly points the window holds.
    pub fn hours(self) -> i64 {
        match self {
            SeriesWindow::Day => 24,
            SeriesWindow::Week => 24 * 7,
        }
    }
}

/// One hour of one action's calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HourPoint {
    /// The start of the hour, in Unix seconds (UTC).
    pub at: i64,
    pub calls: i64,
    /// Calls that failed (the tool's own error included).
    pub errors: i64,
    /// Median latency in milliseconds, from the hour's latency histogram; `null` without calls.
    pub p50_ms: Option<i64>,
    /// 95th-percentile latency in milliseconds.
    pub p95_ms: Option<i64>,
}

/// An action's calls per hour over a window (every hour present, quiet ones with zero
/// calls), and the window's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActionSeries {
    pub action_id: String,
    pub name: String,
    pub window: SeriesWindow,
    /// Oldest first.
    pub points: Vec<HourPoint>,
    pub calls: i64,
    pub errors: i64,
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
}

/// One bar of the Logs screen's histogram: the rows in `[at, at + bucketSecs)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogBar {
    /// Unix seconds.
    pub at: i64,
    pub rows: i64,
    pub errors: i64,
}

/// The rows a log query matches, counted per time bucket (oldest first, empty buckets
/// included) over the query's time range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogHistogram {
    pub bucket_secs: i64,
    pub bars: Vec<LogBar>,
}
