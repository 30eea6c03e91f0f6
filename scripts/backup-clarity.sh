#!/usr/bin/env bash
# backup-clarity.sh — dumps Clarity's database (sessions, change log, migration
# history) into $BACKUP_DIR/clarity_backup_<YYYYmmdd_HHMMSS>.sql.gz and deletes
# backups older than $BACKUP_RETENTION_DAYS (30) days.
#
# Settings (environment): POSTGRES_HOST, POSTGRES_PORT (5432), POSTGRES_USER,
# POSTGRES_PASSWORD (optional: none with trust/peer auth or ~/.pgpass), POSTGRES_DB,
# BACKUP_DIR. The password is passed to pg_dump through PGPASSWORD, never on a
# command line and never printed.
#
# The dump is plain SQL with --clean --if-exists, so scripts/restore-clarity.sh
# can restore it over an existing database in one transaction.
set -euo pipefail

die() {
  printf 'backup-clarity: %s\n' "$1" >&2
  exit "${2:-1}"
}

missing=()
for name in POSTGRES_HOST POSTGRES_USER POSTGRES_DB BACKUP_DIR; do
  if [[ -z "${!name:-}" ]]; then missing+=("$name"); fi
done
if ((${#missing[@]} > 0)); then
  die "missing setting(s): ${missing[*]} (set them in the environment)" 2
fi
POSTGRES_PORT="${POSTGRES_PORT:-5432}"
RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-30}"
[[ "$POSTGRES_PORT" =~ ^[0-9]+$ ]] || die "POSTGRES_PORT must be a number" 2
[[ "$RETENTION_DAYS" =~ ^[0-9]+$ ]] || die "BACKUP_RETENTION_DAYS must be a number of days" 2
command -v pg_dump >/dev/null || die "pg_dump not found on PATH (install the PostgreSQL client)"
command -v gzip >/dev/null || die "gzip not found on PATH"

if [[ -n "${POSTGRES_PASSWORD:-}" ]]; then export PGPASSWORD="$POSTGRES_PASSWORD"; fi
unset POSTGRES_PASSWORD

umask 077 # backups hold user data
mkdir -p -- "$BACKUP_DIR"

DATE="$(date +%Y%m%d_%H%M%S)"
target="$BACKUP_DIR/clarity_backup_$DATE.sql.gz"
n=1
while [[ -e "$target" ]]; do # two backups within one second
  target="$BACKUP_DIR/clarity_backup_${DATE}_$n.sql.gz"
  n=$((n + 1))
done
partial="$target.partial"
trap 'rm -f -- "$partial"' EXIT

# Create and compress the backup (a failed dump leaves no file behind: pipefail).
pg_dump -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  --no-password --no-acl --no-owner --clean --if-exists --quote-all-identifiers \
  | gzip -9 >"$partial" || die "pg_dump of database '$POSTGRES_DB' on $POSTGRES_HOST:$POSTGRES_PORT failed"
mv -- "$partial" "$target"
trap - EXIT

# Retain only the last $RETENTION_DAYS days.
find "$BACKUP_DIR" -maxdepth 1 -type f -name 'clarity_backup_*.sql.gz' -mtime +"$RETENTION_DAYS" -delete

echo "Backup completed: $target"
