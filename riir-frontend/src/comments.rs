//! Comment attachment. The grammar skips `//` comments as whitespace; afterwards the builder asks for the
//! comment lines directly above a function or an op, so `riirc fmt` keeps them. Comments anywhere else
//! (inside a block, at the end of a line, after the last function) are not kept by the data model.

/// The `//` comment lines above the item starting at byte `start`, grouped into blocks separated by blank
/// lines, nearest block last. `attached` says whether the last block touches the item (no blank line between).
pub struct Above {
    pub blocks: Vec<Vec<String>>,
    pub attached: bool,
}

impl Above {
    pub fn all(self) -> Vec<String> {
        self.blocks.into_iter().flatten().collect()
    }
}

/// Walks back from `start` over blank and comment-only lines, stopping at the first line with code.
pub fn above(src: &str, start: usize) -> Above {
    let mut blocks: Vec<Vec<String>> = Vec::new();
    let mut attached = false;
    let prefix = &src[..start];
    let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
    if !prefix[line_start..].trim().is_empty() || line_start == 0 {
        // Code before the item on its own line, or the item is on the file's first line: nothing above.
        return Above { blocks, attached };
    }
    let mut current: Vec<String> = Vec::new();
    let mut seen_blank = false;
    for line in prefix[..line_start - 1].rsplit('\n') {
        let t = line.trim();
        if t.is_empty() {
            seen_blank = true;
            if !current.is_empty() {
                current.reverse();
                blocks.push(std::mem::take(&mut current));
            }
        } else if let Some(text) = t.strip_prefix("//") {
            if blocks.is_empty() && current.is_empty() {
                attached = !seen_blank;
            }
            current.push(text.trim_end().to_string());
        } else {
            break;
        }
    }
    if !current.is_empty() {
        current.reverse();
        blocks.push(current);
    }
    blocks.reverse();
    Above { blocks, attached }
}

/// Every `//` comment line of a file that holds no function (only comments and blank lines).
pub fn all_lines(src: &str) -> Vec<String> {
    src.lines()
        .filter_map(|l| l.trim().strip_prefix("//").map(|t| t.trim_end().to_string()))
        .collect()
}

/// How many `//` comments the text holds (outside strings), to tell when printing would drop some.
pub fn count(src: &str) -> usize {
    let b = src.as_bytes();
    let (mut n, mut i, mut in_string) = (0, 0, false);
    while i < b.len() {
        match (in_string, b[i]) {
            (true, b'\\') => i += 1,
            (true, b'"' | b'\n') => in_string = false,
            (false, b'"') => in_string = true,
            (false, b'/') if b.get(i + 1) == Some(&b'/') => {
                n += 1;
                i = b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| i + p);
            }
            _ => {}
        }
        i += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_split_on_blank_lines_and_stop_at_code() {
        let src = "x }\n// a\n// b\n\n  // c\nfunc";
        let above = above(src, src.find("func").unwrap());
        assert_eq!(
            above.blocks,
            vec![vec![" a".to_string(), " b".to_string()], vec![" c".to_string()]]
        );
        assert!(above.attached);
    }

    #[test]
    fn a_blank_line_detaches_the_nearest_block() {
        let src = "// header\n\nfunc";
        let above = above(src, src.find("func").unwrap());
        assert_eq!(above.blocks, vec![vec![" header".to_string()]]);
        assert!(!above.attached);
    }

    #[test]
    fn comments_in_strings_are_not_counted() {
        assert_eq!(count("// a\nriir.op \"//x\\\"//\" {} // b\n//c"), 3);
    }

    #[test]
    fn code_on_the_same_line_means_no_comments() {
        let src = "// c\n} riir.op";
        assert!(above(src, src.find("riir").unwrap()).blocks.is_empty());
    }
}
