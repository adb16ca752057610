# 校安 campus safety: the functions deploy/backup.sh and deploy/restore.sh share.
# Sourced by both (not run on its own) after they set PROG and `set -euo pipefail`:
#   . "$(dirname "$(readlink -f "$0")")/backup-lib.sh"
# so it must stay beside them in deploy/.

SERVICES=(grid hazards education reporting)

die() {
  echo "$PROG: $*" >&2
  exit 2
}
say() { echo "$PROG: $*"; }
warn() { echo "$PROG: warning: $*" >&2; }

usage() {  # the calling script's header comment
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

# Refuses to go on unless every service's <SERVICE>_DATABASE_URL and CAMPUS_FILES_DIR are set.
require_env() {
  local service var missing=()
  for service in "${SERVICES[@]}"; do
    var=$(db_var "$service")
    [[ -n ${!var:-} ]] || missing+=("$var")
  done
  [[ -n ${CAMPUS_FILES_DIR:-} ]] || missing+=(CAMPUS_FILES_DIR)
  if ((${#missing[@]})); then
    die "refusing to run: ${missing[*]} not set. Set them as the services have them, e.g.
  set -a; for f in /etc/campus-safety/*.env; do . \"\$f\"; done; set +a"
  fi
}

# --- URL helpers ---------------------------------------------------------------------------

db_var() { echo "$(echo "$1" | tr '[:lower:]' '[:upper:]')_DATABASE_URL"; }

url_kind() {  # postgresql | sqlite
  case "$1" in
    postgresql:* | postgresql+*:* | postgres:*) echo postgresql ;;
    sqlite:*) echo sqlite ;;
    *) return 1 ;;
  esac
}

libpq_url() {  # postgresql+psycopg://… -> postgresql://…
  local url=$1
  url="postgresql://${url#*://}"
  echo "$url"
}

url_decode() { printf '%b' "${1//%/\\x}"; }

# Run a libpq program against URL without putting the password on its command line
# (visible in ps): the password goes into PGPASSWORD of that one process.
pg_run() {
  local url program password
  url=$(libpq_url "$1")
  program=$2
  shift 2
  if [[ $url =~ ^(postgresql://)([^:@/]+):([^@/]*)@(.*)$ ]]; then
    password=$(url_decode "${BASH_REMATCH[3]}")
    url="${BASH_REMATCH[1]}${BASH_REMATCH[2]}@${BASH_REMATCH[4]}"
    PGPASSWORD="$password" "$program" --dbname="$url" "$@"
  else
    "$program" --dbname="$url" "$@"
  fi
}

redact() { echo "$1" | sed -E 's#://([^:@/]+):[^@/]*@#://\1:***@#'; }

sqlite_path() {  # sqlite:///relative/path, sqlite:////absolute/path (query string dropped)
  local path=${1#sqlite:///}
  path=${path%%\?*}
  [[ $1 == sqlite:///* && -n $path && $path != ":memory:" ]] || return 1
  echo "$path"
}

sqlite_revision() {  # a SQLite file's Alembic revision, "none" when not migrated
  local revision
  revision=$(sqlite3 -readonly "$1" \
    "SELECT group_concat(version_num, ',') FROM alembic_version" 2>/dev/null || true)
  echo "${revision:-none}"
}
