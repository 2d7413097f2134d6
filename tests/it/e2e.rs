//! Tests of `redis-ha e2e` (see its issue).
