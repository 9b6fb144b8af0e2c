//! Work that holds a thread for a while (argon2): how it runs is the caller's runtime's
//! business, so the domain takes it as a port. The functions hand it to tokio so that other
//! requests go on meanwhile (`varco_functions::app::hash_offload`); the domain's own tests run it as
//! it is.

/// Runs the work it is given, to the end, before it returns.
pub type Offload = fn(&mut (dyn FnMut() + Send));

/// Runs the work on this thread, as it is.
pub fn in_place(work: &mut (dyn FnMut() + Send)) {
    work()
}
