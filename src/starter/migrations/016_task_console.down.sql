DROP INDEX IF EXISTS idx_tasks_created_at;
DROP TABLE IF EXISTS task_attempts;
