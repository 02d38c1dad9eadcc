#!/usr/bin/env bash
# Runs once, when the postgres container starts with an empty data volume (docker-entrypoint-initdb.d).
# One role and one database per consumer; each role owns its database (Hangfire and our migrator create
# schemas in it). Passwords come from the container's environment (see docker-compose.yml).
set -euo pipefail

create_owned_database() {
  local name="$1" password="$2"
  psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname postgres \
    --set name="$name" --set password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name') \gexec
SQL
  echo "postgres-init: database '$name' owned by role '$name'"
}

create_owned_database buddies "${BUDDIES_DB_PASSWORD:?}"
create_owned_database mlflow "${MLFLOW_DB_PASSWORD:?}"
create_owned_database metabase "${METABASE_DB_PASSWORD:?}"
