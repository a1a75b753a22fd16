//! tinbao-core: a commune police station's register of crime reports and security
//! information, kept in an encrypted SQLite database. No Tauri and no HTTP here: the desktop
//! app, the command line and the sync client are thin layers over this crate.
//!
//! # Rooms
//!
//! The modules stand on floors, and each imports only modules on its own floor listed above it
//! or on a lower floor, never one below it in this table: there is no import circle, and the
//! ground floor never calls a feature. `tests/layers.rs` reads every `crate::` and `super::`
//! path of `src/` and fails when that stops being true. `Store` is declared on the ground
//! floor; each module that extends it adds the methods listed beside it, in its one file.
//!
//! | floor | module | holds | `Store` methods it adds |
//! |---|---|---|---|
//! | basics | `error` | the one error type, in Vietnamese | |
//! | basics | `text` | folding Vietnamese for search, FTS queries, number formatting | |
//! | basics | `time` | Vietnam time (`vn_offset`, `vn_time`) | |
//! | basics | `model` | the domain types (`Case…`, `Actor`, `Action`, closed lists) | |
//! | basics | `admin_units` | provinces and communes, loaded from the shipped list | |
//! | index | `search_index` | the FTS index's entries: built from a case's row or from memory, rebuilt by a migration, merged | |
//! | index | `reference` | the province's reference versions over a bare connection: which version is in force on a day (`rule_at` for the deadline engine) | |
//! | index | `clocks` | a case's clocks from its events, the deadline rules, holidays and the remote flag; recomputed by a migration | |
//! | ground | `store` | opening, keying and migrating the file; `Writer` and the outbox (both ends); the entity-to-table map; settings and `meta`; one audit entry in a transaction; idle upkeep | `create` `open` `scope` `device_id` `path` `schema_version` `in_scope` `admin_provinces` `admin_communes` `admin_commune` `setting` `set_setting` `pending_changes` `pending_changes_except` `set_aside_refused` `refused_changes` `mark_pushed` `checkpoint` `merge_search_index` `idle_upkeep` `explain` |
//! | features | `workflow` | a case's state folded from its events; which transitions an actor may take | |
//! | features | `holidays` | the holiday calendar (days off, compensatory working Saturdays) with its basis | `holidays` `set_holiday` `remove_holiday` |
//! | features | `deadlines` | deadline rules with their legal basis, working days | `deadline_rules` `set_deadline_rule` |
//! | features | `audit` | reading the audit trail | `audit` `audit_log` `audit_head` |
//! | features | `case_row` | a case's row: synced columns written at intake or from sync, projected columns derived from events, read back for lists | |
//! | features | `users` | accounts, Argon2id passwords, offline login | `has_users` `create_user` `login` `users` `user` `set_user_active` `reset_password` `change_password` `record_login_unlock` `set_investigator` |
//! | features | `community` | channels, posts, answer templates, citizens' inquiries | `add_channel` `record_followers` `channels` `add_post` `set_post_reach` `posts` `save_answer_template` `answer_templates` `add_inquiry` `inquiries` |
//! | features | `backup` | encrypted backups, checked restore, integrity check, re-keying | `backup` `verify` `verify_file` `restore` `rekey` |
//! | features | `numbers` | register numbers: leases from the province, offline fallback, hand-back, the printed register that accounts for every number | `number_request` `apply_number_grant` `numbers_leased` `hand_back_numbers` `register_book` |
//! | features | `sanctions` | administrative sanctions per violator: fining caps by title as dated data, a minor's age at the violation, the checks of a decision, the figures | `fine_caps` |
//! | features | `cases` | the register: intake and numbering, the case screen, workflow actions, persons, attachments, the confidential reporter | `intake` `numbering` `set_numbering` `case_detail` `reveal_reporter` `act` `add_person` `add_attachment` `attachment_bytes` `categories` `category_groups` |
//! | features | `search` | the search box and filters, duplicate suggestions | `search` `suggest_duplicates` |
//! | features | `stats` | the upward report (month, quarter, year) | `key_labels` `stats` `stats_cutoff_day` `current_period` |
//! | features | `hotspots` | where reports cluster: counts by commune, hamlet and category | `hotspots` |
//! | features | `catalog` | the Danh mục screen: setting reference versions on a province laptop, the local tables kept to the versions in force, open cases' clocks recomputed and audited, conflicts between administrators | `reference` `set_reference` `reference_conflicts` `resolve_reference_conflict` `refresh_reference` `station_remote` `set_station_remote` |
//! | features | `replica` | applying other devices' changes; sync cursor, enrolment, state; attachment bytes in transit; conflicts | `apply_remote` `set_cursor` `pull_own_after_restore` `pulled_own_after_restore` `record_sync_result` `set_enrolment` `credential_secret` `enrolment` `sync_state` `missing_blobs` `unsent_blobs` `blob` `mark_blob_uploaded` `put_blob` `conflicts` |
//! | features | `interchange` | import and export: JSON Lines and the stations' Excel CSV | `import_jsonl` `import_csv` `export_jsonl` `export_csv` |
//! | features | `alerts` | deadline alerts for the desktop's notifications, each given once | `take_alerts` |
//! | features | `today` | the Today screen | `today` |
//! | features | `fuzzing` | entry points of the fuzz targets in `fuzz/`: the import readers without a database (hidden, not an API) | |
#![forbid(unsafe_code)]

pub mod admin_units;
pub mod alerts;
pub mod audit;
pub mod backup;
mod case_row;
pub mod cases;
pub mod catalog;
mod clocks;
pub mod community;
pub mod deadlines;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod holidays;
pub mod hotspots;
pub mod interchange;
pub mod model;
pub mod numbers;
pub mod reference;
pub mod replica;
pub mod sanctions;
pub mod search;
mod search_index;
pub mod stats;
pub mod store;
pub mod text;
pub mod time;
pub mod today;
pub mod users;
pub mod workflow;

pub use error::{Error, Result};
pub use model::*;
pub use store::{SCHEMA_VERSION, Store, create_at_version, system_actor};
pub use tinbao_sync::{Change, EntityKind};
