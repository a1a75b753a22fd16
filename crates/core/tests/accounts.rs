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

/// How an officer's account reaches a second PC of the same station: by sync, without its
/// password hash (hashes never leave the PC that set them, nor reach the province). The
/// officer cannot log in there until that PC's chief sets a password, which stays there too.
#[test]
fn an_account_reaches_a_second_pc_without_its_password_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, chief_a) = station(&dir, "a.db", BAC_KAN);
    let off = officer(&mut a, &chief_a);
    a.change_password(&off, "matkhau-456", "matkhau-moi-789")
        .unwrap();
    let from_a = a.pending_changes(1000).unwrap();
    assert!(from_a.iter().any(|c| c.entity == EntityKind::User));
    for c in &from_a {
        assert!(
            !c.fields.contains_key("password_hash"),
            "a hash left the PC: {c:?}"
        );
    }

    let mut b =
        Store::create(dir.path().join("b.db"), KEY, Scope::Station(BAC_KAN.into())).unwrap();
    b.create_user(
        None,
        NewUser {
            username: "photruong".into(),
            full_name: "Phó trưởng".into(),
            rank: None,
            role: Role::Chief,
            password: "matkhau-pho-1".into(),
        },
    )
    .unwrap();
    let chief_b = b.login("photruong", "matkhau-pho-1").unwrap();
    // A change sent before hashes stayed home still carries one: it is not taken either.
    let mut old_style = from_a.clone();
    for c in old_style
        .iter_mut()
        .filter(|c| c.entity == EntityKind::User)
    {
        c.fields
            .insert("password_hash".into(), "$argon2id$v=19$forged".into());
    }
    let r = b.apply_remote(&old_style).unwrap();
    assert_eq!((r.rejected, r.deferred), (0, 0), "{r:?}");
    let canbo = b
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.username == "canbo")
        .expect("the account arrived");
    assert!(canbo.active);
    assert!(matches!(
        b.login("canbo", "matkhau-moi-789"),
        Err(Error::BadCredentials)
    ));
    b.reset_password(&chief_b, canbo.id, "matkhau-may-b-1")
        .unwrap();
    assert_eq!(
        b.login("canbo", "matkhau-may-b-1").unwrap().user_id,
        off.user_id
    );
    assert!(
        b.pending_changes(1000)
            .unwrap()
            .iter()
            .all(|c| !c.fields.contains_key("password_hash"))
    );
    // A's password is A's.
    assert!(a.login("canbo", "matkhau-moi-789").is_ok());
}
