#!/usr/bin/env bash
# Benchmark harness for Triage.  Usage:  Benchmarks/run.sh [SIZE]      (SIZE default 1G)
#
# Generates (or reuses) a mixed `docker compose logs` capture of SIZE in Benchmarks/data/,
# then times Triage and baseline tools with hyperfine and measures peak RSS with
# /usr/bin/time.  Prints a summary table and writes it to Benchmarks/data/last-run.txt.
#
# Environment:
#   TRIAGE=.build/release/triage   binary to benchmark (default path is built with
#                                  `swift build -c release` if missing)
#   SEED=42                        generator seed
#   RUNS=N                         hyperfine --runs (default 10 up to 256M, 3 up to 1G, 2 above)
#   LNAV_RUNS=N                    --runs for lnav (default: RUNS)
#   SKIP_LNAV=1                    skip the lnav baseline
#   SKIP_TRIAGE=1                  only run the baselines (rg, zcat|wc -l, lnav)
#   SPANS_SIZE=500M                size of the OTLP JSON-lines span dump (generate-spans.py)
#   SKIP_SPANS=1                   skip the span-dump benchmark
#   STRICT=1                       exit 3 if a Triage target is missed
set -euo pipefail

SIZE=${1:-1G}
SIZE=$(printf '%s' "$SIZE" | tr '[:lower:]' '[:upper:]')
SEED=${SEED:-42}
SKIP_LNAV=${SKIP_LNAV:-0}
SKIP_TRIAGE=${SKIP_TRIAGE:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH=$ROOT/Benchmarks
DATA=$BENCH/data
OUTDIR=$DATA/last-run
mkdir -p "$DATA"

warn() { printf 'run.sh: warning: %s\n' "$*" >&2; }
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }
note() { printf '\n== %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------
missing=()
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if [ "$SKIP_LNAV" != 1 ] && ! command -v lnav >/dev/null 2>&1; then missing+=(lnav); fi
if [ ${#missing[@]} -gt 0 ]; then
    note "installing missing tools: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    if ! $SUDO apt-get install -y -qq "${missing[@]}" >&2; then
        # package lists may be missing or stale: update once and retry
        if ! { $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq "${missing[@]}" >&2; }; then
            warn "could not install ${missing[*]}; benchmarks that need them will be skipped"
        fi
    fi
fi
command -v hyperfine >/dev/null 2>&1 || die "hyperfine is required (apt-get install hyperfine)"
HAVE_RG=1; command -v rg >/dev/null 2>&1 || { HAVE_RG=0; warn "rg not found: skipping the ripgrep baseline"; }
HAVE_TIME=1; [ -x /usr/bin/time ] || { HAVE_TIME=0; warn "/usr/bin/time not found: peak RSS will not be measured"; }
if [ "$SKIP_LNAV" != 1 ] && ! command -v lnav >/dev/null 2>&1; then
    warn "lnav not found: skipping the lnav baseline"; SKIP_LNAV=1
fi

# ---------------------------------------------------------------------------------------
# Triage binary
# ---------------------------------------------------------------------------------------
TRIAGE_DEFAULT=.build/release/triage
TRIAGE=${TRIAGE:-$TRIAGE_DEFAULT}
if [ "$SKIP_TRIAGE" != 1 ]; then
    if ! command -v "$TRIAGE" >/dev/null 2>&1 && [ "$TRIAGE" = "$TRIAGE_DEFAULT" ]; then
        note "$TRIAGE not found: swift build -c release"
        if command -v swift >/dev/null 2>&1; then
            swift build -c release >&2 || warn "swift build -c release failed"
        else
            warn "swift not found"
        fi
    fi
    if command -v "$TRIAGE" >/dev/null 2>&1; then
        TRIAGE=$(readlink -f "$(command -v "$TRIAGE")")
    else
        warn "triage binary '$TRIAGE' not available: skipping the Triage benchmarks"
        SKIP_TRIAGE=1
    fi
fi

# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------
BYTES=$(python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1]); from generate import parse_size; print(parse_size(sys.argv[2]))' "$BENCH" "$SIZE") \
    || die "bad SIZE '$SIZE' (use e.g. 10M, 200M, 1G, 2G)"
FILE=$DATA/compose-$SIZE-seed$SEED.log
GZ=$FILE.gz
GEN_HASH=$(sha256sum "$BENCH/generate.py" | cut -c1-16)
WANT="size=$SIZE seed=$SEED format=compose bytes=$BYTES generator=$GEN_HASH"
if [ -f "$FILE" ] && [ -f "$GZ" ] && [ "$(cat "$FILE.params" 2>/dev/null)" = "$WANT" ]; then
    note "reusing $FILE ($WANT)"
else
    avail_kb=$(df -Pk "$DATA" | awk 'NR==2 {print $4}')
    need_kb=$(( BYTES / 1024 * 13 / 10 ))   # log + .gz (~1/5) + slack
    if [ -n "$avail_kb" ] && [ "$avail_kb" -lt "$need_kb" ]; then
        die "not enough disk space in $DATA: need ~$((need_kb / 1024)) MiB, have $((avail_kb / 1024)) MiB"
    fi
    note "generating $FILE ($WANT)"
    rm -f "$FILE" "$GZ" "$FILE.params" "$FILE.gen.txt"
    python3 "$BENCH/generate.py" --size "$SIZE" --seed "$SEED" --format compose --gzip --out "$FILE" 2> "$FILE.gen.txt" \
        || { cat "$FILE.gen.txt" >&2; die "generate.py failed"; }
    cat "$FILE.gen.txt" >&2
    printf '%s\n' "$WANT" > "$FILE.params"
fi

# ---------------------------------------------------------------------------------------
# Benchmarks
# ---------------------------------------------------------------------------------------
if [ -z "${RUNS:-}" ]; then
    if [ "$BYTES" -le $((256 << 20)) ]; then RUNS=10
    elif [ "$BYTES" -le $((1 << 30)) ]; then RUNS=3
    else RUNS=2; fi
fi
LNAV_RUNS=${LNAV_RUNS:-$RUNS}

rm -rf "$OUTDIR"
mkdir -p "$OUTDIR"
MANIFEST=$OUTDIR/manifest.tsv
: > "$MANIFEST"

q() { printf '%q' "$1"; }
QF=$(q "$FILE"); QGZ=$(q "$GZ"); QT=$(q "$TRIAGE")
QLNAV_DIR=$(q "$BENCH/lnav")

# bench KEY LABEL RUNS CMD RSS_CMD
#   CMD is timed by hyperfine (run through sh).  RSS_CMD is run once more through bash
#   with @TIME@ replaced by `/usr/bin/time -f %M -o FILE` placed in front of the process
#   whose peak RSS we want; its stdout goes to OUTDIR/KEY.out, its stderr to KEY.err.
bench() {
    local key=$1 label=$2 runs=$3 cmd=$4 rss_cmd=$5
    local json=$OUTDIR/$key.json rssf=$OUTDIR/$key.rss rc=0 rss=""
    note "$label"
    printf '   %s\n' "$cmd" >&2
    local tcmd
    if [ "$HAVE_TIME" = 1 ]; then
        tcmd=${rss_cmd//@TIME@//usr/bin/time -f %M -o $(q "$rssf")}
    else
        tcmd=${rss_cmd//@TIME@/}
    fi
    bash -c "$tcmd" > "$OUTDIR/$key.out" 2> "$OUTDIR/$key.err" || rc=$?
    if [ -s "$rssf" ]; then rss=$(grep -E '^[0-9]+$' "$rssf" | tail -n1 || true); fi
    local ignore=()
    if [ "$rc" -ne 0 ]; then
        warn "'$label' exited with status $rc (stderr: $(head -c 300 "$OUTDIR/$key.err" | tr '\n' ' ')); timing it anyway with --ignore-failure"
        ignore=(--ignore-failure)
    fi
    if hyperfine --warmup 1 --runs "$runs" --output=pipe --style basic "${ignore[@]}" \
            --command-name "$label" --export-json "$json" "$cmd" >&2; then
        :
    else
        warn "hyperfine failed for '$label'"
        rm -f "$json"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$label" "$cmd" "$json" "${rss:-}" "$rc" >> "$MANIFEST"
}

if [ "$SKIP_TRIAGE" != 1 ]; then
    # Classification cost: the same command without it, and with 500 extra user patterns.
    USER_PATTERNS=$DATA/user-patterns
    [ -d "$USER_PATTERNS" ] || python3 "$BENCH/user-patterns.py" --count 500 --out "$USER_PATTERNS" >&2
    QUP=$(q "$USER_PATTERNS")
    bench triage_classify "triage events --stats --classify FILE" "$RUNS" \
        "$QT events --stats --classify $QF" \
        "@TIME@ $QT events --stats --classify $QF"
    bench triage_user "triage events --stats --patterns USER500 FILE" "$RUNS" \
        "$QT events --stats --patterns $QUP $QF" \
        "@TIME@ $QT events --stats --patterns $QUP $QF"
    bench triage_file "triage events --stats FILE" "$RUNS" \
        "$QT events --stats $QF" \
        "@TIME@ $QT events --stats $QF"
    bench triage_pipe "cat FILE | triage events --stats" "$RUNS" \
        "cat $QF | $QT events --stats" \
        "cat $QF | @TIME@ $QT events --stats"
    bench triage_gz "triage events --stats FILE.gz" "$RUNS" \
        "$QT events --stats $QGZ" \
        "@TIME@ $QT events --stats $QGZ"
    bench triage_json "triage events --format json FILE >/dev/null" "$RUNS" \
        "$QT events --format json $QF > /dev/null" \
        "@TIME@ $QT events --format json $QF > /dev/null"
    # The main job: the whole report, on the big file and on a 20,000-line `docker logs`
    # capture (start-up included).
    bench triage_report "triage report --format json FILE >/dev/null" "$RUNS" \
        "$QT report --format json $QF > /dev/null" \
        "@TIME@ $QT report --format json $QF > /dev/null"
    SMALL=$DATA/docker-logs-20000-seed$SEED.log
    if [ ! -s "$SMALL" ]; then
        note "generating $SMALL"
        # head closes the pipe early: the generator's broken pipe is expected.
        { python3 "$BENCH/generate.py" --size 8M --seed "$SEED" --format plain --out - 2>/dev/null | head -n 20000 > "$SMALL"; } || true
        [ "$(wc -l < "$SMALL")" -eq 20000 ] || die "could not generate $SMALL"
    fi
    QSMALL=$(q "$SMALL")
    bench triage_report_small "triage report SMALL (20,000 lines) >/dev/null" 20 \
        "$QT report $QSMALL > /dev/null" \
        "@TIME@ $QT report $QSMALL > /dev/null"
    if [ "${SKIP_SPANS:-0}" != 1 ]; then
        # Span dumps: an OTel Collector file-exporter dump (OTLP JSON lines), read and analysed.
        SPANS_SIZE=${SPANS_SIZE:-500M}
        SPANS=$DATA/spans-$SPANS_SIZE-seed$SEED.jsonl
        if [ ! -s "$SPANS" ]; then
            note "generating $SPANS"
            python3 "$BENCH/generate-spans.py" --size "$SPANS_SIZE" --seed "$SEED" --out "$SPANS" >&2
        fi
        QS=$(q "$SPANS")
        bench triage_spans "triage traces --format json SPANS >/dev/null" "$RUNS" \
            "$QT traces --format json $QS > /dev/null" \
            "@TIME@ $QT traces --format json $QS > /dev/null"
    fi
fi
if [ "$HAVE_RG" = 1 ]; then
    bench rg "rg -c -i 'error|killed|...' FILE" "$RUNS" \
        "rg -c -i 'error|killed|segmentation|refused|traceback' $QF" \
        "@TIME@ rg -c -i 'error|killed|segmentation|refused|traceback' $QF"
fi
bench zcat_wc "zcat FILE.gz | wc -l" "$RUNS" \
    "zcat $QGZ | wc -l" \
    "@TIME@ sh -c 'zcat $QGZ | wc -l'"
if [ "$SKIP_LNAV" != 1 ]; then
    # -I adds Benchmarks/lnav/formats/compose/compose_log.json so that lnav really parses
    # the mixed compose capture (without it lnav sees no log lines at all and only scans text).
    bench lnav "lnav -n -c ';SELECT count(*) FROM all_logs' FILE" "$LNAV_RUNS" \
        "lnav -I $QLNAV_DIR -n -c ';SELECT count(*) FROM all_logs' $QF" \
        "@TIME@ lnav -I $QLNAV_DIR -n -c ';SELECT count(*) FROM all_logs' $QF"
fi

# ---------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------
STATUS=0
python3 "$BENCH/summarize.py" \
    --manifest "$MANIFEST" --file "$FILE" --gz "$GZ" --size "$SIZE" --seed "$SEED" \
    --runs "$RUNS" --lnav-runs "$LNAV_RUNS" --triage "$TRIAGE" --skip-triage "$SKIP_TRIAGE" \
    --spans "${SPANS:-}" --small "${SMALL:-}" \
    --out "$DATA/last-run.txt" || STATUS=$?
if [ "$STATUS" -ne 0 ] && [ "${STRICT:-0}" != 1 ] && [ "$STATUS" -eq 3 ]; then STATUS=0; fi
echo "run.sh: summary written to $DATA/last-run.txt (raw hyperfine JSON and outputs in $OUTDIR/)" >&2
exit "$STATUS"
