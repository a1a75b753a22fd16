//! The command line's contract, as scripts rely on it: outputs, JSON, exit statuses.
use std::path::Path;
use std::process::{Command, Output};

fn tinbao(db: &Path, key: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tinbao"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("TINBAO_KEY", key)
        .output()
        .unwrap()
}

/// `stats` from 2020 to 2030, with the extra arguments.
fn stats_2020s(db: &Path, extra: &[&str]) -> Output {
    let args = [
        &["stats", "--from", "01/01/2020", "--to", "31/12/2030"],
        extra,
    ]
    .concat();
    tinbao(db, "k", &args)
}

/// Exit status 0, or the test fails with what the command said on stderr.
fn succeeds(o: Output) -> Output {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn a_station_from_init_to_backup() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cu-mgar.db");
    let o = succeeds(tinbao(&db, "k", &["init", "--station", "24280"]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Cư M’gar"));
    // Unknown commune code and an existing database are errors.
    assert_eq!(
        tinbao(
            &dir.path().join("x.db"),
            "k",
            &["init", "--station", "99999"]
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        tinbao(&db, "k", &["init", "--station", "24280"])
            .status
            .code(),
        Some(2)
    );

    let sample: String = sample()
        .lines()
        .take(400)
        .map(|l| format!("{l}\n"))
        .collect();
    let file = dir.path().join("cases.jsonl");
    std::fs::write(&file, sample).unwrap();
    let o = tinbao(&db, "k", &["import", file.to_str().unwrap(), "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "other stations' lines are rejected"
    );
    let r = json(&o);
    let imported = r["imported"].as_u64().unwrap();
    assert!(imported > 10);
    assert_eq!(r["rejected"][0]["line"], 1);
    let o = tinbao(&db, "k", &["import", file.to_str().unwrap(), "--json"]);
    assert_eq!(json(&o)["already_present"].as_u64().unwrap(), imported);

    let o = tinbao(&db, "k", &["search", "bom dao dat", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let rows = json(&o)["rows"].as_array().unwrap().clone();
    assert!(
        rows.iter().any(|r| r["register_no"] == "1/2020"),
        "{rows:?}"
    );
    let o = tinbao(&db, "k", &["search", "--status", "bogus", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let said = json(&o)["error"].as_str().unwrap().to_owned();
    assert!(said.contains("Tình trạng “bogus” không hợp lệ"), "{said}");
    assert!(String::from_utf8_lossy(&o.stderr).contains(&said));
    // Filters by label as well as code; a value outside its list, an unknown officer or another
    // station is an error that says so, not an empty result.
    let o = succeeds(tinbao(
        &db,
        "k",
        &[
            "search",
            "--category",
            "Lừa đảo qua mạng",
            "--status",
            "Đang xác minh",
            "--json",
        ],
    ));
    let rows = json(&o)["rows"].as_array().unwrap().clone();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["category"] == "online_fraud" && r["status"] == "verifying"),
        "{rows:?}"
    );
    for (args, said) in [
        (
            &["search", "--category", "khong"][..],
            "không có trong danh mục (chấp nhận: theft,",
        ),
        (
            &["search", "--assignee", "ai"][..],
            "Không có tài khoản “ai”",
        ),
        (&["search", "--station", "01843"][..], "nằm ngoài phạm vi"),
    ] {
        let o = tinbao(&db, "k", args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(err.contains(said), "{args:?}: {err}");
    }

    let o = stats_2020s(&db, &["--json"]);
    assert_eq!(json(&o)["received"].as_u64().unwrap(), imported);
    // For a person: every key by its Vietnamese label, the figures grouped by thousands.
    let o = stats_2020s(&db, &[]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    for label in [
        &format!("Nguồn tin tiếp nhận trong kỳ: {imported}"),
        "Theo loại nguồn tin:",
        "Tố giác về tội phạm",
        "Theo kênh tiếp nhận:",
        "Theo lĩnh vực:",
        "Trộm cắp tài sản",
        "Theo tình trạng:",
    ] {
        assert!(text.contains(label), "{label} in {text}");
    }
    for code in [
        "to_giac",
        "tin_bao",
        "theft",
        "verifying",
        "zalo",
        "Theo đơn vị",
    ] {
        assert!(!text.contains(code), "{code} in {text}");
    }

    let csv = dir.path().join("so.csv");
    assert_eq!(
        tinbao(&db, "k", &["export", csv.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    assert!(std::fs::read_to_string(&csv).unwrap().contains("Số thụ lý"));

    let bk = dir.path().join("bk.tinbao");
    assert_eq!(
        tinbao(&db, "k", &["backup", bk.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let o = tinbao(&db, "k", &["restore", bk.to_str().unwrap(), "--json"]);
    assert_eq!(json(&o)["cases"].as_u64().unwrap(), imported);
    let o = tinbao(&db, "k", &["verify", "--json"]);
    assert_eq!(
        (o.status.code(), json(&o)["ok"].as_bool()),
        (Some(0), Some(true))
    );

    let o = tinbao(&db, "wrong", &["verify"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Sai khóa"));
}

/// A supervisor's database covers the province's stations, and its statistics break down by
/// station, each named by its commune.
#[test]
fn a_province_imports_its_stations_and_counts_them_by_station() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dak-lak.db");
    succeeds(tinbao(&db, "k", &["init", "--province", "66"]));
    let file = dir.path().join("cases.jsonl");
    std::fs::write(&file, sample()).unwrap();
    let o = tinbao(&db, "k", &["import", file.to_str().unwrap(), "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "other provinces' lines are rejected"
    );
    let r = json(&o);
    let rejected = r["rejected"].as_array().unwrap();
    assert!(
        rejected
            .iter()
            .all(|x| x["reason"].as_str().unwrap().contains("ngoài phạm vi"))
    );
    let o = stats_2020s(&db, &["--json"]);
    let s = json(&o);
    let cu_mgar = s["by_station"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "24280")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert!(cu_mgar > 0);
    assert_eq!(s["received"].as_u64(), r["imported"].as_u64());
    let o = stats_2020s(&db, &[]);
    let text = String::from_utf8_lossy(&o.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("Xã Cư M’gar (24280)"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.trim_end().ends_with(&format!(" {cu_mgar}")), "{line}");
    assert!(text.contains("Theo đơn vị:"), "{text}");
    let o = succeeds(tinbao(
        &db,
        "k",
        &["search", "--station", "24280", "--limit", "100", "--json"],
    ));
    let found = json(&o);
    let rows = found["rows"].as_array().unwrap();
    assert_eq!(found["total"].as_u64(), Some(cu_mgar));
    assert!(rows.iter().all(|r| r["station"] == "24280"), "{rows:?}");
}

/// `stats --year`, `--quarter`, `--month`: the police periods from the cut-off day (15th),
/// the same figures as the range written out, and the four quarters add up to the year.
#[test]
fn stats_take_a_month_a_quarter_or_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dak-lak.db");
    succeeds(tinbao(&db, "k", &["init", "--province", "66"]));
    let file = dir.path().join("cases.jsonl");
    std::fs::write(&file, sample()).unwrap();
    tinbao(&db, "k", &["import", file.to_str().unwrap()]);
    let received = |args: &[&str]| {
        let s = json(&succeeds(tinbao(
            &db,
            "k",
            &[&["stats", "--json"], args].concat(),
        )));
        (
            s["from"].as_i64().unwrap(),
            s["to"].as_i64().unwrap(),
            s["received"].as_u64().unwrap(),
        )
    };
    let year = received(&["--year", "2025"]);
    let range = received(&["--from", "15/12/2024", "--to", "14/12/2025"]);
    assert_eq!(
        year, range,
        "the statistics year runs 15/12/2024 to 14/12/2025"
    );
    assert!(year.2 > 0);
    let quarters: u64 = (1..=4)
        .map(|q| received(&["--year", "2025", "--quarter", &q.to_string()]).2)
        .sum();
    assert_eq!(quarters, year.2);
    let months: u64 = (1..=12)
        .map(|m| received(&["--year", "2025", "--month", &m.to_string()]).2)
        .sum();
    assert_eq!(months, year.2);
    let q4 = received(&["--year", "2025", "--quarter", "4"]);
    assert_eq!(
        q4.0,
        received(&["--from", "15/09/2025", "--to", "14/12/2025"]).0
    );
    // A quarter needs its year, and a range and a year do not mix.
    assert_ne!(
        tinbao(&db, "k", &["stats", "--quarter", "2"]).status.code(),
        Some(0)
    );
    assert_ne!(
        tinbao(
            &db,
            "k",
            &["stats", "--year", "2025", "--from", "01/01/2025"]
        )
        .status
        .code(),
        Some(0)
    );
}

/// The first 500 cases of the project's common data set (tests/data/README.md).
fn sample() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/sample-500.jsonl"
    ))
    .unwrap()
}

/// A power cut in the middle of an import: killed at several moments, the database is intact
/// each time, and re-running the import completes it without duplicates.
#[test]
fn an_import_killed_midway_loses_nothing_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    assert_eq!(
        tinbao(&db, "k", &["init", "--station", "24280"])
            .status
            .code(),
        Some(0)
    );
    let template = sample()
        .lines()
        .find(|l| l.contains("\"station\": \"24280\""))
        .unwrap()
        .to_owned();
    let mut v: serde_json::Value = serde_json::from_str(&template).unwrap();
    let total = 20_000u64;
    let mut file = String::new();
    for i in 0..total {
        v["id"] = serde_json::json!(format!("01900000-0000-7000-8000-{:012x}", i));
        v["register_no"] = serde_json::json!(format!("{}/2024", i + 1));
        v["received_at"] = serde_json::json!("2024-03-01T08:00:00+07:00");
        file.push_str(&v.to_string());
        file.push('\n');
    }
    let path = dir.path().join("big.jsonl");
    std::fs::write(&path, file).unwrap();
    for delay_ms in [150u64, 400, 900] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tinbao"))
            .arg("--db")
            .arg(&db)
            .args(["import", path.to_str().unwrap()])
            .env("TINBAO_KEY", "k")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let o = tinbao(&db, "k", &["verify", "--json"]);
        assert_eq!(json(&o)["ok"], true, "intact after a kill at {delay_ms} ms");
    }
    let o = tinbao(&db, "k", &["import", path.to_str().unwrap(), "--json"]);
    let r = json(&o);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        r["imported"].as_u64().unwrap() + r["already_present"].as_u64().unwrap(),
        total
    );
    assert_eq!(
        json(&tinbao(&db, "k", &["verify", "--json"]))["cases"]
            .as_u64()
            .unwrap(),
        total
    );
}

/// The month's figures also count the station's pages and groups (followers, posts) and the
/// citizens' questions by topic, each named as a person reads it.
#[test]
fn the_monthly_figures_count_channels_posts_and_questions() {
    use tinbao_core::community::{NewChannel, NewInquiry, NewPost};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cu-mgar.db");
    succeeds(tinbao(&db, "k", &["init", "--station", "24280"]));
    {
        let mut s = tinbao_core::Store::open(&db, "k").unwrap();
        s.create_user(
            None,
            tinbao_core::NewUser {
                username: "truong".into(),
                full_name: "Nguyễn Văn Trưởng".into(),
                rank: None,
                role: tinbao_core::Role::Chief,
                password: "matkhau-123".into(),
            },
        )
        .unwrap();
        let chief = s.login("truong", "matkhau-123").unwrap();
        let page = s
            .add_channel(
                &chief,
                NewChannel {
                    platform: "facebook".into(),
                    name: "Công an xã Cư M’gar".into(),
                    link: None,
                    area: None,
                    officer: None,
                },
            )
            .unwrap();
        let today = chrono::Utc::now()
            .with_timezone(&tinbao_core::time::vn_offset())
            .date_naive();
        s.record_followers(&chief, page, today, 12_500).unwrap();
        s.add_post(
            &chief,
            NewPost {
                published_on: today,
                channels: vec![page],
                title: "Cảnh giác lừa đảo qua mạng".into(),
                body: "Không cung cấp mã OTP cho bất kỳ ai.".into(),
            },
        )
        .unwrap();
        s.add_inquiry(
            &chief,
            NewInquiry {
                channel: "zalo".into(),
                topic: "cu_tru".into(),
                question: "Đăng ký tạm trú cần giấy tờ gì?".into(),
                answer: None,
                template_id: None,
            },
        )
        .unwrap();
    }
    let o = succeeds(tinbao(&db, "k", &["stats"]));
    let text = String::from_utf8_lossy(&o.stdout);
    for line in [
        "  Câu hỏi về thủ tục hành chính:",
        "    Đăng ký thường trú, tạm trú 1",
        "  Bài viết tuyên truyền đã đăng: 1 (0 lượt xem)",
        "  Trang, nhóm đang quản lý:",
        "    Công an xã Cư M’gar (facebook): 1 bài, 12.500 người theo dõi",
    ] {
        let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.lines().any(|l| words(l) == words(line)),
            "{line:?} in\n{text}"
        );
    }
}

/// `case show` prints a case and each of its clocks with its rule, legal basis, start, due
/// instant (ISO 8601 with +07:00) and state; by id or by register number.
#[test]
fn case_show_prints_the_clocks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bac-kan.db");
    succeeds(tinbao(&db, "k", &["init", "--station", "01843"]));
    let file = dir.path().join("one.jsonl");
    std::fs::write(
        &file,
        r#"{"id": "01830001-0000-7000-8000-0000000000aa", "station": "01843", "register_no": "7/2025", "received_at": "2025-10-03T17:00:00+07:00", "channel": "hotline", "kind": "to_giac", "category": "theft", "urgency": "normal", "summary": "Mất trộm xe máy", "description": "", "location": {"commune": "01843"}, "reporter": {"name": "Nông Thị Hoa"}, "persons": [], "status": "verifying"}
"#,
    )
    .unwrap();
    succeeds(tinbao(&db, "k", &["import", file.to_str().unwrap()]));
    let o = succeeds(tinbao(&db, "k", &["case", "show", "7/2025", "--json"]));
    let d = json(&o);
    assert_eq!(d["row"]["register_no"], "7/2025");
    let clocks = d["clocks"].as_array().unwrap();
    let rules: Vec<&str> = clocks.iter().map(|c| c["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["classify", "notice_vks", "notice_reporter"]);
    let classify = &clocks[0];
    assert_eq!(classify["state"], "late");
    assert_eq!(classify["started_at"], "2025-10-03T17:00:00+07:00");
    assert_eq!(classify["due_at"], "2025-10-04T05:00:00+07:00");
    assert!(
        classify["basis"]
            .as_str()
            .unwrap()
            .contains("Mặc định của đơn vị")
    );
    // Friday 17:00: three working days are Monday to Wednesday.
    assert_eq!(clocks[1]["due_at"], "2025-10-08T23:59:59+07:00");
    assert!(clocks[1]["basis"].as_str().unwrap().contains("01/2017"));
    let o = succeeds(tinbao(
        &db,
        "k",
        &["case", "show", "01830001-0000-7000-8000-0000000000aa"],
    ));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Vụ việc số 7/2025"), "{text}");
    assert!(text.contains("notice_vks  [late]"), "{text}");
    assert!(text.contains("hạn 2025-10-08T23:59:59+07:00"), "{text}");
    assert!(!text.contains("Nông Thị Hoa"), "never the reporter");
    let o = tinbao(&db, "k", &["case", "show", "8/2025", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        json(&o)["error"]
            .as_str()
            .unwrap()
            .contains("Không tìm thấy")
    );
}
