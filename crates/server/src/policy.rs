//! What a device may write and read, decided from what the server knows: the device's
//! enrolled scope, the user as registered on the server, the official admin-unit list and the
//! server's clock. Pure functions, no storage and no HTTP, so each rule is tested on its own.
use crate::storage::{Owned, User};
use crate::units::AdminUnits;
use tinbao_sync::hlc::MAX_FUTURE_DRIFT_MS;
use tinbao_sync::protocol::{DeviceScope, REVIEW_EVENT_TYPES, RejectReason};
use tinbao_sync::{Change, EntityKind, Op};
use uuid::Uuid;

/// Why a change is refused: the reason the device records and the message its chief reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: RejectReason,
    pub message: &'static str,
}

fn refuse<T>(reason: RejectReason, message: &'static str) -> Result<T, Refusal> {
    Err(Refusal { reason, message })
}

/// Whether the device `device` with `scope` (and the change's `user`, if the server knows the
/// user) may write `change` at `now_ms`. Returns the province the change is filed under, which
/// the store needs for province-wide reads.
pub fn check_change(
    scope: &DeviceScope,
    device: Uuid,
    user: Option<&User>,
    units: &AdminUnits,
    now_ms: u64,
    change: &Change,
) -> Result<String, Refusal> {
    let c = change;
    if c.device != device {
        return refuse(
            RejectReason::WrongDevice,
            "Thay đổi ghi tên một thiết bị khác; thiết bị chỉ được gửi thay đổi của chính mình.",
        );
    }
    if c.hlc.wall_ms > now_ms.saturating_add(MAX_FUTURE_DRIFT_MS) {
        return refuse(
            RejectReason::ClockAhead,
            "Đồng hồ máy tính chạy nhanh hơn giờ thực; hãy chỉnh lại ngày giờ của máy. Thay đổi vẫn được giữ và sẽ gửi lại.",
        );
    }
    // A change belongs to a station (commune code) or, for province-wide shared data such as
    // answer templates, to the province itself (province code).
    let (province, shared) = match units.province_of(&c.station) {
        Some(p) => (p.to_string(), false),
        None if units.province_name(&c.station).is_some() => (c.station.clone(), true),
        None => {
            return refuse(
                RejectReason::Invalid,
                "Mã đơn vị của thay đổi không có trong danh mục.",
            );
        }
    };
    let writer = match scope {
        DeviceScope::Station { station, .. } => {
            if &c.station != station {
                return refuse(
                    RejectReason::OutOfScope,
                    "Thay đổi thuộc đơn vị khác; công an xã chỉ ghi được hồ sơ của mình.",
                );
            }
            Writer::StationPc
        }
        DeviceScope::Province { province: own } => {
            if &province != own {
                return refuse(RejectReason::OutOfScope, "Thay đổi thuộc tỉnh khác.");
            }
            Writer::Supervisor
        }
    };
    let level = if shared {
        Level::Province
    } else {
        Level::Station
    };
    check_grant(writer, level, &province, c)?;
    if let Some(u) = user {
        let ok = u.active
            && match scope {
                DeviceScope::Station { station, .. } => u.station.as_deref() == Some(station),
                DeviceScope::Province { province } => {
                    u.station.is_none()
                        && &u.province == province
                        && matches!(u.role.as_str(), "supervisor" | "admin")
                }
            };
        if !ok {
            return refuse(
                RejectReason::UserNotAllowed,
                "Người dùng ghi thay đổi này không thuộc đơn vị của thiết bị hoặc đã bị khoá.",
            );
        }
    }
    Ok(province)
}

/// Who writes: a station's PC, or a province device (a supervisor's or administrator's laptop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    StationPc,
    Supervisor,
}

/// Where a change is filed: under a station (commune code) or under the province itself
/// (province-shared data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Station,
    Province,
}

/// Which event types a grant covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventTypes {
    /// Not an event kind.
    NotAnEvent,
    /// Only the province's review decisions ([`REVIEW_EVENT_TYPES`]).
    Review,
    /// Any type except the review decisions.
    StationWork,
}

/// One row of what each scope may write: a kind, at a level, with one operation, writing only
/// the listed fields (and, for events, only the listed types).
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    pub writer: Writer,
    pub kind: EntityKind,
    pub level: Level,
    pub op: Op,
    pub fields: &'static [&'static str],
    pub events: EventTypes,
}

const CASE_FIELDS: &[&str] = EntityKind::Case.fields();
const REPORTER_FIELDS: &[&str] = EntityKind::Reporter.fields();
const PERSON_FIELDS: &[&str] = EntityKind::Person.fields();
const EVENT_FIELDS: &[&str] = EntityKind::Event.fields();
const ATTACHMENT_FIELDS: &[&str] = EntityKind::Attachment.fields();
const CHANNEL_FIELDS: &[&str] = EntityKind::Channel.fields();
const CHANNEL_STAT_FIELDS: &[&str] = EntityKind::ChannelStat.fields();
const POST_FIELDS: &[&str] = EntityKind::Post.fields();
const INQUIRY_FIELDS: &[&str] = EntityKind::Inquiry.fields();
const TEMPLATE_FIELDS: &[&str] = EntityKind::AnswerTemplate.fields();
const AUDIT_FIELDS: &[&str] = EntityKind::Audit.fields();
const USER_FIELDS: &[&str] = EntityKind::User.fields();
const REFERENCE_FIELDS: &[&str] = EntityKind::Reference.fields();

const fn grant(
    writer: Writer,
    kind: EntityKind,
    level: Level,
    op: Op,
    fields: &'static [&'static str],
    events: EventTypes,
) -> Grant {
    Grant {
        writer,
        kind,
        level,
        op,
        fields,
        events,
    }
}

/// Everything a device may write; anything else is refused. The field lists mirror the
/// columns a replica applies (`tinbao_core::replica`). Beyond the table, [`check_values`]
/// holds the rules on values: the roles a station may give, audit rows in the writer's own
/// name, a record's station field equal to the change's station.
pub const GRANTS: &[Grant] = {
    use EntityKind as K;
    use EventTypes::*;
    use Level::*;
    use Writer::*;
    &[
        grant(
            StationPc,
            K::Case,
            Station,
            Op::Upsert,
            CASE_FIELDS,
            NotAnEvent,
        ),
        grant(
            StationPc,
            K::Reporter,
            Station,
            Op::Upsert,
            REPORTER_FIELDS,
            NotAnEvent,
        ),
        grant(
            StationPc,
            K::Person,
            Station,
            Op::Upsert,
            PERSON_FIELDS,
            NotAnEvent,
        ),
        grant(
            StationPc,
            K::Event,
            Station,
            Op::Insert,
            EVENT_FIELDS,
            StationWork,
        ),
        grant(
            StationPc,
            K::Attachment,
            Station,
            Op::Insert,
            ATTACHMENT_FIELDS,
            NotAnEvent,
        ),
        grant(
            StationPc,
            K::Channel,
            Station,
            Op::Upsert,
            CHANNEL_FIELDS,
            NotAnEvent,
        ),
        grant(
            StationPc,
            K::ChannelStat,
            Station,
            Op::Insert,
            CHANNEL_STAT_FIELDS,
            NotAnEvent,
        ),
        grant(
            StationPc,
            K::Post,
            Station,
            Op::Upsert,
            POST_FIELDS,
            NotAnEvent,
        ),
        grant(
            StationPc,
            K::Inquiry,
            Station,
            Op::Upsert,
            INQUIRY_FIELDS,
            NotAnEvent,
        ),
        grant(
            StationPc,
            K::AnswerTemplate,
            Station,
            Op::Upsert,
            TEMPLATE_FIELDS,
            NotAnEvent,
        ),
        grant(
            StationPc,
            K::Audit,
            Station,
            Op::Insert,
            AUDIT_FIELDS,
            NotAnEvent,
        ),
        grant(
            StationPc,
            K::User,
            Station,
            Op::Upsert,
            USER_FIELDS,
            NotAnEvent,
        ),
        grant(
            Supervisor,
            K::Event,
            Station,
            Op::Insert,
            EVENT_FIELDS,
            Review,
        ),
        // A supervisor's reveal of a reporter is audited where the case lives.
        grant(
            Supervisor,
            K::Audit,
            Station,
            Op::Insert,
            AUDIT_FIELDS,
            NotAnEvent,
        ),
        grant(
            Supervisor,
            K::AnswerTemplate,
            Province,
            Op::Upsert,
            TEMPLATE_FIELDS,
            NotAnEvent,
        ),
        // The province's reference data (deadline rules, holidays, categories…), written by a
        // province administrator's laptop under the province's code; stations only read it.
        grant(
            Supervisor,
            K::Reference,
            Province,
            Op::Upsert,
            REFERENCE_FIELDS,
            NotAnEvent,
        ),
    ]
};

/// The roles a station may give its own accounts; `supervisor` and `admin` are the province's.
pub const STATION_ROLES: &[&str] = &["officer", "chief"];

fn is_review(c: &Change) -> Option<bool> {
    let t = c.fields.get("type")?.as_str()?;
    Some(REVIEW_EVENT_TYPES.contains(&t))
}

/// Whether `writer` may write `c` at `level` according to [`GRANTS`] and [`check_values`].
pub fn check_grant(
    writer: Writer,
    level: Level,
    province: &str,
    c: &Change,
) -> Result<(), Refusal> {
    if c.entity == EntityKind::Reference {
        if writer == Writer::StationPc {
            return refuse(
                RejectReason::OutOfScope,
                "Danh mục dùng chung (thời hạn, ngày nghỉ, loại vụ việc…) do Công an tỉnh ban hành; máy công an xã chỉ nhận, không được sửa.",
            );
        }
        if level == Level::Station {
            return refuse(
                RejectReason::OutOfScope,
                "Danh mục dùng chung thuộc Công an tỉnh, phải ghi dưới mã tỉnh, không dưới mã xã.",
            );
        }
    }
    let row = GRANTS
        .iter()
        .find(|g| g.writer == writer && g.kind == c.entity && g.level == level && g.op == c.op);
    let Some(g) = row else {
        return match writer {
            Writer::Supervisor => refuse(
                RejectReason::NotReviewEvent,
                "Thiết bị cấp tỉnh chỉ được ghi ý kiến duyệt (duyệt hoặc trả lại) vào hồ sơ của công an xã.",
            ),
            Writer::StationPc => refuse(
                RejectReason::Invalid,
                "Loại bản ghi hoặc thao tác này không được gửi từ máy công an xã.",
            ),
        };
    };
    match (g.events, is_review(c)) {
        (EventTypes::NotAnEvent, _) | (EventTypes::StationWork, Some(false)) => {}
        (EventTypes::Review, Some(true)) => {}
        (EventTypes::StationWork, Some(true)) => {
            return refuse(
                RejectReason::OutOfScope,
                "Chỉ cán bộ kiểm tra cấp tỉnh được ghi ý kiến duyệt hồ sơ.",
            );
        }
        (EventTypes::Review, _) => {
            return refuse(
                RejectReason::NotReviewEvent,
                "Thiết bị cấp tỉnh chỉ được ghi ý kiến duyệt (duyệt hoặc trả lại) vào hồ sơ của công an xã.",
            );
        }
        (EventTypes::StationWork, None) => {
            return refuse(RejectReason::Invalid, "Sự kiện thiếu loại.");
        }
    }
    if c.fields.keys().any(|f| !g.fields.contains(&f.as_str())) {
        return refuse(
            RejectReason::Invalid,
            "Thay đổi ghi một trường không được phép cho loại bản ghi này.",
        );
    }
    check_values(writer, province, c)
}

/// The rules on values the table cannot say.
pub fn check_values(writer: Writer, province: &str, c: &Change) -> Result<(), Refusal> {
    let text = |k: &str| c.fields.get(k).map(|v| v.as_str());
    // A record's own station field names the change's station (or is cleared, for accounts).
    if let Some(s) = text("station") {
        let ok = match s {
            Some(s) => s == c.station,
            None => c.entity == EntityKind::User && c.fields["station"].is_null(),
        };
        if !ok {
            return refuse(
                RejectReason::OutOfScope,
                "Trường đơn vị của bản ghi khác với đơn vị của thay đổi.",
            );
        }
    }
    if c.entity == EntityKind::User && writer == Writer::StationPc {
        if let Some(role) = text("role")
            && !role.is_some_and(|r| STATION_ROLES.contains(&r))
        {
            return refuse(
                RejectReason::UserNotAllowed,
                "Công an xã chỉ tạo được tài khoản cán bộ hoặc trưởng/phó công an xã.",
            );
        }
        if let Some(p) = c.fields.get("province")
            && !(p.is_null() || p.as_str() == Some(province))
        {
            return refuse(RejectReason::OutOfScope, "Tài khoản ghi tên một tỉnh khác.");
        }
    }
    if c.entity == EntityKind::Reference {
        if let Err(m) = tinbao_sync::reference::check_fields(&c.fields) {
            return refuse(RejectReason::Invalid, m);
        }
        // One version of one entry is one record on every device: its id is made from what it
        // is, so that two administrators' edits of it meet (and conflict) rather than pass.
        if let (Some(set), Some(key), Some(from)) = (
            text("set_name").flatten(),
            text("key").flatten(),
            text("effective_from").flatten(),
        ) && c.entity_id != tinbao_sync::reference::reference_id(province, set, key, from)
        {
            return refuse(
                RejectReason::Invalid,
                "Mã phiên bản danh mục không khớp với danh mục, mục và ngày áp dụng của nó.",
            );
        }
    }
    if c.entity == EntityKind::Audit {
        let own = c.user.to_string();
        if text("user_id").flatten() != Some(own.as_str()) {
            return refuse(
                RejectReason::UserNotAllowed,
                "Bản ghi nhật ký phải mang tên chính người dùng gửi thay đổi.",
            );
        }
    }
    Ok(())
}

/// The entity a change's parent field names, with the kind it must be: an event's, person's or
/// attachment's case (`case_id`), a reporter's case (the reporter travels under its case's id)
/// and a channel statistic's channel (`channel_id`). `Ok(None)` for kinds without a parent, or
/// when an update of an existing record leaves the parent field out; a parent field that is not
/// an id is refused.
pub fn parent_of(c: &Change) -> Result<Option<(Uuid, EntityKind)>, Refusal> {
    let (field, kind) = match c.entity {
        EntityKind::Reporter => return Ok(Some((c.entity_id, EntityKind::Case))),
        EntityKind::Event | EntityKind::Person | EntityKind::Attachment => {
            ("case_id", EntityKind::Case)
        }
        EntityKind::ChannelStat => ("channel_id", EntityKind::Channel),
        _ => return Ok(None),
    };
    match c.fields.get(field) {
        None => Ok(None),
        Some(v) => match v.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
            Some(id) => Ok(Some((id, kind))),
            None => refuse(
                RejectReason::Invalid,
                "Thay đổi ghi mã hồ sơ cha không hợp lệ.",
            ),
        },
    }
}

/// Whether `c` may write its entity given what the server knows: `entity`, the record with the
/// change's own id (None if the server has none), and `parent`, the record `parent_of(c)` names
/// (None if the server has none, or if `c` names no parent). Ownership comes from the first
/// accepted writer, never from the change's station label: a change to an entity (or under a
/// parent) owned by another station is out of scope whatever its label says.
pub fn check_ownership(
    c: &Change,
    entity: Option<&Owned>,
    parent: Option<&Owned>,
) -> Result<(), Refusal> {
    // A reporter has no record of its own: its case stands in as its parent.
    let entity = if c.entity == EntityKind::Reporter {
        None
    } else {
        entity
    };
    if let Some(e) = entity {
        if e.kind != c.entity {
            return refuse(
                RejectReason::Invalid,
                "Mã của thay đổi trùng với một bản ghi loại khác trên máy chủ.",
            );
        }
        if e.owner != c.station {
            return refuse(
                RejectReason::OutOfScope,
                "Bản ghi này thuộc đơn vị khác trên máy chủ; không được ghi đè.",
            );
        }
    }
    let parent_named = parent_of(c)?;
    let needs_parent = matches!(
        c.entity,
        EntityKind::Reporter
            | EntityKind::Event
            | EntityKind::Person
            | EntityKind::Attachment
            | EntityKind::ChannelStat
    );
    match (parent_named, parent) {
        (Some((_, kind)), Some(p)) => {
            if p.kind != kind {
                return refuse(
                    RejectReason::Invalid,
                    "Mã hồ sơ cha trỏ tới một bản ghi loại khác.",
                );
            }
            if p.owner != c.station {
                return refuse(
                    RejectReason::OutOfScope,
                    "Hồ sơ cha thuộc đơn vị khác; không được ghi vào hồ sơ của đơn vị khác.",
                );
            }
        }
        (Some(_), None) => {
            return refuse(
                RejectReason::Invalid,
                "Hồ sơ cha chưa có trên máy chủ; hãy gửi hồ sơ trước.",
            );
        }
        // No parent named: an update of a record the server already has (checked above), or a
        // new record that must name its parent.
        (None, _) if needs_parent && entity.is_none() => {
            return refuse(RejectReason::Invalid, "Bản ghi mới thiếu mã hồ sơ cha.");
        }
        (None, _) => {}
    }
    Ok(())
}

/// Whether a device with `scope` may read an attachment uploaded by the stations `owners`.
pub fn may_read_attachment(scope: &DeviceScope, units: &AdminUnits, owners: &[String]) -> bool {
    match scope {
        DeviceScope::Station { station, .. } => owners.iter().any(|o| o == station),
        DeviceScope::Province { province } => owners
            .iter()
            .any(|o| units.province_of(o) == Some(province.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinbao_sync::Hlc;

    // 00004 and 00008 are communes of province 01; 24280 is a commune of province 66.
    const NOW: u64 = 1_750_000_000_000;

    fn station(code: &str, province: &str) -> DeviceScope {
        DeviceScope::Station {
            station: code.into(),
            province: province.into(),
        }
    }
    fn province(code: &str) -> DeviceScope {
        DeviceScope::Province {
            province: code.into(),
        }
    }

    /// A change as the core writes it: an event with its `type`, an audit row in its writer's
    /// name, anything else with one field of its kind.
    fn change(device: Uuid, station: &str, entity: EntityKind, op: Op, typ: &str) -> Change {
        let user = Uuid::now_v7();
        let field = match entity {
            EntityKind::Event => ("type", serde_json::json!(typ)),
            EntityKind::Audit => ("user_id", serde_json::json!(user.to_string())),
            EntityKind::ChannelStat => ("followers", serde_json::json!(1)),
            EntityKind::Reporter | EntityKind::Person | EntityKind::Channel => {
                ("name", serde_json::json!("A"))
            }
            EntityKind::Post | EntityKind::AnswerTemplate => ("title", serde_json::json!("A")),
            EntityKind::Attachment => ("mime", serde_json::json!("image/png")),
            EntityKind::Inquiry => ("question", serde_json::json!("?")),
            EntityKind::User => ("full_name", serde_json::json!("A")),
            EntityKind::Case => ("summary", serde_json::json!("A")),
            EntityKind::Reference => ("retired", serde_json::json!(false)),
        };
        let entity_id = if entity == EntityKind::Reference {
            reference_version(station)
        } else {
            Uuid::now_v7()
        };
        Change {
            id: Uuid::now_v7(),
            entity,
            entity_id,
            station: station.into(),
            op,
            fields: [(field.0.to_string(), field.1)].into(),
            base: Default::default(),
            hlc: Hlc {
                wall_ms: NOW,
                counter: 0,
                node: 7,
            },
            device,
            user,
        }
    }

    fn user(role: &str, station: Option<&str>, province: &str, active: bool) -> User {
        User {
            id: Uuid::now_v7(),
            name: "A".into(),
            role: role.into(),
            station: station.map(str::to_string),
            province: province.into(),
            active,
        }
    }

    fn check(
        scope: &DeviceScope,
        dev: Uuid,
        user: Option<&User>,
        c: &Change,
    ) -> Result<String, RejectReason> {
        check_change(scope, dev, user, &AdminUnits::get(), NOW, c).map_err(|r| r.reason)
    }

    #[test]
    fn a_change_naming_another_device_is_refused() {
        let dev = Uuid::now_v7();
        let c = change(Uuid::now_v7(), "00004", EntityKind::Case, Op::Upsert, "");
        assert_eq!(
            check(&station("00004", "01"), dev, None, &c),
            Err(RejectReason::WrongDevice)
        );
    }

    #[test]
    fn a_clock_too_far_ahead_is_refused_and_the_allowed_drift_is_not() {
        let dev = Uuid::now_v7();
        let scope = station("00004", "01");
        let mut c = change(dev, "00004", EntityKind::Case, Op::Upsert, "");
        c.hlc.wall_ms = NOW + MAX_FUTURE_DRIFT_MS;
        assert_eq!(check(&scope, dev, None, &c), Ok("01".into()));
        c.hlc.wall_ms = NOW + MAX_FUTURE_DRIFT_MS + 1;
        assert_eq!(check(&scope, dev, None, &c), Err(RejectReason::ClockAhead));
    }

    #[test]
    fn an_unknown_unit_code_is_invalid() {
        let dev = Uuid::now_v7();
        let c = change(dev, "99999", EntityKind::Case, Op::Upsert, "");
        assert_eq!(
            check(&station("99999", "01"), dev, None, &c),
            Err(RejectReason::Invalid)
        );
        assert_eq!(
            check(&province("01"), dev, None, &c),
            Err(RejectReason::Invalid)
        );
    }

    #[test]
    fn a_station_device_writes_its_own_station_only() {
        let dev = Uuid::now_v7();
        let scope = station("00004", "01");
        let own = change(dev, "00004", EntityKind::Case, Op::Upsert, "");
        assert_eq!(check(&scope, dev, None, &own), Ok("01".into()));
        let neighbour = change(dev, "00008", EntityKind::Case, Op::Upsert, "");
        assert_eq!(
            check(&scope, dev, None, &neighbour),
            Err(RejectReason::OutOfScope)
        );
        // Its province's shared data is not its own either.
        let shared = change(dev, "01", EntityKind::AnswerTemplate, Op::Upsert, "");
        assert_eq!(
            check(&scope, dev, None, &shared),
            Err(RejectReason::OutOfScope)
        );
    }

    #[test]
    fn a_province_device_stays_in_its_province() {
        let dev = Uuid::now_v7();
        let review = change(
            dev,
            "24280",
            EntityKind::Event,
            Op::Insert,
            "reviewed_approved",
        );
        assert_eq!(
            check(&province("01"), dev, None, &review),
            Err(RejectReason::OutOfScope)
        );
        let shared = change(dev, "66", EntityKind::AnswerTemplate, Op::Upsert, "");
        assert_eq!(
            check(&province("01"), dev, None, &shared),
            Err(RejectReason::OutOfScope)
        );
    }

    #[test]
    fn a_province_device_writes_reviews_audits_and_shared_templates_only() {
        let dev = Uuid::now_v7();
        let scope = province("01");
        let ok = |e, op, typ, at: &str| check(&scope, dev, None, &change(dev, at, e, op, typ));
        for t in REVIEW_EVENT_TYPES {
            assert_eq!(
                ok(EntityKind::Event, Op::Insert, t, "00004"),
                Ok("01".into())
            );
        }
        assert_eq!(
            ok(EntityKind::Audit, Op::Insert, "", "00004"),
            Ok("01".into())
        );
        assert_eq!(
            ok(EntityKind::AnswerTemplate, Op::Upsert, "", "01"),
            Ok("01".into())
        );

        let refused = Err(RejectReason::NotReviewEvent);
        assert_eq!(
            ok(EntityKind::Event, Op::Insert, "closed", "00004"),
            refused
        );
        assert_eq!(
            ok(EntityKind::Event, Op::Upsert, "reviewed_approved", "00004"),
            refused
        );
        assert_eq!(ok(EntityKind::Audit, Op::Upsert, "", "00004"), refused);
        assert_eq!(ok(EntityKind::Case, Op::Upsert, "", "00004"), refused);
        assert_eq!(
            ok(EntityKind::AnswerTemplate, Op::Upsert, "", "00004"),
            refused
        );
        // Province-wide data other than answer templates.
        assert_eq!(ok(EntityKind::Audit, Op::Insert, "", "01"), refused);
        assert_eq!(
            ok(EntityKind::Event, Op::Insert, "reviewed_approved", "01"),
            refused
        );
        // An event without a type.
        let mut untyped = change(dev, "00004", EntityKind::Event, Op::Insert, "");
        untyped.fields.clear();
        assert_eq!(check(&scope, dev, None, &untyped), refused);
    }

    #[test]
    fn a_station_change_needs_an_active_user_of_that_station_when_the_user_is_known() {
        let dev = Uuid::now_v7();
        let scope = station("00004", "01");
        let c = change(dev, "00004", EntityKind::Case, Op::Upsert, "");
        let officer = user("officer", Some("00004"), "01", true);
        assert_eq!(check(&scope, dev, Some(&officer), &c), Ok("01".into()));
        let locked = user("officer", Some("00004"), "01", false);
        assert_eq!(
            check(&scope, dev, Some(&locked), &c),
            Err(RejectReason::UserNotAllowed)
        );
        let elsewhere = user("chief", Some("00008"), "01", true);
        assert_eq!(
            check(&scope, dev, Some(&elsewhere), &c),
            Err(RejectReason::UserNotAllowed)
        );
        let supervisor = user("supervisor", None, "01", true);
        assert_eq!(
            check(&scope, dev, Some(&supervisor), &c),
            Err(RejectReason::UserNotAllowed)
        );
    }

    #[test]
    fn a_province_change_needs_an_active_supervisor_or_admin_of_that_province() {
        let dev = Uuid::now_v7();
        let scope = province("01");
        let c = change(
            dev,
            "00004",
            EntityKind::Event,
            Op::Insert,
            "reviewed_returned",
        );
        for role in ["supervisor", "admin"] {
            let u = user(role, None, "01", true);
            assert_eq!(check(&scope, dev, Some(&u), &c), Ok("01".into()));
        }
        let refused = Err(RejectReason::UserNotAllowed);
        let officer = user("officer", None, "01", true);
        assert_eq!(check(&scope, dev, Some(&officer), &c), refused);
        let station_user = user("supervisor", Some("00004"), "01", true);
        assert_eq!(check(&scope, dev, Some(&station_user), &c), refused);
        let other_province = user("supervisor", None, "66", true);
        assert_eq!(check(&scope, dev, Some(&other_province), &c), refused);
        let locked = user("admin", None, "01", false);
        assert_eq!(check(&scope, dev, Some(&locked), &c), refused);
    }

    #[test]
    fn attachments_are_read_by_their_stations_and_their_province() {
        let units = AdminUnits::get();
        let owners = vec!["00004".to_string()];
        assert!(may_read_attachment(
            &station("00004", "01"),
            &units,
            &owners
        ));
        assert!(!may_read_attachment(
            &station("00008", "01"),
            &units,
            &owners
        ));
        assert!(may_read_attachment(&province("01"), &units, &owners));
        assert!(!may_read_attachment(&province("66"), &units, &owners));
        assert!(!may_read_attachment(&province("01"), &units, &[]));
    }

    fn owned(kind: EntityKind, owner: &str) -> Owned {
        Owned {
            kind,
            owner: owner.into(),
        }
    }

    /// A change of `entity` by station `at`, naming `case` in `case_id` when given.
    fn child(entity: EntityKind, at: &str, case: Option<Uuid>) -> Change {
        let mut c = change(Uuid::now_v7(), at, entity, Op::Insert, "note");
        if let Some(id) = case {
            c.fields
                .insert("case_id".into(), serde_json::json!(id.to_string()));
        }
        c
    }

    fn own(c: &Change, e: Option<Owned>, p: Option<Owned>) -> Result<(), RejectReason> {
        check_ownership(c, e.as_ref(), p.as_ref()).map_err(|r| r.reason)
    }

    #[test]
    fn a_new_entity_without_a_parent_is_owned_by_its_writer() {
        let c = change(Uuid::now_v7(), "24163", EntityKind::Case, Op::Upsert, "");
        assert_eq!(own(&c, None, None), Ok(()));
    }

    #[test]
    fn an_entity_owned_by_another_station_is_out_of_scope_whatever_its_label() {
        let c = change(Uuid::now_v7(), "24163", EntityKind::Case, Op::Upsert, "");
        assert_eq!(
            own(&c, Some(owned(EntityKind::Case, "24133")), None),
            Err(RejectReason::OutOfScope)
        );
        assert_eq!(
            own(&c, Some(owned(EntityKind::Case, "24163")), None),
            Ok(())
        );
        // Province-shared data belongs to the province.
        let t = change(
            Uuid::now_v7(),
            "24163",
            EntityKind::AnswerTemplate,
            Op::Upsert,
            "",
        );
        assert_eq!(
            own(&t, Some(owned(EntityKind::AnswerTemplate, "66")), None),
            Err(RejectReason::OutOfScope)
        );
    }

    #[test]
    fn an_id_of_another_kind_is_invalid() {
        let c = change(Uuid::now_v7(), "24163", EntityKind::Person, Op::Upsert, "");
        assert_eq!(
            own(&c, Some(owned(EntityKind::Case, "24163")), None),
            Err(RejectReason::Invalid)
        );
    }

    #[test]
    fn children_are_checked_against_their_parent_case() {
        let case = Uuid::now_v7();
        for kind in [
            EntityKind::Event,
            EntityKind::Person,
            EntityKind::Attachment,
        ] {
            let c = child(kind, "24163", Some(case));
            assert_eq!(
                own(&c, None, Some(owned(EntityKind::Case, "24133"))),
                Err(RejectReason::OutOfScope),
                "{kind:?} in another station's case"
            );
            assert_eq!(
                own(&c, None, Some(owned(EntityKind::Case, "24163"))),
                Ok(()),
                "{kind:?} in its own case"
            );
        }
    }

    #[test]
    fn a_reporter_is_checked_against_the_case_it_travels_under() {
        let case = Uuid::now_v7();
        let mut r = change(
            Uuid::now_v7(),
            "24163",
            EntityKind::Reporter,
            Op::Upsert,
            "",
        );
        r.entity_id = case;
        assert_eq!(parent_of(&r), Ok(Some((case, EntityKind::Case))));
        // The case's own record is the reporter's parent, not a kind collision.
        let theirs = owned(EntityKind::Case, "24133");
        assert_eq!(
            own(&r, Some(theirs.clone()), Some(theirs)),
            Err(RejectReason::OutOfScope)
        );
        let mine = owned(EntityKind::Case, "24163");
        assert_eq!(own(&r, Some(mine.clone()), Some(mine)), Ok(()));
        assert_eq!(own(&r, None, None), Err(RejectReason::Invalid));
    }

    #[test]
    fn a_child_of_a_case_the_server_does_not_have_is_invalid() {
        let c = child(EntityKind::Event, "24163", Some(Uuid::now_v7()));
        assert_eq!(own(&c, None, None), Err(RejectReason::Invalid));
        // A new child that names no case at all.
        let orphan = child(EntityKind::Person, "24163", None);
        assert_eq!(own(&orphan, None, None), Err(RejectReason::Invalid));
        // An update of a known person may leave its case out.
        assert_eq!(
            own(&orphan, Some(owned(EntityKind::Person, "24163")), None),
            Ok(())
        );
    }

    #[test]
    fn a_parent_of_the_wrong_kind_or_a_malformed_parent_id_is_invalid() {
        let c = child(EntityKind::Event, "24163", Some(Uuid::now_v7()));
        assert_eq!(
            own(&c, None, Some(owned(EntityKind::Person, "24163"))),
            Err(RejectReason::Invalid)
        );
        let mut bad = child(EntityKind::Event, "24163", None);
        bad.fields.insert("case_id".into(), serde_json::json!(42));
        assert_eq!(own(&bad, None, None), Err(RejectReason::Invalid));
    }

    #[test]
    fn a_channel_statistic_is_checked_against_its_channel() {
        let channel = Uuid::now_v7();
        let mut c = change(
            Uuid::now_v7(),
            "24163",
            EntityKind::ChannelStat,
            Op::Insert,
            "",
        );
        c.fields
            .insert("channel_id".into(), serde_json::json!(channel.to_string()));
        assert_eq!(
            own(&c, None, Some(owned(EntityKind::Channel, "24133"))),
            Err(RejectReason::OutOfScope)
        );
        assert_eq!(
            own(&c, None, Some(owned(EntityKind::Channel, "24163"))),
            Ok(())
        );
    }

    /// The id of the version the reference changes of these tests write, filed under `at`.
    fn reference_version(at: &str) -> Uuid {
        let province = AdminUnits::get()
            .province_of(at)
            .map_or(at.to_string(), str::to_string);
        tinbao_sync::reference::reference_id(&province, "cutoff_day", "default", "2026-07-01")
    }

    const ALL_KINDS: [EntityKind; 13] = [
        EntityKind::Case,
        EntityKind::Reporter,
        EntityKind::Person,
        EntityKind::Event,
        EntityKind::Attachment,
        EntityKind::Channel,
        EntityKind::ChannelStat,
        EntityKind::Post,
        EntityKind::Inquiry,
        EntityKind::AnswerTemplate,
        EntityKind::Audit,
        EntityKind::User,
        EntityKind::Reference,
    ];

    /// A benign value for a field, as the core would write it for `c`.
    fn value_for(field: &str, c: &Change, typ: &str) -> serde_json::Value {
        match field {
            "station" => serde_json::json!(c.station),
            "province" => serde_json::json!("01"),
            "user_id" => serde_json::json!(c.user.to_string()),
            "role" if c.entity == EntityKind::User => serde_json::json!("officer"),
            "type" => serde_json::json!(typ),
            "set_name" => serde_json::json!("cutoff_day"),
            "key" => serde_json::json!("default"),
            "effective_from" => serde_json::json!("2026-07-01"),
            "value" => serde_json::json!({"day": 25}),
            "retired" | "resolved" => serde_json::json!(false),
            "case_id" | "channel_id" | "template_id" => {
                serde_json::json!(Uuid::now_v7().to_string())
            }
            _ => serde_json::json!("x"),
        }
    }

    /// The writer's scope and the label of a change filed at `level`.
    fn at(writer: Writer, level: Level) -> (DeviceScope, &'static str) {
        let scope = match writer {
            Writer::StationPc => station("00004", "01"),
            Writer::Supervisor => province("01"),
        };
        let label = match level {
            Level::Station => "00004",
            Level::Province => "01",
        };
        (scope, label)
    }

    /// A change of the row's kind and operation at the row's level, writing `fields` with
    /// benign values (and, for events, of type `typ`).
    fn row_change(g: &Grant, dev: Uuid, fields: &[&str], typ: &str) -> Change {
        let (_, label) = at(g.writer, g.level);
        let mut c = change(dev, label, g.kind, g.op, typ);
        c.fields.clear();
        for f in fields {
            let v = value_for(f, &c, typ);
            c.fields.insert(f.to_string(), v);
        }
        if g.kind == EntityKind::Event {
            c.fields.insert("type".into(), serde_json::json!(typ));
        }
        if g.kind == EntityKind::Audit {
            c.fields
                .insert("user_id".into(), serde_json::json!(c.user.to_string()));
        }
        c
    }

    /// Why a writer is refused a kind, operation or level its table has no row for.
    fn no_row(writer: Writer) -> RejectReason {
        match writer {
            Writer::StationPc => RejectReason::Invalid,
            Writer::Supervisor => RejectReason::NotReviewEvent,
        }
    }

    /// The check behind each `grant_…` test: the row `(writer, kind, level, op)` of [`GRANTS`]
    /// admits every field it lists (all together and each alone) and every event type it
    /// covers; just outside it, a field it does not list, the other operation, the other level,
    /// an event type it does not cover and the value rules of its kind are refused.
    fn row_admits_its_own_and_refuses_its_edges(
        writer: Writer,
        kind: EntityKind,
        level: Level,
        op: Op,
    ) {
        let g = GRANTS
            .iter()
            .find(|g| g.writer == writer && g.kind == kind && g.level == level && g.op == op)
            .unwrap_or_else(|| panic!("no row {writer:?} {kind:?} {level:?} {op:?} in GRANTS"));
        let (scope, _) = at(writer, level);
        let dev = Uuid::now_v7();
        let verdict = |c: &Change| check(&scope, dev, None, c);
        let (own_types, other_types): (&[&str], &[&str]) = match g.events {
            EventTypes::NotAnEvent => (&["note"], &[]),
            EventTypes::Review => (REVIEW_EVENT_TYPES, &["note", "closed", "assigned"]),
            EventTypes::StationWork => (&["note", "closed", "assigned"], REVIEW_EVENT_TYPES),
        };

        // Inside: every field at once, each field alone, every covered event type.
        for typ in own_types {
            let c = row_change(g, dev, g.fields, typ);
            assert_eq!(verdict(&c), Ok("01".into()), "{g:?} type {typ}: {c:?}");
        }
        for f in g.fields {
            let c = row_change(g, dev, &[f], own_types[0]);
            assert_eq!(verdict(&c), Ok("01".into()), "{g:?} writing only {f}");
        }

        // Just outside: a field the row does not list (one of another kind's, and a password
        // hash, which no kind may carry).
        let stray = GRANTS
            .iter()
            .flat_map(|o| o.fields.iter().copied())
            .find(|f| !g.fields.contains(f))
            .unwrap_or("evil");
        for extra in [stray, "password_hash"] {
            let mut c = row_change(g, dev, g.fields, own_types[0]);
            c.fields.insert(extra.into(), serde_json::json!("x"));
            assert_eq!(
                verdict(&c),
                Err(RejectReason::Invalid),
                "{g:?} with the field {extra}"
            );
        }
        // The other operation, unless another row grants it.
        let other_op = match op {
            Op::Upsert => Op::Insert,
            Op::Insert => Op::Upsert,
        };
        if !GRANTS
            .iter()
            .any(|o| o.writer == writer && o.kind == kind && o.level == level && o.op == other_op)
        {
            let mut c = row_change(g, dev, g.fields, own_types[0]);
            c.op = other_op;
            assert_eq!(verdict(&c), Err(no_row(writer)), "{g:?} as {other_op:?}");
        }
        // The other level: a station's PC never writes under its province's code; a province
        // device only where another row lets it.
        let (other_level, label) = match level {
            Level::Station => (Level::Province, "01"),
            Level::Province => (Level::Station, "00004"),
        };
        if !GRANTS
            .iter()
            .any(|o| o.writer == writer && o.kind == kind && o.level == other_level && o.op == op)
        {
            let mut c = row_change(g, dev, g.fields, own_types[0]);
            c.station = label.into();
            if c.fields.contains_key("station") {
                c.fields.insert("station".into(), serde_json::json!(label));
            }
            // Reference data filed under a station is out of scope before it is anything else.
            let want = match writer {
                Writer::StationPc => RejectReason::OutOfScope,
                Writer::Supervisor if kind == EntityKind::Reference => RejectReason::OutOfScope,
                Writer::Supervisor => RejectReason::NotReviewEvent,
            };
            assert_eq!(verdict(&c), Err(want), "{g:?} at {other_level:?}");
        }
        // An event type the row does not cover: a station's review decision is out of its
        // scope, a province's station work is not a review.
        for typ in other_types {
            let c = row_change(g, dev, g.fields, typ);
            let want = match g.events {
                EventTypes::Review => RejectReason::NotReviewEvent,
                _ => RejectReason::OutOfScope,
            };
            assert_eq!(verdict(&c), Err(want), "{g:?} type {typ}");
        }
        // The value rules of the row's kind.
        let mut c = row_change(g, dev, g.fields, own_types[0]);
        if c.fields.contains_key("station") {
            c.fields
                .insert("station".into(), serde_json::json!("00008"));
            assert_eq!(
                verdict(&c),
                Err(RejectReason::OutOfScope),
                "{g:?} naming another station in its station field"
            );
        }
        if kind == EntityKind::Audit {
            let mut c = row_change(g, dev, g.fields, own_types[0]);
            c.fields.insert(
                "user_id".into(),
                serde_json::json!(Uuid::now_v7().to_string()),
            );
            assert_eq!(
                verdict(&c),
                Err(RejectReason::UserNotAllowed),
                "{g:?} in another user's name"
            );
        }
        if kind == EntityKind::User && writer == Writer::StationPc {
            for role in ["supervisor", "admin"] {
                let mut c = row_change(g, dev, g.fields, own_types[0]);
                c.fields.insert("role".into(), serde_json::json!(role));
                assert_eq!(
                    verdict(&c),
                    Err(RejectReason::UserNotAllowed),
                    "{g:?} with the role {role}"
                );
            }
        }
    }

    /// One named test per row of [`GRANTS`], and [`NAMED_ROWS`], the rows they cover, which
    /// `every_row_of_the_table_has_its_named_test` compares with the table.
    macro_rules! grant_tests {
        ($($name:ident: $writer:ident $kind:ident at $level:ident $op:ident;)*) => {
            $(
                #[test]
                fn $name() {
                    row_admits_its_own_and_refuses_its_edges(
                        Writer::$writer,
                        EntityKind::$kind,
                        Level::$level,
                        Op::$op,
                    );
                }
            )*
            const NAMED_ROWS: &[(Writer, EntityKind, Level, Op)] =
                &[$((Writer::$writer, EntityKind::$kind, Level::$level, Op::$op)),*];
        };
    }

    grant_tests! {
        grant_station_pc_case_upsert: StationPc Case at Station Upsert;
        grant_station_pc_reporter_upsert: StationPc Reporter at Station Upsert;
        grant_station_pc_person_upsert: StationPc Person at Station Upsert;
        grant_station_pc_event_insert: StationPc Event at Station Insert;
        grant_station_pc_attachment_insert: StationPc Attachment at Station Insert;
        grant_station_pc_channel_upsert: StationPc Channel at Station Upsert;
        grant_station_pc_channel_stat_insert: StationPc ChannelStat at Station Insert;
        grant_station_pc_post_upsert: StationPc Post at Station Upsert;
        grant_station_pc_inquiry_upsert: StationPc Inquiry at Station Upsert;
        grant_station_pc_answer_template_upsert: StationPc AnswerTemplate at Station Upsert;
        grant_station_pc_audit_insert: StationPc Audit at Station Insert;
        grant_station_pc_user_upsert: StationPc User at Station Upsert;
        grant_supervisor_review_event_insert: Supervisor Event at Station Insert;
        grant_supervisor_audit_insert: Supervisor Audit at Station Insert;
        grant_supervisor_province_answer_template_upsert: Supervisor AnswerTemplate at Province Upsert;
        grant_supervisor_province_reference_upsert: Supervisor Reference at Province Upsert;
    }

    /// A row added to (or changed in) [`GRANTS`] without its named test above fails here.
    #[test]
    fn every_row_of_the_table_has_its_named_test() {
        let rows: Vec<_> = GRANTS
            .iter()
            .map(|g| (g.writer, g.kind, g.level, g.op))
            .collect();
        for r in &rows {
            assert!(
                NAMED_ROWS.contains(r),
                "GRANTS row {r:?} has no grant_… test: add one to grant_tests!"
            );
        }
        for r in NAMED_ROWS {
            assert!(rows.contains(r), "grant_… test for {r:?}, not in GRANTS");
        }
        assert_eq!(rows.len(), NAMED_ROWS.len());
    }

    #[test]
    fn a_station_may_not_write_a_review_decision() {
        let dev = Uuid::now_v7();
        for t in REVIEW_EVENT_TYPES {
            let c = change(dev, "00004", EntityKind::Event, Op::Insert, t);
            assert_eq!(
                check(&station("00004", "01"), dev, None, &c),
                Err(RejectReason::OutOfScope)
            );
        }
        let mut untyped = change(dev, "00004", EntityKind::Event, Op::Insert, "");
        untyped.fields.clear();
        assert_eq!(
            check(&station("00004", "01"), dev, None, &untyped),
            Err(RejectReason::Invalid)
        );
    }

    #[test]
    fn a_station_gives_its_accounts_no_role_above_chief_nor_another_unit() {
        let dev = Uuid::now_v7();
        let scope = station("00004", "01");
        let account = |field: &str, v: serde_json::Value| {
            let mut c = change(dev, "00004", EntityKind::User, Op::Upsert, "");
            c.fields.insert(field.into(), v);
            check(&scope, dev, None, &c)
        };
        for role in STATION_ROLES {
            assert_eq!(account("role", serde_json::json!(role)), Ok("01".into()));
        }
        for role in ["supervisor", "admin", "root", ""] {
            assert_eq!(
                account("role", serde_json::json!(role)),
                Err(RejectReason::UserNotAllowed),
                "{role}"
            );
        }
        assert_eq!(
            account("role", serde_json::json!(null)),
            Err(RejectReason::UserNotAllowed)
        );
        assert_eq!(
            account("station", serde_json::json!("00004")),
            Ok("01".into())
        );
        assert_eq!(account("station", serde_json::json!(null)), Ok("01".into()));
        assert_eq!(
            account("station", serde_json::json!("00008")),
            Err(RejectReason::OutOfScope)
        );
        assert_eq!(
            account("province", serde_json::json!("01")),
            Ok("01".into())
        );
        assert_eq!(
            account("province", serde_json::json!("66")),
            Err(RejectReason::OutOfScope)
        );
    }

    #[test]
    fn an_audit_row_is_written_in_its_writers_own_name() {
        for (scope, label) in [(station("00004", "01"), "00004"), (province("01"), "00004")] {
            let dev = Uuid::now_v7();
            let mut c = change(dev, label, EntityKind::Audit, Op::Insert, "");
            assert_eq!(check(&scope, dev, None, &c), Ok("01".into()));
            c.fields.insert(
                "user_id".into(),
                serde_json::json!(Uuid::now_v7().to_string()),
            );
            assert_eq!(
                check(&scope, dev, None, &c),
                Err(RejectReason::UserNotAllowed)
            );
            c.fields.remove("user_id");
            assert_eq!(
                check(&scope, dev, None, &c),
                Err(RejectReason::UserNotAllowed)
            );
        }
    }

    #[test]
    fn a_records_station_field_names_the_changes_station() {
        let dev = Uuid::now_v7();
        let mut c = change(dev, "00004", EntityKind::Case, Op::Upsert, "");
        c.fields
            .insert("station".into(), serde_json::json!("00008"));
        assert_eq!(
            check(&station("00004", "01"), dev, None, &c),
            Err(RejectReason::OutOfScope)
        );
        c.fields.insert("station".into(), serde_json::json!(null));
        assert_eq!(
            check(&station("00004", "01"), dev, None, &c),
            Err(RejectReason::OutOfScope)
        );
    }

    #[test]
    fn an_operation_or_field_outside_the_table_is_invalid_for_a_station() {
        let dev = Uuid::now_v7();
        let scope = station("00004", "01");
        let c = change(dev, "00004", EntityKind::Case, Op::Insert, "");
        assert_eq!(check(&scope, dev, None, &c), Err(RejectReason::Invalid));
        let mut c = change(dev, "00004", EntityKind::Case, Op::Upsert, "");
        c.fields
            .insert("password_hash".into(), serde_json::json!("x"));
        assert_eq!(check(&scope, dev, None, &c), Err(RejectReason::Invalid));
    }

    /// A full reference version as a province laptop writes it, filed under `at`.
    fn reference_change(dev: Uuid, at: &str, value: serde_json::Value) -> Change {
        let mut c = change(dev, at, EntityKind::Reference, Op::Upsert, "");
        c.fields = [
            ("set_name", serde_json::json!("cutoff_day")),
            ("key", serde_json::json!("default")),
            ("effective_from", serde_json::json!("2026-07-01")),
            ("value", value),
            ("retired", serde_json::json!(false)),
            ("resolved", serde_json::json!(false)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        c
    }

    /// GRANTS row: a province device writes the province's reference data, under the
    /// province's code, with values that pass the reference rules and the id of its version.
    #[test]
    fn grant_supervisor_writes_the_provinces_reference_data() {
        let dev = Uuid::now_v7();
        let ok = reference_change(dev, "01", serde_json::json!({"day": 25}));
        assert_eq!(check(&province("01"), dev, None, &ok), Ok("01".into()));
        let bad = reference_change(dev, "01", serde_json::json!({"day": 31}));
        assert_eq!(
            check(&province("01"), dev, None, &bad),
            Err(RejectReason::Invalid)
        );
        let mut other_id = ok.clone();
        other_id.entity_id = Uuid::now_v7();
        assert_eq!(
            check(&province("01"), dev, None, &other_id),
            Err(RejectReason::Invalid)
        );
        // An update may carry only the value.
        let mut update = ok.clone();
        update.fields.retain(|k, _| k == "value");
        assert_eq!(check(&province("01"), dev, None, &update), Ok("01".into()));
        // Another province's laptop may not, nor may a province laptop file it under a commune.
        assert_eq!(
            check(&province("66"), dev, None, &ok),
            Err(RejectReason::OutOfScope)
        );
        let under_commune = reference_change(dev, "00004", serde_json::json!({"day": 25}));
        assert_eq!(
            check(&province("01"), dev, None, &under_commune),
            Err(RejectReason::OutOfScope)
        );
    }

    #[test]
    fn a_station_writing_reference_data_is_refused_out_of_scope() {
        let dev = Uuid::now_v7();
        let scope = station("00004", "01");
        for at in ["00004", "01"] {
            let c = reference_change(dev, at, serde_json::json!({"day": 25}));
            assert_eq!(
                check(&scope, dev, None, &c),
                Err(RejectReason::OutOfScope),
                "{at}"
            );
        }
    }

    mod outside_the_table {
        use super::*;
        use proptest::prelude::*;

        /// Every field name of every kind, and one no kind has.
        fn field_pool() -> Vec<&'static str> {
            let mut all: Vec<&str> = GRANTS
                .iter()
                .flat_map(|g| g.fields.iter().copied())
                .collect();
            all.push("evil");
            all.sort_unstable();
            all.dedup();
            all
        }

        fn in_table(writer: Writer, level: Level, c: &Change, typ: Option<&str>) -> bool {
            GRANTS.iter().any(|g| {
                g.writer == writer
                    && g.kind == c.entity
                    && g.level == level
                    && g.op == c.op
                    && c.fields.keys().all(|f| g.fields.contains(&f.as_str()))
                    && match g.events {
                        EventTypes::NotAnEvent => true,
                        EventTypes::Review => typ.is_some_and(|t| REVIEW_EVENT_TYPES.contains(&t)),
                        EventTypes::StationWork => {
                            typ.is_some_and(|t| !REVIEW_EVENT_TYPES.contains(&t))
                        }
                    }
            })
        }

        proptest! {
            #[test]
            fn every_change_outside_the_table_is_refused(
                province_device in any::<bool>(),
                province_level in any::<bool>(),
                kind in 0..ALL_KINDS.len(),
                insert in any::<bool>(),
                fields in proptest::sample::subsequence(field_pool(), 0..6),
                typ in proptest::option::of(prop_oneof![
                    Just("reviewed_approved"),
                    Just("reviewed_returned"),
                    Just("note"),
                    Just("closed"),
                ]),
            ) {
                let writer = if province_device { Writer::Supervisor } else { Writer::StationPc };
                let level = if province_level { Level::Province } else { Level::Station };
                let (scope, label) = at(writer, level);
                let dev = Uuid::now_v7();
                let op = if insert { Op::Insert } else { Op::Upsert };
                let mut c = change(dev, label, ALL_KINDS[kind], op, "");
                c.fields.clear();
                for f in fields {
                    let v = value_for(f, &c, typ.unwrap_or("note"));
                    c.fields.insert(f.to_string(), v);
                }
                if let Some(t) = typ {
                    c.fields.insert("type".into(), serde_json::json!(t));
                } else {
                    c.fields.remove("type");
                }
                let verdict = check(&scope, dev, None, &c);
                if !in_table(writer, level, &c, typ) {
                    prop_assert!(verdict.is_err(), "admitted {c:?}");
                }
            }
        }
    }
}
