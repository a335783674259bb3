//! "Did you mean ...?" suggestions for misspelt names.

/// The candidate closest to `name`, if it is close enough to be a plausible typo: at most one
/// edit per three characters (and at least one), or a Jaro–Winkler similarity of 0.88 or more.
/// Ties prefer fewer edits, then higher similarity, then the alphabetically first name.
pub(crate) fn closest<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    let max_edits = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, f64, &str)> = None;
    for cand in candidates {
        if cand == name {
            continue;
        }
        let edits = strsim::levenshtein(name, cand);
        let sim = strsim::jaro_winkler(name, cand);
        if edits > max_edits && sim < 0.88 {
            continue;
        }
        let better = match best {
            None => true,
            Some((e, s, c)) => (edits, -sim, cand) < (e, -s, c),
        };
        if better {
            best = Some((edits, sim, cand));
        }
    }
    best.map(|(_, _, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("xx", ["x1", "weights"]), Some("x1".into()));
        assert_eq!(
            closest("wieghts", ["x1", "weights"]),
            Some("weights".into())
        );
        assert_eq!(closest("relux", ["relu", "rescale"]), Some("relu".into()));
        assert_eq!(closest("banana", ["x1", "weights"]), None);
    }
}
