"""Rate limits: a token bucket per user and action, in memory (embedded) or in Redis (shared by replicas)."""
