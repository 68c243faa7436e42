//! Allocation-free frontier-table decoder: validates a whole table once, then hands out borrowed views whose
//! accessors decode one fixed-size record at a time from the caller's bytes.
//!
//! Checks, in order (each failure has its own [`TableError`] variant and test):
//! 1. at least the magic is present, and it is [`MAGIC`] (`Truncated`, `BadMagic`);
//! 2. the version is [`FORMAT_VERSION`] — checked before anything else in the header, whose layout may change
//!    between versions (`UnsupportedVersion`);
//! 3. the header and the `payload_len` bytes it announces are present, and nothing follows them
//!    (`Truncated`, `Malformed`);
//! 4. the CRC-32 over header and payload matches (`CrcMismatch`), so corruption is reported as such before any
//!    field is trusted;
//! 5. the SKU is the one the caller runs on (`WrongSku`);
//! 6. every record is well formed: known codes, finite positive estimates, 1..=14 plans with unique letters,
//!    names UTF-8, and the records fill the payload exactly (`Malformed`, with the byte offset).

use super::format::{
    check_plan_ids, name_bytes, name_str, Fallback, Header, Invalid, OpHeader, Plan, CONFIG, CRC_OFFSET, FALLBACK_LEN,
    FORMAT_VERSION, HEADER_LEN, MAGIC, NAME_LEN, OP_HEADER_LEN, PLAN_LEN,
};

/// A NUL-padded name as stored in a table, printable without allocating.
#[derive(Copy, Clone, PartialEq, Eq)]
pub struct NameBuf(pub [u8; NAME_LEN]);

impl NameBuf {
    /// The name up to its padding; `"<not utf-8>"` when it is not text.
    pub fn as_str(&self) -> &str {
        let len = self.0.iter().position(|&b| b == 0).unwrap_or(NAME_LEN);
        core::str::from_utf8(&self.0[..len]).unwrap_or("<not utf-8>")
    }

    /// Packs `text`, cutting it at [`NAME_LEN`] bytes (used only to report what was expected).
    pub fn lossy(text: &str) -> Self {
        let mut out = [0u8; NAME_LEN];
        let n = text.len().min(NAME_LEN);
        out[..n].copy_from_slice(&text.as_bytes()[..n]);
        NameBuf(out)
    }
}

impl core::fmt::Debug for NameBuf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// Why a table was rejected.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum TableError {
    /// The bytes end before the table does.
    Truncated { needed: usize, found: usize },
    /// The first eight bytes are not [`MAGIC`]: not a frontier table.
    BadMagic { found: [u8; 8] },
    /// A table written by another format version.
    UnsupportedVersion { found: u16, expected: u16 },
    /// A table compiled for another GPU SKU.
    WrongSku { found: NameBuf, expected: NameBuf },
    /// The bytes were altered after the table was written.
    CrcMismatch { stored: u32, computed: u32 },
    /// The table is internally inconsistent; `offset` is the byte where the bad record starts.
    Malformed { offset: usize, reason: Invalid },
}

impl core::fmt::Display for TableError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TableError::Truncated { needed, found } => {
                write!(f, "truncated frontier table: need {needed} bytes, have {found}")
            }
            TableError::BadMagic { found } => write!(f, "not a frontier table (magic {found:02x?})"),
            TableError::UnsupportedVersion { found, expected } => {
                write!(
                    f,
                    "frontier table format version {found}, this runtime reads version {expected}"
                )
            }
            TableError::WrongSku { found, expected } => write!(
                f,
                "frontier table is for SKU `{}`, this runtime runs on `{}`",
                found.as_str(),
                expected.as_str()
            ),
            TableError::CrcMismatch { stored, computed } => write!(
                f,
                "frontier table is corrupted: CRC-32 {computed:#010x}, header says {stored:#010x}"
            ),
            TableError::Malformed { offset, reason } => {
                write!(f, "malformed frontier table at byte {offset}: {reason}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TableError {}

/// Decodes one fixed-size record at `offset`. Out-of-bounds is `Malformed(PayloadLength)`: the caller has already
/// checked that the bytes are as long as the header says, so running past them means the counts are wrong.
fn record<T: bincode::Decode<()>>(bytes: &[u8], offset: usize, len: usize) -> Result<T, TableError> {
    let slice = offset
        .checked_add(len)
        .and_then(|end| bytes.get(offset..end))
        .ok_or(TableError::Malformed {
            offset,
            reason: Invalid::PayloadLength,
        })?;
    match bincode::decode_from_slice::<T, _>(slice, CONFIG) {
        Ok((value, used)) if used == len => Ok(value),
        Ok(_) => Err(TableError::Malformed {
            offset,
            reason: Invalid::Undecodable,
        }),
        Err(bincode::error::DecodeError::Other(_)) => Err(TableError::Malformed {
            offset,
            reason: Invalid::UnknownCode,
        }),
        Err(_) => Err(TableError::Malformed {
            offset,
            reason: Invalid::Undecodable,
        }),
    }
}

fn malformed(offset: usize) -> impl Fn(Invalid) -> TableError {
    move |reason| TableError::Malformed { offset, reason }
}

/// A validated frontier table borrowed from its bytes. Cheap to copy; accessors never fail and never allocate.
#[derive(Copy, Clone, Debug)]
pub struct FrontierTable<'a> {
    bytes: &'a [u8],
    header: Header,
}

impl<'a> FrontierTable<'a> {
    /// Validates `bytes` as a table for the GPU SKU `sku` (see the module docs for the checks and their order).
    pub fn decode(bytes: &'a [u8], sku: &str) -> Result<Self, TableError> {
        let table = Self::decode_any_sku(bytes)?;
        let expected_ok = name_bytes(sku).ok();
        if expected_ok != Some(table.header.sku) {
            return Err(TableError::WrongSku {
                found: NameBuf(table.header.sku),
                expected: NameBuf::lossy(sku),
            });
        }
        Ok(table)
    }

    /// Validates `bytes` without checking the SKU (for tools that print or convert tables).
    pub fn decode_any_sku(bytes: &'a [u8]) -> Result<Self, TableError> {
        let found = bytes.len();
        let magic = bytes.get(..MAGIC.len()).ok_or(TableError::Truncated {
            needed: MAGIC.len(),
            found,
        })?;
        if magic != MAGIC {
            let mut m = [0u8; 8];
            m.copy_from_slice(magic);
            return Err(TableError::BadMagic { found: m });
        }
        let version = bytes.get(8..10).ok_or(TableError::Truncated { needed: 10, found })?;
        let version = u16::from_le_bytes([version[0], version[1]]);
        if version != FORMAT_VERSION {
            return Err(TableError::UnsupportedVersion {
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        if found < HEADER_LEN {
            return Err(TableError::Truncated {
                needed: HEADER_LEN,
                found,
            });
        }
        let header: Header = record(bytes, 0, HEADER_LEN)?;
        let needed = HEADER_LEN.saturating_add(header.payload_len as usize);
        if found < needed {
            return Err(TableError::Truncated { needed, found });
        }
        if found > needed {
            return Err(TableError::Malformed {
                offset: needed,
                reason: Invalid::PayloadLength,
            });
        }
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&bytes[..CRC_OFFSET]);
        hasher.update(&bytes[HEADER_LEN..]);
        let computed = hasher.finalize();
        if computed != header.crc32 {
            return Err(TableError::CrcMismatch {
                stored: header.crc32,
                computed,
            });
        }
        name_str(&header.sku).map_err(malformed(8 + 2))?;
        let table = FrontierTable { bytes, header };
        table.validate_records()?;
        Ok(table)
    }

    /// Walks every record once; after this, accessors can decode records without failing.
    fn validate_records(&self) -> Result<(), TableError> {
        let mut offset = HEADER_LEN;
        for _ in 0..self.header.op_count {
            let op: OpHeader = record(self.bytes, offset, OP_HEADER_LEN)?;
            op.validate().map_err(malformed(offset))?;
            let plans_at = offset + OP_HEADER_LEN;
            for i in 0..usize::from(op.plan_count) {
                let at = plans_at + i * PLAN_LEN;
                let plan: Plan = record(self.bytes, at, PLAN_LEN)?;
                plan.validate().map_err(malformed(at))?;
            }
            let ids = (0..usize::from(op.plan_count)).filter_map(|i| self.bytes.get(plans_at + i * PLAN_LEN).copied());
            check_plan_ids(ids).map_err(malformed(plans_at))?;
            let fallback_at = plans_at + usize::from(op.plan_count) * PLAN_LEN;
            let fallback: Fallback = record(self.bytes, fallback_at, FALLBACK_LEN)?;
            fallback.validate().map_err(malformed(fallback_at))?;
            offset = fallback_at + FALLBACK_LEN;
        }
        if offset != self.bytes.len() {
            return Err(TableError::Malformed {
                offset,
                reason: Invalid::PayloadLength,
            });
        }
        Ok(())
    }

    /// The SKU the table was compiled for.
    pub fn sku(&self) -> &'a str {
        // Validated in `decode_any_sku`; the header copy holds the same bytes as the slice.
        self.bytes
            .get(10..10 + NAME_LEN)
            .and_then(|b| {
                let len = b.iter().position(|&c| c == 0).unwrap_or(NAME_LEN);
                core::str::from_utf8(&b[..len]).ok()
            })
            .unwrap_or("")
    }

    /// The model hash the frontiers were searched for.
    pub fn model_hash(&self) -> u64 {
        self.header.model_hash
    }

    /// Number of ops (frontiers) in the table.
    pub fn op_count(&self) -> usize {
        self.header.op_count as usize
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The table's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The ops in table order.
    pub fn ops(&self) -> OpIter<'a> {
        OpIter {
            bytes: self.bytes,
            offset: HEADER_LEN,
            left: self.header.op_count,
        }
    }

    /// The op at `index` (walks the variable-length records: O(index)).
    pub fn op(&self, index: usize) -> Option<OpView<'a>> {
        self.ops().nth(index)
    }
}

/// Iterator over a validated table's ops.
#[derive(Clone, Debug)]
pub struct OpIter<'a> {
    bytes: &'a [u8],
    offset: usize,
    left: u32,
}

impl<'a> Iterator for OpIter<'a> {
    type Item = OpView<'a>;

    fn next(&mut self) -> Option<OpView<'a>> {
        if self.left == 0 {
            return None;
        }
        let header: OpHeader = record(self.bytes, self.offset, OP_HEADER_LEN).ok()?;
        let plans_at = self.offset + OP_HEADER_LEN;
        let plans_len = usize::from(header.plan_count) * PLAN_LEN;
        let plans = self.bytes.get(plans_at..plans_at + plans_len)?;
        let fallback: Fallback = record(self.bytes, plans_at + plans_len, FALLBACK_LEN).ok()?;
        let name = self.bytes.get(self.offset + 4..self.offset + 4 + NAME_LEN)?;
        let name_len = name.iter().position(|&b| b == 0).unwrap_or(NAME_LEN);
        let name = core::str::from_utf8(&name[..name_len]).ok()?;
        self.offset = plans_at + plans_len + FALLBACK_LEN;
        self.left -= 1;
        Some(OpView {
            header,
            name,
            plans,
            fallback,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}

/// One op of a validated table: its fixed fields, plans decoded on demand, and its fallback.
#[derive(Copy, Clone, Debug)]
pub struct OpView<'a> {
    header: OpHeader,
    name: &'a str,
    plans: &'a [u8],
    fallback: Fallback,
}

impl<'a> OpView<'a> {
    pub fn op_id(&self) -> u32 {
        self.header.op_id
    }

    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The op's fixed fields (SLO, thermal and link budgets, plan count).
    pub fn header(&self) -> &OpHeader {
        &self.header
    }

    pub fn plan_count(&self) -> usize {
        usize::from(self.header.plan_count)
    }

    /// Plan `index` (0-based, table order).
    pub fn plan(&self, index: usize) -> Option<Plan> {
        let at = index.checked_mul(PLAN_LEN)?;
        record(self.plans, at, PLAN_LEN).ok()
    }

    /// The plans in table order.
    pub fn plans(&self) -> impl Iterator<Item = Plan> + 'a {
        let plans = self.plans;
        plans
            .chunks_exact(PLAN_LEN)
            .filter_map(|chunk| record(chunk, 0, PLAN_LEN).ok())
    }

    pub fn fallback(&self) -> Fallback {
        self.fallback
    }
}
