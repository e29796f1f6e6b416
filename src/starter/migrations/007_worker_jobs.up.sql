-- Periodic jobs shared by all workers: whoever advances `next_run_at` first runs that tick.
CREATE TABLE worker_jobs (
    name             TEXT PRIMARY KEY,
    interval_secs    DOUBLE PRECISION NOT NULL CHECK (interval_secs > 0),
    next_run_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_started_at  TIMESTAMPTZ,
    last_finished_at TIMESTAMPTZ,
    last_run_by      UUID,
    last_error       TEXT,
    runs             BIGINT NOT NULL DEFAULT 0
);
