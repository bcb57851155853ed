#!/usr/bin/env bash
# ClawSec under load: a direct baseline, ClawSec and mitmproxy, interleaved in the same run, medians and ratios.
# Run as root on Debian (it installs nginx, wrk and mitmproxy with apt-get when missing). See README.md.
#
#   bench/load/run.sh                 # full run, 5 repetitions (about 15-20 minutes on 2 cores)
#   QUICK=1 bench/load/run.sh         # 1 repetition, short runs
#   SCENARIOS="S1 S5" REPS=3 bench/load/run.sh
#
# Settings (environment): REPS, DURATION (wrk seconds), S7_WARM (seconds of S7 traffic first, not measured),
# SCENARIOS, BASE_PORT, RESULTS_DIR, IDLE_WAIT (S6),
# CLAWSEC_DIR (an already published ClawSec; otherwise it is published from this checkout), KEEP_WORK=1.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
LIB=$HERE/lib

QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
    REPS=${REPS:-1}; DURATION=${DURATION:-2}; S7_WARM=${S7_WARM:-3}; S3_COUNT_1=${S3_COUNT_1:-50}; S3_COUNT_10=${S3_COUNT_10:-150}
    NEW_HOSTS=${NEW_HOSTS:-50}; TUNNELS=${TUNNELS:-300}; BIG_MIB=${BIG_MIB:-20}; SETTLE=${SETTLE:-2}; IDLE_WAIT=${IDLE_WAIT:-5}
else
    REPS=${REPS:-5}; DURATION=${DURATION:-5}; S7_WARM=${S7_WARM:-10}; S3_COUNT_1=${S3_COUNT_1:-200}; S3_COUNT_10=${S3_COUNT_10:-600}
    NEW_HOSTS=${NEW_HOSTS:-200}; TUNNELS=${TUNNELS:-1000}; BIG_MIB=${BIG_MIB:-100}; SETTLE=${SETTLE:-5}; IDLE_WAIT=${IDLE_WAIT:-10}
fi
SCENARIOS=${SCENARIOS:-"S1 S2 S3 S4 S5 S6 S7"}
BASE_PORT=${BASE_PORT:-18000}
RESULTS_DIR=${RESULTS_DIR:-$HERE/results}
CLAWSEC_DIR=${CLAWSEC_DIR:-}
BG_CONNS=${BG_CONNS:-4}        # S4 "other traffic": connections
BG_DELAY_MS=${BG_DELAY_MS:-10} # S4 "other traffic": pause between requests on each connection

# S4's hosts are 127.0.0.2 .. 127.0.0.(NEW_HOSTS + 1), all in one /24.
((NEW_HOSTS >= 1 && NEW_HOSTS <= 250)) || { echo "NEW_HOSTS must be 1..250" >&2; exit 2; }

HTTP_PORT=$((BASE_PORT + 80))      # nginx, plain HTTP
HTTPS_PORT=$((BASE_PORT + 443))    # nginx, HTTPS, certificate for 127.0.0.1
HOSTS_PORT=$((BASE_PORT + 444))    # nginx, HTTPS on 127.0.0.1..127.0.0.201 (S4)
declare -A PROXY_PORT=([clawsec]=$((BASE_PORT + 888)) [clawsec_noscan]=$((BASE_PORT + 889)) [mitm]=$((BASE_PORT + 890)))
TARGETS=(direct clawsec mitm)

# Proxies must be chosen explicitly per command here, never inherited from the shell (clawsec env sets them).
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- tools

install_tools() {
    local need=()
    command -v nginx >/dev/null || need+=(nginx)
    command -v wrk >/dev/null || need+=(wrk)
    command -v mitmdump >/dev/null || need+=(mitmproxy)
    command -v curl >/dev/null || need+=(curl)
    command -v openssl >/dev/null || need+=(openssl)
    command -v python3 >/dev/null || need+=(python3)
    if ((${#need[@]})); then
        [[ $(id -u) == 0 ]] || die "missing ${need[*]}; run as root so they can be installed, or install them"
        log "installing ${need[*]}"
        apt-get update -qq || die "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
    fi
    # 1000 tunnels are 2000+ sockets in a proxy; take what the hard limit allows.
    ulimit -n "$(ulimit -Hn)" 2>/dev/null
    (($(ulimit -n) >= 4096)) || die "open file limit $(ulimit -n) is too low (need 4096)"
}

# ---------------------------------------------------------------- processes

declare -A SVC_PID=()
BG_PIDS=()
WORK=""

stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

cleanup() {
    local pid name
    for pid in "${BG_PIDS[@]}"; do stop_pid "$pid"; done
    for name in "${!SVC_PID[@]}"; do stop_pid "${SVC_PID[$name]}"; done
    if [[ -n $WORK && ${KEEP_WORK:-0} != 1 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
    local port=$1 what=$2 i
    for ((i = 0; i < 600; i++)); do
        port_open "$port" && return 0
        sleep 0.1
    done
    die "$what did not listen on port $port"
}

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# ---------------------------------------------------------------- setup

make_tls() {
    local d=$WORK/tls i sans="IP:127.0.0.1"
    mkdir -p "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" \
        -days 30 -subj "/CN=ClawSec load test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null \
        || die "openssl: test CA"
    for ((i = 2; i <= NEW_HOSTS + 1; i++)); do sans+=",IP:127.0.0.$i"; done
    issue() { # name sans
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$1.key" -out "$d/$1.csr" \
            -subj "/CN=127.0.0.1" 2>/dev/null || die "openssl: $1 key"
        printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' "$2" >"$d/$1.ext"
        openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 30 -sha256 \
            -extfile "$d/$1.ext" -out "$d/$1.crt" 2>/dev/null || die "openssl: $1 certificate"
    }
    issue server "IP:127.0.0.1,DNS:localhost"
    issue hosts "$sans"
}

make_content() {
    mkdir -p "$WORK/www" "$WORK/up/upload" "$WORK/nginx-tmp"
    head -c 128 /dev/zero | tr '\0' 'x' >"$WORK/www/small"
    log "making a ${BIG_MIB} MiB file of random bytes"
    head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$WORK/www/big.bin"
    BIG_SHA=$(sha256sum "$WORK/www/big.bin" | cut -d' ' -f1)
    python3 "$LIB/chatbody.py" 65536 "$WORK/post.json" || die "chatbody.py"
}

start_nginx() {
    local listens="" i
    for ((i = 1; i <= NEW_HOSTS + 1; i++)); do listens+="        listen 127.0.0.$i:$HOSTS_PORT ssl;"$'\n'; done
    cat >"$WORK/nginx.conf" <<EOF
user $(id -un);
worker_processes 1;
worker_rlimit_nofile $(ulimit -n);
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 300s;
    keepalive_requests 100000000;
    client_body_temp_path $WORK/nginx-tmp/body;
    proxy_temp_path $WORK/nginx-tmp/proxy;
    fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
    scgi_temp_path $WORK/nginx-tmp/scgi;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $WORK/tls/server.crt;
    ssl_certificate_key $WORK/tls/server.key;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        listen 127.0.0.1:$HTTPS_PORT ssl;
        root $WORK/www;
        location = /small { default_type text/plain; }
        # S7: the body is read (and discarded) before the connection is reused.
        location = /post { client_max_body_size 0; return 200 "ok\n"; }
        # S5: PUT writes the body to a file, which run.sh hashes.
        location /upload/ {
            root $WORK/up;
            dav_methods PUT;
            client_max_body_size 0;
            client_body_buffer_size 1m;
        }
    }
    server {
$listens        ssl_certificate $WORK/tls/hosts.crt;
        ssl_certificate_key $WORK/tls/hosts.key;
        root $WORK/www;
        location = /small { default_type text/plain; }
    }
}
EOF
    nginx -c "$WORK/nginx.conf" -g 'daemon off;' >"$WORK/nginx.out" 2>&1 &
    SVC_PID[nginx]=$!
    wait_port "$HTTP_PORT" nginx
    wait_port "$HTTPS_PORT" nginx
}

publish_clawsec() {
    if [[ -n $CLAWSEC_DIR ]]; then
        CLAWSEC_BIN=$CLAWSEC_DIR/clawsec
    else
        log "publishing ClawSec (Release)"
        dotnet publish "$REPO/src/ClawSec.Cli" -c Release -o "$WORK/clawsec-bin" >"$WORK/publish.log" 2>&1 \
            || { tail -20 "$WORK/publish.log" >&2; die "dotnet publish failed"; }
        CLAWSEC_BIN=$WORK/clawsec-bin/clawsec
    fi
    [[ -x $CLAWSEC_BIN ]] || die "no clawsec at $CLAWSEC_BIN"
}

declare -A CA_FILE=([direct]="" [clawsec]="" [clawsec_noscan]="" [mitm]="")

write_clawsec_config() { # name scan_bytes
    local dir=$WORK/$1
    cat >"$dir.json" <<EOF
{
  "proxy_port": ${PROXY_PORT[$1]},
  "log_dir": "$dir",
  "upstream_ca_file": "$WORK/tls/ca.crt",
  "max_scan_bytes": $2,
  "enable_gateway_proxy": false,
  "enable_ssh_watcher": false
}
EOF
}

start_clawsec() { # name
    local name=$1 out=$WORK/$1.out i
    : >"$out"
    "$CLAWSEC_BIN" start --config "$WORK/$name.json" >"$out" 2>>"$WORK/$name.err" &
    SVC_PID[$name]=$!
    for ((i = 0; i < 600; i++)); do
        grep -q '^ClawSec running' "$out" && break
        kill -0 "${SVC_PID[$name]}" 2>/dev/null || { cat "$WORK/$name.err" >&2; die "$name exited during start"; }
        sleep 0.1
    done
    grep -q '^ClawSec running' "$out" || die "$name did not start"
    CA_FILE[$name]=$WORK/$name/ca.crt
}

start_mitm() {
    mkdir -p "$WORK/mitm"
    mitmdump --listen-host 127.0.0.1 --listen-port "${PROXY_PORT[mitm]}" --set confdir="$WORK/mitm" \
        --set stream_large_bodies=1m --set ssl_verify_upstream_trusted_ca="$WORK/tls/ca.crt" -q \
        >>"$WORK/mitm.out" 2>&1 &
    SVC_PID[mitm]=$!
    wait_port "${PROXY_PORT[mitm]}" mitmdump
    CA_FILE[mitm]=$WORK/mitm/mitmproxy-ca-cert.pem
}

start_target() {
    case $1 in
        mitm) start_mitm ;;
        clawsec*) start_clawsec "$1" ;;
    esac
}

restart_target() { # name: a fresh process (empty certificate cache, fresh heap)
    stop_pid "${SVC_PID[$1]}"
    unset "SVC_PID[$1]"
    start_target "$1"
}

# curl options that route to nginx through target $1 and trust what the client will see.
curl_via() {
    if [[ $1 == direct ]]; then
        printf '%s\n' --cacert "$WORK/tls/ca.crt"
    else
        printf '%s\n' -x "http://127.0.0.1:${PROXY_PORT[$1]}" --cacert "${CA_FILE[$1]}"
    fi
}

check_target() { # name: one HTTP and one HTTPS request must come back whole
    local t=$1 opts body
    mapfile -t opts < <(curl_via "$t")
    body=$(curl -sS --http1.1 "${opts[@]}" "http://127.0.0.1:$HTTP_PORT/small") || die "$t: HTTP request failed"
    [[ ${#body} == 128 ]] || die "$t: unexpected HTTP body"
    body=$(curl -sS --http1.1 "${opts[@]}" "https://127.0.0.1:$HTTPS_PORT/small") || die "$t: HTTPS request failed"
    [[ ${#body} == 128 ]] || die "$t: unexpected HTTPS body"
}

warm() { # name: JIT, pools and the 127.0.0.1 leaf, so measurements start hot
    local t=$1 opts i
    mapfile -t opts < <(curl_via "$t")
    for ((i = 0; i < 20; i++)); do
        curl -s --http1.1 "${opts[@]}" -o /dev/null "https://127.0.0.1:$HTTPS_PORT/small" -o /dev/null "http://127.0.0.1:$HTTP_PORT/small"
    done
    wrk_run "$t" 10 1 /small >/dev/null
}

# ---------------------------------------------------------------- measurement helpers

RAW=""
record() { echo "$1,$2,$3,$4,$5,$6" >>"$RAW"; } # scenario variant metric target rep value

# wrk through target $1 with $2 connections for $3 s against path $4; more env (CLOSE=1, BODY_FILE=..) after.
# Sets WRK_CMD.
wrk_cmd() {
    local t=$1 c=$2 d=$3 path=$4 url target host
    shift 4
    if [[ $t == direct ]]; then
        url=http://127.0.0.1:$HTTP_PORT/ target=$path host=""
    else
        url=http://127.0.0.1:${PROXY_PORT[$t]}/ target=http://127.0.0.1:$HTTP_PORT$path host=127.0.0.1:$HTTP_PORT
    fi
    WRK_CMD=(env "$@" TARGET="$target" HOST="$host"
        wrk -t"$((c < 2 ? c : 2))" -c"$c" -d"${d}s" --timeout 10s -s "$LIB/proxy.lua" "$url")
}

# Runs wrk (arguments as for wrk_cmd) and prints "rps p50_ms p99_ms errors".
wrk_run() {
    wrk_cmd "$@"
    parse_wrk "$("${WRK_CMD[@]}" 2>&1)"
}

parse_wrk() {
    local line
    line=$(grep '^WRK_RESULT' <<<"$1") || { echo "nan nan nan 1"; log "wrk: $(tail -3 <<<"$1")"; return; }
    awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
           err = v["connect_err"] + v["read_err"] + v["write_err"] + v["status_err"] + v["timeout_err"]
           printf "%.1f %.3f %.3f %d\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000, err }' <<<"$line"
}

# Records the "METRIC name value" lines of a helper's output.
record_metrics() { # scenario variant target rep output
    local name value
    while read -r _ name value; do
        record "$1" "$2" "$name" "$3" "$4" "$value"
    done < <(grep '^METRIC ' <<<"$5")
}

now() { date +%s.%N; }

# ---------------------------------------------------------------- scenarios

scenario_wrk() { # S1 or S2
    local s=$1 close=0 rep c t r
    [[ $s == S2 ]] && close=1
    for ((rep = 1; rep <= REPS; rep++)); do
        for c in 1 10 100; do
            for t in "${TARGETS[@]}"; do
                read -r rps p50 p99 err < <(wrk_run "$t" "$c" "$DURATION" /small CLOSE=$close)
                record "$s" "c$c" rps "$t" "$rep" "$rps"
                record "$s" "c$c" p50_ms "$t" "$rep" "$p50"
                record "$s" "c$c" p99_ms "$t" "$rep" "$p99"
                record "$s" "c$c" errors "$t" "$rep" "$err"
                log "$s rep $rep/$REPS c=$c $t: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $err"
            done
        done
    done
}

scenario_s3() {
    local rep c t n opts start end ok codes=$WORK/s3-codes
    for n in "$S3_COUNT_1" "$S3_COUNT_10"; do
        for ((i = 0; i < n; i++)); do printf 'url = "https://127.0.0.1:%d/small?%d"\noutput = "/dev/null"\n' "$HTTPS_PORT" "$i"; done >"$WORK/s3-urls-$n"
    done
    for ((rep = 1; rep <= REPS; rep++)); do
        for c in 1 10; do
            n=$S3_COUNT_1
            [[ $c == 10 ]] && n=$S3_COUNT_10
            for t in "${TARGETS[@]}"; do
                mapfile -t opts < <(curl_via "$t")
                start=$(now)
                # A new connection (and, through a proxy, a new CONNECT tunnel) and a full handshake per request.
                curl -s --http1.1 --no-sessionid -H 'Connection: close' --parallel --parallel-immediate --parallel-max "$c" \
                    "${opts[@]}" -K "$WORK/s3-urls-$n" -w '%{http_code}\n' >"$codes" 2>/dev/null
                end=$(now)
                ok=$(grep -c '^200$' "$codes")
                rps=$(awk -v n="$ok" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", n / (b - a) }')
                record S3 "c$c" rps "$t" "$rep" "$rps"
                record S3 "c$c" errors "$t" "$rep" $((n - ok))
                log "S3 rep $rep/$REPS c=$c $t: $rps req/s ($ok/$n ok)"
            done
        done
    done
}

scenario_s4() {
    local rep t out bg_out bg_pid alone during proxy_args
    for ((rep = 1; rep <= REPS; rep++)); do
        for t in "${TARGETS[@]}"; do
            proxy_args=()
            if [[ $t != direct ]]; then
                restart_target "$t" # an empty leaf cache: every host below is new to it
                warm "$t"
                proxy_args=(--proxy "127.0.0.1:${PROXY_PORT[$t]}")
            fi
            # Other traffic: a steady trickle of small GETs on a known host, alone and then during the new hosts.
            read -r _ _ alone _ < <(wrk_run "$t" "$BG_CONNS" 3 /small DELAY_MS="$BG_DELAY_MS")
            bg_out=$WORK/s4-bg.out
            wrk_cmd "$t" "$BG_CONNS" 600 /small DELAY_MS="$BG_DELAY_MS"
            "${WRK_CMD[@]}" >"$bg_out" 2>&1 & # env execs wrk, so $! is wrk itself
            bg_pid=$!
            BG_PIDS+=("$bg_pid")
            sleep 0.5
            out=$(python3 "$LIB/newhosts.py" "${proxy_args[@]}" --cafile "${CA_FILE[$t]:-$WORK/tls/ca.crt}" \
                --first 127.0.0.2 --count "$NEW_HOSTS" --port "$HOSTS_PORT")
            kill -INT "$bg_pid" # wrk stops and prints its summary on SIGINT
            wait "$bg_pid"
            read -r _ _ during _ < <(parse_wrk "$(cat "$bg_out")")
            record_metrics S4 "" "$t" "$rep" "$out"
            record S4 "" bg_p99_alone_ms "$t" "$rep" "$alone"
            record S4 "" bg_p99_during_ms "$t" "$rep" "$during"
            record S4 "" bg_p99_ratio "$t" "$rep" "$(awk -v a="$alone" -v b="$during" 'BEGIN { printf "%.3f", b / a }')"
            log "S4 rep $rep/$REPS $t: $(grep -E 'first_ms|new_vs_known|errors' <<<"$out" | awk '{printf "%s=%s ", $2, $3}')other p99 $alone -> $during ms"
        done
    done
}

scenario_s5() {
    local rep t v scheme port opts res code size secs ok dl=$WORK/download.bin
    # Repetition 0 is a warm-up, not recorded (see scenario_s7).
    for ((rep = 0; rep <= REPS; rep++)); do
        for v in download_http download_https upload_http upload_https; do
            scheme=${v#*_}
            port=$HTTP_PORT
            [[ $scheme == https ]] && port=$HTTPS_PORT
            for t in "${TARGETS[@]}"; do
                mapfile -t opts < <(curl_via "$t")
                rm -f "$dl" "$WORK/up/upload/big.bin"
                if [[ $v == download_* ]]; then
                    res=$(curl -s --http1.1 "${opts[@]}" -o "$dl" -w '%{http_code} %{size_download} %{time_total}' \
                        "$scheme://127.0.0.1:$port/big.bin")
                    got=$dl
                else
                    res=$(curl -s --http1.1 "${opts[@]}" -T "$WORK/www/big.bin" -H 'Expect:' -o /dev/null \
                        -w '%{http_code} %{size_upload} %{time_total}' "$scheme://127.0.0.1:$port/upload/big.bin")
                    got=$WORK/up/upload/big.bin
                fi
                read -r code size secs <<<"$res"
                ok=0
                [[ $code == 2* && -f $got && $(sha256sum "$got" | cut -d' ' -f1) == "$BIG_SHA" ]] && ok=1
                if ((rep > 0)); then
                    record S5 "$v" mib_s "$t" "$rep" "$(awk -v s="$size" -v t="$secs" 'BEGIN { printf "%.1f", s / 1048576 / t }')"
                    record S5 "$v" intact "$t" "$rep" "$ok"
                fi
                log "S5 rep $rep/$REPS $v $t: status $code, $size bytes in $secs s, intact $ok"
            done
        done
    done
    rm -f "$dl" "$WORK/up/upload/big.bin"
}

scenario_s6() {
    local rep t out pid_args
    for ((rep = 1; rep <= REPS; rep++)); do
        for t in "${TARGETS[@]}"; do
            if [[ $t == direct ]]; then
                out=$(python3 "$LIB/tunnels.py" --target "127.0.0.1:$HTTPS_PORT" --cafile "$WORK/tls/ca.crt" \
                    --count "$TUNNELS" --hold 1 --after 0)
            else
                restart_target "$t"
                sleep 2
                record S6 "" fresh_rss_mb "$t" "$rep" "$(rss_mb "${SVC_PID[$t]}")"
                warm "$t"
                # Idle: long enough for background work after the warm-up (compilation, a memory trim) to end.
                sleep "$IDLE_WAIT"
                out=$(python3 "$LIB/tunnels.py" --proxy "127.0.0.1:${PROXY_PORT[$t]}" --target "127.0.0.1:$HTTPS_PORT" \
                    --cafile "${CA_FILE[$t]}" --count "$TUNNELS" --pid "${SVC_PID[$t]}" --hold 3 --after "$SETTLE")
            fi
            record_metrics S6 "" "$t" "$rep" "$out"
            log "S6 rep $rep/$REPS $t: $(awk '/^METRIC/ {printf "%s=%s ", $2, $3}' <<<"$out")"
        done
    done
}

scenario_s7() {
    local rep t
    # Warm-up on this scenario's own traffic, not recorded: ClawSec's code for scanning bodies is compiled and
    # recompiled (tiered compilation) during its first seconds of such load, which would otherwise be measured.
    for t in direct clawsec clawsec_noscan mitm; do
        wrk_run "$t" 10 "$S7_WARM" /post BODY_FILE="$WORK/post.json" >/dev/null
    done
    for ((rep = 1; rep <= REPS; rep++)); do
        for t in direct clawsec clawsec_noscan mitm; do
            read -r rps p50 p99 err < <(wrk_run "$t" 10 "$DURATION" /post BODY_FILE="$WORK/post.json")
            record S7 "" rps "$t" "$rep" "$rps"
            record S7 "" p99_ms "$t" "$rep" "$p99"
            record S7 "" errors "$t" "$rep" "$err"
            log "S7 rep $rep/$REPS $t: $rps req/s, p99 $p99 ms, errors $err"
        done
    done
}

# ---------------------------------------------------------------- main

main() {
    install_tools
    if [[ -w /dev/shm ]]; then WORK=$(mktemp -d /dev/shm/clawsec-load.XXXXXX); else WORK=$(mktemp -d); fi
    local stamp out
    stamp=$(date +%Y%m%d-%H%M%S)
    out=$RESULTS_DIR/$stamp
    mkdir -p "$out"
    RAW=$out/raw.csv
    echo "scenario,variant,metric,target,rep,value" >"$RAW"
    {
        echo "date: $(date -Is)"
        echo "commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)"
        echo "settings: REPS=$REPS DURATION=${DURATION}s SCENARIOS=\"$SCENARIOS\" NEW_HOSTS=$NEW_HOSTS TUNNELS=$TUNNELS IDLE_WAIT=${IDLE_WAIT}s BIG_MIB=$BIG_MIB QUICK=$QUICK"
        echo "cpus: $(nproc), $(lscpu | sed -n 's/^Model name: *//p')"
        echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
        echo "kernel: $(uname -r)"
        echo "dotnet: $(dotnet --version 2>/dev/null)"
        echo "nginx: $(nginx -v 2>&1 | sed 's/.*: //')"
        echo "wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f2)"
        echo "mitmproxy: $(mitmdump --version 2>/dev/null | head -1 | sed 's/.*: *//')"
        echo "curl: $(curl --version | head -1 | cut -d' ' -f2)"
        echo "python: $(python3 --version | cut -d' ' -f2)"
        echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    } >"$out/environment.txt"

    make_tls
    make_content
    publish_clawsec
    start_nginx
    write_clawsec_config clawsec 16777216
    write_clawsec_config clawsec_noscan 0
    start_clawsec clawsec
    start_clawsec clawsec_noscan
    start_mitm
    for t in direct clawsec clawsec_noscan mitm; do check_target "$t"; done
    for t in clawsec clawsec_noscan mitm; do warm "$t"; done
    log "ready; results in $out"

    local s
    for s in $SCENARIOS; do
        log "---- $s"
        case $s in
            S1 | S2) scenario_wrk "$s" ;;
            S3) scenario_s3 ;;
            S4) scenario_s4 ;;
            S5) scenario_s5 ;;
            S6) scenario_s6 ;;
            S7) scenario_s7 ;;
            *) die "unknown scenario $s" ;;
        esac
    done

    echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/environment.txt"
    python3 "$LIB/report.py" "$RAW" "$out/results.md" "$out/summary.csv"
    { echo; echo '```'; cat "$out/environment.txt"; echo '```'; } >>"$out/results.md"
    ln -sfn "$stamp" "$RESULTS_DIR/latest"
    log "results: $out/results.md"
}

main "$@"
