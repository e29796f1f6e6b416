DELETE FROM login_failures WHERE scope NOT IN ('account', 'address');
ALTER TABLE login_failures DROP CONSTRAINT login_failures_scope_check;
ALTER TABLE login_failures ADD CONSTRAINT login_failures_scope_check
    CHECK (scope IN ('account', 'address'));
ALTER TABLE sessions DROP COLUMN ip_address;
DROP TABLE account_tokens;
