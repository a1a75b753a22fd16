//! Counters for `/metrics` in the Prometheus text format. Hand-written: a dozen counters do not
//! justify a metrics framework, and nothing here may carry personal data.
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    rejected: Mutex<BTreeMap<&'static str, u64>>,
    pub changes_accepted: AtomicU64,
    pub changes_duplicate: AtomicU64,
    pub changes_pulled: AtomicU64,
    pub enrolments: AtomicU64,
    pub auth_failures: AtomicU64,
    pub attachment_bytes_in: AtomicU64,
    pub attachment_bytes_out: AtomicU64,
    pub body_bytes_in: AtomicU64,
    pub body_bytes_out: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Metrics {
    pub fn request(&self, route: &str, status: u16) {
        *lock(&self.requests)
            .entry((route.to_string(), status))
            .or_default() += 1;
    }

    pub fn rejected(&self, reason: &'static str) {
        *lock(&self.rejected).entry(reason).or_default() += 1;
    }

    pub fn render(&self, head: u64, changes: u64, devices: u64, revoked: u64) -> String {
        let mut s = String::new();
        let counter = |s: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        let gauge = |s: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        };
        let _ = writeln!(
            s,
            "# HELP tinbao_http_requests_total HTTP requests by route and status.\n# TYPE tinbao_http_requests_total counter"
        );
        for ((route, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                s,
                "tinbao_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            s,
            "# HELP tinbao_changes_rejected_total Pushed changes refused, by reason.\n# TYPE tinbao_changes_rejected_total counter"
        );
        for (reason, n) in lock(&self.rejected).iter() {
            let _ = writeln!(
                s,
                "tinbao_changes_rejected_total{{reason=\"{reason}\"}} {n}"
            );
        }
        counter(
            &mut s,
            "tinbao_changes_accepted_total",
            "Pushed changes stored with a new sequence number.",
            self.changes_accepted.load(Relaxed),
        );
        counter(
            &mut s,
            "tinbao_changes_duplicate_total",
            "Pushed changes already stored (re-sent after a lost acknowledgement).",
            self.changes_duplicate.load(Relaxed),
        );
        counter(
            &mut s,
            "tinbao_changes_pulled_total",
            "Changes sent to devices by pulls.",
            self.changes_pulled.load(Relaxed),
        );
        counter(
            &mut s,
            "tinbao_enrolments_total",
            "Devices enrolled.",
            self.enrolments.load(Relaxed),
        );
        counter(
            &mut s,
            "tinbao_auth_failures_total",
            "Requests refused for a missing, wrong or revoked credential.",
            self.auth_failures.load(Relaxed),
        );
        counter(
            &mut s,
            "tinbao_attachment_bytes_received_total",
            "Attachment bytes uploaded.",
            self.attachment_bytes_in.load(Relaxed),
        );
        counter(
            &mut s,
            "tinbao_attachment_bytes_sent_total",
            "Attachment bytes downloaded.",
            self.attachment_bytes_out.load(Relaxed),
        );
        counter(
            &mut s,
            "tinbao_body_bytes_received_total",
            "Compressed protocol body bytes received.",
            self.body_bytes_in.load(Relaxed),
        );
        counter(
            &mut s,
            "tinbao_body_bytes_sent_total",
            "Compressed protocol body bytes sent.",
            self.body_bytes_out.load(Relaxed),
        );
        gauge(
            &mut s,
            "tinbao_sequence_head",
            "Highest sequence number assigned.",
            head,
        );
        gauge(&mut s, "tinbao_changes_stored", "Changes stored.", changes);
        gauge(
            &mut s,
            "tinbao_devices_enrolled",
            "Devices enrolled, revoked included.",
            devices,
        );
        gauge(
            &mut s,
            "tinbao_devices_revoked",
            "Devices revoked.",
            revoked,
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.request("/v1/push", 200);
        m.request("/v1/push", 200);
        m.rejected("out_of_scope");
        m.changes_accepted.fetch_add(5, Relaxed);
        let t = m.render(7, 5, 2, 1);
        assert!(t.contains("tinbao_http_requests_total{route=\"/v1/push\",status=\"200\"} 2"));
        assert!(t.contains("tinbao_changes_rejected_total{reason=\"out_of_scope\"} 1"));
        assert!(t.contains("tinbao_changes_accepted_total 5"));
        assert!(t.contains("tinbao_sequence_head 7"));
        assert!(t.contains("# TYPE tinbao_devices_revoked gauge"));
    }
}
