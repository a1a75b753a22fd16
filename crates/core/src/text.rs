//! Folding Vietnamese text for search: no diacritics, đ as d, one apostrophe form, lower case.
//! SQLite's `remove_diacritics` leaves đ alone (it is a letter, not a d with a mark), so the
//! app folds both the indexed text and the query itself.
use unicode_normalization::UnicodeNormalization;

pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        match c {
            '\u{0300}'..='\u{036f}' => {}
            'đ' | 'Đ' => out.push('d'),
            // Minority place names are written with any of these (Cư M'gar, Cư M’gar).
            '\'' | '’' | '‘' | 'ʼ' | '`' | '´' => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The words of a query as an FTS5 expression: every word must match, each as a prefix.
/// Returns None when the query has no searchable word.
pub fn fts_query(q: &str) -> Option<String> {
    let folded = fold(q);
    let words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    if words.is_empty() {
        None
    } else {
        Some(words.join(" "))
    }
}

/// Trims and collapses an optional text field; empty becomes None.
pub fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
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
    fn query_words_are_prefixes() {
        assert_eq!(
            fts_query("lang lach").as_deref(),
            Some("\"lang\"* \"lach\"*")
        );
        assert_eq!(fts_query("  \"* ) "), None);
        assert_eq!(
            fts_query("danh bac").unwrap(),
            fts_query("đánh bạc").unwrap()
        );
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
                    prop_assert!(w.starts_with('"') && w.ends_with("\"*"));
                    prop_assert!(!w[1..w.len() - 2].contains('"'));
                }
            }
        }
    }
}
