//! Cheap byte-level checks that run before pest: source size, valid UTF-8, unterminated strings and bracket
//! nesting depth. pest parses recursively, so a file of 200,000 nested `[` would overflow the stack; this scan is
//! iterative and stops at the first bracket past [`MAX_NESTING`], pointing at it.

use riir_dialect::{Diagnostic, Span};

/// Deepest `{`/`[`/`(` nesting accepted. A real RIIR file nests 4–5 levels; 256 leaves room for generated
/// code while keeping pest's recursion far below any thread's stack.
pub const MAX_NESTING: usize = 256;

/// Largest source accepted, in bytes. A 10,000-op module is about 5 MB; spans are `u32` byte offsets.
pub const MAX_SOURCE_BYTES: usize = 64 << 20;

/// Checks that `bytes` is UTF-8 and not too large, and returns it as text.
pub fn decode(bytes: &[u8]) -> Result<&str, Diagnostic> {
    if bytes.len() > MAX_SOURCE_BYTES {
        let at = Span::new(MAX_SOURCE_BYTES, MAX_SOURCE_BYTES);
        return Err(Diagnostic::error(
            format!("file is larger than {} MiB", MAX_SOURCE_BYTES >> 20),
            at,
            "the limit is reached here",
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let len = e.error_len().unwrap_or(bytes.len() - at).max(1);
        Diagnostic::error(
            "file is not valid UTF-8",
            Span::new(at, at + len),
            format!("invalid byte 0x{:02x} at offset {at}", bytes[at]),
        )
    })
}

/// Rejects unterminated strings and nesting deeper than [`MAX_NESTING`], skipping `//` comments and string
/// contents (a `{` inside a string or comment is not a bracket).
pub fn scan(src: &str) -> Result<(), Diagnostic> {
    let b = src.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr_newline(b, i);
                continue;
            }
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match b.get(i) {
                        Some(b'"') => break,
                        Some(b'\\') if b.get(i + 1).is_some_and(|&c| c != b'\n') => i += 2,
                        Some(b'\n') | None => {
                            return Err(Diagnostic::error(
                                "unterminated string",
                                Span::new(start, start + 1),
                                "this string has no closing `\"` on its line",
                            ));
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Diagnostic::error(
                        format!("nesting deeper than {MAX_NESTING} levels"),
                        Span::new(i, i + 1),
                        format!("level {depth} opens here"),
                    ));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn memchr_newline(b: &[u8], from: usize) -> usize {
    b[from..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_reported_where_the_limit_is_crossed() {
        let src = "[".repeat(200_000);
        let d = scan(&src).unwrap_err();
        assert_eq!(d.primary_span(), Span::new(MAX_NESTING, MAX_NESTING + 1));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let src = format!("// {}\nriir.op \"{}\"", "{".repeat(1000), "[".repeat(1000));
        assert!(scan(&src).is_ok());
    }

    #[test]
    fn unterminated_string_points_at_its_quote() {
        let d = scan("riir.op \"attention {\n").unwrap_err();
        assert_eq!(d.primary_span(), Span::new(8, 9));
        assert!(scan("x \"a\\").is_err());
    }

    #[test]
    fn invalid_utf8_reports_the_offset() {
        let d = decode(b"func @f\xff()").unwrap_err();
        assert_eq!(d.primary_span(), Span::new(7, 8));
        assert!(d.labels[0].message.contains("0xff"));
    }
}
