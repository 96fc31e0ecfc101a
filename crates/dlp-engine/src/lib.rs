//! The scanning core of `dlp`: everything that happens to a buffer of text.
//!
//! [`engine::Engine`] is built once from an [`engine::EngineSpec`] (the detectors
//! as declared in Python, keyword lists, tables, the fingerprint key, the
//! allowlist and an optional EDM index) and then scans buffers from any number of
//! threads: [`engine::Engine::scan`] gives the validated, resolved, masked and
//! fingerprinted hits of one buffer, and [`report::render`] writes them as JSON
//! Lines while counting them in a [`report::Tally`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod candidates;
pub mod checks;
pub mod edm;
pub mod engine;
pub mod fingerprint;
pub mod fold;
pub mod keywords;
pub mod mask;
pub mod report;
