DROP TABLE IF EXISTS worker_jobs;
