//! `redis-ha diff` (see its issue): not built yet.
