#!/usr/bin/env bash
# 校安 campus safety: back up every service database and the stored attachments.
#
# Usage:
#   deploy/backup.sh [--keep N] TARGET_DIR
#
# Writes TARGET_DIR/campus-safety-YYYYMMDDTHHMMSSZ/ (UTC) containing
#   <service>.pgdump   pg_dump --format=custom, for a service on PostgreSQL
#   <service>.sqlite   a SQLite `.backup` copy, for a service on SQLite
#   files.tar          the attachments directory (CAMPUS_FILES_DIR)
#   manifest           the Alembic revision of each database and the sha256 of every file
# The directory is written as ….partial and renamed when complete, so a directory without
# the suffix is always a whole backup. --keep N then deletes all but the N newest backups.
#
# Reads the same environment as the services (every variable is required):
#   GRID_DATABASE_URL HAZARDS_DATABASE_URL EDUCATION_DATABASE_URL REPORTING_DATABASE_URL
#     SQLAlchemy URLs: postgresql+psycopg://user:password@host:5432/db or sqlite:///path
#   CAMPUS_FILES_DIR   the attachments directory
# On a systemd install, load the services' env files first:
#   set -a; for f in /etc/campus-safety/*.env; do . "$f"; done; set +a
# or use deploy/systemd/campus-safety-backup.service (+ .timer).
# Needs pg_dump/pg_restore (same major version as the server or newer), sqlite3 for SQLite
# databases, tar and sha256sum. Restore with deploy/restore.sh.
set -euo pipefail
umask 077  # the backup holds names and phone numbers

PROG=backup.sh
# shellcheck source=deploy/backup-lib.sh
. "$(dirname "$(readlink -f "$0")")/backup-lib.sh"

# The Alembic revision stored in a custom-format dump (its alembic_version table's data).
dump_revision() {
  { pg_restore --data-only --table=alembic_version --file=- "$1" 2>/dev/null || true; } |
    awk '/^COPY .*alembic_version/ {on=1; next} /^\\\.$/ {on=0} on && NF {print $1}' |
    sort | paste -sd, - | sed 's/^$/none/'
}

# --- arguments and environment -----------------------------------------------------------

keep=""
target=""
while (($#)); do
  case "$1" in
    --keep)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--keep needs a positive number"
      keep=$2
      shift 2
      ;;
    -h | --help) usage ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
      [[ -z $target ]] || die "one TARGET_DIR only (see --help)"
      target=$1
      shift
      ;;
  esac
done
[[ -n $target ]] || usage

require_env
for service in "${SERVICES[@]}"; do
  var=$(db_var "$service")
  kind=$(url_kind "${!var}") || die "$var is neither a postgresql:// nor a sqlite:// URL"
  if [[ $kind == sqlite ]]; then
    sqlite_path "${!var}" >/dev/null || die "$var: only file databases (sqlite:///path) can be backed up"
    command -v sqlite3 >/dev/null || die "$service uses SQLite: install sqlite3 (apt-get install sqlite3)"
  else
    command -v pg_dump >/dev/null || die "install the PostgreSQL client (apt-get install postgresql-client)"
  fi
done

# --- the backup ----------------------------------------------------------------------------

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$target"
final="$(cd "$target" && pwd)/campus-safety-$stamp"
work="$final.partial"
[[ ! -e $final && ! -e $work ]] || die "$final already exists"
mkdir "$work"
trap 'rm -rf "$work"' EXIT  # an interrupted backup leaves nothing behind

manifest_lines=(
  "# 校安 campus-safety backup (deploy/backup.sh); restore with deploy/restore.sh"
  "format 1"
  "created $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  "host $(hostname)"
)

for service in "${SERVICES[@]}"; do
  var=$(db_var "$service")
  url=${!var}
  kind=$(url_kind "$url")
  if [[ $kind == postgresql ]]; then
    file="$service.pgdump"
    pg_run "$url" pg_dump --format=custom --file="$work/$file" ||
      die "$service: pg_dump of $(redact "$url") failed"
    revision=$(dump_revision "$work/$file")
  else
    path=$(sqlite_path "$url")
    [[ -f $path ]] || die "$service: SQLite database $path does not exist"
    file="$service.sqlite"
    # .backup is consistent while the services write (the online backup API).
    path=$(cd "$(dirname "$path")" && pwd)/$(basename "$path")
    (cd "$work" && sqlite3 -bail -readonly "$path" ".backup '$file'") >/dev/null ||
      die "$service: sqlite3 .backup of $path failed"
    # One self-contained file (no -wal/-shm beside it); the services switch back to WAL.
    (cd "$work" && sqlite3 -bail "$file" "PRAGMA journal_mode=DELETE") >/dev/null ||
      die "$service: could not finish the copy of $path"
    revision=$(sqlite_revision "$work/$file")
  fi
  manifest_lines+=("database $service $kind $revision $file")
  say "$service: $kind $(redact "$url") -> $file (revision $revision)"
done

if [[ -d $CAMPUS_FILES_DIR ]]; then
  # Attachments are written to a temporary name and renamed: skip the temporaries.
  tar --create --file="$work/files.tar" --directory="$CAMPUS_FILES_DIR" \
    --numeric-owner --exclude='tmp*' . || die "tar of $CAMPUS_FILES_DIR failed"
  count=$(find "$CAMPUS_FILES_DIR" -type f ! -name 'tmp*' | wc -l)
else
  echo "$PROG: warning: CAMPUS_FILES_DIR $CAMPUS_FILES_DIR does not exist (no upload yet?):" \
    "the backup holds no attachments" >&2
  tar --create --file="$work/files.tar" --files-from=/dev/null
  count=0
fi
manifest_lines+=("files files.tar $count")
say "attachments: $count files in $CAMPUS_FILES_DIR -> files.tar"

for file in "$work"/*; do
  name=$(basename "$file")
  manifest_lines+=("sha256 $(sha256sum "$file" | cut -d' ' -f1) $name")
done
# The last line checks the lines above it, so a damaged manifest is refused as well.
body=$(printf '%s\n' "${manifest_lines[@]}")
printf '%s\nmanifest-sha256 %s\n' "$body" "$(printf '%s\n' "$body" | sha256sum | cut -d' ' -f1)" \
  >"$work/manifest"
sync -f "$work/manifest" 2>/dev/null || sync

mv "$work" "$final"
trap - EXIT
say "backup complete: $final ($(du -sh "$final" | cut -f1))"

if [[ -n $keep ]]; then
  mapfile -t old < <(find "$(dirname "$final")" -maxdepth 1 -type d \
    -name 'campus-safety-????????T??????Z' | sort -r | tail -n +"$((keep + 1))")
  for dir in "${old[@]}"; do
    [[ -f $dir/manifest ]] || continue
    rm -rf -- "$dir"
    say "removed old backup $dir (--keep $keep)"
  done
fi
