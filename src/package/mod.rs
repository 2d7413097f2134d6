//! `redis-ha package` (see its issue): not built yet.
