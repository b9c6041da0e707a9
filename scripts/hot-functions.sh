#!/usr/bin/env bash
# Writes link/hot-functions.txt: the functions of the release binary that run when livefeed
# loads a live blog (every format it reads whole or while it arrives), draws it, prints it
# and plays the demo: first what every one of those runs, then what fewer of them run.
# build.rs hands the list to the linker, which then lays those functions out together in
# that order (see docs/performance.md, "What was slow").
#
# Usage: scripts/hot-functions.sh      (needs valgrind and python3; a few minutes)
# Knobs: OUT=target/hot PORT=8766 ENTRIES=1000
#
# The names carry the hashes of this compiler and of Cargo.lock, and numbers that LTO
# gives local functions: run it again after changing the code or updating either (a
# stale list costs nothing but the layout).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-target/hot}
PORT=${PORT:-8766}
ENTRIES=${ENTRIES:-1000}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/callgrind.*

cargo build --release --bin livefeed >&2
cargo build --release --example generate --example screen_clock >&2
BIN=$PWD/target/release/livefeed
GEN=$PWD/target/release/examples/generate
CLOCK=$PWD/target/release/examples/screen_clock

for format in jsonfeed rss atom jsonld-html; do
  "$GEN" --format "$format" --entries "$ENTRIES" >"$OUT/blog.$format"
done

python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$OUT" >/dev/null 2>&1 &
SERVER=$!
SOCK=livefeed-hot-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/blog.rss" && break
  sleep 0.1
done

: >"$OUT/livefeed.toml"
GRIND=(valgrind --tool=callgrind --demangle=no --log-file="$OUT/valgrind.log"
  --callgrind-out-file="$OUT/callgrind.%p")
# Each load on a screen (a tmux pane of 120x40) until it shows what it waits for, then `q`,
# so that the program ends by itself and callgrind writes what it counted.
on_screen() {
  local wanted=$1
  shift
  tmux -L "$SOCK" -f /dev/null new-session -d -s hot -x 120 -y 40 "$(printf '%q ' "$@")"
  for _ in $(seq 1200); do
    tmux -L "$SOCK" capture-pane -p -t hot 2>/dev/null | grep -qF -- "$wanted" && break
    sleep 0.1
  done
  tmux -L "$SOCK" send-keys -t hot q
  while tmux -L "$SOCK" has-session -t hot 2>/dev/null; do sleep 0.1; done
}
for format in jsonfeed rss atom jsonld-html; do
  on_screen "entries ($ENTRIES)" "${GRIND[@]}" "$BIN" --config "$OUT/livefeed.toml" \
    "http://127.0.0.1:$PORT/blog.$format"
done
on_screen "entries (" "${GRIND[@]}" "$BIN" --config "$OUT/livefeed.toml"
"${GRIND[@]}" "$BIN" --config "$OUT/livefeed.toml" --print "http://127.0.0.1:$PORT/blog.jsonfeed" >/dev/null

python3 - "$BIN" "$OUT" link/hot-functions.txt <<'PY'
import collections, glob, re, subprocess, sys

binary, out, listing = sys.argv[1:]
defined = set()
for line in subprocess.run(["nm", "--defined-only", binary], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tTwW":
        defined.add(parts[2])
cost = collections.Counter()
runs = collections.defaultdict(set)
for n, path in enumerate(sorted(glob.glob(out + "/callgrind.*"))):
    # Names are given once per file, by number; a cost line right after `calls=` is
    # the cost of that call, not of the function the line is in.
    names, fn, after_call = {}, None, False
    for line in open(path, errors="replace"):
        m = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(3):
                names[m.group(2)] = m.group(3)
            if m.group(1) == "fn":
                fn = names.get(m.group(2))
                runs[fn].add(n)
            continue
        if line.startswith("calls="):
            after_call = True
        elif fn and line[:1] in "0123456789+-*":
            if not after_call:
                cost[fn] += int(line.split()[-1])
            after_call = False
# What every run needs first, then what fewer runs need, each group kept together (a run
# then maps the groups it uses, not pages of functions that only other runs need), the
# most run first within a group.
def place(f):
    return (-len(runs[f]), sorted(runs[f]), -cost[f])
hot = sorted((f for f in cost if f in defined), key=place)
with open(listing, "w") as f:
    f.write("".join(name + "\n" for name in hot))
print(f"{len(hot)} functions listed in {listing}", file=sys.stderr)
PY
