-- Monitoring: events, metrics, alerts (with their parsed rule and evaluation state), incidents.
CREATE TABLE events (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type  TEXT NOT NULL CHECK (event_type IN ('log', 'metric', 'trace', 'alert')),
    source      TEXT NOT NULL,
    message     TEXT,
    level       TEXT,
    tags        JSONB NOT NULL DEFAULT '{}',
    payload     JSONB NOT NULL DEFAULT '{}',
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_events_recorded_at ON events (recorded_at DESC);
CREATE INDEX idx_events_created_at ON events (created_at);
CREATE INDEX idx_events_source_recorded ON events (source, recorded_at DESC);
CREATE INDEX idx_events_type_recorded ON events (event_type, recorded_at DESC);
CREATE INDEX idx_events_level_recorded ON events (level, recorded_at DESC);
CREATE INDEX idx_events_tags ON events USING GIN (tags jsonb_path_ops);

CREATE TABLE metrics (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name        TEXT NOT NULL,
    metric_type TEXT NOT NULL CHECK (metric_type IN ('counter', 'gauge', 'histogram', 'summary')),
    value       DOUBLE PRECISION NOT NULL,
    labels      JSONB NOT NULL DEFAULT '{}',
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_metrics_name_recorded ON metrics (name, recorded_at DESC);
CREATE INDEX idx_metrics_recorded_at ON metrics (recorded_at DESC);
CREATE INDEX idx_metrics_created_at ON metrics (created_at);
CREATE INDEX idx_metrics_labels ON metrics USING GIN (labels jsonb_path_ops);

CREATE TABLE incidents (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    title       TEXT NOT NULL,
    description TEXT,
    severity    TEXT NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'investigating', 'resolved', 'closed')),
    started_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    resolved_at TIMESTAMPTZ,
    root_cause  TEXT,
    created_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    assigned_to UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_incidents_created_at ON incidents (created_at DESC);
CREATE INDEX idx_incidents_status ON incidents (status);
CREATE INDEX idx_incidents_assigned_to ON incidents (assigned_to) WHERE assigned_to IS NOT NULL;

CREATE TRIGGER update_incidents_updated_at BEFORE UPDATE ON incidents
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE TABLE alerts (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name              TEXT NOT NULL,
    description       TEXT,
    query             TEXT NOT NULL,
    -- The query parsed into a typed rule at creation (never SQL); what the evaluator runs.
    rule              JSONB NOT NULL DEFAULT '{}',
    threshold_value   DOUBLE PRECISION,
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'resolved', 'silenced')),
    triggered_at      TIMESTAMPTZ,
    resolved_at       TIMESTAMPTZ,
    -- Evaluation state: firing now?, last observed value, when last evaluated.
    firing            BOOLEAN NOT NULL DEFAULT FALSE,
    last_value        DOUBLE PRECISION,
    last_evaluated_at TIMESTAMPTZ,
    open_incident     BOOLEAN NOT NULL DEFAULT FALSE,
    incident_severity TEXT NOT NULL DEFAULT 'high'
                      CHECK (incident_severity IN ('low', 'medium', 'high', 'critical')),
    incident_id       UUID REFERENCES incidents (id) ON DELETE SET NULL,
    created_by        UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_alerts_created_at ON alerts (created_at DESC);
CREATE INDEX idx_alerts_status ON alerts (status);

CREATE TRIGGER update_alerts_updated_at BEFORE UPDATE ON alerts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
