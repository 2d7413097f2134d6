//! Tests of `redis-ha diff` (see its issue).
