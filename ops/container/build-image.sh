#!/usr/bin/env bash
# Builds the synkit image without a registry or a base image: a root filesystem holding a jlink'd
# Java runtime, the runnable jars, and the shared libraries they load (copied from this machine),
# imported with `docker import`. Run after `mvn package` (it takes the */target/*-all.jar files).
#   ops/container/build-image.sh [--servers-only] [tag]     default tag: synkit:<project version>
# The image runs one server per container: java -cp /opt/synkit/lib/<module>-all.jar <main class>.
# --servers-only leaves out the ops CLI (the Kubernetes slot-map Job needs it): for ops' own tests,
# which run before ops-all.jar is packaged.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=$(sed -n "s|.*<version>\(.*\)</version>.*|\1|p" pom.xml | head -1)
JARS="store-server/target/store-server-all.jar logic-server/target/logic-server-all.jar access-server/target/access-server-all.jar"
if [ "${1:-}" = "--servers-only" ]; then
  shift
else
  JARS="$JARS ops/target/ops-all.jar"
fi
TAG="${1:-synkit:$VERSION}"
# What the servers and ops need of the JDK: the HTTP server of the admin port, Unsafe for Netty and
# protobuf, JMX beans for the JVM metrics, EC keys and TLS for internal mutual TLS, JNDI for DNS.
MODULES=java.base,java.logging,java.management,jdk.management,java.naming,java.xml,java.sql,jdk.httpserver,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns
for jar in $JARS; do
  [ -f "$jar" ] || { echo "build-image: $jar is missing: run mvn -o -q -DskipTests package first" >&2; exit 1; }
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/rootfs"
jlink --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$ROOT/opt/synkit"
cp $JARS "$ROOT/opt/synkit/lib/"
# RocksDB unpacks its JNI library into java.io.tmpdir at start: its dependencies must be here too.
unzip -p store-server/target/store-server-all.jar librocksdbjni-linux64.so > "$WORK/librocksdbjni.so"
# glibc loads the NSS modules (host names, users) with dlopen: ldd does not list them.
NSS=$(ls /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libresolv.so.2 2>/dev/null || true)
{
  for binary in "$ROOT/opt/synkit/bin/java" "$ROOT/opt/synkit/lib/server/libjvm.so" "$ROOT"/opt/synkit/lib/*.so "$WORK/librocksdbjni.so" $NSS; do
    ldd "$binary" 2>/dev/null | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}'
  done
  echo "$NSS" | tr ' ' '\n'
} | sort -u | while read -r lib; do
  [ -n "$lib" ] && [ -f "$lib" ] && cp --parents -L "$lib" "$ROOT"
done
mkdir -p "$ROOT/tmp" "$ROOT/etc" "$ROOT/var/lib/synkit"
chmod 1777 "$ROOT/tmp"
echo 'root:x:0:0:root:/root:/sbin/nologin' > "$ROOT/etc/passwd"
echo 'root:x:0:' > "$ROOT/etc/group"
echo 'hosts: files dns' > "$ROOT/etc/nsswitch.conf"
tar -C "$ROOT" -c . | docker import --change 'ENV PATH=/opt/synkit/bin' --change 'WORKDIR /tmp' \
  --message "synkit $VERSION: jlink'd runtime ($MODULES) and the runnable jars" - "$TAG" >/dev/null
echo "built $TAG ($(docker image inspect --format '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
