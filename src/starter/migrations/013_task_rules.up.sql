-- A JSON Schema that payloads of a type registered through the API must satisfy (NULL: any).
ALTER TABLE task_types ADD COLUMN payload_schema JSONB;

-- max_attempts counts every attempt, the first included: a task always gets at least one
-- (the `none` strategy used to store 0, shown as "attempt 1 of 0").
UPDATE tasks SET max_attempts = 1 WHERE max_attempts < 1;
