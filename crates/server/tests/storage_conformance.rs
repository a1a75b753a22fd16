//! The storage conformance suite (`storage::conformance`) against the embedded SQLite store,
//! each property on fresh stores in their own temporary directories.
use std::cell::RefCell;
use tinbao_server::storage::Storage;
use tinbao_server::storage::conformance::{self, Property};
use tinbao_server::storage::sqlite::SqliteStorage;

fn with_sqlite(property: Property) {
    // The directories live until the property is done with every store it made.
    let dirs = RefCell::new(Vec::new());
    let make = || -> Box<dyn Storage> {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = SqliteStorage::open(
            &dir.path().join("server.db"),
            &tinbao_server::storage::sqlite::StoreKey::from_hex(&"cd".repeat(32)).expect("key"),
        )
        .expect("open store");
        dirs.borrow_mut().push(dir);
        Box::new(store)
    };
    property(&make);
}

macro_rules! properties {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { with_sqlite(conformance::$name); } )*

        /// Every property of the suite is run above.
        #[test]
        fn no_property_is_left_out() {
            let mut here = vec![$(stringify!($name)),*];
            let mut suite: Vec<&str> = conformance::PROPERTIES.iter().map(|(n, _)| *n).collect();
            here.sort_unstable();
            suite.sort_unstable();
            assert_eq!(here, suite);
        }
    };
}

properties!(
    migrate_is_repeatable,
    sequence_numbers_increase_and_become_visible,
    pushing_a_change_twice_stores_it_once,
    cursors_page_exactly_and_in_order,
    a_device_does_not_pull_its_own_changes,
    scopes_separate_stations_and_provinces,
    stations_and_users,
    enrolment_codes_are_one_time,
    station_devices_get_slots_and_keep_them,
    revocation_holds_until_an_administrator_lifts_it,
    a_known_device_id_is_not_taken_by_another_scope,
    attachment_owners_are_a_set,
    the_first_stored_writer_owns_an_entity,
    leases_are_the_lowest_free_numbers_and_never_shared,
    handed_back_numbers_are_leased_again_first,
    a_fallback_class_is_kept_from_others_above_the_floor_held,
    stored_cases_and_fallbacks_account_for_their_numbers,
    a_revoked_device_hands_its_leases_back,
);
