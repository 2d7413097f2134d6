//! Tests of `redis-ha lint` (see its issue).
