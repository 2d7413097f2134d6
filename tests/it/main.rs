//! The one integration test binary: each module covers a command or a cross-cutting concern.

mod chart;
mod common;
mod diff;
mod e2e;
mod hostile;
mod lint;
mod package;
mod render;
