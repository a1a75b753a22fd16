//! The figures a station reports upward each month (and a province adds up by station).
use crate::community::INQUIRY_TOPICS;
use crate::error::Result;
use crate::model::{Actor, Channel, Kind, ProsecutionDecision, Role, Status};
use crate::store::Store;
use crate::time::vn_offset;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Count {
    pub key: String,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelFigure {
    pub platform: String,
    pub name: String,
    #[ts(type = "number | null")]
    pub followers: Option<i64>,
    pub posts: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Stats {
    /// Unix seconds, inclusive / exclusive.
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    pub received: u32,
    pub by_kind: Vec<Count>,
    pub by_channel: Vec<Count>,
    pub by_category: Vec<Count>,
    pub by_status: Vec<Count>,
    pub by_station: Vec<Count>,
    /// Cases with a clock past its due time, now.
    pub overdue: u32,
    /// Cases received or being verified, now (a suspended case is not open).
    pub open: u32,
    /// Decisions on crime reports recorded in the period, by decision (`khoi_to`,
    /// `khong_khoi_to`, `tam_dinh_chi`, `phuc_hoi`).
    pub decisions: Vec<Count>,
    pub sanctions: u32,
    #[ts(type = "number")]
    pub fines_vnd: i64,
    /// Median hours from receipt to outcome, for cases received in the period and closed.
    pub median_hours_to_outcome: Option<f64>,
    pub inquiries_by_topic: Vec<Count>,
    pub posts: u32,
    #[ts(type = "number")]
    pub post_views: i64,
    pub channels: Vec<ChannelFigure>,
    /// Sanction decisions dated in the period, one per violator (`sanctions::figures`).
    pub sanction_decisions: crate::sanctions::SanctionFigures,
}

/// The monthly statistics period: from the cut-off day of the previous month to the day before
/// the cut-off of `month` (police statistics run 15th to 14th; the day is a setting).
pub fn monthly_period(year: i32, month: u32, cutoff_day: u32) -> (i64, i64) {
    let tz = vn_offset();
    let day = cutoff_day.clamp(1, 28);
    let (py, pm) = if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    };
    let start = NaiveDate::from_ymd_opt(py, pm, day).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default();
    let ts = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|x| x.timestamp())
            .unwrap_or(0)
    };
    if day == 1 {
        // Calendar month.
        let s = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
        let e = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .unwrap_or_default();
        return (ts(s), ts(e));
    }
    (ts(start), ts(end))
}

/// How the keys of `Stats` read in Vietnamese, for the command line and the printed report:
/// codes by their labels, categories by the register's own list, stations by their commune's
/// name. A key no list knows (a category since removed, say) is shown as it is.
pub struct KeyLabels {
    categories: HashMap<String, String>,
    stations: HashMap<String, String>,
}

fn code_label<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    vi: fn(T) -> &'static str,
    key: &str,
) -> String {
    all.iter()
        .find(|v| code(**v) == key)
        .map_or_else(|| key.to_owned(), |v| vi(*v).to_owned())
}

impl KeyLabels {
    pub fn kind(&self, key: &str) -> String {
        code_label(Kind::ALL, Kind::as_str, Kind::label_vi, key)
    }
    pub fn channel(&self, key: &str) -> String {
        code_label(Channel::ALL, Channel::as_str, Channel::label_vi, key)
    }
    pub fn status(&self, key: &str) -> String {
        code_label(Status::ALL, Status::as_str, Status::label_vi, key)
    }
    pub fn decision(&self, key: &str) -> String {
        code_label(
            ProsecutionDecision::ALL,
            ProsecutionDecision::as_str,
            ProsecutionDecision::label_vi,
            key,
        )
    }
    pub fn category(&self, key: &str) -> String {
        self.categories
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }
    pub fn station(&self, key: &str) -> String {
        self.stations
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }
    pub fn topic(&self, key: &str) -> String {
        INQUIRY_TOPICS
            .iter()
            .find(|t| t.0 == key)
            .map_or_else(|| key.to_owned(), |t| t.1.to_owned())
    }
}

impl Store {
    /// The labels for the keys of `s`.
    pub fn key_labels(&self, s: &Stats) -> Result<KeyLabels> {
        let categories = self
            .categories()?
            .into_iter()
            .map(|(code, vi, _)| (code, vi))
            .collect();
        let mut stations = HashMap::new();
        for c in &s.by_station {
            if let Some(commune) = self.admin_commune(&c.key)? {
                stations.insert(c.key.clone(), commune.name);
            }
        }
        Ok(KeyLabels {
            categories,
            stations,
        })
    }

    pub fn stats(&self, actor: &Actor, from: i64, to: i64) -> Result<Stats> {
        let station: Option<String> = match actor.role {
            Role::Officer | Role::Chief => actor.station.clone(),
            _ => None,
        };
        // Built per call rather than `(?3 IS NULL OR station = ?3)`, so that the planner can
        // use the covering indexes when there is no station filter.
        let by_station = if station.is_some() {
            "AND station = ?3"
        } else {
            "AND ?3 IS NULL"
        };
        // One pass over the period's cases: each row is read (and decrypted) once for all the
        // breakdowns, instead of once per GROUP BY.
        let mut tallies: [HashMap<String, u32>; 5] = Default::default();
        let (mut sanctions, mut fines, mut durations) = (0u32, 0i64, Vec::new());
        {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT kind, channel, category, status, station, outcome_utc - received_utc,
                   CASE WHEN status = 'sanctioned' THEN coalesce(json_extract(outcome, '$.fine_vnd'), 0) END
                 FROM cases WHERE received_utc >= ?1 AND received_utc < ?2 {by_station}"
            ))?;
            let mut rows = st.query(params![from, to, station])?;
            while let Some(r) = rows.next()? {
                for (i, t) in tallies.iter_mut().enumerate() {
                    let key: String = r.get(i)?;
                    *t.entry(key).or_default() += 1;
                }
                let status: String = r.get(3)?;
                if let Some(d) = r.get::<_, Option<i64>>(5)?
                    && status != "duplicate"
                {
                    durations.push(d);
                }
                if let Some(f) = r.get::<_, Option<i64>>(6)? {
                    sanctions += 1;
                    fines += f;
                }
            }
        }
        let sorted = |t: &HashMap<String, u32>| {
            let mut v: Vec<Count> = t
                .iter()
                .map(|(k, c)| Count {
                    key: k.clone(),
                    count: *c,
                })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
            v
        };
        let [
            by_kind,
            by_channel,
            by_category,
            by_status,
            by_station_counts,
        ] = tallies.each_ref().map(sorted);
        let received = by_kind.iter().map(|c| c.count).sum();
        let now = Utc::now().timestamp();
        // A case has a deadline while any of its clocks runs, which is not the same as open:
        // an unclassified phản ánh past its classification time, a notice owed after a
        // transfer. Overdue is counted on the partial deadline index, open on the status index.
        let overdue: u32 = self.conn.query_row(
            &format!(
                "SELECT count(*) FROM cases WHERE deadline_utc IS NOT NULL AND deadline_utc < ?1 {}",
                by_station.replace("?3", "?2")
            ),
            params![now, station],
            |r| r.get(0),
        )?;
        let open_list: Vec<&str> = Status::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str())
            .collect();
        let open: u32 = self.conn.query_row(
            &format!(
                "SELECT count(*) FROM cases WHERE status IN (SELECT value FROM json_each(?1)) {}",
                by_station.replace("?3", "?2")
            ),
            params![serde_json::to_string(&open_list)?, station],
            |r| r.get(0),
        )?;
        // The decisions the period saw, whatever the case's receipt date.
        let decisions = {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT json_extract(e.data, '$.decision'), count(*) FROM events e JOIN cases c ON c.id = e.case_id
                 WHERE e.type = 'prosecution_decision' AND e.at_utc >= ?1 AND e.at_utc < ?2 {}
                 GROUP BY 1 ORDER BY 2 DESC, 1",
                by_station.replace("station", "c.station")
            ))?;
            st.query_map(params![from, to, station], |r| {
                Ok(Count {
                    key: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    count: r.get(1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?
        };
        durations.sort_unstable();
        let median_hours_to_outcome = match durations.len() {
            0 => None,
            n if n % 2 == 1 => Some(durations[n / 2] as f64 / 3600.0),
            n => Some((durations[n / 2 - 1] + durations[n / 2]) as f64 / 7200.0),
        };
        let inquiries_by_topic = {
            let mut st = self.conn.prepare_cached(
                "SELECT topic, count(*) FROM inquiries WHERE received_utc >= ?1 AND received_utc < ?2 AND (?3 IS NULL OR station = ?3)
                 GROUP BY topic ORDER BY count(*) DESC",
            )?;
            st.query_map(params![from, to, station], |r| {
                Ok(Count {
                    key: r.get(0)?,
                    count: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?
        };
        let tz = vn_offset();
        let day = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .unwrap_or_default()
                .with_timezone(&tz)
                .format("%Y-%m-%d")
                .to_string()
        };
        let (posts, post_views): (u32, i64) = self.conn.query_row(
            "SELECT count(*), coalesce(sum(views), 0) FROM posts WHERE published_on >= ?1 AND published_on < ?2 AND (?3 IS NULL OR station = ?3)",
            params![day(from), day(to), station],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let channels = {
            let mut st = self.conn.prepare_cached(
                "SELECT ch.platform, ch.name,
                   (SELECT followers FROM channel_stats s WHERE s.channel_id = ch.id AND s.on_date < ?2 ORDER BY on_date DESC LIMIT 1),
                   (SELECT count(*) FROM posts p, json_each(p.channels) j WHERE j.value = ch.id AND p.published_on >= ?1 AND p.published_on < ?2)
                 FROM channels ch WHERE ch.active = 1 AND (?3 IS NULL OR ch.station = ?3) ORDER BY ch.platform, ch.name",
            )?;
            st.query_map(params![day(from), day(to), station], |r| {
                Ok(ChannelFigure {
                    platform: r.get(0)?,
                    name: r.get(1)?,
                    followers: r.get(2)?,
                    posts: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?
        };
        Ok(Stats {
            from,
            to,
            received,
            by_kind,
            by_channel,
            by_category,
            by_status,
            by_station: by_station_counts,
            overdue,
            open,
            decisions,
            sanctions,
            fines_vnd: fines,
            median_hours_to_outcome,
            inquiries_by_topic,
            posts,
            post_views,
            channels,
            sanction_decisions: crate::sanctions::figures(
                &self.conn,
                from,
                to,
                station.as_deref(),
            )?,
        })
    }

    /// The statistics period containing `now` given the station's cut-off day (default 15).
    pub fn current_period(&self) -> Result<(i64, i64)> {
        let cutoff: u32 = self
            .setting("stats_cutoff_day")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(15);
        let today = Utc::now().with_timezone(&vn_offset()).date_naive();
        let (mut y, mut m) = (today.year(), today.month());
        if cutoff > 1 && today.day() >= cutoff {
            if m == 12 {
                y += 1;
                m = 1;
            } else {
                m += 1;
            }
        }
        Ok(monthly_period(y, m, cutoff))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn police_month_runs_15th_to_14th() {
        let (a, b) = monthly_period(2025, 1, 15);
        let tz = vn_offset();
        assert_eq!(
            tz.timestamp_opt(a, 0).unwrap().date_naive(),
            NaiveDate::from_ymd_opt(2024, 12, 15).unwrap()
        );
        assert_eq!(
            tz.timestamp_opt(b, 0).unwrap().date_naive(),
            NaiveDate::from_ymd_opt(2025, 1, 15).unwrap()
        );
        let (a, b) = monthly_period(2025, 12, 1);
        assert_eq!(
            tz.timestamp_opt(a, 0).unwrap().date_naive(),
            NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()
        );
        assert_eq!(
            tz.timestamp_opt(b, 0).unwrap().date_naive(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
    }
}
