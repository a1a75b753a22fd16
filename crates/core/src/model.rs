//! The register's domain types. They cross into the UI, so they derive `TS` and the
//! TypeScript side is generated from them.
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// A closed set of codes with Vietnamese and English labels, stored as its snake_case code.
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident = $code:literal, $vi:literal, $en:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum $name { $($var),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $code),+ } }
            pub fn label_vi(self) -> &'static str { match self { $($name::$var => $vi),+ } }
            pub fn label_en(self) -> &'static str { match self { $($name::$var => $en),+ } }
            /// Accepts the code or either label, ignoring case and diacritics (CSV from Excel uses labels).
            /// A unique prefix of a label also counts ("Tố giác" for "Tố giác về tội phạm").
            pub fn parse(s: &str) -> Option<Self> {
                if let Some(v) = Self::ALL.iter().copied().find(|v| v.as_str() == s) {
                    return Some(v);
                }
                let f = crate::text::fold(s.trim());
                if f.is_empty() {
                    return None;
                }
                let labels = |v: &$name| [crate::text::fold(v.label_vi()), crate::text::fold(v.label_en())];
                if let Some(v) = Self::ALL.iter().copied().find(|v| labels(v).contains(&f)) {
                    return Some(v);
                }
                let mut by_prefix = Self::ALL.iter().copied().filter(|v| f.len() >= 3 && labels(v).iter().any(|l| l.starts_with(&f)));
                match (by_prefix.next(), by_prefix.next()) {
                    (Some(v), None) => Some(v),
                    _ => None,
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

code_enum!(Role {
    Officer = "officer", "Cán bộ", "Officer";
    Chief = "chief", "Trưởng/Phó Công an", "Station chief";
    Supervisor = "supervisor", "Cán bộ kiểm tra cấp tỉnh", "Provincial supervisor";
    Admin = "admin", "Quản trị", "Administrator";
});

code_enum!(
    /// The source of the information (Criminal Procedure Code art. 144), or security information.
    Kind {
    ToGiac = "to_giac", "Tố giác về tội phạm", "Denunciation";
    TinBao = "tin_bao", "Tin báo về tội phạm", "Crime information";
    KienNghiKhoiTo = "kien_nghi_khoi_to", "Kiến nghị khởi tố", "Request to prosecute";
    PhanAnh = "phan_anh", "Phản ánh ANTT", "Security/order information";
});

impl Kind {
    /// Crime reports go to the investigation agency; the rest is handled administratively.
    pub fn is_crime_report(self) -> bool {
        !matches!(self, Kind::PhanAnh)
    }
}

code_enum!(Channel {
    Zalo = "zalo", "Zalo", "Zalo";
    Facebook = "facebook", "Facebook", "Facebook";
    Hotline = "hotline", "Đường dây nóng", "Hotline";
    Sms = "sms", "Tin nhắn SMS", "SMS";
    WalkIn = "walk_in", "Trực tiếp tại trụ sở", "Walk-in";
    Email = "email", "Thư điện tử", "Email";
    Transfer = "transfer", "Đơn vị khác chuyển đến", "Transfer from another unit";
    Patrol = "patrol", "Lực lượng tuần tra phát hiện", "Found on patrol";
});

code_enum!(
    /// The legal group a category counts in on the upward report. Each category's group is
    /// the province's reference data; the shipped defaults are migration 011's.
    LegalGroup {
    SocialOrder = "social_order", "Tội phạm về trật tự xã hội", "Crimes against social order";
    Economic = "economic", "Tội phạm về kinh tế, chức vụ", "Economic crimes";
    HighTech = "high_tech", "Tội phạm, vi phạm sử dụng công nghệ cao", "High-tech crimes";
    Drugs = "drugs", "Tội phạm về ma túy", "Drug crimes";
    Traffic = "traffic", "Trật tự, an toàn giao thông", "Traffic order";
    ExplosivesIncidents = "explosives_incidents", "Vật liệu nổ, cháy nổ, sự cố", "Explosives and incidents";
    DisputesFamily = "disputes_family", "Tranh chấp, mâu thuẫn, bạo lực gia đình", "Disputes and family violence";
    Other = "other", "Khác", "Other";
});

impl Channel {
    /// Received through social media (the upward report's group): Zalo and Facebook, the
    /// online pages and groups the register knows.
    pub fn is_social_media(self) -> bool {
        matches!(self, Channel::Zalo | Channel::Facebook)
    }
}

code_enum!(Urgency {
    Normal = "normal", "Bình thường", "Normal";
    Urgent = "urgent", "Khẩn", "Urgent";
    Emergency = "emergency", "Hỏa tốc", "Emergency";
});

code_enum!(Status {
    Received = "received", "Mới tiếp nhận", "Received";
    Verifying = "verifying", "Đang xác minh", "Verifying";
    Transferred = "transferred", "Đã chuyển cơ quan điều tra", "Transferred";
    Sanctioned = "sanctioned", "Đã xử phạt hành chính", "Sanctioned";
    Mediated = "mediated", "Đã hòa giải", "Mediated";
    ResolvedOther = "resolved_other", "Đã giải quyết khác", "Resolved otherwise";
    Unfounded = "unfounded", "Không có căn cứ", "Unfounded";
    Duplicate = "duplicate", "Trùng, đã gộp", "Duplicate (merged)";
    // A case kept at the commune ends with the decision of its commune investigator.
    Prosecuted = "prosecuted", "Đã khởi tố vụ án", "Prosecuted";
    NotProsecuted = "not_prosecuted", "Không khởi tố vụ án", "Not prosecuted";
    // Suspended is not open (no clock runs) until a decision to resume (phục hồi).
    Suspended = "suspended", "Tạm đình chỉ giải quyết nguồn tin", "Resolution suspended";
});

impl Status {
    pub fn is_open(self) -> bool {
        matches!(self, Status::Received | Status::Verifying)
    }
}

code_enum!(
    /// What a case is, decided at classification; which clocks run depends on it.
    CaseClass {
    CrimeTransfer = "crime_transfer", "Dấu hiệu tội phạm – chuyển CQĐT", "Crime, to transfer";
    CrimeCommune = "crime_commune", "Dấu hiệu tội phạm – Điều tra viên xã giải quyết", "Crime, resolved by the commune investigator";
    AdminViolation = "admin_violation", "Vi phạm hành chính", "Administrative violation";
    CivilDispute = "civil_dispute", "Tranh chấp dân sự", "Civil dispute";
    OtherAgency = "other_agency", "Việc của cơ quan khác", "Another agency's matter";
    NotPolice = "not_police", "Không thuộc thẩm quyền công an", "Not a police matter";
});

code_enum!(
    /// The extensions of the Art. 147 resolution limit.
    ResolutionStep {
    TwoMonths = "two_months", "Gia hạn đến 02 tháng", "Extended to 2 months";
    PlusTwoMonths = "plus_two_months", "Gia hạn thêm 02 tháng", "Extended by 2 more months";
});

code_enum!(
    /// Who a notice of receipt goes to (Joint Circular 01/2017, Art. 14(1)).
    NoticeTo {
    Vks = "vks", "Viện kiểm sát", "Procuracy";
    Reporter = "reporter", "Người báo tin", "Reporter";
});

code_enum!(ClockState {
    Running = "running", "Đang chạy", "Running";
    Met = "met", "Đúng hạn", "Met";
    Late = "late", "Quá hạn", "Late";
    Stopped = "stopped", "Dừng", "Stopped";
});

/// One legal time limit of a case, as its rule and its events set it (see `clocks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Clock {
    pub rule: String,
    pub label_vi: String,
    /// The rule's legal basis, as the province wrote it.
    pub basis: String,
    pub started_at: DateTime<FixedOffset>,
    pub due_at: DateTime<FixedOffset>,
    /// `late` also while it still runs past its due time.
    pub state: ClockState,
    pub ended_at: Option<DateTime<FixedOffset>>,
    /// Why it stopped, or why it does not apply.
    pub reason: Option<String>,
}

code_enum!(PersonRole {
    Suspect = "suspect", "Đối tượng", "Suspect";
    Victim = "victim", "Bị hại", "Victim";
    Witness = "witness", "Người làm chứng", "Witness";
    Guardian = "guardian", "Người giám hộ", "Guardian";
    Reporter = "reporter", "Người báo tin", "Reporter";
});

code_enum!(ProsecutionDecision {
    KhoiTo = "khoi_to", "Quyết định khởi tố vụ án", "Decision to prosecute";
    KhongKhoiTo = "khong_khoi_to", "Quyết định không khởi tố", "Decision not to prosecute";
    TamDinhChi = "tam_dinh_chi", "Tạm đình chỉ giải quyết nguồn tin", "Suspension of resolution";
    PhucHoi = "phuc_hoi", "Quyết định phục hồi giải quyết nguồn tin", "Resumption of resolution";
});

/// What a database covers: one station, or a province's stations for a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", content = "code", rename_all = "snake_case")]
#[ts(export)]
pub enum Scope {
    Station(String),
    Province(String),
}

/// The logged-in user on whose behalf the core acts; every check is made against it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Actor {
    pub user_id: Uuid,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    /// The station of officers and chiefs.
    pub station: Option<String>,
    /// The province of supervisors.
    pub province: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub full_name: String,
    pub rank: Option<String>,
    pub role: Role,
    pub station: Option<String>,
    pub province: Option<String>,
    pub active: bool,
    /// A commune investigator (Law 99/2025/QH15), who may sign a commune-kept case's decisions.
    #[serde(default)]
    pub investigator: bool,
}

#[derive(Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub rank: Option<String>,
    pub role: Role,
    pub password: String,
}

/// A log line or a panic message must never carry a password.
impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("full_name", &self.full_name)
            .field("rank", &self.rank)
            .field("role", &self.role)
            .field("password", &"…")
            .finish()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Location {
    /// Official commune/ward code (two-tier list in force since 1 July 2025).
    pub commune: Option<String>,
    pub hamlet: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// The reporter's identity: confidential, read only through an audited reveal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Reporter {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewPerson {
    pub role: PersonRole,
    pub name: String,
    pub birth_year: Option<i32>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// `YYYY-MM-DD`, when known: a minor's age is counted to the day of the violation.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub birth_date: Option<String>,
    /// For a guardian: the minor person of the same case they answer for.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub guardian_of: Option<Uuid>,
    /// For a guardian entered with a new report (intake or import): the position, in the
    /// report's list of persons, of the minor they answer for. Those persons have no ids until
    /// the core writes them, so the link is resolved to `guardian_of` then.
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    pub guardian_of_index: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Person {
    pub id: Uuid,
    pub role: PersonRole,
    pub name: String,
    pub birth_year: Option<i32>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub birth_date: Option<String>,
    pub guardian_of: Option<Uuid>,
    /// Age on the date of the violation (`sanctions::violation_date`); with only the birth
    /// year known, the younger of the two possible ages.
    pub age_at_violation: Option<i32>,
    pub minor: Option<MinorBand>,
    /// Only the birth year is known and the age on that date may fall either side of 14, 16
    /// or 18: said, not refused.
    pub age_warning: Option<String>,
}

/// Minors are sanctioned differently: 14–16 no fine, 16–18 at most half (Law on Handling
/// Administrative Violations, art. 134).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MinorBand {
    Under14,
    From14To16,
    From16To18,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewCase {
    pub received_at: Option<DateTime<FixedOffset>>,
    pub channel: Channel,
    pub channel_ref: Option<String>,
    pub kind: Kind,
    pub category: String,
    pub urgency: Urgency,
    pub summary: String,
    pub description: String,
    pub location: Location,
    /// When it happened, free text when approximate ("tối 17/6", "khoảng 22 giờ").
    pub occurred: Option<String>,
    pub reporter: Option<Reporter>,
    pub persons: Vec<NewPerson>,
    /// How the receipt itself went, for the printed receipt record.
    #[serde(default)]
    pub receipt: ReceiptFacts,
}

/// Facts of the receipt that the receipt record (biên bản tiếp nhận) prints. Kept in the
/// `created` event: they describe that moment and never change afterwards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceiptFacts {
    /// Where the report was received; none means the station's seat.
    pub place: Option<String>,
    /// When drawing up the record finished; none means at the time of receipt.
    pub finished_at: Option<DateTime<FixedOffset>>,
    /// Documents and objects the reporter handed over, one per entry.
    #[serde(default)]
    pub handed_over: Vec<String>,
}

/// The receipt record as printed: who received the report, where, from when to when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceiptRecord {
    /// The officer who registered the report (the `created` event's author), not whoever prints.
    pub officer_name: String,
    pub officer_rank: Option<String>,
    pub officer_role: Option<Role>,
    pub place: Option<String>,
    pub started_at: DateTime<FixedOffset>,
    pub finished_at: DateTime<FixedOffset>,
    pub handed_over: Vec<String>,
}

/// One line of the register as lists show it: never the reporter.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseRow {
    pub id: Uuid,
    pub station: String,
    pub register_no: String,
    pub received_at: DateTime<FixedOffset>,
    pub channel: Channel,
    pub kind: Kind,
    pub category: String,
    pub urgency: Urgency,
    pub summary: String,
    pub hamlet: Option<String>,
    pub status: Status,
    pub assignee: Option<Uuid>,
    pub assignee_name: Option<String>,
    /// Unix seconds, UTC.
    #[ts(type = "number | null")]
    pub deadline: Option<i64>,
    pub overdue: bool,
    pub due_soon: bool,
    pub conflict: bool,
    /// The supervisor's review: `approved`, or `returned: <comment>`; none before a review
    /// and again after a new outcome.
    pub review: Option<String>,
    /// The rule of the nearest running clock (`deadline`), and its label: lists say which
    /// time limit is near, an unsent urgent report first.
    pub deadline_rule: Option<String>,
    pub deadline_label: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseDetail {
    pub row: CaseRow,
    pub channel_ref: Option<String>,
    pub description: String,
    pub location: Location,
    pub occurred: Option<String>,
    /// Whether a reporter is recorded; the identity itself needs `reveal_reporter`.
    pub has_reporter: bool,
    /// Whether this actor may reveal the reporter.
    pub can_reveal: bool,
    pub persons: Vec<Person>,
    pub events: Vec<Event>,
    pub attachments: Vec<Attachment>,
    pub outcome: Option<Outcome>,
    pub duplicate_of: Option<Uuid>,
    pub review: Option<String>,
    pub deadline_rule: Option<String>,
    pub deadline_basis: Option<String>,
    pub receipt: ReceiptRecord,
    /// Every legal time limit of the case, running or ended.
    pub clocks: Vec<Clock>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Event {
    pub id: Uuid,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub kind: String,
    pub data: serde_json::Value,
    pub author: Uuid,
    pub author_name: String,
    pub at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Attachment {
    pub id: Uuid,
    pub sha256: String,
    pub file_name: String,
    pub mime: String,
    #[ts(type = "number")]
    pub size: i64,
    pub added_at: DateTime<FixedOffset>,
}

/// The outcome that closes a case, with the fields each one needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum Outcome {
    Transferred {
        to_agency: String,
        note: Option<String>,
        /// The documents and objects sent with the report (Art. 146: transferred "with the
        /// documents and objects"), one per entry. Older events have none.
        #[serde(default)]
        documents: Vec<String>,
    },
    /// Closes a case whose violators each have a `sanction_decided`: the decision numbers, the
    /// total fine and the deciders are derived from them when recorded (`sanctions`), so the
    /// UI sends only the record number and a note. Older events carry all fields as typed.
    Sanctioned {
        record_no: String,
        #[serde(default)]
        #[ts(optional = nullable)]
        decision_no: Option<String>,
        #[serde(default)]
        #[ts(optional, type = "number | null")]
        fine_vnd: Option<i64>,
        #[serde(default)]
        #[ts(optional = nullable)]
        decided_by: Option<String>,
        note: Option<String>,
    },
    Mediated {
        note: String,
    },
    ResolvedOther {
        note: String,
    },
    Unfounded {
        reason: String,
    },
}

impl Outcome {
    pub fn status(&self) -> Status {
        match self {
            Outcome::Transferred { .. } => Status::Transferred,
            Outcome::Sanctioned { .. } => Status::Sanctioned,
            Outcome::Mediated { .. } => Status::Mediated,
            Outcome::ResolvedOther { .. } => Status::ResolvedOther,
            Outcome::Unfounded { .. } => Status::Unfounded,
        }
    }
}

/// Everything an officer, chief or supervisor can do to a case.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum Action {
    Assign {
        user: Uuid,
    },
    StartVerification {
        note: Option<String>,
    },
    Note {
        text: String,
    },
    /// A verification step or an action taken (scene secured, persons invited, test done).
    Step {
        text: String,
        /// When it was done, as the officer enters it; the save time is kept too.
        #[serde(default)]
        #[ts(optional)]
        occurred_at: Option<DateTime<FixedOffset>>,
    },
    Classify {
        kind: Option<Kind>,
        category: Option<String>,
        urgency: Option<Urgency>,
        #[serde(default)]
        #[ts(optional)]
        class: Option<CaseClass>,
        /// The competent agency, for another agency's matter.
        #[serde(default)]
        #[ts(optional)]
        agency: Option<String>,
    },
    RecordOutcome {
        outcome: Outcome,
    },
    Merge {
        into: Uuid,
    },
    Reopen {
        reason: String,
    },
    Return {
        comment: String,
    },
    Approve {
        comment: Option<String>,
    },
    /// The provincial agency's decision, signed by an assigned commune investigator (Law 99/2025).
    ProsecutionDecision {
        decision: ProsecutionDecision,
        number: String,
        issuing_body: String,
        signatory: String,
        /// The decision's date; today when not given.
        #[serde(default)]
        #[ts(optional)]
        date: Option<NaiveDate>,
    },
    ResolveConflict {
        note: String,
    },
    // Issue 14, the clocks (see `clocks` and the contract): one block, at the end.
    /// The chief assigns a commune investigator (flagged user) to a case kept at the commune.
    AssignInvestigator {
        user: Uuid,
    },
    /// An extension of the Art. 147 resolution limit, with its decision.
    ExtendResolution {
        step: ResolutionStep,
        number: String,
        date: NaiveDate,
    },
    /// A notice of receipt sent to the procuracy or to the reporter.
    SendNotice {
        to: NoticeTo,
        number: String,
        date: NaiveDate,
    },
    /// The urgent report to the higher level of a khẩn / hỏa tốc case.
    ReportUrgent {
        to: String,
        how: String,
        at: DateTime<FixedOffset>,
    },
    /// An administrative violation was found: the record's clock starts.
    ViolationFound {
        at: DateTime<FixedOffset>,
        complex: bool,
    },
    /// The administrative violation record, with the violators it names.
    RecordViolation {
        record_no: String,
        at: DateTime<FixedOffset>,
        complex: bool,
        persons: Vec<Uuid>,
    },
    /// The chief extends the sanction decision's limit (+30 days).
    ExtendDecision {
        reason: String,
    },
    // sanctions branch (issue 14): one decision per violator, checked by `sanctions`.
    /// An administrative sanction decision for one violator of the case (→ `sanction_decided`).
    Sanction {
        person: Uuid,
        form: SanctionForm,
        /// 0 for a warning.
        #[ts(type = "number")]
        fine_vnd: i64,
        /// For a violator aged 16 to under 18: the adult level of the provision, of which the
        /// fine may be at most half.
        #[serde(default)]
        #[ts(optional, type = "number | null")]
        adult_fine_vnd: Option<i64>,
        /// A sector code of `fine_caps`.
        sector: String,
        decider_name: String,
        /// A title code of `fine_caps` (`officer_on_duty`, `commune_police_chief`).
        decider_title: String,
        decision_no: String,
        /// `YYYY-MM-DD`.
        decided_on: String,
        /// Who pays a minor's fine: their guardian, a person of the case.
        #[serde(default)]
        #[ts(optional = nullable)]
        payer: Option<Uuid>,
    },
}

code_enum!(
    /// The forms of administrative sanction a commune decides (Law on Handling Administrative
    /// Violations, art. 21): a warning or a fine.
    SanctionForm {
    Warning = "warning", "Cảnh cáo", "Warning";
    Fine = "fine", "Phạt tiền", "Fine";
});
