//! Hugging Face–style `config.json` → [`ModelConfig`]: the figures decode lowering needs, validated.
//!
//! Read: `hidden_size`, `num_hidden_layers`, `num_attention_heads`, `intermediate_size`, `vocab_size`
//! (required); `num_key_value_heads` (default: `num_attention_heads`, as in transformers), `head_dim` (default:
//! `hidden_size / num_attention_heads`), `num_local_experts` + `num_experts_per_tok` (mixture of experts; both
//! or neither), `tie_word_embeddings` (default false). Every other field (rope, dtype, …) is ignored.
//!
//! Each size must be a positive JSON integer no larger than [`MAX_DIM`] (layers and experts: [`MAX_COUNT`]),
//! so that every product the lowering forms fits in a `u128` and every shape dimension in an `i64`.

use super::error::LowerError;
use serde_json::{Map, Value};
use std::path::Path;

/// Largest accepted size (hidden, intermediate, vocab, heads, head_dim): 2^24.
pub const MAX_DIM: u64 = 1 << 24;
/// Largest accepted count of layers or experts: 2^16.
pub const MAX_COUNT: u64 = 1 << 16;

/// The figures of a decoder-only transformer that decide one decode step's work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelConfig {
    /// A short name for comments and summaries (the config's file stem, e.g. `llama-3-70b`).
    pub name: String,
    /// Where the config came from, as the user wrote it; used in error messages.
    pub source: String,
    pub hidden_size: u64,
    pub num_hidden_layers: u64,
    pub num_attention_heads: u64,
    pub num_key_value_heads: u64,
    pub head_dim: u64,
    pub intermediate_size: u64,
    pub vocab_size: u64,
    pub moe: Option<MoeConfig>,
    pub tie_word_embeddings: bool,
}

/// Mixture-of-experts figures (Mixtral's `num_local_experts` and `num_experts_per_tok`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MoeConfig {
    pub num_local_experts: u64,
    pub num_experts_per_tok: u64,
}

impl ModelConfig {
    /// Reads and validates a config file; the model's name is the file stem.
    pub fn load(path: &Path) -> Result<ModelConfig, LowerError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| LowerError::Read {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.clone());
        ModelConfig::from_json(&text, &file, &name)
    }

    /// Parses and validates config text; `file` is used in messages, `name` in comments and summaries.
    pub fn from_json(text: &str, file: &str, name: &str) -> Result<ModelConfig, LowerError> {
        let value: Value = serde_json::from_str(text).map_err(|e| LowerError::Syntax {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
        let Value::Object(map) = value else {
            return Err(LowerError::Syntax {
                file: file.to_string(),
                line: 1,
                column: 1,
                message: format!("expected a JSON object, found {}", kind(&value)),
            });
        };
        let f = Fields { file, map: &map };

        let hidden_size = f.required("hidden_size", MAX_DIM)?;
        let num_hidden_layers = f.required("num_hidden_layers", MAX_COUNT)?;
        let num_attention_heads = f.required("num_attention_heads", MAX_DIM)?;
        let intermediate_size = f.required("intermediate_size", MAX_DIM)?;
        let vocab_size = f.required("vocab_size", MAX_DIM)?;
        let num_key_value_heads = f
            .optional("num_key_value_heads", MAX_DIM)?
            .unwrap_or(num_attention_heads);
        if num_attention_heads % num_key_value_heads != 0 {
            return Err(LowerError::field(
                file,
                "num_key_value_heads",
                format!(
                    "{num_key_value_heads} does not divide num_attention_heads ({num_attention_heads}); \
                     each key/value head must serve a whole group of query heads"
                ),
            ));
        }
        let head_dim = match f.optional("head_dim", MAX_DIM)? {
            Some(d) => d,
            None if hidden_size % num_attention_heads == 0 => hidden_size / num_attention_heads,
            None => {
                return Err(LowerError::field(
                    file,
                    "hidden_size",
                    format!(
                        "{hidden_size} is not divisible by num_attention_heads ({num_attention_heads}) \
                         and no `head_dim` is given"
                    ),
                ))
            }
        };
        let experts = f.optional("num_local_experts", MAX_COUNT)?;
        let per_tok = f.optional("num_experts_per_tok", MAX_COUNT)?;
        let moe = match (experts, per_tok) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(LowerError::field(
                    file,
                    "num_experts_per_tok",
                    "missing; a mixture-of-experts config (num_local_experts) needs it",
                ))
            }
            (None, Some(_)) => {
                return Err(LowerError::field(
                    file,
                    "num_local_experts",
                    "missing; a mixture-of-experts config (num_experts_per_tok) needs it",
                ))
            }
            (Some(e), Some(k)) if k > e => {
                return Err(LowerError::field(
                    file,
                    "num_experts_per_tok",
                    format!("{k} is more than num_local_experts ({e})"),
                ))
            }
            (Some(e), Some(k)) => Some(MoeConfig {
                num_local_experts: e,
                num_experts_per_tok: k,
            }),
        };
        let tie_word_embeddings = f.boolean("tie_word_embeddings")?.unwrap_or(false);

        Ok(ModelConfig {
            name: name.to_string(),
            source: file.to_string(),
            hidden_size,
            num_hidden_layers,
            num_attention_heads,
            num_key_value_heads,
            head_dim,
            intermediate_size,
            vocab_size,
            moe,
            tie_word_embeddings,
        })
    }
}

/// The JSON object being read, with its file name for messages.
struct Fields<'a> {
    file: &'a str,
    map: &'a Map<String, Value>,
}

impl Fields<'_> {
    fn required(&self, field: &str, max: u64) -> Result<u64, LowerError> {
        self.optional(field, max)?
            .ok_or_else(|| LowerError::field(self.file, field, "missing (required)"))
    }

    /// A positive integer no larger than `max`; `null` counts as absent, as transformers treats it.
    fn optional(&self, field: &str, max: u64) -> Result<Option<u64>, LowerError> {
        let value = match self.map.get(field) {
            None | Some(Value::Null) => return Ok(None),
            Some(v) => v,
        };
        let err = |m: String| Err(LowerError::field(self.file, field, m));
        match value {
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(0), _) => err("must be positive, got 0".into()),
                (Some(v), _) if v > max => err(format!("{v} is too large (at most {max})")),
                (Some(v), _) => Ok(Some(v)),
                (None, Some(v)) => err(format!("must be positive, got {v}")),
                (None, None) => err(format!("expected a positive integer, got {n}")),
            },
            other => err(format!("expected a positive integer, got {}", kind(other))),
        }
    }

    fn boolean(&self, field: &str) -> Result<Option<bool>, LowerError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(LowerError::field(
                self.file,
                field,
                format!("expected true or false, got {}", kind(other)),
            )),
        }
    }
}

/// How a JSON value is described in messages: the value itself when short, else its type.
fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.len() <= 32 => format!("the string {s:?}"),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// serde_json appends " at line L column C"; the position is already in our prefix.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LLAMA_8B: &str = r#"{"hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
        "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256, "rope_theta": 500000.0}"#;

    fn parse(text: &str) -> Result<ModelConfig, LowerError> {
        ModelConfig::from_json(text, "m.json", "m")
    }

    fn with(field: &str, value: &str) -> String {
        let mut map: Map<String, Value> = serde_json::from_str(LLAMA_8B).unwrap();
        if value.is_empty() {
            map.remove(field);
        } else {
            map.insert(field.into(), serde_json::from_str(value).unwrap());
        }
        serde_json::to_string(&map).unwrap()
    }

    fn message(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_the_figures_and_derives_head_dim() {
        let c = parse(LLAMA_8B).unwrap();
        assert_eq!(c.hidden_size, 4096);
        assert_eq!(c.num_key_value_heads, 8);
        assert_eq!(c.head_dim, 128);
        assert_eq!(c.moe, None);
        assert!(!c.tie_word_embeddings);
    }

    #[test]
    fn explicit_head_dim_and_defaults() {
        let c = parse(&with("head_dim", "256")).unwrap();
        assert_eq!(c.head_dim, 256);
        let c = parse(&with("num_key_value_heads", "")).unwrap();
        assert_eq!(c.num_key_value_heads, 32);
        let c = parse(&with("num_key_value_heads", "null")).unwrap();
        assert_eq!(c.num_key_value_heads, 32);
    }

    #[test]
    fn missing_required_field_is_named() {
        assert_eq!(
            message(&with("intermediate_size", "")),
            "model config m.json: field `intermediate_size`: missing (required)"
        );
    }

    #[test]
    fn zero_negative_fractional_and_wrong_type_are_named() {
        assert_eq!(
            message(&with("hidden_size", "0")),
            "model config m.json: field `hidden_size`: must be positive, got 0"
        );
        assert_eq!(
            message(&with("vocab_size", "-5")),
            "model config m.json: field `vocab_size`: must be positive, got -5"
        );
        assert_eq!(
            message(&with("num_hidden_layers", "1.5")),
            "model config m.json: field `num_hidden_layers`: expected a positive integer, got 1.5"
        );
        assert_eq!(
            message(&with("num_attention_heads", "\"32\"")),
            "model config m.json: field `num_attention_heads`: expected a positive integer, got the string \"32\""
        );
        assert_eq!(
            message(&with("tie_word_embeddings", "1")),
            "model config m.json: field `tie_word_embeddings`: expected true or false, got 1"
        );
    }

    #[test]
    fn huge_values_are_refused_before_any_arithmetic() {
        assert_eq!(
            message(&with("hidden_size", "18446744073709551615")),
            "model config m.json: field `hidden_size`: 18446744073709551615 is too large (at most 16777216)"
        );
    }

    #[test]
    fn kv_heads_must_divide_heads() {
        assert_eq!(
            message(&with("num_key_value_heads", "5")),
            "model config m.json: field `num_key_value_heads`: 5 does not divide num_attention_heads (32); \
             each key/value head must serve a whole group of query heads"
        );
    }

    #[test]
    fn hidden_not_divisible_without_head_dim() {
        let text = with("num_attention_heads", "24").replace("\"num_key_value_heads\":8", "\"num_key_value_heads\":6");
        assert_eq!(
            message(&text),
            "model config m.json: field `hidden_size`: 4096 is not divisible by num_attention_heads (24) and no \
             `head_dim` is given"
        );
    }

    #[test]
    fn experts_need_both_fields() {
        let text = with("num_local_experts", "8");
        assert!(message(&text).contains("field `num_experts_per_tok`: missing"));
        let text = with("num_experts_per_tok", "2");
        assert!(message(&text).contains("field `num_local_experts`: missing"));
        let mut map: Map<String, Value> = serde_json::from_str(&with("num_local_experts", "8")).unwrap();
        map.insert("num_experts_per_tok".into(), 9.into());
        let text = serde_json::to_string(&map).unwrap();
        assert!(message(&text).contains("field `num_experts_per_tok`: 9 is more than num_local_experts (8)"));
        map.insert("num_experts_per_tok".into(), 2.into());
        let c = parse(&serde_json::to_string(&map).unwrap()).unwrap();
        assert_eq!(
            c.moe,
            Some(MoeConfig {
                num_local_experts: 8,
                num_experts_per_tok: 2
            })
        );
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        assert_eq!(
            message("{\n  \"hidden_size\": 4096,\n}"),
            "model config m.json:3:1: trailing comma"
        );
        assert_eq!(
            message("[1, 2]"),
            "model config m.json:1:1: expected a JSON object, found an array"
        );
    }
}
