//! A change: what one write did to one record, the unit that devices push and pull.
use crate::hlc::Hlc;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The kinds of record that travel between devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Case,
    /// The confidential reporter of a case, kept apart so ordinary reads never touch it.
    Reporter,
    Person,
    Event,
    Attachment,
    Channel,
    ChannelStat,
    Post,
    Inquiry,
    AnswerTemplate,
    Audit,
    User,
    /// One dated version of an entry of the province's reference data (a deadline rule, a
    /// holiday, a category…): written only by the province, read by every station.
    Reference,
}

impl EntityKind {
    /// Append-only kinds are merged by union; the others field by field, last writer wins.
    pub fn append_only(self) -> bool {
        matches!(
            self,
            EntityKind::Event
                | EntityKind::Attachment
                | EntityKind::Audit
                | EntityKind::ChannelStat
        )
    }

    /// The fields a change of this kind may write: one list for the app's tables and the
    /// server's policy, so a field added to one is known to the other. A password hash is not
    /// among a user's (it never leaves the PC that set it); an audit entry's `seq`,
    /// `prev_hash` and `hash` are its place in its device's chain.
    pub const fn fields(self) -> &'static [&'static str] {
        match self {
            EntityKind::Case => &[
                "station",
                "register_no",
                "received_at",
                "channel",
                "channel_ref",
                "kind",
                "category",
                "urgency",
                "summary",
                "description",
                "commune",
                "hamlet",
                "address",
                "lat",
                "lon",
                "occurred",
            ],
            EntityKind::Reporter => &["name", "phone", "address", "id_number"],
            EntityKind::Person => &[
                "case_id",
                "role",
                "name",
                "birth_year",
                "id_number",
                "phone",
                "address",
                "birth_date",
                "guardian_of",
            ],
            EntityKind::Event => &["case_id", "type", "data", "author_name", "at_utc"],
            EntityKind::Attachment => &[
                "case_id",
                "sha256",
                "file_name",
                "mime",
                "size",
                "added_utc",
            ],
            EntityKind::Channel => &[
                "station", "platform", "name", "link", "area", "officer", "active",
            ],
            EntityKind::ChannelStat => &["channel_id", "on_date", "followers"],
            EntityKind::Post => &[
                "station",
                "published_on",
                "channels",
                "title",
                "body",
                "views",
                "reactions",
            ],
            EntityKind::Inquiry => &[
                "station",
                "received_utc",
                "channel",
                "topic",
                "question",
                "answer",
                "template_id",
                "answered_by",
                "answered_utc",
            ],
            EntityKind::AnswerTemplate => &["topic", "title", "body"],
            EntityKind::Audit => &[
                "at_utc",
                "user_id",
                "username",
                "action",
                "target",
                "detail",
                "seq",
                "prev_hash",
                "hash",
            ],
            EntityKind::User => &[
                "username",
                "full_name",
                "rank",
                "role",
                "station",
                "province",
                "active",
                "investigator",
            ],
            EntityKind::Reference => &[
                "set_name",
                "key",
                "effective_from",
                "value",
                "retired",
                "resolved",
            ],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Case => "case",
            EntityKind::Reporter => "reporter",
            EntityKind::Person => "person",
            EntityKind::Event => "event",
            EntityKind::Attachment => "attachment",
            EntityKind::Channel => "channel",
            EntityKind::ChannelStat => "channel_stat",
            EntityKind::Post => "post",
            EntityKind::Inquiry => "inquiry",
            EntityKind::AnswerTemplate => "answer_template",
            EntityKind::Audit => "audit",
            EntityKind::User => "user",
            EntityKind::Reference => "reference",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        use EntityKind::*;
        [
            Case,
            Reporter,
            Person,
            Event,
            Attachment,
            Channel,
            ChannelStat,
            Post,
            Inquiry,
            AnswerTemplate,
            Audit,
            User,
            Reference,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Create or update the named fields.
    Upsert,
    /// Create an append-only record; re-inserting an existing id is a no-op.
    Insert,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: Uuid,
    pub entity: EntityKind,
    pub entity_id: Uuid,
    /// The owning station's commune code: the server's scope check and pull filter.
    pub station: String,
    pub op: Op,
    pub fields: BTreeMap<String, serde_json::Value>,
    /// For each field, the stamp of the value this write replaced as the writer saw it; a
    /// receiver whose stamp differs knows the two writes were concurrent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub base: BTreeMap<String, Hlc>,
    pub hlc: Hlc,
    pub device: Uuid,
    pub user: Uuid,
}
