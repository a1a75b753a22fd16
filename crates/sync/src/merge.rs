//! The merge rules every replica applies, so that all converge whatever order changes arrive in.
use crate::hlc::Hlc;

/// What applying an incoming field write does on a replica that holds `current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldMerge {
    /// The incoming value becomes the field's value.
    pub take: bool,
    /// The two writes did not see each other and both changed the value: flag for review.
    pub conflict: bool,
}

/// `current`: the stamp of the field's value here (None if never written).
/// `base`: the stamp the writer saw before writing (None if it saw none).
/// `same_value`: whether both writes set the same value (then there is nothing to review).
pub fn merge_field(
    current: Option<Hlc>,
    incoming: Hlc,
    base: Option<Hlc>,
    same_value: bool,
) -> FieldMerge {
    let take = match current {
        None => true,
        Some(cur) => incoming > cur,
    };
    let conflict = match current {
        None => false,
        Some(cur) => {
            cur != incoming && Some(cur) != base && base.is_none_or(|b| b < cur) && !same_value
        }
    };
    FieldMerge { take, conflict }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn h(w: u64, n: u32) -> Hlc {
        Hlc {
            wall_ms: w,
            counter: 0,
            node: n,
        }
    }

    #[test]
    fn sequential_write_is_not_a_conflict() {
        let m = merge_field(Some(h(1, 1)), h(2, 2), Some(h(1, 1)), false);
        assert_eq!(
            m,
            FieldMerge {
                take: true,
                conflict: false
            }
        );
    }

    #[test]
    fn concurrent_writes_conflict_on_both_sides() {
        let base = Some(h(1, 1));
        let a = h(5, 2);
        let b = h(6, 3);
        assert!(merge_field(Some(a), b, base, false).conflict);
        assert!(merge_field(Some(b), a, base, false).conflict);
        assert!(!merge_field(Some(b), a, base, false).take);
    }

    #[test]
    fn redelivery_changes_nothing() {
        let m = merge_field(Some(h(5, 2)), h(5, 2), Some(h(1, 1)), true);
        assert_eq!(
            m,
            FieldMerge {
                take: false,
                conflict: false
            }
        );
    }

    proptest! {
        /// Any delivery order of the same writes to one field leaves every replica with the same value.
        #[test]
        fn any_order_converges(writes in proptest::collection::vec((0u64..50, 0u32..4, 0i64..5), 1..12), seed in any::<u64>()) {
            let writes: Vec<(Hlc, i64)> = writes.into_iter().map(|(w, n, v)| (h(w, n), v)).collect();
            let mut order: Vec<usize> = (0..writes.len()).collect();
            // A deterministic shuffle from the seed, to compare two different delivery orders.
            let mut s = seed;
            for i in (1..order.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (s >> 33) as usize % (i + 1));
            }
            let apply = |ord: &[usize]| {
                let mut cur: Option<(Hlc, i64)> = None;
                let mut seen = BTreeMap::new();
                for &i in ord {
                    let (stamp, v) = writes[i];
                    if seen.insert(stamp, v).is_some() { continue; }
                    let m = merge_field(cur.map(|c| c.0), stamp, None, cur.map(|c| c.1) == Some(v));
                    if m.take { cur = Some((stamp, v)); }
                }
                cur
            };
            let natural: Vec<usize> = (0..writes.len()).collect();
            let a = apply(&natural);
            let b = apply(&order);
            prop_assert_eq!(a.map(|c| c.0), b.map(|c| c.0));
        }
    }
}
