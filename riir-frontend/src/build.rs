//! Syntax tree → RIIR [`Module`]: gives keys their meaning. Checks, per dictionary, that every key is known
//! (with "did you mean" when one is close), appears once, and that required keys are present; checks that each
//! value has the right kind (number, integer, name, list of values, dictionary) and resolves vocabulary names
//! (precision, link state, residency, fallback action, memory variant, kernel class) to enums.
//!
//! Building is best-effort, so the verifier can still report its own findings in the same run: a bad field of
//! a plan, fallback or kernel is replaced by a placeholder (a plan without a readable `id` is left out), a bad
//! memory/power field or op key is left out. Such a module is only for finding more errors. Ranges (negative clocks,
//! confidence above 1, …) are the verifier's business; the builder keeps numbers as written.

use riir_dialect::{
    Diagnostic, Fallback, FallbackAction, FuncId, KernelClass, KernelInfo, LinkState, MemoryIntent, Module, Named, Op,
    Plan, PowerIntent, Precision, Span, Spanned, ValueRef,
};

use crate::comments;
use crate::suggest::did_you_mean;
use crate::syntax::{self, Dict, Entry, Value, ValueKind};

/// Keys each dictionary accepts, in canonical (printing) order.
const OP_KEYS: &[&str] = &["kernel", "memory", "power"];
const KERNEL_KEYS: &[&str] = &["class", "shape", "bytes_hbm", "flops", "link_bytes"];
const MEMORY_KEYS: &[&str] = &["prefetch", "residency_hint", "evict", "reuse_confidence"];
const POWER_KEYS: &[&str] = &[
    "target_jpt",
    "max_temp_delta_100ms",
    "link_budget_pJb",
    "alternatives",
    "fallback",
];
const PLAN_KEYS: &[&str] = &[
    "id",
    "precision",
    "sm_mhz",
    "hbm_bw",
    "link",
    "memory",
    "est_jpt",
    "est_lat_ms",
];
const FALLBACK_KEYS: &[&str] = &["action", "est_jpt", "est_lat_ms"];

/// Builds a module from a parsed file; returns it with every error found (the module leaves out what was bad).
pub fn build(src: &str, file: &syntax::File<'_>) -> (Module, Vec<Diagnostic>) {
    let mut b = Builder {
        src,
        module: Module::new(),
        diags: Vec::new(),
    };
    if file.funcs.is_empty() {
        b.module.header_comments = comments::all_lines(src);
    }
    for (i, f) in file.funcs.iter().enumerate() {
        b.func(i, f);
    }
    (b.module, b.diags)
}

struct Builder<'s> {
    src: &'s str,
    module: Module,
    diags: Vec<Diagnostic>,
}

/// The first entry of each known key of one dictionary, after unknown and duplicate keys were reported.
/// Indexed by the key's position in the dictionary's key list (at most 8 keys: a linear scan beats hashing).
struct Fields<'d, 'a> {
    keys: &'static [&'static str],
    entries: [Option<&'d Entry<'a>>; 8],
    /// The dictionary's opening brace, where "missing key" errors point.
    open: Span,
    /// What the dictionary is, for messages: "plan `B`", "fallback", "kernel".
    what: String,
}

impl<'d, 'a> Fields<'d, 'a> {
    fn get(&self, key: &str) -> Option<&'d Value<'a>> {
        let i = self.keys.iter().position(|&k| k == key)?;
        self.entries[i].map(|e| &e.value)
    }
}

/// Stands in for a field whose error was already reported. Only ever seen in a module whose front-end
/// diagnostics hold errors, which no caller may compile (see `Parsed`); valid for the verifier, so it adds no
/// second error of its own.
fn placeholder<T>(value: T) -> Spanned<T> {
    Spanned::synthetic(value)
}

fn open_brace(span: Span) -> Span {
    Span {
        start: span.start,
        end: span.start.saturating_add(1).min(span.end),
    }
}

impl Builder<'_> {
    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn func(&mut self, index: usize, f: &syntax::Func<'_>) {
        let id = self
            .module
            .add_func(Spanned::new(f.name.text.to_string(), f.name.span), f.span);
        let above = comments::above(self.src, f.span.start as usize);
        if index == 0 {
            // Comments at the top of the file belong to the file, except a block that touches the function.
            let mut blocks = above.blocks;
            let own = if above.attached {
                blocks.pop().unwrap_or_default()
            } else {
                Vec::new()
            };
            self.module.header_comments = blocks.into_iter().flatten().collect();
            self.module.funcs[id].comments = own;
        } else {
            self.module.funcs[id].comments = above.all();
        }
        for p in &f.params {
            self.module.add_param(
                id,
                Spanned::new(p.name.text.to_string(), p.name.span),
                Spanned::new(p.ty.text.to_string(), p.ty.span),
            );
        }
        for op in &f.ops {
            self.op(id, op);
        }
    }

    fn op(&mut self, func: FuncId, syn: &syntax::OpSyntax<'_>) {
        let mut op = Op::new(func, syn.name.clone());
        op.name.span = syn.name_span;
        op.span = syn.span;
        op.comments = comments::above(self.src, syn.span.start as usize).all();
        let fields = self.fields(&syn.body, format!("op \"{}\"", syn.name), OP_KEYS);
        if let Some(d) = fields.get("kernel").and_then(|v| self.dict(v, "kernel")) {
            op.kernel = self.kernel(d);
        }
        if let Some(d) = fields.get("memory").and_then(|v| self.dict(v, "memory")) {
            op.memory = Some(self.memory(func, d));
        }
        if let Some(d) = fields.get("power").and_then(|v| self.dict(v, "power")) {
            op.power = Some(self.power(d));
        }
        self.module.add_op(op);
    }

    /// Reports unknown and duplicate keys of `dict` and returns the first entry of each known key.
    fn fields<'d, 'a>(&mut self, dict: &'d Dict<'a>, what: String, allowed: &'static [&'static str]) -> Fields<'d, 'a> {
        debug_assert!(allowed.len() <= 8);
        let mut entries: [Option<&'d Entry<'a>>; 8] = [None; 8];
        for e in &dict.entries {
            let key = e.key.text;
            match allowed.iter().position(|&k| k == key) {
                None => {
                    let mut d = Diagnostic::error(
                        format!("unknown key `{key}` in {what}"),
                        e.key.span,
                        format!("expected one of {}", allowed.join(", ")),
                    );
                    if let Some(s) = did_you_mean(key, allowed.iter().copied()) {
                        d = d.with_note(format!("help: did you mean `{s}`?"));
                    }
                    self.error(d);
                }
                Some(i) => match entries[i] {
                    Some(first) => {
                        let first_span = first.key.span;
                        self.error(
                            Diagnostic::error(
                                format!("duplicate key `{key}` in {what}"),
                                e.key.span,
                                "defined again here",
                            )
                            .with_secondary(first_span, "first defined here"),
                        );
                    }
                    None => entries[i] = Some(e),
                },
            }
        }
        Fields {
            keys: allowed,
            entries,
            open: open_brace(dict.span),
            what,
        }
    }

    /// Reports, in one error at the dictionary's `{`, every required key that is missing.
    fn require(&mut self, fields: &Fields<'_, '_>, keys: &[&str]) {
        let missing: Vec<String> = keys
            .iter()
            .filter(|k| fields.get(k).is_none())
            .map(|k| format!("`{k}`"))
            .collect();
        let list = match missing.as_slice() {
            [] => return,
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        };
        self.error(Diagnostic::error(
            format!("missing {list} in {}", fields.what),
            fields.open,
            format!("this {} needs {list}", fields.what),
        ));
    }

    fn wrong_kind(&mut self, v: &Value<'_>, key: &str, expected: &str) {
        self.error(Diagnostic::error(
            format!("expected {expected} for `{key}`, found {}", v.kind.describe()),
            v.span,
            format!("expected {expected}"),
        ));
    }

    fn dict<'d, 'a>(&mut self, v: &'d Value<'a>, key: &str) -> Option<&'d Dict<'a>> {
        match &v.kind {
            ValueKind::Dict(d) => Some(d),
            _ => {
                self.wrong_kind(v, key, "a dictionary `{…}`");
                None
            }
        }
    }

    fn float(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<f64>> {
        let ValueKind::Number(text) = v.kind else {
            self.wrong_kind(v, key, "a number");
            return None;
        };
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(Spanned::new(x, v.span)),
            _ => {
                self.error(Diagnostic::error(
                    format!("number `{text}` is out of range"),
                    v.span,
                    "too large for a 64-bit float",
                ));
                None
            }
        }
    }

    fn int(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<i64>> {
        let ValueKind::Number(text) = v.kind else {
            self.wrong_kind(v, key, "an integer");
            return None;
        };
        if text.contains(['.', 'e', 'E']) {
            self.error(Diagnostic::error(
                format!("`{key}` must be an integer, found `{text}`"),
                v.span,
                "expected an integer",
            ));
            return None;
        }
        match text.parse::<i64>() {
            Ok(x) => Some(Spanned::new(x, v.span)),
            Err(_) => {
                self.error(Diagnostic::error(
                    format!("integer `{text}` is out of range"),
                    v.span,
                    "does not fit in 64 bits",
                ));
                None
            }
        }
    }

    fn named<T: Named>(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<T>> {
        let text = match &v.kind {
            ValueKind::Ident(t) => *t,
            ValueKind::Str(_) => {
                let d = Diagnostic::error(
                    format!("expected a {} name for `{key}`, found a string", T::WHAT),
                    v.span,
                    format!("expected one of {}", T::expected_list()),
                )
                .with_note("help: vocabulary names are written without quotes");
                self.error(d);
                return None;
            }
            _ => {
                self.wrong_kind(v, key, &format!("a {} name", T::WHAT));
                return None;
            }
        };
        if let Some(x) = T::from_name(text) {
            return Some(Spanned::new(x, v.span));
        }
        let mut d = Diagnostic::error(
            format!("unknown {} `{text}`", T::WHAT),
            v.span,
            format!("expected one of {}", T::expected_list()),
        );
        if let Some(s) = did_you_mean(text, T::ALL.iter().map(|x| x.name())) {
            d = d.with_note(format!("help: did you mean `{s}`?"));
        }
        self.error(d);
        None
    }

    /// A plan id: a bare name such as `A`.
    fn plan_id(&mut self, v: &Value<'_>) -> Option<Spanned<String>> {
        match &v.kind {
            ValueKind::Ident(t) if !t.contains('.') => Some(Spanned::new(t.to_string(), v.span)),
            _ => {
                self.wrong_kind(v, "id", "a plan name such as `A`");
                None
            }
        }
    }

    fn value_refs(&mut self, func: FuncId, v: &Value<'_>, key: &str) -> Option<Vec<ValueRef>> {
        let ValueKind::List(items) = &v.kind else {
            self.wrong_kind(v, key, "a list of values `[%a, %b]`");
            return None;
        };
        let mut refs = Vec::with_capacity(items.len());
        for item in items {
            match item.kind {
                ValueKind::Ssa(name) => refs.push(ValueRef {
                    name: name.to_string(),
                    value: self.module.find_param(func, name),
                    span: item.span,
                }),
                _ => self.wrong_kind(item, key, "a value name such as `%kv42`"),
            }
        }
        Some(refs)
    }

    fn kernel(&mut self, d: &Dict<'_>) -> Option<KernelInfo> {
        let f = self.fields(d, "kernel".to_string(), KERNEL_KEYS);
        self.require(&f, &KERNEL_KEYS[..4]);
        let class = f.get("class").and_then(|v| self.named(v, "class"));
        let shape = f.get("shape").and_then(|v| self.shape(v));
        let bytes_hbm = f.get("bytes_hbm").and_then(|v| self.float(v, "bytes_hbm"));
        let flops = f.get("flops").and_then(|v| self.float(v, "flops"));
        let link_bytes = f.get("link_bytes").and_then(|v| self.float(v, "link_bytes"));
        Some(KernelInfo {
            class: class.unwrap_or_else(|| placeholder(KernelClass::Linear)),
            shape: shape.unwrap_or_default(),
            bytes_hbm: bytes_hbm.unwrap_or_else(|| placeholder(0.0)),
            flops: flops.unwrap_or_else(|| placeholder(0.0)),
            link_bytes,
            span: d.span,
        })
    }

    fn shape(&mut self, v: &Value<'_>) -> Option<Vec<(Spanned<String>, Spanned<i64>)>> {
        let d = self.dict(v, "shape")?;
        let mut dims: Vec<(Spanned<String>, Spanned<i64>)> = Vec::with_capacity(d.entries.len());
        let mut ok = true;
        for e in &d.entries {
            if let Some((first, _)) = dims.iter().find(|(n, _)| n.value == e.key.text) {
                let first_span = first.span;
                self.error(
                    Diagnostic::error(
                        format!("duplicate key `{}` in shape", e.key.text),
                        e.key.span,
                        "defined again here",
                    )
                    .with_secondary(first_span, "first defined here"),
                );
                ok = false;
                continue;
            }
            match self.int(&e.value, e.key.text) {
                Some(n) => dims.push((Spanned::new(e.key.text.to_string(), e.key.span), n)),
                None => ok = false,
            }
        }
        ok.then_some(dims)
    }

    fn memory(&mut self, func: FuncId, d: &Dict<'_>) -> MemoryIntent {
        let f = self.fields(d, "memory".to_string(), MEMORY_KEYS);
        MemoryIntent {
            prefetch: f.get("prefetch").and_then(|v| self.value_refs(func, v, "prefetch")),
            residency_hint: f.get("residency_hint").and_then(|v| self.named(v, "residency_hint")),
            evict: f.get("evict").and_then(|v| self.value_refs(func, v, "evict")),
            reuse_confidence: f
                .get("reuse_confidence")
                .and_then(|v| self.float(v, "reuse_confidence")),
            span: d.span,
        }
    }

    fn power(&mut self, d: &Dict<'_>) -> PowerIntent {
        let f = self.fields(d, "power".to_string(), POWER_KEYS);
        let alternatives = f.get("alternatives").and_then(|v| match &v.kind {
            ValueKind::List(items) => Some(items.iter().filter_map(|p| self.plan(p)).collect()),
            _ => {
                self.wrong_kind(v, "alternatives", "a list of plans `[{…}, …]`");
                None
            }
        });
        PowerIntent {
            target_jpt: f.get("target_jpt").and_then(|v| self.float(v, "target_jpt")),
            max_temp_delta_100ms: f
                .get("max_temp_delta_100ms")
                .and_then(|v| self.float(v, "max_temp_delta_100ms")),
            link_budget_pj_per_bit: f.get("link_budget_pJb").and_then(|v| self.float(v, "link_budget_pJb")),
            alternatives,
            fallback: f
                .get("fallback")
                .and_then(|v| self.dict(v, "fallback"))
                .and_then(|d| self.fallback(d)),
            span: d.span,
        }
    }

    fn plan(&mut self, v: &Value<'_>) -> Option<Plan> {
        let d = self.dict(v, "alternatives")?;
        // Name the plan in messages when its id is readable.
        let what = d
            .entries
            .iter()
            .find(|e| e.key.text == "id")
            .and_then(|e| match e.value.kind {
                ValueKind::Ident(t) => Some(format!("plan `{t}`")),
                _ => None,
            })
            .unwrap_or_else(|| "plan".to_string());
        let f = self.fields(d, what, PLAN_KEYS);
        self.require(
            &f,
            &["id", "precision", "sm_mhz", "hbm_bw", "link", "est_jpt", "est_lat_ms"],
        );
        let id = f.get("id").and_then(|v| self.plan_id(v));
        let precision = f.get("precision").and_then(|v| self.named(v, "precision"));
        let sm_mhz = f.get("sm_mhz").and_then(|v| self.int(v, "sm_mhz"));
        let hbm_bw = f.get("hbm_bw").and_then(|v| self.float(v, "hbm_bw"));
        let link = f.get("link").and_then(|v| self.named(v, "link"));
        let memory = f.get("memory").map(|v| self.named(v, "memory"));
        let est_jpt = f.get("est_jpt").and_then(|v| self.float(v, "est_jpt"));
        let est_lat_ms = f.get("est_lat_ms").and_then(|v| self.float(v, "est_lat_ms"));
        // A plan keeps its place with placeholders for bad fields (already reported), so the verifier still
        // checks its id for duplicates and its other numbers for ranges in the same run.
        Some(Plan {
            id: id?,
            precision: precision.unwrap_or_else(|| placeholder(Precision::Fp16)),
            sm_mhz: sm_mhz.unwrap_or_else(|| placeholder(1)),
            hbm_bw_tbps: hbm_bw.unwrap_or_else(|| placeholder(1.0)),
            link: link.unwrap_or_else(|| placeholder(LinkState::Dsp)),
            memory: memory.flatten(),
            est_jpt: est_jpt.unwrap_or_else(|| placeholder(1.0)),
            est_lat_ms: est_lat_ms.unwrap_or_else(|| placeholder(1.0)),
            span: d.span,
        })
    }

    fn fallback(&mut self, d: &Dict<'_>) -> Option<Fallback> {
        let f = self.fields(d, "fallback".to_string(), FALLBACK_KEYS);
        self.require(&f, FALLBACK_KEYS);
        let action = f.get("action").and_then(|v| self.named(v, "action"));
        let est_jpt = f.get("est_jpt").and_then(|v| self.float(v, "est_jpt"));
        let est_lat_ms = f.get("est_lat_ms").and_then(|v| self.float(v, "est_lat_ms"));
        Some(Fallback {
            action: action.unwrap_or_else(|| placeholder(FallbackAction::RecomputeKv)),
            est_jpt: est_jpt.unwrap_or_else(|| placeholder(1.0)),
            est_lat_ms: est_lat_ms.unwrap_or_else(|| placeholder(1.0)),
            span: d.span,
        })
    }
}
