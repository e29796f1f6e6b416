-- Task queue: task types, tasks (with lease columns for the worker) and live workers.
CREATE TABLE task_types (
    task_type    TEXT PRIMARY KEY,
    description  TEXT,
    is_active    BOOLEAN NOT NULL DEFAULT TRUE,
    timeout_secs INTEGER CHECK (timeout_secs IS NULL OR timeout_secs > 0),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TRIGGER update_task_types_updated_at BEFORE UPDATE ON task_types
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE TABLE tasks (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    task_type        TEXT NOT NULL CONSTRAINT fk_tasks_task_type REFERENCES task_types (task_type),
    payload          JSONB NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'retrying')),
    priority         TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'critical')),
    -- 0 = critical … 3 = low: sorts by rank, not alphabetically (SPEC A2 row 4).
    priority_rank    SMALLINT GENERATED ALWAYS AS (
                         CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1
                                       WHEN 'normal' THEN 2 ELSE 3 END) STORED,
    retry_strategy   JSONB NOT NULL DEFAULT '{}',
    max_attempts     INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 0),
    current_attempt  INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    result           JSONB,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    scheduled_at     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    started_at       TIMESTAMPTZ,
    completed_at     TIMESTAMPTZ,
    created_by       UUID REFERENCES users (id) ON DELETE SET NULL,
    metadata         JSONB NOT NULL DEFAULT '{}',
    -- Lease: the worker holding a running task, until when, and its last heartbeat.
    locked_by        UUID,
    locked_until     TIMESTAMPTZ,
    heartbeat_at     TIMESTAMPTZ,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE
);

-- The claim query: ready tasks by rank, then schedule, then age.
CREATE INDEX idx_tasks_ready ON tasks (priority_rank, scheduled_at, created_at)
    WHERE status IN ('pending', 'retrying');
CREATE INDEX idx_tasks_listing ON tasks (priority_rank, created_at);
CREATE INDEX idx_tasks_created_by ON tasks (created_by, priority_rank, created_at) WHERE created_by IS NOT NULL;
CREATE INDEX idx_tasks_status ON tasks (status);
CREATE INDEX idx_tasks_task_type ON tasks (task_type);
CREATE INDEX idx_tasks_lease ON tasks (locked_until) WHERE status = 'running';
CREATE INDEX idx_tasks_completed_at ON tasks (completed_at) WHERE status IN ('completed', 'failed', 'cancelled');

CREATE TRIGGER update_tasks_updated_at BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE TABLE workers (
    id           UUID PRIMARY KEY,
    hostname     TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    concurrency  INTEGER NOT NULL,
    in_flight    INTEGER NOT NULL DEFAULT 0,
    task_types   TEXT[] NOT NULL DEFAULT '{}',
    started_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    stopped_at   TIMESTAMPTZ
);

CREATE INDEX idx_workers_heartbeat ON workers (heartbeat_at);

-- Artifacts produced by tasks (reports), downloadable by whoever may see the task.
CREATE TABLE task_artifacts (
    task_id      UUID NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content      BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (task_id, name)
);
