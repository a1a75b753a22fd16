//! Deadlines from configurable rules, each with its legal basis (see `002_defaults.sql` and
//! `shared/domain/legal-process.md`). Nothing here hard-codes a time limit.
use crate::clocks::{self, FROM_EVENTS, UNITS, join};
use crate::error::{Error, Result};
use crate::model::{Actor, Role};
use crate::store::Store;
use rusqlite::{Connection, params};

pub use crate::clocks::{DeadlineRule, Extension, add};

pub(crate) fn load_rule(conn: &Connection, code: &str) -> Result<Option<DeadlineRule>> {
    Ok(clocks::load_rules(conn)?
        .into_iter()
        .find(|r| r.code == code))
}

/// Due soon: within this many seconds.
pub const DUE_SOON_SECS: i64 = 24 * 3600;

impl Store {
    pub fn deadline_rules(&self) -> Result<Vec<DeadlineRule>> {
        clocks::load_rules(&self.conn)
    }

    /// The province (an administrator or supervisor) corrects a rule when the law changes.
    pub fn set_deadline_rule(&mut self, actor: &Actor, rule: DeadlineRule) -> Result<()> {
        if !matches!(actor.role, Role::Admin | Role::Supervisor) {
            return Err(Error::forbidden("sửa quy định thời hạn"));
        }
        let unit_ok = |u: &str| UNITS.contains(&u);
        if rule.amount <= 0
            || !unit_ok(&rule.unit)
            || rule.complex_unit.as_deref().is_some_and(|u| !unit_ok(u))
            || rule
                .extensions
                .iter()
                .any(|x| x.amount <= 0 || !unit_ok(&x.unit))
        {
            return Err(Error::invalid(
                "Thời hạn phải là số dương, đơn vị phút, giờ, ngày, ngày làm việc hoặc tháng.",
            ));
        }
        if !FROM_EVENTS.contains(&rule.from_event.as_str()) {
            return Err(Error::invalid(
                "Thời hạn tính từ khi tiếp nhận, khi phát hiện vi phạm hoặc khi lập biên bản.",
            ));
        }
        if rule.basis.trim().is_empty() {
            return Err(Error::invalid(
                "Mỗi quy định thời hạn phải ghi căn cứ pháp lý.",
            ));
        }
        self.conn.execute(
            "INSERT INTO deadline_rules(code, applies_to, classes, kinds, urgencies, from_event, stop_events,
               restart_events, runs_after, amount, unit, remote_amount, complex_amount, complex_unit, extensions,
               effective_from, basis, label_vi)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
             ON CONFLICT(code) DO UPDATE SET applies_to = ?2, classes = ?3, kinds = ?4, urgencies = ?5,
               from_event = ?6, stop_events = ?7, restart_events = ?8, runs_after = ?9, amount = ?10, unit = ?11,
               remote_amount = ?12, complex_amount = ?13, complex_unit = ?14, extensions = ?15,
               effective_from = ?16, basis = ?17, label_vi = ?18",
            params![
                rule.code, rule.applies_to, join(&rule.classes), join(&rule.kinds), join(&rule.urgencies),
                rule.from_event, join(&rule.stop_events).unwrap_or_default(),
                join(&rule.restart_events).unwrap_or_default(), join(&rule.runs_after).unwrap_or_default(),
                rule.amount, rule.unit, rule.remote_amount, rule.complex_amount, rule.complex_unit,
                serde_json::to_string(&rule.extensions)?, rule.effective_from, rule.basis, rule.label_vi
            ],
        )?;
        // Every case's nearest clock follows the corrected rule at once.
        clocks::recompute_all(&self.conn)?;
        self.audit(
            actor,
            "deadline_rule_changed",
            Some(&rule.code),
            Some(&format!("{} {}", rule.amount, rule.unit)),
        )
    }
}
