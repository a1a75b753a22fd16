//! The work around the cases that stations also report: the social-media channels they run,
//! warning posts, and citizens' questions on administrative procedures with answer templates.
use crate::error::{Error, Result};
use crate::model::{Actor, Role};
use crate::store::{Store, Writer, scope_station};
use chrono::{NaiveDate, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tinbao_sync::{EntityKind, Op};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelInfo {
    pub id: Uuid,
    /// `zalo` or `facebook` (or another platform's name).
    pub platform: String,
    pub name: String,
    pub link: Option<String>,
    pub area: Option<String>,
    pub officer: Option<String>,
    #[ts(type = "number | null")]
    pub followers: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewChannel {
    pub platform: String,
    pub name: String,
    pub link: Option<String>,
    pub area: Option<String>,
    pub officer: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Post {
    pub id: Uuid,
    pub published_on: NaiveDate,
    pub channels: Vec<Uuid>,
    pub title: String,
    pub body: String,
    #[ts(type = "number | null")]
    pub views: Option<i64>,
    #[ts(type = "number | null")]
    pub reactions: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewPost {
    pub published_on: NaiveDate,
    pub channels: Vec<Uuid>,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AnswerTemplate {
    pub id: Uuid,
    pub topic: String,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Inquiry {
    pub id: Uuid,
    #[ts(type = "number")]
    pub received_utc: i64,
    pub channel: String,
    pub topic: String,
    pub question: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    #[ts(type = "number | null")]
    pub answered_utc: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewInquiry {
    pub channel: String,
    pub topic: String,
    pub question: String,
    pub answer: Option<String>,
    pub template_id: Option<Uuid>,
}

/// Topics of administrative-procedure questions, as stations count them.
pub const INQUIRY_TOPICS: &[(&str, &str)] = &[
    ("cccd", "Căn cước, CCCD, định danh điện tử"),
    ("cu_tru", "Đăng ký thường trú, tạm trú"),
    ("ho_tich", "Hộ tịch, xác nhận nhân thân"),
    ("pccc", "Phòng cháy, chữa cháy"),
    ("xe", "Đăng ký xe"),
    ("khac", "Khác"),
];

fn need_text(s: &str, what: &str, max: usize) -> Result<()> {
    if s.trim().is_empty() {
        return Err(Error::invalid(format!("Chưa nhập {what}.")));
    }
    if s.chars().count() > max {
        return Err(Error::invalid(format!(
            "{what} quá dài (tối đa {max} ký tự)."
        )));
    }
    Ok(())
}

impl Store {
    fn station_worker(&self, actor: &Actor) -> Result<String> {
        if !matches!(actor.role, Role::Officer | Role::Chief) {
            return Err(Error::forbidden("ghi công tác cộng đồng của đơn vị"));
        }
        self.actor_station(actor)
    }

    // Each argument is one part of a change record; a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    fn write_record(
        &mut self,
        actor: &Actor,
        entity: EntityKind,
        id: Uuid,
        station: &str,
        fields: BTreeMap<String, Value>,
        insert_sql: &str,
        values: Vec<rusqlite::types::Value>,
        update: bool,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let mut w = Writer::new(&tx, self.device, actor.user_id, &mut self.clock);
        let hlc = w.stamp();
        let mut vals = values;
        vals.push(hlc.to_string().into());
        tx.execute(insert_sql, rusqlite::params_from_iter(vals))?;
        let op = if entity.append_only() {
            Op::Insert
        } else {
            Op::Upsert
        };
        w.emit(entity, id, station, op, fields, hlc, update)?;
        w.finish()?;
        tx.commit()?;
        Ok(())
    }

    pub fn add_channel(&mut self, actor: &Actor, c: NewChannel) -> Result<Uuid> {
        let station = self.station_worker(actor)?;
        need_text(&c.name, "tên trang/nhóm", 200)?;
        need_text(&c.platform, "nền tảng", 40)?;
        let id = Uuid::now_v7();
        let mut f = BTreeMap::new();
        f.insert("station".into(), json!(station));
        f.insert("platform".into(), json!(c.platform.trim()));
        f.insert("name".into(), json!(c.name.trim()));
        f.insert("link".into(), json!(c.link));
        f.insert("area".into(), json!(c.area));
        f.insert("officer".into(), json!(c.officer));
        f.insert("active".into(), json!(true));
        self.write_record(
            actor, EntityKind::Channel, id, &station.clone(), f,
            "INSERT INTO channels(id, station, platform, name, link, area, officer, active, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8)",
            vec![id.to_string().into(), station.into(), c.platform.trim().to_owned().into(), c.name.trim().to_owned().into(),
                 c.link.into(), c.area.into(), c.officer.into()],
            false,
        )?;
        Ok(id)
    }

    /// Records a channel's follower count on a date (counts over time feed the monthly report).
    pub fn record_followers(
        &mut self,
        actor: &Actor,
        channel: Uuid,
        on: NaiveDate,
        followers: i64,
    ) -> Result<()> {
        let station = self.station_worker(actor)?;
        if followers < 0 {
            return Err(Error::invalid("Số người theo dõi không được âm."));
        }
        let id = Uuid::now_v7();
        let day = on.format("%Y-%m-%d").to_string();
        let mut f = BTreeMap::new();
        f.insert("channel_id".into(), json!(channel.to_string()));
        f.insert("on_date".into(), json!(day));
        f.insert("followers".into(), json!(followers));
        self.write_record(
            actor, EntityKind::ChannelStat, id, &station, f,
            "INSERT INTO channel_stats(id, channel_id, on_date, followers, hlc) VALUES (?1, ?2, ?3, ?4, ?5)",
            vec![id.to_string().into(), channel.to_string().into(), day.into(), followers.into()],
            false,
        )
    }

    pub fn channels(&self) -> Result<Vec<ChannelInfo>> {
        let mut st = self.conn.prepare(
            "SELECT id, platform, name, link, area, officer,
               (SELECT followers FROM channel_stats s WHERE s.channel_id = c.id ORDER BY on_date DESC, hlc DESC LIMIT 1)
             FROM channels c WHERE active = 1 ORDER BY platform, name",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ChannelInfo {
                id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                platform: r.get(1)?,
                name: r.get(2)?,
                link: r.get(3)?,
                area: r.get(4)?,
                officer: r.get(5)?,
                followers: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn add_post(&mut self, actor: &Actor, p: NewPost) -> Result<Uuid> {
        let station = self.station_worker(actor)?;
        need_text(&p.title, "tiêu đề bài đăng", 300)?;
        need_text(&p.body, "nội dung bài đăng", 20_000)?;
        let id = Uuid::now_v7();
        let channels = serde_json::to_string(&p.channels)?;
        let day = p.published_on.format("%Y-%m-%d").to_string();
        let mut f = BTreeMap::new();
        f.insert("station".into(), json!(station));
        f.insert("published_on".into(), json!(day));
        f.insert("channels".into(), json!(channels));
        f.insert("title".into(), json!(p.title.trim()));
        f.insert("body".into(), json!(p.body.trim()));
        self.write_record(
            actor, EntityKind::Post, id, &station.clone(), f,
            "INSERT INTO posts(id, station, published_on, channels, title, body, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            vec![id.to_string().into(), station.into(), day.into(), channels.into(), p.title.trim().to_owned().into(), p.body.trim().to_owned().into()],
            false,
        )?;
        Ok(id)
    }

    /// Views and reactions are read off the platform later and recorded here.
    pub fn set_post_reach(
        &mut self,
        actor: &Actor,
        id: Uuid,
        views: i64,
        reactions: i64,
    ) -> Result<()> {
        let station = self.station_worker(actor)?;
        if views < 0 || reactions < 0 {
            return Err(Error::invalid("Số lượt xem/tương tác không được âm."));
        }
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE posts SET views = ?2, reactions = ?3 WHERE id = ?1",
            params![id.to_string(), views, reactions],
        )?;
        if n == 0 {
            return Err(Error::not_found("bài đăng"));
        }
        let mut w = Writer::new(&tx, self.device, actor.user_id, &mut self.clock);
        let hlc = w.stamp();
        let mut f = BTreeMap::new();
        f.insert("views".into(), json!(views));
        f.insert("reactions".into(), json!(reactions));
        w.emit(EntityKind::Post, id, &station, Op::Upsert, f, hlc, true)?;
        w.finish()?;
        tx.commit()?;
        Ok(())
    }

    pub fn posts(&self, limit: u32) -> Result<Vec<Post>> {
        let mut st = self.conn.prepare(
            "SELECT id, published_on, channels, title, body, views, reactions FROM posts ORDER BY published_on DESC, hlc DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit], |r| {
            Ok(Post {
                id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                published_on: NaiveDate::parse_from_str(&r.get::<_, String>(1)?, "%Y-%m-%d")
                    .unwrap_or_default(),
                channels: serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or_default(),
                title: r.get(3)?,
                body: r.get(4)?,
                views: r.get(5)?,
                reactions: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Answer templates are the province's; a supervisor, administrator or chief edits them.
    pub fn save_answer_template(
        &mut self,
        actor: &Actor,
        id: Option<Uuid>,
        topic: &str,
        title: &str,
        body: &str,
    ) -> Result<Uuid> {
        if !matches!(actor.role, Role::Supervisor | Role::Admin | Role::Chief) {
            return Err(Error::forbidden("sửa mẫu trả lời"));
        }
        need_text(title, "tiêu đề mẫu", 300)?;
        need_text(body, "nội dung mẫu", 20_000)?;
        let station = scope_station(&self.scope).to_owned();
        let (id, update) = match id {
            Some(i) => (i, true),
            None => (Uuid::now_v7(), false),
        };
        let mut f = BTreeMap::new();
        f.insert("topic".into(), json!(topic));
        f.insert("title".into(), json!(title.trim()));
        f.insert("body".into(), json!(body.trim()));
        self.write_record(
            actor, EntityKind::AnswerTemplate, id, &station, f,
            "INSERT INTO answer_templates(id, topic, title, body, hlc) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(id) DO UPDATE SET topic = excluded.topic, title = excluded.title, body = excluded.body",
            vec![id.to_string().into(), topic.to_owned().into(), title.trim().to_owned().into(), body.trim().to_owned().into()],
            update,
        )?;
        Ok(id)
    }

    pub fn answer_templates(&self, topic: Option<&str>) -> Result<Vec<AnswerTemplate>> {
        let mut st = self.conn.prepare("SELECT id, topic, title, body FROM answer_templates WHERE ?1 IS NULL OR topic = ?1 ORDER BY topic, title")?;
        let rows = st.query_map([topic], |r| {
            Ok(AnswerTemplate {
                id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                topic: r.get(1)?,
                title: r.get(2)?,
                body: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn add_inquiry(&mut self, actor: &Actor, q: NewInquiry) -> Result<Uuid> {
        let station = self.station_worker(actor)?;
        need_text(&q.question, "câu hỏi", 5_000)?;
        if !INQUIRY_TOPICS.iter().any(|(t, _)| *t == q.topic) {
            return Err(Error::invalid("Chủ đề câu hỏi không hợp lệ."));
        }
        let id = Uuid::now_v7();
        let now = Utc::now().timestamp();
        let answer = crate::text::clean_opt(q.answer.as_deref());
        let answered_by = answer.as_ref().map(|_| actor.full_name.clone());
        let answered_utc = answer.as_ref().map(|_| now);
        let mut f = BTreeMap::new();
        f.insert("station".into(), json!(station));
        f.insert("received_utc".into(), json!(now));
        f.insert("channel".into(), json!(q.channel));
        f.insert("topic".into(), json!(q.topic));
        f.insert("question".into(), json!(q.question.trim()));
        f.insert("answer".into(), json!(answer));
        f.insert(
            "template_id".into(),
            json!(q.template_id.map(|t| t.to_string())),
        );
        f.insert("answered_by".into(), json!(answered_by));
        f.insert("answered_utc".into(), json!(answered_utc));
        self.write_record(
            actor, EntityKind::Inquiry, id, &station.clone(), f,
            "INSERT INTO inquiries(id, station, received_utc, channel, topic, question, answer, template_id, answered_by, answered_utc, hlc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            vec![id.to_string().into(), station.into(), now.into(), q.channel.into(), q.topic.into(), q.question.trim().to_owned().into(),
                 answer.into(), q.template_id.map(|t| t.to_string()).into(), answered_by.into(), answered_utc.into()],
            false,
        )?;
        Ok(id)
    }

    pub fn inquiries(&self, limit: u32) -> Result<Vec<Inquiry>> {
        let mut st = self.conn.prepare(
            "SELECT id, received_utc, channel, topic, question, answer, answered_by, answered_utc FROM inquiries ORDER BY received_utc DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit], |r| {
            Ok(Inquiry {
                id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                received_utc: r.get(1)?,
                channel: r.get(2)?,
                topic: r.get(3)?,
                question: r.get(4)?,
                answer: r.get(5)?,
                answered_by: r.get(6)?,
                answered_utc: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
