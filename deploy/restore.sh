#!/usr/bin/env bash
# 校安 campus safety: restore a backup made by deploy/backup.sh.
#
# Usage:
#   deploy/restore.sh [--verify-only] [--force] BACKUP_DIR
#
# BACKUP_DIR is one campus-safety-YYYYMMDDTHHMMSSZ directory written by backup.sh.
#  1. Verifies the manifest and the sha256 of every file first; refuses on any mismatch
#     (--verify-only stops here and needs no database).
#  2. Checks every target: the database is reachable and of the same kind as in the backup
#     (PostgreSQL or SQLite), and is empty or at the backup's Alembic revision; a database at
#     another revision is refused (restore into an empty database, or --force).
#  3. Restores each PostgreSQL database into the existing database with
#     pg_restore --clean --if-exists --no-owner --single-transaction (all or nothing per
#     database), or copies a SQLite file back (its -wal/-shm files are removed).
#  4. Extracts the attachments into CAMPUS_FILES_DIR (files already there are kept:
#     attachments are stored by content hash, so nothing is overwritten with other bytes).
#
# Stop the web apps and workers first: systemctl stop campus-safety.target
# Afterwards: campus-safety migrate (when the code is newer than the backup), start the
# services, and replay the producers' outboxes so every consumer catches up on events it had
# not consumed when the backup was taken (inboxes skip the ones it has):
#   campus-safety replay grid; campus-safety replay hazards; campus-safety replay education
#
# Reads the same environment as the services (every variable is required):
#   GRID_DATABASE_URL HAZARDS_DATABASE_URL EDUCATION_DATABASE_URL REPORTING_DATABASE_URL
#   CAMPUS_FILES_DIR
# e.g.  set -a; for f in /etc/campus-safety/*.env; do . "$f"; done; set +a
set -euo pipefail
umask 077

PROG=restore.sh
# shellcheck source=deploy/backup-lib.sh
. "$(dirname "$(readlink -f "$0")")/backup-lib.sh"

psql_value() { pg_run "$1" psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$2"; }

pg_revision() {  # the live database's Alembic revision, "none" when not migrated or empty
  local revision=""
  if [[ $(psql_value "$1" "SELECT to_regclass('public.alembic_version') IS NOT NULL") == t ]]; then
    revision=$(psql_value "$1" \
      "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version")
  fi
  echo "${revision:-none}"
}

# --- arguments -----------------------------------------------------------------------------

verify_only=0
force=0
dir=""
while (($#)); do
  case "$1" in
    --verify-only) verify_only=1 ;;
    --force) force=1 ;;
    -h | --help) usage ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
      [[ -z $dir ]] || die "one BACKUP_DIR only (see --help)"
      dir=$1
      ;;
  esac
  shift
done
[[ -n $dir ]] || usage
[[ -d $dir ]] || die "$dir is not a directory"
dir=$(cd "$dir" && pwd)

# --- 1. verify -----------------------------------------------------------------------------

manifest="$dir/manifest"
[[ -f $manifest ]] || die "refusing: $manifest is missing (not a complete backup.sh backup)"
if ! [[ $(tail -n 1 "$manifest") =~ ^manifest-sha256\ ([0-9a-f]{64})$ ]]; then
  die "refusing: the manifest is damaged (no manifest-sha256 line at its end)"
fi
[[ $(head -n -1 "$manifest" | sha256sum | cut -d' ' -f1) == "${BASH_REMATCH[1]}" ]] ||
  die "refusing: the manifest is damaged (its checksum does not match)"

declare -A sha=() kind_of=() revision_of=() file_of=()
files_tar=""
files_count=0
format=""
created=""
while read -r tag a b c d; do
  case "$tag" in
    format) format=$a ;;
    created) created=$a ;;
    sha256) sha[$b]=$a ;;
    database)
      kind_of[$a]=$b
      revision_of[$a]=$c
      file_of[$a]=$d
      ;;
    files)
      files_tar=$a
      files_count=$b
      ;;
  esac
done < <(head -n -1 "$manifest")
[[ $format == 1 ]] || die "refusing: unknown backup format '${format}'"

bad=()
for name in "${!sha[@]}"; do
  [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "refusing: unexpected file name '$name' in the manifest"
  if [[ ! -f $dir/$name ]]; then
    bad+=("$name (missing)")
  elif [[ $(sha256sum "$dir/$name" | cut -d' ' -f1) != "${sha[$name]}" ]]; then
    bad+=("$name (sha256 mismatch)")
  fi
done
for service in "${SERVICES[@]}"; do
  [[ -n ${file_of[$service]:-} ]] || bad+=("$service (no database in the manifest)")
  [[ -z ${file_of[$service]:-} || -n ${sha[${file_of[$service]}]:-} ]] ||
    bad+=("${file_of[$service]} (no checksum)")
done
[[ -n $files_tar && -n ${sha[$files_tar]:-} ]] || bad+=("attachments archive (not in the manifest)")
if ((${#bad[@]})); then
  printf '%s: refusing: the backup is damaged:\n' "$PROG" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
say "verified $dir (taken $created): ${#sha[@]} files match the manifest"
for service in "${SERVICES[@]}"; do
  say "  $service: ${kind_of[$service]} revision ${revision_of[$service]} (${file_of[$service]})"
done
say "  attachments: $files_count files ($files_tar)"
((verify_only)) && exit 0

# --- 2. check the targets ------------------------------------------------------------------

require_env

refusals=()
for service in "${SERVICES[@]}"; do
  var=$(db_var "$service")
  url=${!var}
  kind=$(url_kind "$url") || die "$var is neither a postgresql:// nor a sqlite:// URL"
  [[ $kind == "${kind_of[$service]}" ]] ||
    die "refusing: the backup of $service is ${kind_of[$service]} but $var is $kind"
  if [[ $kind == postgresql ]]; then
    command -v pg_restore >/dev/null || die "install the PostgreSQL client (apt-get install postgresql-client)"
    psql_value "$url" "SELECT 1" >/dev/null 2>&1 ||
      die "cannot connect to $(redact "$url"): create the database first (empty, owned by the services' user)"
    live=$(pg_revision "$url")
    others=$(psql_value "$url" "SELECT count(*) FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()")
    ((others == 0)) || warn "$service: $others other sessions are connected to $(redact "$url"); stop the services first (systemctl stop campus-safety.target)"
  else
    command -v sqlite3 >/dev/null || die "$service uses SQLite: install sqlite3 (apt-get install sqlite3)"
    path=$(sqlite_path "$url") || die "$var: only file databases (sqlite:///path) can be restored"
    live=none
    [[ ! -f $path ]] || live=$(sqlite_revision "$path")
  fi
  if [[ $live != none && $live != "${revision_of[$service]}" ]]; then
    refusals+=("$service: the database is at revision $live, the backup at ${revision_of[$service]}")
  fi
done
if ((${#refusals[@]})); then
  if ((force)); then
    for refusal in "${refusals[@]}"; do warn "$refusal (--force: restoring anyway)"; done
  else
    printf '%s: refusing: %s\n' "$PROG" "${refusals[@]}" >&2
    cat >&2 <<'EOF'
  pg_restore --clean replaces only the tables the backup has: tables of newer migrations
  would stay behind and the next `campus-safety migrate` would fail. Restore into empty
  databases (dropdb/createdb), then run `campus-safety migrate`; or pass --force.
EOF
    exit 2
  fi
fi

# --- 3. databases --------------------------------------------------------------------------

for service in "${SERVICES[@]}"; do
  var=$(db_var "$service")
  url=${!var}
  file="$dir/${file_of[$service]}"
  if [[ ${kind_of[$service]} == postgresql ]]; then
    pg_run "$url" pg_restore --clean --if-exists --no-owner --single-transaction \
      --exit-on-error "$file" ||
      die "$service: pg_restore into $(redact "$url") failed (that database is unchanged; databases restored before it are restored)"
    say "$service: restored ${file_of[$service]} into $(redact "$url") (revision $(pg_revision "$url"))"
  else
    path=$(sqlite_path "$url")
    mkdir -p "$(dirname "$path")"
    cp "$file" "$path.restoring"
    if [[ -e $path ]]; then  # keep the owner and mode the services need
      chown --reference="$path" "$path.restoring" 2>/dev/null || true
      chmod --reference="$path" "$path.restoring"
    fi
    rm -f "$path-wal" "$path-shm" "$path-journal"  # a stale WAL would be replayed onto it
    mv -f "$path.restoring" "$path"
    say "$service: restored ${file_of[$service]} to $path (revision $(sqlite_revision "$path"))"
  fi
done

# --- 4. attachments ------------------------------------------------------------------------

owner_ref=$CAMPUS_FILES_DIR
[[ -d $owner_ref ]] || owner_ref=$(dirname "$CAMPUS_FILES_DIR")
mkdir -p "$CAMPUS_FILES_DIR"
tar --extract --file="$dir/$files_tar" --directory="$CAMPUS_FILES_DIR" --no-same-owner
if ((EUID == 0)) && [[ -d $owner_ref ]]; then  # files belong to whoever owns the directory
  chown -R --reference="$owner_ref" "$CAMPUS_FILES_DIR"
fi
say "attachments: extracted $files_count files into $CAMPUS_FILES_DIR"

say "restore complete from $dir. Next: campus-safety migrate (if the code is newer than the"
say "  backup), start the services (systemctl start campus-safety.target), then replay the"
say "  producers' outboxes: campus-safety replay grid / hazards / education"
