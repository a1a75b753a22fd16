//! Accounts and roles: creating, logging in offline, locking, resetting passwords.
mod common;

use common::*;
use tinbao_core::*;

#[test]
fn accounts_roles_and_offline_login() {
    let dir = tempfile::tempdir().unwrap();
    let mut s =
        Store::create(dir.path().join("a.db"), KEY, Scope::Station(BAC_KAN.into())).unwrap();
    let bad = NewUser {
        username: "x1".into(),
        full_name: "X".into(),
        rank: None,
        role: Role::Officer,
        password: "matkhau-123".into(),
    };
    assert!(
        s.create_user(None, bad).is_err(),
        "first account must be the chief"
    );
    let (_, chief) = {
        let mut d = s;
        d.create_user(
            None,
            NewUser {
                username: "truong".into(),
                full_name: "T".into(),
                rank: None,
                role: Role::Chief,
                password: "matkhau-123".into(),
            },
        )
        .unwrap();
        let c = d.login("truong", "matkhau-123").unwrap();
        s = d;
        ((), c)
    };
    assert!(matches!(
        s.login("truong", "sai"),
        Err(Error::BadCredentials)
    ));
    assert!(matches!(
        s.login("khongco", "matkhau-123"),
        Err(Error::BadCredentials)
    ));
    let off = officer(&mut s, &chief);
    assert!(
        s.create_user(
            Some(&off),
            NewUser {
                username: "thu3".into(),
                full_name: "T".into(),
                rank: None,
                role: Role::Officer,
                password: "12345678".into()
            }
        )
        .is_err()
    );
    assert!(
        s.reset_password(&off, chief.user_id, "matkhau-moi-1")
            .is_err(),
        "an officer resets no one"
    );
    s.reset_password(&chief, off.user_id, "matkhau-moi-1")
        .unwrap();
    assert!(s.login("canbo", "matkhau-456").is_err());
    let off = s.login("canbo", "matkhau-moi-1").unwrap();
    assert!(
        s.audit_log(&chief, 20)
            .unwrap()
            .iter()
            .any(|r| r.action == "password_reset")
    );
    s.set_user_active(&chief, off.user_id, false).unwrap();
    assert!(matches!(
        s.login("canbo", "matkhau-moi-1"),
        Err(Error::InactiveUser)
    ));
    let log = s.audit_log(&chief, 50).unwrap();
    assert!(log.iter().any(|r| r.action == "login"));
}
