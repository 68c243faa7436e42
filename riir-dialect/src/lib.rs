//! RIIR (Resource Intent IR): the typed, arena-allocated IR every other crate works on.
