#!/bin/sh
# Build the fuzz targets with libFuzzer on a stable toolchain and run them.
#
# cargo-fuzz needs nightly only for sanitizers; coverage instrumentation (SanitizerCoverage)
# is reachable on stable through -C flags, and libfuzzer-sys builds libFuzzer itself with
# the system C++ compiler. So this script does what `cargo fuzz run --sanitizer none` does.
# With a nightly toolchain and cargo-fuzz installed, `cargo fuzz run parse` works as usual.
#
# usage: fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
#        TARGET is parse, read, html_text, merge, direct or jsonld_update; SECONDS defaults
#        to 600.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
target=$1
secs=${2:-600}
[ $# -ge 2 ] && shift 2 || shift 1

export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps RUSTFLAGS away from build scripts and proc macros.
triple=$(rustc -vV | sed -n "s/^host: //p")
cargo build --release --target "$triple" --manifest-path "$here/Cargo.toml" --bin "$target"

corpus="$here/corpus/$target"
mkdir -p "$corpus" "$here/artifacts/$target"
# Seeds: our own small ones (fuzz/corpus/seeds-TARGET) and, read in place, the shared
# sample feeds next to the repository when they are there.
seeds="$here/corpus/seeds-$target"
shared="$here/../../shared/fixtures"
dirs="$corpus"
[ -d "$seeds" ] && dirs="$dirs $seeds"
if [ "$target" != merge ] && [ "$target" != jsonld_update ] && [ -d "$shared" ]; then
    for d in "$shared"/*/; do dirs="$dirs $d"; done
fi
# Only the first directory receives new inputs; the others are read as seeds.
# shellcheck disable=SC2086
exec "$here/target/$triple/release/$target" $dirs \
    -artifact_prefix="$here/artifacts/$target/" \
    -max_total_time="$secs" -max_len=65536 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 "$@"
