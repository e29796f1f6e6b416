-- Usernames and emails are unique whatever their letter case; each is stored as typed and
-- compared through lower() (login, registration, profile edits). Accounts that already
-- differ only by case cannot be merged automatically: the migration names them and stops,
-- changing nothing, so an operator can rename or remove one of each group and run it again.
DO $$
DECLARE
    clashes TEXT[];
BEGIN
    SELECT array_agg(clash ORDER BY clash) INTO clashes
    FROM (
        SELECT format('username %s', string_agg(format('%L (id %s)', username, id), ' = '
                                                ORDER BY username, id)) AS clash
        FROM users GROUP BY lower(username) HAVING count(*) > 1
        UNION ALL
        SELECT format('email %s', string_agg(format('%L (id %s)', email, id), ' = '
                                             ORDER BY email, id))
        FROM users GROUP BY lower(email) HAVING count(*) > 1
    ) AS duplicates;
    IF clashes IS NOT NULL THEN
        RAISE EXCEPTION USING
            MESSAGE = format(
                '%s group(s) of accounts differ only by letter case, so usernames and emails '
                'cannot become case-insensitive: %s%s. Rename (or delete) all but one account '
                'of each group, e.g. UPDATE users SET username = ''...'' WHERE id = ''...'', '
                'then run the migration again; nothing was changed.',
                cardinality(clashes),
                array_to_string(clashes[1:20], '; '),
                CASE WHEN cardinality(clashes) > 20
                     THEN format(' and %s more', cardinality(clashes) - 20) ELSE '' END),
            ERRCODE = 'unique_violation';
    END IF;
END $$;

CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
-- The case-sensitive constraints are implied by the indexes above.
ALTER TABLE users DROP CONSTRAINT users_username_key, DROP CONSTRAINT users_email_key;
