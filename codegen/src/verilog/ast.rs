//! A small Verilog-2005 syntax tree and its printer: the arbiter is built as data, never with format strings.
//!
//! Only what the generator needs: a module with non-ANSI port declarations, sized constants, wires with a
//! continuous assignment, registers and `always @(posedge clk)` blocks of non-blocking assignments and `if`s.
//! The printer parenthesises every nested operator so the emitted precedence is exactly the tree's.

use std::fmt::Write;

/// A bit range `[hi:lo]`, written either with numbers or in terms of a named width (`[W-1:0]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Range {
    /// A single bit: no range printed.
    Bit,
    /// `[n-1:0]` printed with the numeric bound.
    Bits(u32),
    /// `[NAME+offset-1:0]`, e.g. `Named("W", 0)` → `[W-1:0]`, `Named("W", 2)` → `[W+1:0]`.
    Named(&'static str, i32),
}

impl Range {
    fn print(&self) -> String {
        match self {
            Range::Bit => String::new(),
            Range::Bits(n) => format!("[{}:0] ", n - 1),
            Range::Named(name, off) => match off - 1 {
                0 => format!("[{name}:0] "),
                o if o > 0 => format!("[{name}+{o}:0] "),
                o => format!("[{name}{o}:0] "),
            },
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    And,
    Or,
    Xor,
    LogAnd,
    LogOr,
    Eq,
    Ne,
    Gt,
    Ge,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::LogAnd => "&&",
            BinOp::LogOr => "||",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Ident(String),
    /// An unsigned sized constant, printed in decimal: `20'd120000`.
    Const {
        width: u32,
        value: u64,
    },
    /// A signed sized constant (non-negative magnitude): `22'sd0`.
    SignedConst {
        width: u32,
        value: u64,
    },
    /// Bitwise complement `~x`.
    Not(Box<Expr>),
    /// Logical negation `!x`.
    LogNot(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Concat(Vec<Expr>),
    /// One bit of a named signal: `x[3]`.
    Bit(String, u32),
    /// A slice of a named signal: `x[hi:lo]`.
    Slice(String, u32, u32),
    /// `$signed(x)`.
    Signed(Box<Expr>),
}

/// Shorthands that keep the generator readable.
pub fn id(name: &str) -> Expr {
    Expr::Ident(name.to_string())
}
pub fn lit(width: u32, value: u64) -> Expr {
    debug_assert!(
        width >= 64 || value < (1u64 << width),
        "{value} does not fit {width} bits"
    );
    Expr::Const { width, value }
}
pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Bin(op, Box::new(a), Box::new(b))
}
pub fn cond(c: Expr, a: Expr, b: Expr) -> Expr {
    Expr::Cond(Box::new(c), Box::new(a), Box::new(b))
}
pub fn not(a: Expr) -> Expr {
    Expr::Not(Box::new(a))
}
pub fn lnot(a: Expr) -> Expr {
    Expr::LogNot(Box::new(a))
}

impl Expr {
    fn print(&self, out: &mut String, nested: bool) {
        match self {
            Expr::Ident(n) => out.push_str(n),
            Expr::Const { width, value } => {
                let _ = write!(out, "{width}'d{value}");
            }
            Expr::SignedConst { width, value } => {
                let _ = write!(out, "{width}'sd{value}");
            }
            Expr::Not(a) => {
                out.push('~');
                a.print(out, true);
            }
            Expr::LogNot(a) => {
                out.push('!');
                a.print(out, true);
            }
            Expr::Bin(op, a, b) => {
                if nested {
                    out.push('(');
                }
                a.print(out, true);
                let _ = write!(out, " {} ", op.symbol());
                b.print(out, true);
                if nested {
                    out.push(')');
                }
            }
            Expr::Cond(c, a, b) => {
                if nested {
                    out.push('(');
                }
                c.print(out, true);
                out.push_str(" ? ");
                a.print(out, true);
                out.push_str(" : ");
                b.print(out, true);
                if nested {
                    out.push(')');
                }
            }
            Expr::Concat(parts) => {
                out.push('{');
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    p.print(out, false);
                }
                out.push('}');
            }
            Expr::Bit(n, i) => {
                let _ = write!(out, "{n}[{i}]");
            }
            Expr::Slice(n, hi, lo) => {
                let _ = write!(out, "{n}[{hi}:{lo}]");
            }
            Expr::Signed(a) => {
                out.push_str("$signed(");
                a.print(out, false);
                out.push(')');
            }
        }
    }

    /// The expression as Verilog text.
    pub fn to_verilog(&self) -> String {
        let mut s = String::new();
        self.print(&mut s, false);
        s
    }
}

/// A statement inside an `always @(posedge clk)` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// `lhs <= rhs;`
    NonBlocking(String, Expr),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Dir {
    Input,
    Output,
}

/// A module-level item, printed in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `// text` (one line per entry; empty text prints a bare `//`).
    Comment(Vec<String>),
    Blank,
    /// `localparam integer NAME = value;`
    IntParam(String, u64),
    /// `localparam [n-1:0] NAME = <expr>; // comment`
    LocalParam {
        name: String,
        range: Range,
        value: Expr,
        comment: Option<String>,
    },
    /// Non-ANSI port declaration; `reg` marks an output register.
    Port {
        dir: Dir,
        reg: bool,
        range: Range,
        name: String,
        comment: Option<String>,
    },
    Reg {
        range: Range,
        name: String,
        comment: Option<String>,
    },
    /// `wire [..] name = expr;`
    Wire {
        range: Range,
        name: String,
        value: Expr,
        comment: Option<String>,
    },
    /// `always @(posedge clk) begin ... end`
    AlwaysPosedge {
        clock: String,
        body: Vec<Stmt>,
    },
}

/// A Verilog module: a header comment, pragmas, the port name list and the items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    pub header: Vec<String>,
    /// Lines printed verbatim before `module` (e.g. `// verilator lint_off DECLFILENAME`).
    pub pragmas: Vec<String>,
    pub name: String,
    pub ports: Vec<String>,
    pub items: Vec<Item>,
}

const INDENT: &str = "  ";

fn comment_suffix(c: &Option<String>) -> String {
    c.as_ref().map(|c| format!(" // {c}")).unwrap_or_default()
}

fn print_stmts(out: &mut String, stmts: &[Stmt], depth: usize) {
    let pad = INDENT.repeat(depth);
    for s in stmts {
        match s {
            Stmt::NonBlocking(lhs, rhs) => {
                let _ = writeln!(out, "{pad}{lhs} <= {};", rhs.to_verilog());
            }
            Stmt::If(c, then, els) => {
                let _ = writeln!(out, "{pad}if ({}) begin", c.to_verilog());
                print_stmts(out, then, depth + 1);
                if els.is_empty() {
                    let _ = writeln!(out, "{pad}end");
                } else {
                    let _ = writeln!(out, "{pad}end else begin");
                    print_stmts(out, els, depth + 1);
                    let _ = writeln!(out, "{pad}end");
                }
            }
        }
    }
}

impl Module {
    /// The module as Verilog text (LF line endings, trailing newline).
    pub fn to_verilog(&self) -> String {
        let mut out = String::new();
        for line in &self.header {
            if line.is_empty() {
                out.push_str("//\n");
            } else {
                let _ = writeln!(out, "// {line}");
            }
        }
        for p in &self.pragmas {
            let _ = writeln!(out, "{p}");
        }
        let _ = writeln!(out, "module {} (", self.name);
        for (i, p) in self.ports.iter().enumerate() {
            let sep = if i + 1 == self.ports.len() { "" } else { "," };
            let _ = writeln!(out, "{INDENT}{p}{sep}");
        }
        out.push_str(");\n");
        for item in &self.items {
            match item {
                Item::Comment(lines) => {
                    for l in lines {
                        if l.is_empty() {
                            let _ = writeln!(out, "{INDENT}//");
                        } else {
                            let _ = writeln!(out, "{INDENT}// {l}");
                        }
                    }
                }
                Item::Blank => out.push('\n'),
                Item::IntParam(name, v) => {
                    let _ = writeln!(out, "{INDENT}localparam integer {name} = {v};");
                }
                Item::LocalParam {
                    name,
                    range,
                    value,
                    comment,
                } => {
                    let _ = writeln!(
                        out,
                        "{INDENT}localparam {}{name} = {};{}",
                        range.print(),
                        value.to_verilog(),
                        comment_suffix(comment)
                    );
                }
                Item::Port {
                    dir,
                    reg,
                    range,
                    name,
                    comment,
                } => {
                    let d = match dir {
                        Dir::Input => "input  wire",
                        Dir::Output if *reg => "output reg ",
                        Dir::Output => "output wire",
                    };
                    let _ = writeln!(out, "{INDENT}{d} {}{name};{}", range.print(), comment_suffix(comment));
                }
                Item::Reg { range, name, comment } => {
                    let _ = writeln!(out, "{INDENT}reg {}{name};{}", range.print(), comment_suffix(comment));
                }
                Item::Wire {
                    range,
                    name,
                    value,
                    comment,
                } => {
                    let _ = writeln!(
                        out,
                        "{INDENT}wire {}{name} = {};{}",
                        range.print(),
                        value.to_verilog(),
                        comment_suffix(comment)
                    );
                }
                Item::AlwaysPosedge { clock, body } => {
                    let _ = writeln!(out, "{INDENT}always @(posedge {clock}) begin");
                    print_stmts(&mut out, body, 2);
                    let _ = writeln!(out, "{INDENT}end");
                }
            }
        }
        out.push_str("endmodule\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_operators_are_parenthesised() {
        let e = cond(
            bin(BinOp::Eq, id("plan"), lit(2, 0)),
            bin(BinOp::Add, id("a"), bin(BinOp::Sub, id("b"), lit(4, 1))),
            Expr::Concat(vec![lit(2, 3), not(id("r"))]),
        );
        assert_eq!(e.to_verilog(), "(plan == 2'd0) ? (a + (b - 4'd1)) : {2'd3, ~r}");
    }

    #[test]
    fn ranges_print_numerically_or_by_name() {
        assert_eq!(Range::Bits(20).print(), "[19:0] ");
        assert_eq!(Range::Named("W", 0).print(), "[W-1:0] ");
        assert_eq!(Range::Named("W", 1).print(), "[W:0] ");
        assert_eq!(Range::Named("W", 2).print(), "[W+1:0] ");
        assert_eq!(Range::Bit.print(), "");
    }

    #[test]
    fn module_prints_ports_items_and_always_blocks() {
        let m = Module {
            header: vec!["demo".into(), String::new()],
            pragmas: vec![],
            name: "m".into(),
            ports: vec!["clk".into(), "q".into()],
            items: vec![
                Item::Port {
                    dir: Dir::Input,
                    reg: false,
                    range: Range::Bit,
                    name: "clk".into(),
                    comment: None,
                },
                Item::Port {
                    dir: Dir::Output,
                    reg: true,
                    range: Range::Bits(2),
                    name: "q".into(),
                    comment: Some("state".into()),
                },
                Item::AlwaysPosedge {
                    clock: "clk".into(),
                    body: vec![Stmt::If(
                        lnot(id("q")),
                        vec![Stmt::NonBlocking("q".into(), lit(2, 1))],
                        vec![],
                    )],
                },
            ],
        };
        assert_eq!(
            m.to_verilog(),
            "// demo\n//\nmodule m (\n  clk,\n  q\n);\n  input  wire clk;\n  output reg  [1:0] q; // state\n  \
             always @(posedge clk) begin\n    if (!q) begin\n      q <= 2'd1;\n    end\n  end\nendmodule\n"
        );
    }
}
