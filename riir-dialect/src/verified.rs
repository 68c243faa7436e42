//! `Verified<T>`: proof that the verifier accepted a module. Codegen takes only this, so nothing unverified is
//! ever emitted (as naga's back ends take only validated modules).

use std::ops::Deref;

/// A value the verifier accepted. Only `crate::verify` constructs it.
#[derive(Clone, Debug)]
pub struct Verified<T>(T);

impl<T> Verified<T> {
    pub(crate) fn new_unchecked(value: T) -> Self {
        Verified(value)
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Verified<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
