-- Attempt history: one row per finished run of a task, written by the statement that records
-- the run's outcome (the worker's, or the reaper's for a lost run). A manual retry starts the
-- attempt count again, so (task_id, attempt) repeats; `id` keeps the order.
CREATE TABLE task_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id     UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    worker_id   UUID,
    started_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    outcome     TEXT NOT NULL CHECK (outcome IN ('completed', 'failed', 'retrying', 'cancelled')),
    error       TEXT,
    traceback   TEXT
);

CREATE INDEX idx_task_attempts_task ON task_attempts (task_id, id);

-- Queue metrics count the tasks created per time bucket of a window.
CREATE INDEX idx_tasks_created_at ON tasks (created_at);
