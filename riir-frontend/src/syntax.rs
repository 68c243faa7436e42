//! RIIR text → syntax tree: runs the pest grammar (`riir.pest`) and turns its pairs into a small generic tree
//! (functions, ops, dictionaries, lists, scalars, each with its byte span). Turns pest's failures into
//! diagnostics that name what was expected in words. Meaning is given to keys later, by `build.rs`.

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser as _;
use riir_dialect::{Diagnostic, Span};

#[derive(pest_derive::Parser)]
#[grammar = "riir.pest"]
struct RiirParser;

/// A parsed file: its functions in order.
#[derive(Debug, PartialEq)]
pub struct File<'a> {
    pub funcs: Vec<Func<'a>>,
}

#[derive(Debug, PartialEq)]
pub struct Func<'a> {
    /// Without the `@`.
    pub name: Word<'a>,
    pub params: Vec<Param<'a>>,
    pub ops: Vec<OpSyntax<'a>>,
    pub span: Span,
}

/// A piece of source text (a name without its sigil) and where it was written.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Word<'a> {
    pub text: &'a str,
    pub span: Span,
}

#[derive(Debug, PartialEq)]
pub struct Param<'a> {
    /// Without the `%`.
    pub name: Word<'a>,
    /// Without the `!`.
    pub ty: Word<'a>,
}

#[derive(Debug, PartialEq)]
pub struct OpSyntax<'a> {
    /// The op name with escapes resolved.
    pub name: String,
    pub name_span: Span,
    pub body: Dict<'a>,
    pub span: Span,
}

#[derive(Debug, PartialEq)]
pub struct Dict<'a> {
    pub entries: Vec<Entry<'a>>,
    pub span: Span,
}

#[derive(Debug, PartialEq)]
pub struct Entry<'a> {
    pub key: Word<'a>,
    pub value: Value<'a>,
}

#[derive(Debug, PartialEq)]
pub struct Value<'a> {
    pub kind: ValueKind<'a>,
    pub span: Span,
}

#[derive(Debug, PartialEq)]
pub enum ValueKind<'a> {
    /// Number text as written (`-1.5e3`); the builder decides whether it must be an integer.
    Number(&'a str),
    /// A string with escapes resolved.
    Str(String),
    /// `%name`, without the `%`.
    Ssa(&'a str),
    /// `!type`, without the `!`.
    Type(&'a str),
    /// A bare or dotted name: `fp8`, `HBM.tier0`, `A`.
    Ident(&'a str),
    List(Vec<Value<'a>>),
    Dict(Dict<'a>),
}

impl ValueKind<'_> {
    /// What this value is, in words, for "expected a number, found …" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            ValueKind::Number(_) => "a number",
            ValueKind::Str(_) => "a string",
            ValueKind::Ssa(_) => "a value name",
            ValueKind::Type(_) => "a type",
            ValueKind::Ident(_) => "a name",
            ValueKind::List(_) => "a list",
            ValueKind::Dict(_) => "a dictionary",
        }
    }
}

/// Parses RIIR text (already checked by `prescan::scan`) into a syntax tree, or the one syntax error pest found.
pub fn parse(src: &str) -> Result<File<'_>, Diagnostic> {
    // The hand-written parser accepts exactly what the grammar accepts, in a fraction of the time; whatever it
    // does not accept (every error, and anything unusual) is parsed by pest, which words the error.
    if let Some(file) = crate::fast::parse(src) {
        return Ok(file);
    }
    parse_with_pest(src)
}

/// Parses with the pest grammar alone (the reference the fast parser is tested against).
pub fn parse_with_pest(src: &str) -> Result<File<'_>, Diagnostic> {
    // pest's token tracking names the literal tokens (`,`, `}`) an error wanted. It costs time, but pest only
    // sees what the fast path rejected, which is almost always an error. It is a process-wide switch, left on.
    pest::set_error_detail(true);
    let mut pairs = match RiirParser::parse(Rule::file, src) {
        Ok(p) => p,
        Err(err) => return Err(syntax_error(src, &err)),
    };
    let file = pairs.next().expect("the file rule always produces one pair");
    let funcs = file
        .into_inner()
        .filter(|p| p.as_rule() == Rule::func)
        .map(func)
        .collect();
    Ok(File { funcs })
}

fn span_of(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// A sigilled name (`@f`, `%kv42`, `!kv.block`) without its one-byte sigil.
fn word<'a>(p: &Pair<'a, Rule>, sigil: usize) -> Word<'a> {
    let s = p.as_span();
    Word {
        text: &p.as_str()[sigil..],
        span: Span::new(s.start() + sigil, s.end()),
    }
}

fn func(p: Pair<'_, Rule>) -> Func<'_> {
    let span = span_of(&p);
    let mut name = None;
    let mut params = Vec::new();
    let mut ops = Vec::new();
    for inner in p.into_inner() {
        match inner.as_rule() {
            Rule::func_name => name = Some(word(&inner, 1)),
            Rule::param => {
                let mut it = inner.into_inner();
                let n = it.next().expect("param has a name");
                let t = it.next().expect("param has a type");
                params.push(Param {
                    name: word(&n, 1),
                    ty: word(&t, 1),
                });
            }
            Rule::body => ops.extend(inner.into_inner().map(op)),
            _ => {}
        }
    }
    Func {
        name: name.expect("func has a name"),
        params,
        ops,
        span,
    }
}

fn op(p: Pair<'_, Rule>) -> OpSyntax<'_> {
    let span = span_of(&p);
    let mut it = p.into_inner().filter(|p| p.as_rule() != Rule::kw_op);
    let name = it.next().expect("op has a name");
    let body = it.next().expect("op has a body");
    OpSyntax {
        name: unescape(name.as_str()),
        name_span: span_of(&name),
        body: dict(body),
        span,
    }
}

fn dict(p: Pair<'_, Rule>) -> Dict<'_> {
    let span = span_of(&p);
    let entries = p
        .into_inner()
        .map(|e| {
            let mut it = e.into_inner();
            let k = it.next().expect("entry has a key");
            let v = it.next().expect("entry has a value");
            Entry {
                key: word(&k, 0),
                value: value(v),
            }
        })
        .collect();
    Dict { entries, span }
}

fn value(p: Pair<'_, Rule>) -> Value<'_> {
    let span = span_of(&p);
    let kind = match p.as_rule() {
        Rule::number => ValueKind::Number(p.as_str()),
        Rule::string => ValueKind::Str(unescape(p.as_str())),
        Rule::ssa => ValueKind::Ssa(&p.as_str()[1..]),
        Rule::type_name => ValueKind::Type(&p.as_str()[1..]),
        Rule::ident => ValueKind::Ident(p.as_str()),
        Rule::list => ValueKind::List(p.into_inner().map(value).collect()),
        Rule::dict => ValueKind::Dict(dict(p)),
        r => unreachable!("the grammar's value rule has no alternative {r:?}"),
    };
    Value { kind, span }
}

/// The text of a string literal (quotes included) without quotes and with `\"`, `\\`, `\n`, `\t`, `\r`
/// resolved.
pub(crate) fn unescape(raw: &str) -> String {
    let body = &raw[1..raw.len() - 1];
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        // The grammar admits only these escapes.
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// What a rule stands for, in the words of an "expected …" message.
fn rule_words(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::func | Rule::kw_func => "`func`",
        Rule::func_name => "a function name such as `@decode_layer18`",
        Rule::param => "a parameter such as `%kv42: !kv.block`",
        Rule::ssa => "a value name such as `%kv42`",
        Rule::type_name => "a type such as `!kv.block`",
        Rule::body | Rule::dict => "`{`",
        Rule::op | Rule::kw_op => "`riir.op`",
        Rule::string | Rule::string_body => "a quoted string",
        Rule::escape => "an escape (`\\\"`, `\\\\`, `\\n`, `\\t` or `\\r`)",
        Rule::entry | Rule::key => "a key",
        Rule::list => "`[`",
        Rule::number => "a number",
        Rule::ident => "a name",
        _ => return None,
    })
}

/// Tokens worth naming in "expected …": punctuation and keywords. The characters inside numbers and names
/// (`e`, `.`, `-`) that pest also tried would make the message longer, not clearer.
const NAMED_TOKENS: &[&str] = &["(", ")", ",", ":", "{", "}", "[", "]", "=", "\"", "func", "riir.op"];

/// Rules that start a value; when pest wanted any of several, the message says "a value".
const VALUE_RULES: &[Rule] = &[
    Rule::dict,
    Rule::list,
    Rule::number,
    Rule::string,
    Rule::ssa,
    Rule::type_name,
    Rule::ident,
];

fn syntax_error(src: &str, err: &pest::error::Error<Rule>) -> Diagnostic {
    let rule_pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<String> = Vec::new();
    fn push(expected: &mut Vec<String>, s: String) {
        if !expected.contains(&s) {
            expected.push(s);
        }
    }
    // pest tracks failed *rules* at one position and, with error detail on, failed literal *tokens* at a
    // possibly later one (`target_jpt = 1 max`: the rule position is at `1`, the missing `,` is at `max`).
    // Prefer the later position when a nameable token was wanted there.
    let tokens: Vec<(usize, String)> = err
        .parse_attempts()
        .map(|a| {
            let at = a.max_position;
            a.expected_tokens()
                .iter()
                .map(|t| t.to_string())
                .filter(|t| NAMED_TOKENS.contains(&t.as_str()))
                .map(|t| (at, t))
                .collect()
        })
        .unwrap_or_default();
    let token_pos = tokens.first().map(|(p, _)| *p);
    let pos = match token_pos {
        Some(p) if p > rule_pos => p,
        _ => rule_pos,
    };
    if pos == rule_pos {
        if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
            let values = positives.iter().filter(|r| VALUE_RULES.contains(r)).count();
            for &r in positives {
                if values > 2 && VALUE_RULES.contains(&r) {
                    push(&mut expected, "a value".to_string());
                } else if let Some(w) = rule_words(r) {
                    push(&mut expected, w.to_string());
                }
            }
        }
    }
    if token_pos == Some(pos) {
        for (_, t) in tokens {
            // `"`, `{` and `[` only restate "a quoted string" or "a value" when those are already expected.
            let implied = match t.as_str() {
                "\"" => expected.iter().any(|e| e == "a value" || e == "a quoted string"),
                "{" | "[" => expected.iter().any(|e| e == "a value"),
                _ => false,
            };
            if !implied {
                push(&mut expected, format!("`{t}`"));
            }
        }
    }
    let found = found_at(src, pos);
    let message = match expected.len() {
        0 => format!("unexpected {found}"),
        1 => format!("expected {}, found {found}", expected[0]),
        _ => {
            let last = expected.pop().expect("two or more");
            format!("expected {} or {last}, found {found}", expected.join(", "))
        }
    };
    let end = src[pos..].chars().next().map_or(pos, |c| pos + c.len_utf8());
    Diagnostic::error(message, Span::new(pos, end), "unexpected here")
}

/// `` `x` ``, `end of file`, or a readable name for a control character.
fn found_at(src: &str, pos: usize) -> String {
    match src[pos..].chars().next() {
        None => "end of file".to_string(),
        Some(c) if c.is_control() || c == '\u{feff}' => format!("character {:?}", c),
        Some(_) => {
            // Show the token-ish run that starts here, capped, so `found `fp8x`` reads naturally.
            let run: String = src[pos..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .take(24)
                .collect();
            let shown = if run.is_empty() {
                src[pos..].chars().next().map(String::from).unwrap_or_default()
            } else {
                run
            };
            format!("`{shown}`")
        }
    }
}
