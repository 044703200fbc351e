#!/usr/bin/env bash
# Provision, start, stop and describe the Neo4j server okrsync's tests, demo and benchmarks use.
#
#   local-neo4j.sh start   existing server (NEO4J_URI) > Docker > Neo4j assembled from Maven Central
#   local-neo4j.sh stop    stop what `start` started (Maven route or Docker)
#   local-neo4j.sh env     print `export NEO4J_URI=... NEO4J_USERNAME=... NEO4J_PASSWORD=...`
#   local-neo4j.sh status  exit 0 when the local server answers
#
# Maven Central does not publish the standalone tarball for 5.x, so the Maven route copies the
# server jars (pom.xml beside this file) into .neo4j/lib and starts CommunityEntryPoint itself.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
base="${NEO4J_LOCAL_DIR:-$root/.neo4j}"
lib="$base/lib"
home="$base/home"
bolt_port="${NEO4J_BOLT_PORT:-7687}"
http_port="${NEO4J_HTTP_PORT:-7474}"
password="${NEO4J_LOCAL_PASSWORD:-okrsync-local}"
heap="${NEO4J_HEAP:-1g}"
pagecache="${NEO4J_PAGECACHE:-512m}"
container="okrsync-neo4j-$bolt_port"
docker_image="${NEO4J_DOCKER_IMAGE:-neo4j:5.26-community}"
start_timeout="${NEO4J_START_TIMEOUT:-180}"

say() { printf 'neo4j: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Bolt accepting connections is not enough: the HTTP discovery document appears only once the
# DBMS has started, so wait for both.
answers() {
  port_open "$bolt_port" && curl -fsS -m 2 "http://127.0.0.1:$http_port/" 2>/dev/null | grep -q neo4j_version
}

wait_until_up() {
  local pid_or_empty=${1:-} waited=0
  until answers; do
    if [ -n "$pid_or_empty" ] && ! kill -0 "$pid_or_empty" 2>/dev/null; then
      tail -n 30 "$home/logs/console.log" >&2 || true
      die "the server exited during start-up (log above, full log in $home/logs/console.log)"
    fi
    [ "$waited" -ge "$start_timeout" ] && die "no answer on bolt port $bolt_port after ${start_timeout}s"
    sleep 1; waited=$((waited + 1))
  done
  say "up: bolt://127.0.0.1:$bolt_port, Browser http://127.0.0.1:$http_port/browser/ (${waited}s)"
}

docker_answers() { command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1; }

pid_of_local() {
  local pidfile="$home/run/neo4j.pid"
  [ -f "$pidfile" ] || return 1
  local pid; pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

provision_jars() {
  [ -f "$lib/.complete" ] && return 0
  command -v java >/dev/null 2>&1 || die "Java 17+ is not installed: install a JDK 17+ and Maven (e.g. apt-get install openjdk-17-jre-headless maven) or a Docker engine"
  command -v mvn >/dev/null 2>&1 || die "Maven is not installed: install it (e.g. apt-get install maven) or a Docker engine"
  say "downloading the Neo4j server jars from Maven Central (first time only) ..."
  rm -rf "$lib"; mkdir -p "$lib"
  mvn -q -B -f "$here/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DoutputDirectory="$lib" -DincludeScope=runtime >&2 \
    || die "mvn could not fetch the Neo4j jars (see its output above)"
  touch "$lib/.complete"
}

java_bin() {
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
  [ "${v%%.*}" -ge 17 ] 2>/dev/null || die "Java $v is too old for Neo4j 5.26: install Java 17+"
  command -v java
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
}

start_local() {
  if pid_of_local >/dev/null; then
    answers && { say "already running (pid $(pid_of_local))"; return 0; }
    wait_until_up "$(pid_of_local)"; return 0
  fi
  port_open "$bolt_port" && die "port $bolt_port is taken by another process: stop it, set NEO4J_URI to use it, or choose NEO4J_BOLT_PORT"
  provision_jars
  local java; java=$(java_bin)
  write_config
  export NEO4J_HOME="$home" NEO4J_CONF="$home/conf"
  if [ ! -f "$home/data/dbms/auth.ini" ]; then
    "$java" -cp "$lib/*" org.neo4j.cli.AdminTool dbms set-initial-password "$password" >/dev/null \
      || die "could not set the initial password"
  fi
  # The flags the official launcher passes to the JVM (bin/neo4j in the tarball).
  nohup "$java" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
    -XX:+AlwaysPreTouch -XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields \
    -XX:+DisableExplicitGC -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true \
    -Djdk.tls.ephemeralDHKeySize=2048 -Djdk.tls.rejectClientInitiatedRenegotiation=true \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    --enable-native-access=ALL-UNNAMED \
    -cp "$lib/*" org.neo4j.server.CommunityEntryPoint --home-dir="$home" --config-dir="$home/conf" \
    >"$home/logs/console.log" 2>&1 </dev/null &
  echo $! >"$home/run/neo4j.pid"
  say "starting Neo4j (pid $!, home $home) ..."
  wait_until_up "$!"
}

stop_local() {
  local pid
  if ! pid=$(pid_of_local); then say "not running"; return 0; fi
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then say "did not stop in 60s, killing"; kill -9 "$pid"; fi
  rm -f "$home/run/neo4j.pid"
  say "stopped"
}

start_docker() {
  if [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" = true ]; then
    say "already running (container $container)"; return 0
  fi
  docker rm -f "$container" >/dev/null 2>&1 || true
  docker run -d --name "$container" -p "127.0.0.1:$bolt_port:7687" -p "127.0.0.1:$http_port:7474" \
    -e NEO4J_AUTH="neo4j/$password" -e NEO4J_server_memory_heap_max__size="$heap" \
    -e NEO4J_server_memory_pagecache_size="$pagecache" "$docker_image" >/dev/null
  wait_until_up ""
}

cmd=${1:-}
case "$cmd" in
  start)
    if [ -n "${NEO4J_URI:-}" ]; then say "NEO4J_URI is set ($NEO4J_URI): using that server, starting nothing"; exit 0; fi
    if [ -z "${OKRSYNC_NEO4J_NO_DOCKER:-}" ] && docker_answers; then start_docker; else start_local; fi
    ;;
  stop)
    if docker_answers && docker inspect "$container" >/dev/null 2>&1; then docker rm -f "$container" >/dev/null; say "stopped"; else stop_local; fi
    ;;
  env)
    echo "export NEO4J_URI=bolt://127.0.0.1:$bolt_port NEO4J_USERNAME=neo4j NEO4J_PASSWORD=$password"
    ;;
  status)
    answers
    ;;
  *)
    echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
