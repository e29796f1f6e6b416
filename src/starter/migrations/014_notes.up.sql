-- Notes: a user's Markdown notes, shared per user with read or write permission, with a
-- version per change of title or content and full-text search (title weighted above content).
CREATE TABLE notes (
    id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title          TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    content        TEXT NOT NULL DEFAULT '' CHECK (char_length(content) <= 100000),
    is_public      BOOLEAN NOT NULL DEFAULT FALSE,
    tags           JSONB NOT NULL DEFAULT '[]'::jsonb
                   CHECK (jsonb_typeof(tags) = 'array' AND jsonb_array_length(tags) <= 20),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_viewed_at TIMESTAMPTZ,
    search_vector  TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', content), 'B')
    ) STORED
);

CREATE INDEX idx_notes_user_updated ON notes (user_id, updated_at DESC);
CREATE INDEX idx_notes_created_at ON notes (created_at DESC);
CREATE INDEX idx_notes_public ON notes (updated_at DESC) WHERE is_public;
CREATE INDEX idx_notes_tags ON notes USING GIN (tags);
CREATE INDEX idx_notes_search ON notes USING GIN (search_vector);

-- Only an edit moves updated_at: reading a note (last_viewed_at) is not a change.
CREATE TRIGGER update_notes_updated_at BEFORE UPDATE OF title, content, is_public, tags ON notes
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE TABLE note_shares (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    note_id    UUID NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    permission TEXT NOT NULL CHECK (permission IN ('read', 'write')),
    shared_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ,
    is_active  BOOLEAN NOT NULL DEFAULT TRUE,
    CONSTRAINT note_shares_note_user_key UNIQUE (note_id, user_id)
);

CREATE INDEX idx_note_shares_user ON note_shares (user_id) WHERE is_active;

CREATE TABLE note_versions (
    id                 UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    note_id            UUID NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    content_snapshot   JSONB NOT NULL,
    created_by         UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    change_description TEXT
);

CREATE INDEX idx_note_versions_note ON note_versions (note_id, created_at DESC);
