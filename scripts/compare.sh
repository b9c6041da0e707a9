#!/usr/bin/env bash
# End-to-end speed and memory of the release binary, next to newsboat (RSS) and feedr.
#
# Serves generated live blogs on loopback, drives each reader in a 120x40 tmux terminal and
# prints one line per figure (medians of RUNS runs). Usage:
#   scripts/compare.sh            all of it (about 20 minutes)
#   scripts/compare.sh list       time to a full list (livefeed: and to its first entries),
#                                 peak RSS, idle CPU for each reader
#   scripts/compare.sh print      livefeed --print: wall time and peak RSS (/usr/bin/time -v)
#   scripts/compare.sh demo       livefeed's time to the first frame of the demo
#   scripts/compare.sh poll       livefeed idle CPU with three sources polled every 30 s
#   scripts/compare.sh clock      time to the first entries and to a full list, timed on the
#                                 frames themselves in a pseudo-terminal (examples/screen_clock)
#                                 instead of by polling tmux (which adds 25-50 ms), for
#                                 livefeed and for newsboat and feedr when installed
# Knobs: SIZES="10000 50000" RUNS=5 IDLE=60 POLL_SPAN=300 OUT=target/compare PORT=8765
#        BIN=path/to/livefeed (default target/release/livefeed) BUILD=0 (no build)
#        FORMATS="json rss html" (livefeed's documents; also atom) READERS="newsboat feedr"
# Installs newsboat with apt-get and feedr 0.7 with cargo when they are missing and
# INSTALL=1 is set.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 50000"}
RUNS=${RUNS:-5}
IDLE=${IDLE:-60}
POLL_SPAN=${POLL_SPAN:-300}
FORMATS=${FORMATS:-"json rss html"}
READERS=${READERS:-"newsboat feedr"}
OUT=${OUT:-target/compare}
PORT=${PORT:-8765}
TMUX_SOCK=livefeed-compare-$$
WHAT=${1:-all}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN=${BIN:-$PWD/target/release/livefeed}
TICK=$(getconf CLK_TCK)

log() { printf '%s\n' "$*" >&2; }
result() { printf '%s\n' "$*" | tee -a "$OUT/results.txt"; }

# BUILD=0 skips the build (for reruns); GEN may name another generator binary.
# The program is built on its own: built with the examples, it would get the features
# that the development dependencies ask of the crates they share.
if [[ ${BUILD:-1} == 1 ]]; then
  cargo build --release --bin livefeed >&2
  cargo build --release --example generate --example screen_clock >&2
fi
GEN=${GEN:-$PWD/target/release/examples/generate}
CLOCK=${CLOCK:-$PWD/target/release/examples/screen_clock}

if [[ ${INSTALL:-0} == 1 ]]; then
  command -v newsboat >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y newsboat >&2 || true
  command -v feedr >/dev/null || cargo install feedr --version '~0.7' --locked >&2 || true
fi

# Documents: a JSON Feed, an RSS feed, an Atom feed and a JSON-LD page of each size.
for n in $SIZES 1000; do
  [[ -s $OUT/blog-$n.json ]] || "$GEN" --format jsonfeed --entries "$n" >"$OUT/blog-$n.json"
  [[ -s $OUT/blog-$n.rss ]] || "$GEN" --format rss --entries "$n" >"$OUT/blog-$n.rss"
  [[ -s $OUT/blog-$n.atom ]] || "$GEN" --format atom --entries "$n" >"$OUT/blog-$n.atom"
  [[ -s $OUT/blog-$n.html ]] || "$GEN" --format jsonld-html --entries "$n" >"$OUT/blog-$n.html"
done

# Limits raised so that 50,000 entries (60+ MB) are read whole.
cat >"$OUT/livefeed.toml" <<TOML
max_entries = 1000000
[limits]
max_bytes = 1073741824
total_timeout = 600
read_timeout = 600
max_entries_per_response = 1000000
TOML

python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$OUT" >/dev/null 2>&1 &
SERVER=$!
cleanup() {
  tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
  kill "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/livefeed.toml" && break
  sleep 0.1
done
URL=http://127.0.0.1:$PORT

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

# Start COMMAND in a fresh 120x40 tmux pane; prints the pid of the program.
start_pane() {
  tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
  tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -s bench -x 120 -y 40 "exec $1"
  tmux -L "$TMUX_SOCK" display -p -t bench '#{pane_pid}'
}

# Wait until the pane shows a line matching REGEX; prints the seconds since START.
wait_for() {
  local regex=$1 start=$2 limit=${3:-600}
  while true; do
    if tmux -L "$TMUX_SOCK" capture-pane -p -t bench 2>/dev/null | grep -qE -- "$regex"; then
      awk -v a="$start" -v b="$(now)" 'BEGIN {printf "%.3f\n", b - a}'
      return 0
    fi
    if awk -v a="$start" -v b="$(now)" -v l="$limit" 'BEGIN {exit !(b - a > l)}'; then
      log "timed out waiting for /$regex/"
      tmux -L "$TMUX_SOCK" capture-pane -p -t bench >&2 || true
      echo NaN
      return 1
    fi
    sleep 0.02
  done
}

# One reader, one size: RUNS cold starts. Prints median load time, median peak RSS (MiB)
# and, for the last run, CPU used over IDLE seconds after the load (percent of one core).
# With FIRST (a regex), also the median time until the first entries show.
measure_list() {
  local name=$1 n=$2 cmd=$3 regex=$4 prepare=${5:-true} keys=${6:-} regex2=${7:-}
  local times=() firsts=() rss=() pid start t
  for run in $(seq "$RUNS"); do
    eval "$prepare"
    start=$(now)
    pid=$(start_pane "$cmd")
    if [[ -n ${FIRST:-} ]]; then
      firsts+=("$(wait_for "$FIRST" "$start")") || true
    fi
    t=$(wait_for "$regex" "$start") || true
    if [[ -n $keys ]]; then
      # A reader that first shows a list of feeds: open the feed, wait for its entries.
      tmux -L "$TMUX_SOCK" send-keys -t bench "$keys"
      t=$(wait_for "$regex2" "$start") || true
    fi
    times+=("$t")
    sleep 1
    rss+=("$(hwm_kb "$pid")")
    if [[ $run == "$RUNS" ]]; then
      local c0 c1
      c0=$(cpu_ticks "$pid")
      sleep "$IDLE"
      c1=$(cpu_ticks "$pid")
      rss[-1]=$(hwm_kb "$pid")
      result "$name n=$n idle_cpu_${IDLE}s: $(awk -v d=$((c1 - c0)) -v t="$TICK" -v s="$IDLE" 'BEGIN {printf "%.2f s CPU = %.2f%% of a core", d / t, 100 * d / t / s}')"
    fi
    tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
  done
  if [[ -n ${FIRST:-} ]]; then
    result "$name n=$n time_to_first_entries: median $(printf '%s\n' "${firsts[@]}" | median) s (runs: ${firsts[*]})"
  fi
  result "$name n=$n time_to_list: median $(printf '%s\n' "${times[@]}" | median) s (runs: ${times[*]})"
  result "$name n=$n peak_rss: median $(printf '%s\n' "${rss[@]}" | median | awk '{printf "%.1f", $1 / 1024}') MiB (kB: ${rss[*]})"
}

list_all() {
  for n in $SIZES; do
    local shown
    shown=$(printf "%'d" "$n" 2>/dev/null || echo "$n")
    # livefeed: the list pane's title counts the entries once they are all in.
    for ext in $FORMATS; do
      FIRST='entries \([1-9][0-9]*\)' measure_list "livefeed-$ext" "$n" \
        "$BIN --config $OUT/livefeed.toml $URL/blog-$n.$ext" "entries \\($n\\)"
    done
    if [[ $READERS != *newsboat* ]]; then
      :
    elif command -v newsboat >/dev/null; then
      # newsboat: reload on start; its feed list shows "(unread/total)" once the feed is
      # in; Enter opens the feed's list of articles, whose title gives the count.
      local nb=$OUT/newsboat
      mkdir -p "$nb"
      echo "$URL/blog-$n.rss" >"$nb/urls"
      printf 'refresh-on-startup yes\nshow-read-feeds yes\nmax-items 0\n' >"$nb/config"
      measure_list newsboat-rss "$n" \
        "newsboat -u $nb/urls -C $nb/config -c $nb/cache.db" "\\($n/" \
        "rm -f $nb/cache.db $nb/cache.db.lock" Enter "\\($n unread, $n total\\)"
    else
      result "newsboat: not installed (INSTALL=1 installs it)"
    fi
    if [[ $READERS != *feedr* ]]; then
      :
    elif command -v feedr >/dev/null; then
      measure_feedr "$n"
    else
      result "feedr: not installed (INSTALL=1 tries cargo install feedr --version ~0.7)"
    fi
  done
}

# feedr keeps its feeds (bookmarks) in its data folder and fetches them all on start; a
# fresh HOME per run keeps runs cold. Its dashboard lists the newest items, so the list is
# on screen once the newest headline shows.
measure_feedr() {
  local n=$1 home=$OUT/feedr-home newest
  newest=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["items"][0]["title"][:24])' "$OUT/blog-$n.json")
  measure_list feedr-json "$n" \
    "env HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local/share feedr" \
    "$newest" \
    "rm -rf $home && mkdir -p $home/.local/share/feedr && printf '{\"bookmarks\": [\"%s\"], \"categories\": [], \"read_items\": []}' $URL/blog-$n.json >$home/.local/share/feedr/feedr_data.json"
}

print_all() {
  for n in $SIZES; do
    for ext in $FORMATS; do
      local walls=() rss=() f=$OUT/time.txt
      for _ in $(seq "$RUNS"); do
        /usr/bin/time -v -o "$f" "$BIN" --config "$OUT/livefeed.toml" --print "$URL/blog-$n.$ext" >/dev/null
        walls+=("$(awk -F': ' '/Elapsed/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$f")")
        rss+=("$(awk -F': ' '/Maximum resident/ {print $2}' "$f")")
      done
      result "livefeed --print $ext n=$n ($(stat -c %s "$OUT/blog-$n.$ext") bytes): wall median $(printf '%s\n' "${walls[@]}" | median) s, peak RSS median $(printf '%s\n' "${rss[@]}" | median | awk '{printf "%.1f", $1 / 1024}') MiB"
    done
    # Text held: headlines, bodies, authors and captions as --output jsonl gives them.
    local text
    text=$("$BIN" --config "$OUT/livefeed.toml" --print --output jsonl "$URL/blog-$n.json" | python3 -c '
import json, sys
total = 0
for line in sys.stdin:
    e = json.loads(line)
    for k, v in e.items():
        if isinstance(v, str):
            total += len(v.encode())
        elif isinstance(v, list):
            total += sum(len(json.dumps(x).encode()) for x in v)
print(total)')
    result "livefeed n=$n text held (string fields of --output jsonl): $text bytes = $(awk -v t="$text" 'BEGIN {printf "%.1f", t / 1048576}') MiB"
  done
}

demo() {
  local times=() start pid
  for _ in $(seq "$RUNS"); do
    start=$(now)
    pid=$(start_pane "$BIN")
    # The first frame has the list pane's title.
    times+=("$(wait_for 'entries' "$start" 30)")
    tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
  done
  result "livefeed demo time_to_first_frame: median $(printf '%s\n' "${times[@]}" | median) s (runs: ${times[*]})"
}

poll() {
  local start pid c0 c1
  start=$(now)
  pid=$(start_pane "$BIN --interval 30 $URL/blog-1000.json $URL/blog-1000.rss $URL/blog-1000.html")
  wait_for 'entries \(3000\)' "$start" 120 >/dev/null || true
  c0=$(cpu_ticks "$pid")
  sleep "$POLL_SPAN"
  c1=$(cpu_ticks "$pid")
  result "livefeed 3 sources x 1000 entries, polled every 30 s, over ${POLL_SPAN}s: $(awk -v d=$((c1 - c0)) -v t="$TICK" -v s="$POLL_SPAN" 'BEGIN {printf "%.2f s CPU = %.2f%% of a core", d / t, 100 * d / t / s}'), peak RSS $(hwm_kb "$pid") kB"
  tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
}

# RUNS runs of screen_clock; prints the median of each figure it reports.
clock_runs() {
  local name=$1 n=$2 prepare=$3
  shift 3
  local f=$OUT/clock.txt
  : >"$f"
  for _ in $(seq "$RUNS"); do
    eval "$prepare"
    "$CLOCK" --limit 600 "$@" >>"$f" || log "$name n=$n: a run did not finish"
  done
  local key values
  for key in $(awk '{print ($1 == "until") ? "time_to_list" : $1}' "$f" | sort -u); do
    values=$(awk -v k="$key" '(($1 == "until") ? "time_to_list" : $1) == k {print $NF}' "$f")
    result "$name n=$n $key: median $(printf '%s\n' "$values" | median) (runs: $(echo $values))"
  done
}

clock() {
  for n in $SIZES; do
    for ext in $FORMATS; do
      clock_runs "livefeed-$ext" "$n" true --entries "$n" -- \
        "$BIN" --config "$OUT/livefeed.toml" "$URL/blog-$n.$ext"
    done
    if [[ $READERS == *newsboat* ]] && command -v newsboat >/dev/null; then
      # The feed list's "(unread/total)" once the feed is in (the articles are a key away).
      local nb=$OUT/newsboat
      mkdir -p "$nb"
      echo "$URL/blog-$n.rss" >"$nb/urls"
      printf 'refresh-on-startup yes\nshow-read-feeds yes\nmax-items 0\n' >"$nb/config"
      clock_runs newsboat-rss "$n" "rm -f $nb/cache.db $nb/cache.db.lock" --until "($n/" -- \
        newsboat -u "$nb/urls" -C "$nb/config" -c "$nb/cache.db"
    fi
    if [[ $READERS == *feedr* ]] && command -v feedr >/dev/null; then
      local home=$OUT/feedr-home newest
      newest=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["items"][0]["title"][:24])' "$OUT/blog-$n.json")
      clock_runs feedr-json "$n" \
        "rm -rf $home && mkdir -p $home/.local/share/feedr && printf '{\"bookmarks\": [\"%s\"], \"categories\": [], \"read_items\": []}' $URL/blog-$n.json >$home/.local/share/feedr/feedr_data.json" \
        --until "$newest" -- env HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" feedr
    fi
  done
}

case $WHAT in
  list) list_all ;;
  print) print_all ;;
  demo) demo ;;
  poll) poll ;;
  clock) clock ;;
  all) demo; print_all; list_all; poll ;;
  *) log "unknown part: $WHAT"; exit 2 ;;
esac
