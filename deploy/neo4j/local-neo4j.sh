#!/usr/bin/env bash
# Provision, start, stop and describe the Neo4j server okrsync's tests, demo and benchmarks use.
#
#   local-neo4j.sh start    existing server (NEO4J_URI) > Docker > Neo4j assembled from Maven Central
#   local-neo4j.sh stop     stop what `start` started for this version (Maven route or Docker)
#   local-neo4j.sh env      print `export NEO4J_URI=... NEO4J_USERNAME=... NEO4J_PASSWORD=...`
#                           (NEO4J_SCHEME=neo4j: a neo4j:// URI, the driver's routing path)
#   local-neo4j.sh status   exit 0 when this version's server answers on the port `env` hands out
#   local-neo4j.sh version  print the version NEO4J_VERSION resolves to
#   local-neo4j.sh java     print the java it would run that version on (else say what to install)
#
# NEO4J_VERSION picks the server: `lts` (the default, 5.26 LTS), `calendar` (the newest calendar
# release tested) or an exact version Maven Central serves. NEO4J_BOLT_PORT / NEO4J_HTTP_PORT pick
# the ports, so two versions can run side by side.
#
# NEO4J_TLS_DIR=DIR starts a server that requires TLS on Bolt, as production servers do: DIR holds
# its key and certificate (private.key, public.crt: PEM, the certificate signed by the CA clients
# trust). It runs from its own home, .neo4j/<version>/home-tls, beside the plain server.
#
# Maven Central does not publish the standalone tarball, so the Maven route copies the server jars
# (pom.xml beside this file, -Dneo4j.version=...) into .neo4j/<version>/lib, runs the server in
# .neo4j/<version>/home (its own data: versions never share a store) and starts the entry class
# the jar's META-INF/services file names, on the newest JDK that fits the version (17-21 for 5.x,
# 21+ for calendar releases; NEO4J_JAVA_HOME overrides). NEO4J_LOCAL_DIR replaces .neo4j/.
# The single-version layout of earlier checkouts (.neo4j/lib, .neo4j/home) is no longer used and
# may be deleted once its server is stopped.
set -euo pipefail

# The two lines okrsync is tested on; change them here only.
lts_version=5.26.30
calendar_version=2026.09.0 # newest calendar release on Maven Central, 2026-11-28

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version="${NEO4J_VERSION:-lts}"
case "$version" in
  lts) version=$lts_version ;;
  calendar) version=$calendar_version ;;
esac
base="${NEO4J_LOCAL_DIR:-$root/.neo4j}/$version"
lib="$base/lib"
tls_dir="${NEO4J_TLS_DIR:-}"
if [ -n "$tls_dir" ]; then home="$base/home-tls"; else home="$base/home"; fi
scheme="${NEO4J_SCHEME:-bolt}"
[ -n "$tls_dir" ] && scheme="$scheme+s"
bolt_port="${NEO4J_BOLT_PORT:-7687}"
http_port="${NEO4J_HTTP_PORT:-7474}"
password="${NEO4J_LOCAL_PASSWORD:-okrsync-local}"
heap="${NEO4J_HEAP:-1g}"
pagecache="${NEO4J_PAGECACHE:-512m}"
container="okrsync-neo4j-$bolt_port"
if [ "$version" = "$lts_version" ]; then default_image=neo4j:5.26-community; else default_image="neo4j:$version-community"; fi
docker_image="${NEO4J_DOCKER_IMAGE:-$default_image}"
start_timeout="${NEO4J_START_TIMEOUT:-180}"

say() { printf 'neo4j: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The server on the HTTP port is this version ($answer_version; an image tag like 5.26 matches
# 5.26.x) and hands out this Bolt port. Bolt accepting connections is not enough: the discovery
# document appears only once the DBMS has started.
answer_version=$version
answers() {
  local doc v=${answer_version//./\\.}
  port_open "$bolt_port" || return 1
  doc=$(curl -fsS -m 2 "http://127.0.0.1:$http_port/" 2>/dev/null) || return 1
  grep -Eq "\"neo4j_version\" *: *\"$v(\.[0-9]+)?\"" <<<"$doc" \
    && grep -Eq "\"bolt_direct\" *: *\"bolt://127\.0\.0\.1:$bolt_port\"" <<<"$doc"
}

# Process $1 holds the listening socket of port $2 (Linux /proc; elsewhere assumed).
owns_port() {
  local pid=$1 hex inode fds
  [ -r /proc/net/tcp ] || return 0
  hex=$(printf ':%04X' "$2")
  fds=$(ls -l "/proc/$pid/fd" 2>/dev/null) || return 1
  while read -r inode; do
    case "$fds" in *"socket:[$inode]"*) return 0 ;; esac
  done < <(awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p {print $10}' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  return 1
}

# The server this script started for this version answers on the ports `env` hands out.
ours_answers() {
  local pid=$1
  owns_port "$pid" "$bolt_port" && owns_port "$pid" "$http_port" && answers
}

now_ms() { date +%s%3N; }

wait_until_up() {
  local pid_or_empty=${1:-} started; started=$(now_ms)
  until if [ -n "$pid_or_empty" ]; then ours_answers "$pid_or_empty"; else answers; fi; do
    if [ -n "$pid_or_empty" ] && ! kill -0 "$pid_or_empty" 2>/dev/null; then
      tail -n 30 "$home/logs/console.log" >&2 || true
      die "the server exited during start-up (log above, full log in $home/logs/console.log)"
    fi
    [ $(($(now_ms) - started)) -ge $((start_timeout * 1000)) ] \
      && die "Neo4j $version: no answer on bolt port $bolt_port after ${start_timeout}s (log: $home/logs/console.log)"
    sleep 0.25
  done
  local ms=$(($(now_ms) - started))
  say "up: Neo4j $version, bolt://127.0.0.1:$bolt_port, Browser http://127.0.0.1:$http_port/browser/ ($((ms / 1000)).$(printf '%03d' $((ms % 1000)))s)"
}

docker_answers() { command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1; }

# The pid of this version's server, when it runs (a recycled pid is not taken for it).
pid_of_local() {
  local pidfile="$home/run/neo4j.pid"
  [ -f "$pidfile" ] || return 1
  local pid; pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF -- "--home-dir=$home" || return 1
  fi
  echo "$pid"
}

# "bolt http": the ports the running server was started with.
running_ports() { cat "$home/run/neo4j.ports" 2>/dev/null || echo "? ?"; }

provision_jars() {
  [ -f "$lib/.complete" ] && return 0
  command -v mvn >/dev/null 2>&1 || die "Maven is not installed: install it (e.g. apt-get install maven) or a Docker engine"
  say "downloading the Neo4j $version server jars from Maven Central (first time only) ..."
  rm -rf "$lib"; mkdir -p "$lib"
  mvn -q -B -f "$here/pom.xml" -Dneo4j.version="$version" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DoutputDirectory="$lib" -DincludeScope=runtime >&2 \
    || die "mvn could not fetch the Neo4j $version jars (see its output above)"
  touch "$lib/.complete"
}

# The Java versions this Neo4j runs on: "min max" (max empty: no upper bound known).
java_range() {
  case "$version" in
    4.* | 5.*) echo "17 21" ;;
    *) echo "21 " ;;
  esac
}

java_major() {
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
  echo "${v%%.*}"
}

# The newest java that fits the version: NEO4J_JAVA_HOME, else JAVA_HOME, PATH and /usr/lib/jvm.
java_bin() {
  local min max j major best="" best_major=0 seen=""
  read -r min max <<<"$(java_range)"
  if [ -n "${NEO4J_JAVA_HOME:-}" ]; then
    j="$NEO4J_JAVA_HOME/bin/java"; major=$(java_major "$j" 2>/dev/null || true)
    [ "${major:-0}" -ge "$min" ] 2>/dev/null || die "NEO4J_JAVA_HOME=$NEO4J_JAVA_HOME is Java ${major:-?}: Neo4j $version needs Java $min+"
    echo "$j"; return 0
  fi
  for j in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    j=$(readlink -f "$j")
    case " $seen " in *" $j "*) continue ;; esac
    seen="$seen $j"
    major=$(java_major "$j" 2>/dev/null || true)
    [ "${major:-0}" -ge "$min" ] 2>/dev/null || continue
    [ -n "$max" ] && [ "$major" -gt "$max" ] && continue
    [ "$major" -gt "$best_major" ] && { best=$j; best_major=$major; }
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  local need="$min+"; [ -n "$max" ] && need="$min to $max"
  die "Neo4j $version needs Java $need and none was found (PATH, JAVA_HOME, /usr/lib/jvm): $(install_hint "$min"), or set NEO4J_JAVA_HOME"
}

install_hint() {
  if command -v apt-cache >/dev/null 2>&1 && apt-cache show "openjdk-$1-jre-headless" >/dev/null 2>&1; then
    echo "install it with apt-get install openjdk-$1-jre-headless"
  else
    echo "install a JDK $1+ (openjdk-$1-jre-headless where the distribution has it, e.g. Debian 13; else Eclipse Temurin from https://adoptium.net)"
  fi
}

# The class the jar registers as the server's entry point (it was renamed in the calendar releases).
entry_class() {
  local jar="$lib/neo4j-$version.jar" class
  [ -f "$jar" ] || die "$jar is missing: delete $lib and run again"
  class=$( (unzip -p "$jar" META-INF/services/org.neo4j.server.startup.EntryPoint 2>/dev/null \
    || (cd "$(mktemp -d)" && jar xf "$jar" META-INF/services/org.neo4j.server.startup.EntryPoint && cat META-INF/services/*)) \
    | sed 's/#.*//; s/[[:space:]]//g' | grep -m1 .) \
    || die "no entry class in $jar (META-INF/services/org.neo4j.server.startup.EntryPoint; unzip or the JDK's jar reads it)"
  echo "$class"
}

write_config() {
  mkdir -p "$home/conf" "$home/logs" "$home/run" "$home/data" "$home/import" "$home/plugins"
  cat >"$home/conf/neo4j.conf" <<EOF
# Written by deploy/neo4j/local-neo4j.sh; edits are overwritten on the next start.
server.default_listen_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:$bolt_port
server.bolt.advertised_address=127.0.0.1:$bolt_port
server.http.listen_address=127.0.0.1:$http_port
server.http.advertised_address=127.0.0.1:$http_port
server.https.enabled=false
server.memory.heap.initial_size=$heap
server.memory.heap.max_size=$heap
server.memory.pagecache.size=$pagecache
dbms.memory.transaction.total.max=0
server.directories.import=$home/import
server.directories.plugins=$home/plugins
db.tx_log.rotation.retention_policy=1 files
dbms.usage_report.enabled=false
EOF
  if cypher25_by_default; then
    # As the distribution's neo4j.conf has said since 2026.02: new databases speak Cypher 25.
    echo "db.query.default_language=CYPHER_25" >>"$home/conf/neo4j.conf"
  fi
  [ -z "$tls_dir" ] && return 0
  # client_auth NONE: clients check the server, the server checks passwords, not certificates.
  mkdir -p "$home/tls/trusted" "$home/tls/revoked"
  cat >>"$home/conf/neo4j.conf" <<EOF
server.bolt.tls_level=REQUIRED
dbms.ssl.policy.bolt.enabled=true
dbms.ssl.policy.bolt.base_directory=$tls_dir
dbms.ssl.policy.bolt.private_key=private.key
dbms.ssl.policy.bolt.public_certificate=public.crt
dbms.ssl.policy.bolt.trusted_dir=$home/tls/trusted
dbms.ssl.policy.bolt.revoked_dir=$home/tls/revoked
dbms.ssl.policy.bolt.client_auth=NONE
EOF
}

# Calendar releases from 2025.06 offer Cypher 25 (earlier ones, and 5.x, only Cypher 5).
cypher25_by_default() {
  local year=${version%%.*} month=${version#*.}
  month=${month%%.*}
  case "$year" in 20[0-9][0-9]) ;; *) return 1 ;; esac
  [ "$year" -gt 2025 ] || { [ "$year" -eq 2025 ] && [ "$((10#$month))" -ge 6 ]; }
}

start_local() {
  local pid
  if pid=$(pid_of_local); then
    local running; running=$(running_ports)
    [ "$running" = "$bolt_port $http_port" ] \
      || die "Neo4j $version already runs (pid $pid) on bolt/http ports ${running/ //}, not $bolt_port/$http_port: use NEO4J_BOLT_PORT=${running% *} NEO4J_HTTP_PORT=${running#* }, or stop it first (make neo4j-stop NEO4J_VERSION=$version)"
    ours_answers "$pid" && { say "already running: Neo4j $version on bolt port $bolt_port (pid $pid)"; return 0; }
    wait_until_up "$pid"; return 0
  fi
  port_open "$bolt_port" && die "port $bolt_port is taken by another process: stop it, set NEO4J_URI to use it, or choose NEO4J_BOLT_PORT"
  port_open "$http_port" && die "port $http_port is taken by another process: stop it or choose NEO4J_HTTP_PORT"
  local java class jvm_extra=()
  java=$(java_bin)
  provision_jars
  class=$(entry_class)
  # Java 24+ warns on every start that Neo4j uses sun.misc.Unsafe; Java 17 rejects the flag.
  [ "$(java_major "$java")" -ge 24 ] && jvm_extra+=(--sun-misc-unsafe-memory-access=allow)
  write_config
  export NEO4J_HOME="$home" NEO4J_CONF="$home/conf"
  if [ ! -f "$home/data/dbms/auth.ini" ]; then
    "$java" "${jvm_extra[@]}" -cp "$lib/*" org.neo4j.cli.AdminTool dbms set-initial-password "$password" >/dev/null \
      || die "could not set the initial password"
  fi
  # The flags the official launcher passes to the JVM (bin/neo4j in the tarball).
  nohup "$java" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
    -XX:+AlwaysPreTouch -XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields \
    -XX:+DisableExplicitGC -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true \
    -Djdk.tls.ephemeralDHKeySize=2048 -Djdk.tls.rejectClientInitiatedRenegotiation=true \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    --enable-native-access=ALL-UNNAMED "${jvm_extra[@]}" \
    -cp "$lib/*" "$class" --home-dir="$home" --config-dir="$home/conf" \
    >"$home/logs/console.log" 2>&1 </dev/null &
  echo $! >"$home/run/neo4j.pid"
  echo "$bolt_port $http_port" >"$home/run/neo4j.ports"
  say "starting Neo4j $version (pid $!, $class on Java $(java_major "$java"), home $home) ..."
  wait_until_up "$!"
}

stop_local() {
  local pid
  if ! pid=$(pid_of_local); then say "Neo4j $version is not running"; return 0; fi
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then say "did not stop in 60s, killing"; kill -9 "$pid"; fi
  rm -f "$home/run/neo4j.pid" "$home/run/neo4j.ports"
  say "stopped Neo4j $version"
}

status_local() {
  local pid
  pid=$(pid_of_local) && [ "$(running_ports)" = "$bolt_port $http_port" ] && ours_answers "$pid"
}

docker_running() { [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" = true ]; }

start_docker() {
  answer_version=${docker_image##*:}; answer_version=${answer_version%-community}
  if docker_running; then
    local image; image=$(docker inspect -f '{{.Config.Image}}' "$container")
    [ "$image" = "$docker_image" ] || die "container $container runs $image, not $docker_image: stop it first (make neo4j-stop) or choose NEO4J_BOLT_PORT"
    say "already running (container $container, $image)"; return 0
  fi
  docker rm -f "$container" >/dev/null 2>&1 || true
  port_open "$bolt_port" && die "port $bolt_port is taken by another process: stop it, set NEO4J_URI to use it, or choose NEO4J_BOLT_PORT"
  docker run -d --name "$container" -p "127.0.0.1:$bolt_port:7687" -p "127.0.0.1:$http_port:7474" \
    -e NEO4J_AUTH="neo4j/$password" -e NEO4J_server_memory_heap_max__size="$heap" \
    -e NEO4J_server_memory_pagecache_size="$pagecache" \
    -e NEO4J_server_bolt_advertised__address="127.0.0.1:$bolt_port" "$docker_image" >/dev/null
  wait_until_up ""
}

cmd=${1:-}
case "$cmd" in
  start)
    if [ -n "${NEO4J_URI:-}" ]; then say "NEO4J_URI is set ($NEO4J_URI): using that server, starting nothing"; exit 0; fi
    # The TLS server is the Maven route's alone: the image would need the certificates mounted.
    if [ -z "${OKRSYNC_NEO4J_NO_DOCKER:-}" ] && [ -z "$tls_dir" ] && docker_answers; then start_docker; else start_local; fi
    ;;
  stop)
    if [ -z "${OKRSYNC_NEO4J_NO_DOCKER:-}" ] && [ -z "$tls_dir" ] && docker_answers && docker inspect "$container" >/dev/null 2>&1; then
      docker rm -f "$container" >/dev/null; say "stopped"
    else stop_local; fi
    ;;
  env)
    # Like start: a server named by NEO4J_URI is the one to hand out, with its credentials.
    if [ -n "${NEO4J_URI:-}" ]; then
      printf 'export NEO4J_URI=%q NEO4J_USERNAME=%q NEO4J_PASSWORD=%q\n' \
        "$NEO4J_URI" "${NEO4J_USERNAME:-neo4j}" "${NEO4J_PASSWORD:-}"
      exit 0
    fi
    case "$scheme" in bolt | neo4j | bolt+s | neo4j+s) ;; *) die "NEO4J_SCHEME=$NEO4J_SCHEME: use bolt or neo4j" ;; esac
    echo "export NEO4J_URI=$scheme://127.0.0.1:$bolt_port NEO4J_USERNAME=neo4j NEO4J_PASSWORD=$password"
    ;;
  status)
    if [ -z "${OKRSYNC_NEO4J_NO_DOCKER:-}" ] && [ -z "$tls_dir" ] && docker_answers && docker_running; then
      answer_version=${docker_image##*:}; answer_version=${answer_version%-community}; answers
    else status_local; fi
    ;;
  version)
    echo "$version"
    ;;
  java)
    java_bin
    ;;
  *)
    echo "usage: $0 start|stop|env|status|version|java" >&2; exit 2 ;;
esac
