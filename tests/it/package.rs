//! Tests of `redis-ha package` (see its issue).
