//! "Did you mean …?": the closest known name to a misspelt one, when it is close enough to be a likely typo.

/// The candidate closest to `word`: an exact match ignoring case first, else the nearest by Damerau–Levenshtein
/// distance if that distance is at most a third of the word's length (at least 1). Ties keep the earlier one.
pub fn did_you_mean<'c>(word: &str, candidates: impl Iterator<Item = &'c str> + Clone) -> Option<&'c str> {
    if let Some(c) = candidates.clone().find(|c| c.eq_ignore_ascii_case(word)) {
        return Some(c);
    }
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = strsim::damerau_levenshtein(word, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRECISIONS: [&str; 4] = ["fp16", "bf16", "fp8", "fp4"];

    #[test]
    fn close_names_are_suggested() {
        assert_eq!(did_you_mean("fp9", PRECISIONS.iter().copied()), Some("fp8"));
        assert_eq!(did_you_mean("FP16", PRECISIONS.iter().copied()), Some("fp16"));
        assert_eq!(
            did_you_mean("prefech", ["prefetch", "evict"].into_iter()),
            Some("prefetch")
        );
    }

    #[test]
    fn distant_names_are_not() {
        assert_eq!(did_you_mean("int3", PRECISIONS.iter().copied()), None);
        assert_eq!(did_you_mean("banana", ["prefetch", "evict"].into_iter()), None);
    }
}
