//! The one integration test binary: each module covers a command or a cross-cutting concern.

mod batch;
mod chart;
mod common;
mod diff;
mod dist;
mod e2e;
mod first_run;
mod hostile;
mod import;
mod lint;
mod package;
mod render;
