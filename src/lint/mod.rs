//! `redis-ha lint` (see its issue): not built yet.
