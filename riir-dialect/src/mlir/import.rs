//! MLIR → RIIR: rebuilds a [`Module`] from a parsed (and IRDL-verified) `riir` MLIR module, checking what IRDL
//! cannot express — the fields inside the `kernel`, `memory` and `power` dictionaries:
//!
//! - every required key is present and no unknown key is;
//! - numbers have the right kind and width (`f64` floats, `i64` integers; an `f32` is an error, not rounded);
//! - vocabulary fields are `#riir.<vocabulary><"name">` attributes (IRDL checked the name when parsing);
//! - `prefetch` / `evict` markers agree with the operand segments, and operands are function arguments or
//!   `riir.block_ref` results;
//! - functions hold one block of `riir.block_ref` / `riir.op` ops ending in `func.return`, with only
//!   `!riir.kv_block` arguments and no results.
//!
//! Each problem is reported through MLIR's diagnostics at the location of the offending operation. Spans in the
//! returned module are byte offsets into the MLIR source (the start of the op's line and column), so the RIIR
//! verifier's diagnostics can be mapped back to MLIR locations.

use melior::ir::attribute::{
    ArrayAttribute, DenseI32ArrayAttribute, DictionaryAttribute, FloatAttribute, IntegerAttribute,
};
use melior::ir::block::{BlockArgument, BlockLike};
use melior::ir::operation::{OperationLike, OperationResult};
use melior::ir::{Attribute, AttributeLike, Location, OperationRef, RegionLike, ValueLike};

use super::context::{file_line_col, identifier_text, string_ref_text, RiirContext};
use super::schema::{
    self, fallback_key, kernel_key, memory_key, op_attr, plan_key, power_key, vocabulary_attr, vocabulary_name,
};
use crate::entity::FuncId;
use crate::module::{Fallback, KernelInfo, MemoryIntent, Module, Op, Plan, PowerIntent, ValueRef};
use crate::names::{FallbackAction, KernelClass, LinkState, MemoryVariant, Named, Precision, Residency};
use crate::span::{Span, Spanned};

/// Converts `module_op` (a `builtin.module` parsed from `source` under `file_name`). Every problem is emitted
/// through `ctx`'s diagnostics; `None` when there was at least one.
pub fn import<'c, 'a>(
    ctx: &RiirContext,
    module_op: &impl OperationLike<'c, 'a>,
    source: &str,
    file_name: &str,
) -> Option<Module>
where
    'c: 'a,
{
    let mut imp = Importer {
        ctx,
        lines: LineIndex::new(source),
        file_name,
        module: Module::new(),
        failed: false,
    };
    imp.module.header_comments = imp.comments(module_op, schema::HEADER_COMMENTS);
    let body = module_op
        .region(0)
        .ok()
        .and_then(|r| r.first_block())
        .and_then(|b| b.first_operation());
    let mut next = body;
    while let Some(op) = next {
        if identifier_text(op.name()) == "func.func" {
            imp.function(&op);
        } else {
            imp.error(
                op.location(),
                format!("expected `func.func` at the top level, found `{}`", op_name(&op)),
            );
        }
        next = op.next_in_block();
    }
    (!imp.failed).then_some(imp.module)
}

struct Importer<'x> {
    ctx: &'x RiirContext,
    lines: LineIndex,
    file_name: &'x str,
    module: Module,
    failed: bool,
}

fn op_name<'c: 'a, 'a>(op: &impl OperationLike<'c, 'a>) -> String {
    identifier_text(op.name())
}

fn string_of(attr: Attribute<'_>) -> Option<String> {
    if !attr.is_string() {
        return None;
    }
    // Not `StringAttribute::value`: it is undefined behaviour on the empty string (see `string_ref_text`).
    // SAFETY: `attr` is a string attribute of a live context.
    string_ref_text(unsafe { mlir_sys::mlirStringAttrGetValue(attr.to_raw()) })
}

impl Importer<'_> {
    fn error(&mut self, location: Location<'_>, message: String) {
        self.failed = true;
        self.ctx.emit_error(location, &message);
    }

    /// The span of an op: from its line:col in the MLIR source, to the end of that line.
    fn span_of(&self, location: Location<'_>) -> Span {
        match file_line_col(location) {
            Some((file, line, col)) if file == self.file_name => self.lines.span(line, col),
            _ => Span::SYNTHETIC,
        }
    }

    /// A `riir.comments`-style attribute: an array of strings, or absent.
    fn comments<'c: 'a, 'a>(&mut self, op: &impl OperationLike<'c, 'a>, key: &str) -> Vec<String> {
        let Ok(attr) = op.attribute(key) else {
            return Vec::new();
        };
        let lines = ArrayAttribute::try_from(attr).ok().and_then(|a| {
            (0..a.len())
                .map(|i| a.element(i).ok().and_then(string_of))
                .collect::<Option<Vec<_>>>()
        });
        match lines {
            Some(lines) => lines,
            None => {
                self.error(
                    op.location(),
                    format!("`{key}` must be an array of strings, found `{attr}`"),
                );
                Vec::new()
            }
        }
    }

    fn function(&mut self, op: &OperationRef<'_, '_>) {
        let loc = op.location();
        let span = self.span_of(loc);
        let Some(name) = op.attribute("sym_name").ok().and_then(string_of) else {
            return self.error(loc, "`func.func` has no `sym_name`".into());
        };
        let Some(block) = op.region(0).ok().and_then(|r| r.first_block()) else {
            return self.error(
                loc,
                format!("function @{name} has no body; RIIR functions are definitions"),
            );
        };
        if block.next_in_region().is_some() {
            return self.error(
                loc,
                format!("function @{name} has more than one block; RIIR bodies are one block"),
            );
        }
        let func = self.module.add_func(Spanned::new(name.clone(), span), span);
        self.module.funcs[func].comments = self.comments(op, schema::COMMENTS);

        let arg_attrs = op
            .attribute("arg_attrs")
            .ok()
            .and_then(|a| ArrayAttribute::try_from(a).ok());
        for i in 0..block.argument_count() {
            let Ok(arg) = block.argument(i) else { continue };
            let ty = arg.r#type().to_string();
            if ty != schema::KV_BLOCK_TYPE {
                self.error(
                    loc,
                    format!(
                        "argument {i} of @{name} has type `{ty}`; RIIR functions take only `{}`",
                        schema::KV_BLOCK_TYPE
                    ),
                );
            }
            let dict = arg_attrs
                .and_then(|a| a.element(i).ok())
                .and_then(|a| DictionaryAttribute::try_from(a).ok());
            let entry = |key: &str| dict.and_then(|d| d.element_by_name(key)).and_then(string_of);
            // Hand-written MLIR may omit the names; the argument's position is the best name there is.
            let arg_name = entry(schema::ARG_NAME).unwrap_or_else(|| format!("arg{i}"));
            let arg_ty = entry(schema::ARG_TYPE).unwrap_or_else(|| schema::RIIR_KV_BLOCK.to_string());
            self.module
                .add_param(func, Spanned::new(arg_name, span), Spanned::new(arg_ty, span));
        }

        let mut next = block.first_operation();
        let mut returned = false;
        while let Some(inner) = next {
            let inner_name = op_name(&inner);
            if returned {
                self.error(inner.location(), format!("`{inner_name}` after `func.return`"));
            }
            match inner_name.as_str() {
                schema::OP => self.op(func, &inner),
                schema::BLOCK_REF => {}
                "func.return" => {
                    returned = true;
                    if inner.operand_count() != 0 {
                        self.error(inner.location(), format!("function @{name} returns values; RIIR functions return nothing"));
                    }
                }
                other => self.error(
                    inner.location(),
                    format!("unexpected `{other}` in a RIIR function; expected `riir.op`, `riir.block_ref` or `func.return`"),
                ),
            }
            next = inner.next_in_block();
        }
    }

    fn op(&mut self, func: FuncId, op: &OperationRef<'_, '_>) {
        let loc = op.location();
        let span = self.span_of(loc);
        let mut errors = Vec::new();
        let name = op.attribute(op_attr::NAME).ok().and_then(string_of).unwrap_or_default();
        let allowed = [
            op_attr::NAME,
            op_attr::KERNEL,
            op_attr::MEMORY,
            op_attr::POWER,
            op_attr::SEGMENTS,
            schema::COMMENTS,
        ];
        for (key, _) in op.attributes() {
            let key = identifier_text(key);
            if !allowed.contains(&key.as_str()) {
                errors.push(format!("unknown attribute `{key}` (expected {})", allowed.join(", ")));
            }
        }

        // Operands: the prefetch segment, then the evict segment.
        let segments = op
            .attribute(op_attr::SEGMENTS)
            .ok()
            .and_then(|a| DenseI32ArrayAttribute::try_from(a).ok())
            .and_then(|a| Some((a.element(0).ok()?, a.element(1).ok()?)));
        let Some((n_prefetch, n_evict)) = segments
            .and_then(|(p, e)| Some((usize::try_from(p).ok()?, usize::try_from(e).ok()?)))
            .filter(|(p, e)| p + e == op.operand_count())
        else {
            return self.error(
                loc,
                "`operandSegmentSizes` must be `array<i32: #prefetch, #evict>`".into(),
            );
        };
        let mut refs = Vec::new();
        for i in 0..op.operand_count() {
            let Ok(value) = op.operand(i) else { continue };
            // A reference to another layer's block points at its `riir.block_ref`, where the name is written.
            let mut ref_span = span;
            let ref_name = if let Ok(arg) = BlockArgument::try_from(value) {
                let params = &self.module.funcs[func].params;
                params
                    .get(arg.argument_number())
                    .map(|&v| self.module.values[v].name.value.clone())
            } else if let Ok(result) = OperationResult::try_from(value) {
                let owner = result.owner();
                if op_name(&owner) == schema::BLOCK_REF {
                    ref_span = self.span_of(owner.location());
                    owner.attribute(op_attr::NAME).ok().and_then(string_of)
                } else {
                    errors.push(format!(
                        "operand {i} comes from `{}`; expected a function argument or a `{}` result",
                        op_name(&owner),
                        schema::BLOCK_REF
                    ));
                    None
                }
            } else {
                None
            };
            if let Some(n) = ref_name {
                let value = self.module.find_param(func, &n);
                refs.push(ValueRef {
                    name: n,
                    value,
                    span: ref_span,
                });
            }
        }
        let evict_refs = refs.split_off(n_prefetch.min(refs.len()));
        let prefetch_refs = refs;

        let mut new_op = Op::new(func, name);
        new_op.name.span = span;
        new_op.span = span;
        new_op.comments = self.comments(op, schema::COMMENTS);
        let mut r = Reader {
            span,
            errors: &mut errors,
        };
        new_op.kernel = r.block(op, op_attr::KERNEL, |r, d| r.kernel(d));
        new_op.memory = r.block(op, op_attr::MEMORY, |r, d| {
            r.memory(d, prefetch_refs.clone(), evict_refs.clone())
        });
        new_op.power = r.block(op, op_attr::POWER, |r, d| r.power(d));
        let has_prefetch = new_op.memory.as_ref().is_some_and(|m| m.prefetch.is_some());
        let has_evict = new_op.memory.as_ref().is_some_and(|m| m.evict.is_some());
        if n_prefetch > 0 && !has_prefetch {
            errors.push(format!(
                "{n_prefetch} prefetch operand(s) but no `memory.prefetch` marker"
            ));
        }
        if n_evict > 0 && !has_evict {
            errors.push(format!("{n_evict} evict operand(s) but no `memory.evict` marker"));
        }
        for e in errors {
            self.error(loc, format!("riir.op \"{}\": {e}", new_op.name.value));
        }
        self.module.add_op(new_op);
    }
}

/// Reads the intent dictionaries of one op, collecting every problem (with its key path) instead of stopping.
struct Reader<'e> {
    span: Span,
    errors: &'e mut Vec<String>,
}

/// One dictionary being read: the keys not yet consumed are reported as unknown when it is closed.
struct Dict<'c> {
    dict: DictionaryAttribute<'c>,
    path: String,
    allowed: &'static [&'static str],
}

impl<'e> Reader<'e> {
    /// `kernel`/`memory`/`power`: a dictionary, or `unit` for "no such block".
    fn block<'c, T>(
        &mut self,
        op: &OperationRef<'c, '_>,
        key: &'static str,
        read: impl FnOnce(&mut Self, DictionaryAttribute<'c>) -> Option<T>,
    ) -> Option<T> {
        let attr = op.attribute(key).ok()?;
        if attr.is_unit() {
            return None;
        }
        match DictionaryAttribute::try_from(attr) {
            Ok(d) => read(self, d),
            Err(_) => {
                self.errors
                    .push(format!("`{key}` must be a dictionary or `unit`, found `{attr}`"));
                None
            }
        }
    }

    fn open<'c>(&mut self, attr: Attribute<'c>, path: String, allowed: &'static [&'static str]) -> Option<Dict<'c>> {
        let Ok(dict) = DictionaryAttribute::try_from(attr) else {
            self.errors
                .push(format!("`{path}` must be a dictionary, found `{attr}`"));
            return None;
        };
        for i in 0..dict.len() {
            let Ok((key, _)) = dict.element(i) else { continue };
            let key = identifier_text(key);
            if !allowed.contains(&key.as_str()) {
                self.errors.push(format!(
                    "unknown key `{path}.{key}` (expected one of {})",
                    allowed.join(", ")
                ));
            }
        }
        Some(Dict { dict, path, allowed })
    }

    fn get<'c>(&mut self, d: &Dict<'c>, key: &'static str, required: bool) -> Option<Attribute<'c>> {
        debug_assert!(d.allowed.contains(&key));
        let attr = d.dict.element_by_name(key);
        if attr.is_none() && required {
            self.errors.push(format!("missing `{}.{key}`", d.path));
        }
        attr
    }

    fn f64(&mut self, d: &Dict<'_>, key: &'static str, required: bool) -> Option<Spanned<f64>> {
        let attr = self.get(d, key, required)?;
        match FloatAttribute::try_from(attr) {
            Ok(f) if f.r#type().to_string() == "f64" => Some(Spanned::new(f.value(), self.span)),
            Ok(f) => {
                let width = f.r#type();
                self.errors.push(format!(
                    "`{}.{key}` must be an f64 float, found `{attr}` ({width})",
                    d.path
                ));
                None
            }
            Err(_) => {
                self.errors
                    .push(format!("`{}.{key}` must be an f64 float, found `{attr}`", d.path));
                None
            }
        }
    }

    fn i64(&mut self, d: &Dict<'_>, key: &'static str) -> Option<Spanned<i64>> {
        let attr = self.get(d, key, true)?;
        self.int_value(attr, &format!("{}.{key}", d.path))
    }

    fn int_value(&mut self, attr: Attribute<'_>, path: &str) -> Option<Spanned<i64>> {
        match IntegerAttribute::try_from(attr) {
            Ok(i) if i.r#type().to_string() == "i64" => Some(Spanned::new(i.value(), self.span)),
            _ => {
                self.errors
                    .push(format!("`{path}` must be an i64 integer, found `{attr}`"));
                None
            }
        }
    }

    fn string(&mut self, d: &Dict<'_>, key: &'static str) -> Option<Spanned<String>> {
        let attr = self.get(d, key, true)?;
        match string_of(attr) {
            Some(s) => Some(Spanned::new(s, self.span)),
            None => {
                self.errors
                    .push(format!("`{}.{key}` must be a UTF-8 string, found `{attr}`", d.path));
                None
            }
        }
    }

    fn name<T: Named>(&mut self, d: &Dict<'_>, key: &'static str, required: bool) -> Option<Spanned<T>> {
        let attr = self.get(d, key, required)?;
        let printed = attr.to_string();
        let Some(s) = vocabulary_name::<T>(&printed) else {
            let example = vocabulary_attr(T::ALL[0]);
            self.errors.push(format!(
                "`{}.{key}` must be a {} attribute such as `{example}`, found `{printed}`",
                d.path,
                T::WHAT
            ));
            return None;
        };
        // IRDL already rejected unknown names when it parsed the attribute; this guards a stale definition.
        match T::from_name(s) {
            Some(v) => Some(Spanned::new(v, self.span)),
            None => {
                self.errors.push(format!(
                    "`{}.{key}`: unknown {} `{s}`; expected one of {}",
                    d.path,
                    T::WHAT,
                    T::expected_list()
                ));
                None
            }
        }
    }

    /// A unit marker (`prefetch`, `evict`): present or not.
    fn marker(&mut self, d: &Dict<'_>, key: &'static str) -> bool {
        match self.get(d, key, false) {
            None => false,
            Some(a) if a.is_unit() => true,
            Some(a) => {
                self.errors.push(format!(
                    "`{}.{key}` must be `unit` (the blocks are the op's operands), found `{a}`",
                    d.path
                ));
                true
            }
        }
    }

    fn array<'c>(&mut self, d: &Dict<'c>, key: &'static str, required: bool) -> Option<Vec<Attribute<'c>>> {
        let attr = self.get(d, key, required)?;
        match ArrayAttribute::try_from(attr) {
            Ok(a) => Some((0..a.len()).filter_map(|i| a.element(i).ok()).collect()),
            Err(_) => {
                self.errors
                    .push(format!("`{}.{key}` must be an array, found `{attr}`", d.path));
                None
            }
        }
    }

    fn kernel(&mut self, attr: DictionaryAttribute<'_>) -> Option<KernelInfo> {
        const KEYS: &[&str] = &[
            kernel_key::CLASS,
            kernel_key::SHAPE,
            kernel_key::BYTES_HBM,
            kernel_key::FLOPS,
            kernel_key::LINK_BYTES,
        ];
        let d = self.open(attr.into(), op_attr::KERNEL.into(), KEYS)?;
        let class = self.name::<KernelClass>(&d, kernel_key::CLASS, true);
        let shape = self.array(&d, kernel_key::SHAPE, true).and_then(|dims| {
            dims.into_iter()
                .enumerate()
                .map(|(i, dim)| self.dim(dim, &format!("kernel.shape[{i}]")))
                .collect::<Option<Vec<_>>>()
        });
        let bytes_hbm = self.f64(&d, kernel_key::BYTES_HBM, true);
        let flops = self.f64(&d, kernel_key::FLOPS, true);
        let link_bytes = self.f64(&d, kernel_key::LINK_BYTES, false);
        Some(KernelInfo {
            class: class?,
            shape: shape?,
            bytes_hbm: bytes_hbm?,
            flops: flops?,
            link_bytes,
            span: self.span,
        })
    }

    /// `["m", 64 : i64]`
    fn dim(&mut self, attr: Attribute<'_>, path: &str) -> Option<(Spanned<String>, Spanned<i64>)> {
        let pair = ArrayAttribute::try_from(attr)
            .ok()
            .filter(|a| a.len() == 2)
            .and_then(|a| Some((a.element(0).ok()?, a.element(1).ok()?)));
        let Some((dim, size)) = pair else {
            self.errors.push(format!(
                "`{path}` must be a `[\"name\", size : i64]` pair, found `{attr}`"
            ));
            return None;
        };
        let Some(dim) = string_of(dim) else {
            self.errors.push(format!(
                "`{path}` must start with a dimension name string, found `{dim}`"
            ));
            return None;
        };
        let size = self.int_value(size, path)?;
        Some((Spanned::new(dim, self.span), size))
    }

    fn memory(
        &mut self,
        attr: DictionaryAttribute<'_>,
        prefetch: Vec<ValueRef>,
        evict: Vec<ValueRef>,
    ) -> Option<MemoryIntent> {
        const KEYS: &[&str] = &[
            memory_key::PREFETCH,
            memory_key::RESIDENCY_HINT,
            memory_key::EVICT,
            memory_key::REUSE_CONFIDENCE,
        ];
        let d = self.open(attr.into(), op_attr::MEMORY.into(), KEYS)?;
        let has_prefetch = self.marker(&d, memory_key::PREFETCH);
        let has_evict = self.marker(&d, memory_key::EVICT);
        Some(MemoryIntent {
            prefetch: has_prefetch.then_some(prefetch),
            residency_hint: self.name::<Residency>(&d, memory_key::RESIDENCY_HINT, false),
            evict: has_evict.then_some(evict),
            reuse_confidence: self.f64(&d, memory_key::REUSE_CONFIDENCE, false),
            span: self.span,
        })
    }

    fn power(&mut self, attr: DictionaryAttribute<'_>) -> Option<PowerIntent> {
        const KEYS: &[&str] = &[
            power_key::TARGET_JPT,
            power_key::MAX_TEMP_DELTA_100MS,
            power_key::LINK_BUDGET_PJB,
            power_key::ALTERNATIVES,
            power_key::FALLBACK,
        ];
        let d = self.open(attr.into(), op_attr::POWER.into(), KEYS)?;
        let alternatives = self.array(&d, power_key::ALTERNATIVES, false).map(|plans| {
            plans
                .into_iter()
                .enumerate()
                .filter_map(|(i, p)| self.plan(p, format!("power.alternatives[{i}]")))
                .collect()
        });
        let fallback = self.get(&d, power_key::FALLBACK, false).and_then(|f| self.fallback(f));
        Some(PowerIntent {
            target_jpt: self.f64(&d, power_key::TARGET_JPT, false),
            max_temp_delta_100ms: self.f64(&d, power_key::MAX_TEMP_DELTA_100MS, false),
            link_budget_pj_per_bit: self.f64(&d, power_key::LINK_BUDGET_PJB, false),
            alternatives,
            fallback,
            span: self.span,
        })
    }

    fn plan(&mut self, attr: Attribute<'_>, path: String) -> Option<Plan> {
        const KEYS: &[&str] = &[
            plan_key::ID,
            plan_key::PRECISION,
            plan_key::SM_MHZ,
            plan_key::HBM_BW,
            plan_key::LINK,
            plan_key::MEMORY,
            plan_key::EST_JPT,
            plan_key::EST_LAT_MS,
        ];
        let d = self.open(attr, path, KEYS)?;
        let id = self.string(&d, plan_key::ID);
        let precision = self.name::<Precision>(&d, plan_key::PRECISION, true);
        let sm_mhz = self.i64(&d, plan_key::SM_MHZ);
        let hbm_bw = self.f64(&d, plan_key::HBM_BW, true);
        let link = self.name::<LinkState>(&d, plan_key::LINK, true);
        let memory = self.name::<MemoryVariant>(&d, plan_key::MEMORY, false);
        let est_jpt = self.f64(&d, plan_key::EST_JPT, true);
        let est_lat_ms = self.f64(&d, plan_key::EST_LAT_MS, true);
        Some(Plan {
            id: id?,
            precision: precision?,
            sm_mhz: sm_mhz?,
            hbm_bw_tbps: hbm_bw?,
            link: link?,
            memory,
            est_jpt: est_jpt?,
            est_lat_ms: est_lat_ms?,
            span: self.span,
        })
    }

    fn fallback(&mut self, attr: Attribute<'_>) -> Option<Fallback> {
        const KEYS: &[&str] = &[fallback_key::ACTION, fallback_key::EST_JPT, fallback_key::EST_LAT_MS];
        let d = self.open(attr, "power.fallback".into(), KEYS)?;
        let action = self.name::<FallbackAction>(&d, fallback_key::ACTION, true);
        let est_jpt = self.f64(&d, fallback_key::EST_JPT, true);
        let est_lat_ms = self.f64(&d, fallback_key::EST_LAT_MS, true);
        Some(Fallback {
            action: action?,
            est_jpt: est_jpt?,
            est_lat_ms: est_lat_ms?,
            span: self.span,
        })
    }
}

/// Byte offsets of line starts, to turn MLIR's line:col (1-based, columns in bytes) into spans and back.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub(crate) fn new(source: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            len: source.len(),
        }
    }

    /// From `line:col` to the end of that line.
    pub(crate) fn span(&self, line: usize, col: usize) -> Span {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return Span::SYNTHETIC;
        };
        let end = self.starts.get(line).map_or(self.len, |&next| next.saturating_sub(1));
        let at = (start + col.saturating_sub(1)).min(end);
        Span::new(at, end.max(at))
    }

    /// 1-based line and column of a byte offset (the inverse of [`LineIndex::span`]'s start).
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        (line, offset - self.starts[line - 1] + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn line_index_turns_line_col_into_spans() {
        let idx = LineIndex::new("ab\ncde\n\nf");
        let s = idx.span(2, 2);
        assert_eq!((s.start, s.end), (4, 6));
        assert!(idx.span(9, 1).is_synthetic());
        assert_eq!(idx.line_col(4), (2, 2));
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(8), (4, 1));
    }
}
