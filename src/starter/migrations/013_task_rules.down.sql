ALTER TABLE task_types DROP COLUMN IF EXISTS payload_schema;
