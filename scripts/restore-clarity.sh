#!/usr/bin/env bash
# restore-clarity.sh — restores a backup made by backup-clarity.sh.
#
#   scripts/restore-clarity.sh --yes [--recreate] <backup.sql.gz>
#
# Settings (environment): POSTGRES_HOST, POSTGRES_PORT (5432), POSTGRES_USER,
# POSTGRES_PASSWORD (optional), POSTGRES_DB (the database restored into).
#
# The database is created when missing. The dump (made with --clean --if-exists)
# drops and recreates its own tables, sequences and indexes; it is applied in a
# single transaction, so a failed restore leaves the database as it was.
# --recreate drops and recreates the whole database first (disconnecting its
# clients), for dumps made without --clean or to remove tables the dump lacks.
# Stop Clarity (or accept that its requests fail) while restoring.
set -euo pipefail

die() {
  printf 'restore-clarity: %s\n' "$1" >&2
  exit "${2:-1}"
}
usage() {
  printf 'Usage: %s --yes [--recreate] <backup.sql.gz>\n' "$0" >&2
  exit 2
}

confirmed=0
recreate=0
file=""
for arg in "$@"; do
  case "$arg" in
    --yes) confirmed=1 ;;
    --recreate) recreate=1 ;;
    -h | --help) usage ;;
    -*) die "unknown option $arg" 2 ;;
    *) [[ -z "$file" ]] || die "only one backup file can be restored" 2; file="$arg" ;;
  esac
done
[[ -n "$file" ]] || usage

missing=()
for name in POSTGRES_HOST POSTGRES_USER POSTGRES_DB; do
  if [[ -z "${!name:-}" ]]; then missing+=("$name"); fi
done
if ((${#missing[@]} > 0)); then
  die "missing setting(s): ${missing[*]} (set them in the environment)" 2
fi
POSTGRES_PORT="${POSTGRES_PORT:-5432}"
[[ "$POSTGRES_PORT" =~ ^[0-9]+$ ]] || die "POSTGRES_PORT must be a number" 2
[[ -f "$file" && -r "$file" ]] || die "backup file not found or not readable: $file" 2
gzip -t -- "$file" 2>/dev/null || die "not a valid gzip file: $file" 2
command -v psql >/dev/null || die "psql not found on PATH (install the PostgreSQL client)"

if ((confirmed == 0)); then
  die "this replaces the data of database '$POSTGRES_DB' on $POSTGRES_HOST:$POSTGRES_PORT with $file; run again with --yes to confirm" 3
fi

if [[ -n "${POSTGRES_PASSWORD:-}" ]]; then export PGPASSWORD="$POSTGRES_PASSWORD"; fi
unset POSTGRES_PASSWORD

psql_admin() {
  psql -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres \
    --no-password --no-psqlrc -v ON_ERROR_STOP=1 -v db="$POSTGRES_DB" -qtA "$@"
}

if ((recreate == 1)); then
  echo "Dropping database '$POSTGRES_DB'"
  printf 'DROP DATABASE IF EXISTS :"db" WITH (FORCE);\n' | psql_admin >/dev/null
fi
exists="$(printf "SELECT 1 FROM pg_database WHERE datname = :'db';\n" | psql_admin)"
if [[ "$exists" != "1" ]]; then
  echo "Creating database '$POSTGRES_DB'"
  printf 'CREATE DATABASE :"db";\n' | psql_admin >/dev/null
fi

echo "Restoring $file into '$POSTGRES_DB'"
gzip -dc -- "$file" \
  | psql -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
    --no-password --no-psqlrc -v ON_ERROR_STOP=1 --single-transaction -q >/dev/null \
  || die "restore failed; the transaction was rolled back and '$POSTGRES_DB' is unchanged (for a dump made without --clean, use --recreate)"

echo "Restore completed: $POSTGRES_DB"
