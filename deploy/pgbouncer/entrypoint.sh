#!/bin/sh
# The userlist PgBouncer answers clients from and logs in to PostgreSQL with (SCRAM both ways).
set -eu
umask 077
printf '"%s" "%s"\n' "$DB_USER" "$DB_PASSWORD" > /tmp/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
