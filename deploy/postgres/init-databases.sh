#!/bin/sh
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d):
# creates the `campus` role and one database per service, each owned by it.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v campus_password="${CAMPUS_DB_PASSWORD:-campus}" <<'SQL'
CREATE ROLE campus LOGIN PASSWORD :'campus_password';
CREATE DATABASE grid OWNER campus;
CREATE DATABASE hazards OWNER campus;
CREATE DATABASE education OWNER campus;
CREATE DATABASE reporting OWNER campus;
SQL
