//! Errors of decode-graph lowering: unreadable or invalid model configs and lowering options that do not fit
//! the model. Every message names the file and the field (or flag) at fault.

use thiserror::Error;

/// Why a model config could not be lowered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LowerError {
    /// The config file could not be read.
    #[error("cannot read model config {file}: {message}")]
    Read { file: String, message: String },
    /// The config is not JSON, or not a JSON object.
    #[error("model config {file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A field is missing, has the wrong type, or a value the lowering cannot use.
    #[error("model config {file}: field `{field}`: {message}")]
    Field {
        file: String,
        field: String,
        message: String,
    },
    /// A lowering option (`batch`, `ctx`, `tp`, `precision`) is out of range on its own.
    #[error("option `{option}`: {message}")]
    Option { option: String, message: String },
}

impl LowerError {
    pub(crate) fn field(file: &str, field: &str, message: impl Into<String>) -> Self {
        LowerError::Field {
            file: file.to_string(),
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn option(option: &str, message: impl Into<String>) -> Self {
        LowerError::Option {
            option: option.to_string(),
            message: message.into(),
        }
    }
}
