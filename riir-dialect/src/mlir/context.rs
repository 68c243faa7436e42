//! An MLIR context set up for RIIR: only the `builtin`, `func` and `irdl` dialects (not every dialect MLIR
//! has, which would bloat the binary and the start-up time), the `riir` dialect loaded from its IRDL definition
//! exactly once, no thread pool of its own, and every diagnostic captured as an [`MlirDiagnostic`].
//!
//! `melior::Context` is not `Send`: build one [`RiirContext`] per thread.

use std::cell::RefCell;
use std::ffi::CString;
use std::fmt;
use std::rc::Rc;

use melior::diagnostic::DiagnosticSeverity;
use melior::dialect::{DialectHandle, DialectRegistry};
use melior::ir::operation::OperationLike;
use melior::ir::{Location, Module as MlirModule, Operation};
use melior::utility::load_irdl_dialects;
use melior::Context;

use super::schema::{self, IRDL_SOURCE};

/// One diagnostic in MLIR's own format: `file:line:col: error: message`, followed by its notes.
#[derive(Clone, PartialEq, Debug)]
pub struct MlirDiagnostic {
    /// `error`, `warning`, `note` or `remark`.
    pub severity: &'static str,
    /// Where it points; `None` for a location without a file position (printed as `unknown`).
    pub position: Option<Position>,
    pub message: String,
    pub notes: Vec<MlirDiagnostic>,
}

/// A file position as MLIR reports it: 1-based line and column (columns count bytes).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl MlirDiagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == "error"
    }
}

impl fmt::Display for MlirDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.position {
            Some(p) => write!(f, "{p}: {}: {}", self.severity, self.message)?,
            None => write!(f, "unknown: {}: {}", self.severity, self.message)?,
        }
        for note in &self.notes {
            write!(f, "\n{note}")?;
        }
        Ok(())
    }
}

/// A context with the `riir` dialect loaded, collecting diagnostics instead of printing them.
pub struct RiirContext {
    // Shared with the diagnostic handler (which holds the other `Rc`), so either may be dropped first.
    diagnostics: Rc<RefCell<Vec<MlirDiagnostic>>>,
    context: Context,
}

impl RiirContext {
    /// Builds the context and loads the `riir` dialect from the IRDL definition shipped in the library.
    pub fn new() -> Result<Self, String> {
        let registry = DialectRegistry::new();
        DialectHandle::func().insert_dialect(&registry);
        // SAFETY: the handle comes straight from MLIR's C API for a dialect linked into this binary.
        unsafe { DialectHandle::from_raw(mlir_sys::mlirGetDialectHandle__irdl__()) }.insert_dialect(&registry);
        // `false`: no thread pool per context; tests and rayon workers create many contexts.
        let context = Context::new_with_registry(&registry, false);
        context.get_or_load_dialect("func");
        context.get_or_load_dialect("irdl");

        let diagnostics = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&diagnostics);
        context.attach_diagnostic_handler(move |d| {
            sink.borrow_mut().push(convert(&d));
            true // handled: MLIR must not also print it to stderr
        });
        let this = RiirContext { diagnostics, context };
        this.ensure_riir_loaded()?;
        Ok(this)
    }

    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Loads the `riir` IRDL dialect unless it is already there. Loading it twice into one context aborts the
    /// process inside MLIR (the dialect name is registered again), so this is the only place that loads it.
    pub(crate) fn ensure_riir_loaded(&self) -> Result<(), String> {
        if self.context.is_registered_operation(schema::OP) {
            return Ok(());
        }
        let definition = MlirModule::parse(&self.context, IRDL_SOURCE)
            .ok_or_else(|| format!("the shipped IRDL definition does not parse: {}", self.take_joined()))?;
        if !load_irdl_dialects(&definition) {
            return Err(format!("MLIR rejected the IRDL definition: {}", self.take_joined()));
        }
        Ok(())
    }

    /// Parses (and, as MLIR always does after parsing, verifies) `source`; locations name `file_name`.
    /// `None` when parsing or verification failed: the reasons are in [`RiirContext::take_diagnostics`].
    pub fn parse(&self, source: &str, file_name: &str) -> Option<Operation<'_>> {
        let Ok(text) = CString::new(source) else {
            self.emit_error(
                Location::new(&self.context, file_name, 1, 1),
                "the file contains a NUL byte",
            );
            return None;
        };
        let name = CString::new(file_name.replace('\0', "?")).expect("NUL bytes were replaced");
        // SAFETY: both string refs point into CStrings that outlive the call; MLIR copies what it keeps. The
        // returned operation is owned by us (null on failure), which `from_option_raw` expresses.
        let op = unsafe {
            let raw = mlir_sys::mlirOperationCreateParse(
                self.context.to_raw(),
                mlir_sys::MlirStringRef {
                    data: text.as_ptr(),
                    length: source.len(),
                },
                mlir_sys::MlirStringRef {
                    data: name.as_ptr(),
                    length: name.as_bytes().len(),
                },
            );
            Operation::from_option_raw(raw)
        }?;
        if identifier_text(op.name()) != "builtin.module" {
            self.emit_error(op.location(), "expected a `builtin.module` at the top level");
            return None;
        }
        Some(op)
    }

    /// Reports an error through MLIR's diagnostic engine, so it reaches the user exactly like MLIR's own.
    pub fn emit_error(&self, location: Location<'_>, message: &str) {
        let message = CString::new(message.replace('\0', "?")).expect("NUL bytes were replaced");
        // SAFETY: the location belongs to this context; MLIR copies the message.
        unsafe { mlir_sys::mlirEmitError(location.to_raw(), message.as_ptr()) }
    }

    /// Everything reported since the last call, in the order MLIR reported it.
    pub fn take_diagnostics(&self) -> Vec<MlirDiagnostic> {
        std::mem::take(&mut *self.diagnostics.borrow_mut())
    }

    fn take_joined(&self) -> String {
        let d: Vec<String> = self.take_diagnostics().iter().map(|d| d.to_string()).collect();
        d.join("\n")
    }
}

fn convert(d: &melior::diagnostic::Diagnostic<'_>) -> MlirDiagnostic {
    let severity = match d.severity() {
        DiagnosticSeverity::Error => "error",
        DiagnosticSeverity::Warning => "warning",
        DiagnosticSeverity::Note => "note",
        DiagnosticSeverity::Remark => "remark",
    };
    let notes = (0..d.note_count())
        .filter_map(|i| d.note(i).ok())
        .map(|n| convert(&n))
        .collect();
    MlirDiagnostic {
        severity,
        position: position(d.location()),
        message: d.to_string(),
        notes,
    }
}

/// The text of an MLIR string reference. melior's `StringRef::as_str` builds a slice from the raw pointer,
/// which MLIR leaves null for empty strings (undefined behaviour); this checks first. Bytes that are not UTF-8
/// (possible through `\XX` escapes) give `None`.
pub(crate) fn string_ref_text(r: mlir_sys::MlirStringRef) -> Option<String> {
    if r.data.is_null() || r.length == 0 {
        return Some(String::new());
    }
    // SAFETY: MLIR guarantees `length` readable bytes at a non-null `data` for the lifetime of the context.
    let bytes = unsafe { std::slice::from_raw_parts(r.data.cast::<u8>(), r.length) };
    String::from_utf8(bytes.to_vec()).ok()
}

/// The text of an identifier (op names, attribute names, file names of locations).
pub(crate) fn identifier_text(id: melior::ir::Identifier<'_>) -> String {
    // SAFETY: the identifier is a live handle of its context.
    string_ref_text(unsafe { mlir_sys::mlirIdentifierStr(id.to_raw()) }).unwrap_or_else(|| "?".into())
}

/// The file position of a location (the first one of a fused location), if it has one.
pub fn position(location: Location<'_>) -> Option<Position> {
    file_line_col(location).map(|(file, line, column)| Position { file, line, column })
}

/// The file, line and column (1-based) a location points at, looking through fused and named locations.
pub fn file_line_col(location: Location<'_>) -> Option<(String, usize, usize)> {
    if location.is_file_line_col_range() {
        let file = identifier_text(location.file_line_col_range_filename());
        return Some((
            file,
            location.file_line_col_range_start_line(),
            location.file_line_col_range_start_column(),
        ));
    }
    if location.is_name() {
        return file_line_col(location.name_child_location());
    }
    if location.is_fused() {
        return (0..location.fused_num_locations()).find_map(|i| file_line_col(location.fused_location(i)));
    }
    if location.is_call_site() {
        return file_line_col(location.call_site_caller());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loading_the_dialect_again_is_a_no_op() {
        let ctx = RiirContext::new().unwrap();
        assert!(ctx.context().is_registered_operation("riir.op"));
        assert!(ctx.context().is_registered_operation("riir.block_ref"));
        ctx.ensure_riir_loaded().unwrap();
        ctx.ensure_riir_loaded().unwrap();
        assert!(ctx.take_diagnostics().is_empty());
    }

    #[test]
    fn contexts_are_independent_per_thread() {
        let handles: Vec<_> = (0..2)
            .map(|_| std::thread::spawn(|| RiirContext::new().map(|c| c.context().is_registered_operation("riir.op"))))
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), Ok(true));
        }
    }
}
