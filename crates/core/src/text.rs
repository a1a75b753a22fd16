//! Folding Vietnamese text for search: no diacritics, đ as d, one apostrophe form, lower case.
//! SQLite's `remove_diacritics` leaves đ alone (it is a letter, not a d with a mark), so the
//! app folds both the indexed text and the query itself.
use unicode_normalization::UnicodeNormalization;

pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            match c {
                '\'' | '`' => {}
                c => out.push(c.to_ascii_lowercase()),
            }
            continue;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            // Minority place names are written with any of these (Cư M'gar, Cư M’gar).
            '’' | '‘' | 'ʼ' | '´' => {}
            c => match base_letter(c) {
                Some(b) => out.push(b),
                None => out.extend(c.to_lowercase()),
            },
        }
    }
    out
}

/// The lower-case base letter of a Latin letter with diacritics (ạ, ằ, Ế…), from a table built
/// once with canonical decomposition: search folds every case's text, so this is a hot path.
fn base_letter(c: char) -> Option<char> {
    use std::sync::OnceLock;
    const FIRST: u32 = 0xC0;
    const LAST: u32 = 0x1EFF;
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    let t = TABLE.get_or_init(|| {
        (FIRST..=LAST)
            .map(|u| {
                char::from_u32(u)
                    .and_then(|c| c.nfd().next())
                    .filter(char::is_ascii_alphabetic)
                    .map(|b| b.to_ascii_lowercase() as u8)
                    .unwrap_or(0)
            })
            .collect()
    });
    let u = c as u32;
    if !(FIRST..=LAST).contains(&u) {
        return None;
    }
    match t[(u - FIRST) as usize] {
        0 => None,
        b => Some(b as char),
    }
}

/// The words of a query as an FTS5 expression: every word must match; the last one as a
/// prefix, since it may still be being typed (prefix look-ups of every short word are what
/// make full-text search slow on a large register). None when there is no searchable word.
pub fn fts_query(q: &str) -> Option<String> {
    let folded = fold(q);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .collect();
    let last = words.len().checked_sub(1)?;
    let terms: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i == last && w.chars().count() >= 2 {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        })
        .collect();
    Some(terms.join(" "))
}

/// A control character other than line breaks and tabs, which a description may hold.
pub fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// Trims and collapses an optional text field; empty becomes None.
pub fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A whole number as Vietnamese write it: `8000000` → `8.000.000`.
pub fn group_thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Lạng lách, đánh võng"), "lang lach, danh vong");
        assert_eq!(fold("Đắk Lắk"), "dak lak");
        assert_eq!(fold("BỐC ĐẦU"), "boc dau");
        assert_eq!(fold("Cư M'gar"), fold("Cư M’gar"));
        assert_eq!(fold("Cư M’gar"), "cu mgar");
    }

    #[test]
    fn last_query_word_is_a_prefix() {
        assert_eq!(
            fts_query("lang lach").as_deref(),
            Some("\"lang\" \"lach\"*")
        );
        assert_eq!(fts_query("boc d").as_deref(), Some("\"boc\" \"d\""));
        assert_eq!(fts_query("  \"* ) "), None);
        assert_eq!(
            fts_query("danh bac").unwrap(),
            fts_query("đánh bạc").unwrap()
        );
    }

    /// The table agrees with full canonical decomposition on every character it covers.
    #[test]
    fn fast_fold_matches_decomposition() {
        for u in 0xC0u32..=0x1EFF {
            let Some(c) = char::from_u32(u) else { continue };
            let slow: String = c
                .to_string()
                .nfd()
                .filter(|m| !('\u{0300}'..='\u{036f}').contains(m))
                .flat_map(char::to_lowercase)
                .collect::<String>()
                .replace('đ', "d");
            let fast = fold(&c.to_string());
            if !slow.is_empty() && slow.chars().all(|c| c.is_ascii_alphabetic()) {
                assert_eq!(fast, slow, "U+{u:04X}");
            }
        }
    }

    proptest! {
        #[test]
        fn folding_is_idempotent_and_ascii_for_vietnamese(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ ']{0,40}") {
            let f = fold(&s);
            prop_assert_eq!(fold(&f), f.clone());
            prop_assert!(f.is_ascii());
        }

        #[test]
        fn query_never_contains_fts_syntax(s in ".{0,60}") {
            if let Some(q) = fts_query(&s) {
                for w in q.split(' ') {
                    let inner = w.trim_end_matches('*');
                    prop_assert!(inner.len() >= 2 && inner.starts_with('"') && inner.ends_with('"'));
                    prop_assert!(!inner[1..inner.len() - 1].contains('"'));
                }
            }
        }
    }

    #[test]
    fn thousands_are_grouped_with_dots() {
        assert_eq!(group_thousands(8_000_000), "8.000.000");
        assert_eq!(group_thousands(500), "500");
        assert_eq!(group_thousands(1_000), "1.000");
        assert_eq!(group_thousands(-12_345), "-12.345");
        assert_eq!(group_thousands(i64::MIN), "-9.223.372.036.854.775.808");
    }
}
