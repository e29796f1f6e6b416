-- Time-ordered event ids. Every task state change and every ingested event writes a row, so
-- its fixed costs add up. The ids take the UUID version 7 layout (48 bits of Unix
-- milliseconds, the version, 12 zero bits, the variant, 62 bits of a sequence, so one
-- statement's rows get increasing ids): a new key lands on the right edge of the primary key
-- instead of on a random leaf, and a row costs no read of the operating system's random
-- source (gen_random_uuid() opens /dev/urandom per call on a server built without OpenSSL,
-- such as the embedded one). Event ids are not secrets: every signed-in user may list the
-- events. Existing ids stay as they are.
CREATE SEQUENCE events_id_seq AS bigint CACHE 100 OWNED BY events.id;

-- One expression (no FROM): PostgreSQL inlines it into the statements that call it.
CREATE FUNCTION event_id() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT encode(
        int8send((floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint << 16)
                 | 28672)
        || int8send((nextval('events_id_seq') & 4611686018427387903)
                    | (-9223372036854775808)::bigint),
        'hex')::uuid
$$;

ALTER TABLE events ALTER COLUMN id SET DEFAULT event_id();
