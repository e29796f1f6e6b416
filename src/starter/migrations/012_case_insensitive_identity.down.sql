ALTER TABLE users ADD CONSTRAINT users_username_key UNIQUE (username),
                  ADD CONSTRAINT users_email_key UNIQUE (email);
DROP INDEX IF EXISTS users_email_lower_key;
DROP INDEX IF EXISTS users_username_lower_key;
