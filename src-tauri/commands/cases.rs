//! The register: intake, search, a case and its workflow. Each command parses, calls the
//! core once and maps the error; the rules live in tinbao-core.
use crate::state::{AppState, CmdError, CmdResult};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use tinbao_core::numbers::RegisterBook;
use tinbao_core::sanctions::FineCap;
use tinbao_core::search::{SearchPage, SearchQuery};
use tinbao_core::{
    Action, CaseClass, CaseDetail, CaseRow, Channel, ClockState, Kind, LegalGroup, NewCase,
    NewPerson, NoticeTo, PersonRole, ProsecutionDecision, Reporter, ResolutionStep, Role, Status,
    Urgency,
};
use ts_rs::TS;
use uuid::Uuid;

/// One code of a closed list with its labels, so the UI never keeps its own copy.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Label {
    pub code: String,
    pub vi: String,
    pub en: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Vocab {
    pub kinds: Vec<Label>,
    pub channels: Vec<Label>,
    pub urgencies: Vec<Label>,
    pub statuses: Vec<Label>,
    pub roles: Vec<Label>,
    pub person_roles: Vec<Label>,
    pub prosecution_decisions: Vec<Label>,
    /// What a case is, chosen at classification; which clocks run depends on it.
    pub case_classes: Vec<Label>,
    pub resolution_steps: Vec<Label>,
    pub notice_to: Vec<Label>,
    pub clock_states: Vec<Label>,
    /// The station's configurable category list.
    pub categories: Vec<Label>,
    /// The legal groups of the upward report, and the group each category counts in.
    pub legal_groups: Vec<Label>,
    pub category_groups: Vec<CategoryGroup>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CategoryGroup {
    pub category: String,
    pub group: String,
}

macro_rules! labels {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|v| Label {
                code: v.as_str().to_owned(),
                vi: v.label_vi().to_owned(),
                en: v.label_en().to_owned(),
            })
            .collect()
    };
}

pub async fn vocab(state: &AppState) -> CmdResult<Vocab> {
    state.with(|s| {
        let categories = s
            .store
            .categories()?
            .into_iter()
            .map(|(code, vi, en)| Label { code, vi, en })
            .collect();
        Ok(Vocab {
            kinds: labels!(Kind),
            channels: labels!(Channel),
            urgencies: labels!(Urgency),
            statuses: labels!(Status),
            roles: labels!(Role),
            person_roles: labels!(PersonRole),
            prosecution_decisions: labels!(ProsecutionDecision),
            case_classes: labels!(CaseClass),
            resolution_steps: labels!(ResolutionStep),
            notice_to: labels!(NoticeTo),
            clock_states: labels!(ClockState),
            categories,
            legal_groups: labels!(LegalGroup),
            category_groups: s
                .store
                .category_groups()?
                .into_iter()
                .map(|(category, g)| CategoryGroup {
                    category,
                    group: g.as_str().to_owned(),
                })
                .collect(),
        })
    })
}

/// A file dropped or chosen in the UI, as base64 (screenshots are small; JSON keeps it simple).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct FileUpload {
    pub name: String,
    pub data_base64: String,
}

fn decode(f: &FileUpload) -> CmdResult<Vec<u8>> {
    B64.decode(f.data_base64.as_bytes()).map_err(|_| {
        CmdError::invalid(format!(
            "Không đọc được tệp “{}”. Hãy chọn lại tệp.",
            f.name
        ))
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IntakeResult {
    pub case: CaseDetail,
    /// Files that could not be attached, each with the reason; the case itself is saved.
    pub attachment_errors: Vec<String>,
}

/// Registers a report and attaches the files dropped on the form. The case is saved first:
/// a bad file must not lose the report.
pub async fn intake(
    state: &AppState,
    case: NewCase,
    files: Vec<FileUpload>,
) -> CmdResult<IntakeResult> {
    state.with(|s| {
        let mut detail = s.store.intake(&s.actor, case)?;
        let mut attachment_errors = Vec::new();
        for f in &files {
            let res = decode(f).and_then(|b| {
                Ok(s.store
                    .add_attachment(&s.actor, detail.row.id, &f.name, &b)?)
            });
            match res {
                Ok(d) => detail = d,
                Err(e) => attachment_errors.push(format!("{}: {}", f.name, e.message)),
            }
        }
        Ok(IntakeResult {
            case: detail,
            attachment_errors,
        })
    })
}

pub async fn suggest_duplicates(state: &AppState, case: NewCase) -> CmdResult<Vec<CaseRow>> {
    state.with(|s| Ok(s.store.suggest_duplicates(&s.actor, &case)?))
}

pub async fn search(state: &AppState, query: SearchQuery) -> CmdResult<SearchPage> {
    state.with(|s| Ok(s.store.search(&s.actor, &query)?))
}

pub async fn case_detail(state: &AppState, id: Uuid) -> CmdResult<CaseDetail> {
    state.with(|s| Ok(s.store.case_detail(&s.actor, id)?))
}

/// Audited in the core: every reveal leaves a record of who saw the reporter and when.
pub async fn reveal_reporter(state: &AppState, id: Uuid) -> CmdResult<Option<Reporter>> {
    state.with(|s| Ok(s.store.reveal_reporter(&s.actor, id)?))
}

/// The fining caps by title and sector with their dates and basis, for the sanction form.
pub async fn fine_caps(state: &AppState) -> CmdResult<Vec<FineCap>> {
    state.with(|s| Ok(s.store.fine_caps()?))
}

pub async fn act(state: &AppState, id: Uuid, action: Action) -> CmdResult<CaseDetail> {
    state.with(|s| Ok(s.store.act(&s.actor, id, action)?))
}

pub async fn add_person(state: &AppState, id: Uuid, person: NewPerson) -> CmdResult<CaseDetail> {
    state.with(|s| Ok(s.store.add_person(&s.actor, id, person)?))
}

pub async fn add_attachment(state: &AppState, id: Uuid, file: FileUpload) -> CmdResult<CaseDetail> {
    let bytes = decode(&file)?;
    state.with(|s| Ok(s.store.add_attachment(&s.actor, id, &file.name, &bytes)?))
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AttachmentData {
    pub mime: String,
    pub data_base64: String,
}

/// An attachment's bytes for a preview (shown through a blob: URL, never as HTML).
pub async fn attachment_data(state: &AppState, sha256: String) -> CmdResult<AttachmentData> {
    state.with(|s| {
        let (mime, bytes) = s.store.attachment_bytes(&s.actor, &sha256)?;
        Ok(AttachmentData {
            mime,
            data_base64: B64.encode(bytes),
        })
    })
}

/// Printing the receipt record is an act on confidential paper: the core's audit log keeps it.
pub async fn record_print(state: &AppState, id: Uuid, what: String) -> CmdResult<()> {
    state.with(|s| {
        let row = s.store.case_detail(&s.actor, id)?.row;
        s.store.audit(
            &s.actor,
            "printed",
            Some(&format!("{} ({id})", row.register_no)),
            Some(&what),
        )?;
        Ok(())
    })
}

/// The register of a year for printing (sổ tiếp nhận): every number in order, each with its
/// case or why it has none; never the reporter.
pub async fn register_book(state: &AppState, year: i32) -> CmdResult<RegisterBook> {
    state.with(|s| Ok(s.store.register_book(&s.actor, year)?))
}

/// Records that the register of a year was printed (the audit log).
pub async fn record_register_print(state: &AppState, year: i32) -> CmdResult<()> {
    state.with(|s| {
        let book = s.store.register_book(&s.actor, year)?;
        s.store.audit(
            &s.actor,
            "printed",
            Some(&format!("sổ tiếp nhận năm {year}")),
            Some(&format!(
                "{} số, {} chưa dùng",
                book.lines.len(),
                book.unused
            )),
        )?;
        Ok(())
    })
}
