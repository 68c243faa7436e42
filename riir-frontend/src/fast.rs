//! A hand-written parser for exactly the language of `riir.pest`, producing the same syntax tree.
//!
//! Why: pest spends a few hundred instructions per rule call (stack probes, attempt tracking), about two rule
//! calls per byte of RIIR, which puts a 10,000-op file far over its 200 ms budget. This parser does the same
//! job in one pass over the bytes. It only has to be right when it *accepts*: on anything it does not accept
//! it returns `None` and `syntax::parse` hands the text to pest, which defines the language and words every
//! syntax error. A differential property test (tests/parser_props.rs) checks that whenever this parser
//! accepts, pest accepts too and builds an identical tree.
//!
//! Each function mirrors one grammar rule; comments name the rule. Recursion depth is bounded by the
//! pre-scan's nesting limit.

use riir_dialect::Span;

use crate::syntax::{unescape, Dict, Entry, File, Func, OpSyntax, Param, Value, ValueKind, Word};

/// Parses `src` (already pre-scanned), or `None` when it is not exactly a valid file.
pub fn parse(src: &str) -> Option<File<'_>> {
    let mut p = P {
        src,
        b: src.as_bytes(),
        i: 0,
    };
    let mut funcs = Vec::new();
    // file = { SOI ~ func* ~ EOI }
    p.skip();
    while p.i < p.b.len() {
        funcs.push(p.func()?);
        p.skip();
    }
    Some(File { funcs })
}

struct P<'a> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Implicit WHITESPACE and COMMENT between tokens of non-atomic rules.
    fn skip(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.i += 1,
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'/') => {
                    // COMMENT = "//" ~ (!"\n" ~ ANY)*  — stops before the newline.
                    self.i = self.b[self.i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(self.b.len(), |n| self.i + n);
                }
                _ => return,
            }
        }
    }

    /// A literal token, then the implicit skip.
    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    fn eat_skip(&mut self, c: u8) -> Option<()> {
        self.eat(c)?;
        self.skip();
        Some(())
    }

    /// `kw = @{ word ~ !ident_char }`
    fn keyword(&mut self, kw: &str) -> Option<()> {
        if self.b[self.i..].starts_with(kw.as_bytes())
            && !self.b.get(self.i + kw.len()).is_some_and(|&c| is_ident_char(c))
        {
            self.i += kw.len();
            Some(())
        } else {
            None
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(start, self.i)
    }

    /// `(ASCII_ALPHA | "_") ~ (ASCII_ALPHANUMERIC | "_")*`, returning whether one was matched.
    fn word(&mut self) -> bool {
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                self.i += 1;
                while self.peek().is_some_and(is_ident_char) {
                    self.i += 1;
                }
                true
            }
            _ => false,
        }
    }

    /// `ident = @{ word ~ ("." ~ word)* }`: a `.` not followed by a word is left unconsumed (PEG backtracking).
    fn ident(&mut self) -> Option<()> {
        if !self.word() {
            return None;
        }
        while self.peek() == Some(b'.') {
            let save = self.i;
            self.i += 1;
            if !self.word() {
                self.i = save;
                break;
            }
        }
        Some(())
    }

    /// A sigil (`@`, `!`) followed by an ident; the word excludes the sigil.
    fn sigil_ident(&mut self, sigil: u8) -> Option<Word<'a>> {
        let start = self.i;
        self.eat(sigil)?;
        self.ident()?;
        Some(Word {
            text: &self.src[start + 1..self.i],
            span: Span::new(start + 1, self.i),
        })
    }

    /// `ssa = @{ "%" ~ (ASCII_ALPHANUMERIC | "_" | ".")+ }`
    fn ssa(&mut self) -> Option<Word<'a>> {
        let start = self.i;
        self.eat(b'%')?;
        while self.peek().is_some_and(|c| is_ident_char(c) || c == b'.') {
            self.i += 1;
        }
        if self.i == start + 1 {
            return None;
        }
        Some(Word {
            text: &self.src[start + 1..self.i],
            span: Span::new(start + 1, self.i),
        })
    }

    /// `func = { kw_func ~ func_name ~ "(" ~ (param ~ ("," ~ param)* ~ ","?)? ~ ")" ~ body }`
    fn func(&mut self) -> Option<Func<'a>> {
        let start = self.i;
        self.keyword("func")?;
        self.skip();
        let name = self.sigil_ident(b'@')?;
        self.skip();
        self.eat_skip(b'(')?;
        let mut params = Vec::new();
        while self.peek() == Some(b'%') {
            // param = { ssa ~ ":" ~ type_name }
            let pname = self.ssa()?;
            self.skip();
            self.eat_skip(b':')?;
            let ty = self.sigil_ident(b'!')?;
            self.skip();
            params.push(Param { name: pname, ty });
            if self.eat_skip(b',').is_none() {
                break;
            }
        }
        self.eat_skip(b')')?;
        // body = { "{" ~ op* ~ "}" }
        self.eat_skip(b'{')?;
        let mut ops = Vec::new();
        while self.peek() != Some(b'}') {
            ops.push(self.op()?);
            self.skip();
        }
        self.eat(b'}')?;
        Some(Func {
            name,
            params,
            ops,
            span: self.span(start),
        })
    }

    /// `op = { kw_op ~ string ~ dict }`
    fn op(&mut self) -> Option<OpSyntax<'a>> {
        let start = self.i;
        self.keyword("riir.op")?;
        self.skip();
        let name_start = self.i;
        self.string()?;
        let name_span = self.span(name_start);
        let name = unescape(&self.src[name_start..self.i]);
        self.skip();
        let body = self.dict()?;
        Some(OpSyntax {
            name,
            name_span,
            body,
            span: self.span(start),
        })
    }

    /// `string = ${ "\"" ~ (escape | !("\"" | "\\" | "\n") ~ ANY)* ~ "\"" }`, escape = `\` + one of `"\ntr`.
    fn string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                b'\\' => match self.b.get(self.i + 1)? {
                    b'"' | b'\\' | b'n' | b't' | b'r' => self.i += 2,
                    _ => return None,
                },
                b'\n' => return None,
                _ => self.i += 1,
            }
        }
    }

    /// `dict = { "{" ~ (entry ~ ("," ~ entry)* ~ ","?)? ~ "}" }`, entry = `key ~ "=" ~ value`.
    fn dict(&mut self) -> Option<Dict<'a>> {
        let start = self.i;
        self.eat_skip(b'{')?;
        let mut entries = Vec::new();
        while self.peek() != Some(b'}') {
            let key_start = self.i;
            if !self.word() {
                return None;
            }
            let key = Word {
                text: &self.src[key_start..self.i],
                span: self.span(key_start),
            };
            self.skip();
            self.eat_skip(b'=')?;
            let value = self.value()?;
            self.skip();
            entries.push(Entry { key, value });
            if self.eat_skip(b',').is_none() {
                break;
            }
        }
        self.eat(b'}')?;
        Some(Dict {
            entries,
            span: self.span(start),
        })
    }

    /// `value = _{ number | ident | ssa | dict | list | string | type_name }`
    fn value(&mut self) -> Option<Value<'a>> {
        let start = self.i;
        let kind = match self.peek()? {
            b'-' | b'0'..=b'9' => {
                self.number()?;
                ValueKind::Number(&self.src[start..self.i])
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                self.ident()?;
                ValueKind::Ident(&self.src[start..self.i])
            }
            b'%' => ValueKind::Ssa(self.ssa()?.text),
            b'{' => ValueKind::Dict(self.dict()?),
            b'[' => {
                // list = { "[" ~ (value ~ ("," ~ value)* ~ ","?)? ~ "]" }
                self.eat_skip(b'[')?;
                let mut items = Vec::new();
                while self.peek() != Some(b']') {
                    items.push(self.value()?);
                    self.skip();
                    if self.eat_skip(b',').is_none() {
                        break;
                    }
                }
                self.eat(b']')?;
                ValueKind::List(items)
            }
            b'"' => {
                self.string()?;
                ValueKind::Str(unescape(&self.src[start..self.i]))
            }
            b'!' => ValueKind::Type(self.sigil_ident(b'!')?.text),
            _ => return None,
        };
        Some(Value {
            kind,
            span: self.span(start),
        })
    }

    /// `number = @{ "-"? ~ DIGIT+ ~ ("." ~ DIGIT+)? ~ (("e" | "E") ~ ("+" | "-")? ~ DIGIT+)? ~ !ident_char }`
    fn number(&mut self) -> Option<()> {
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.i += 1;
            }
            p.i > s
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        if !digits(self) {
            return None;
        }
        if self.peek() == Some(b'.') {
            let save = self.i;
            self.i += 1;
            if !digits(self) {
                self.i = save;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let save = self.i;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                self.i = save;
            }
        }
        if self.peek().is_some_and(is_ident_char) {
            return None;
        }
        Some(())
    }
}
