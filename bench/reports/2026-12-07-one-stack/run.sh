#!/usr/bin/env bash
# Old tree (da38aba) vs new tree (main), alternated, ./vfm bench gpt --no-torch, on a quiet machine.
set -u
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
touch /work/wt/QUIET
# wait for running builds/tests of others to end
for i in $(seq 1 60); do
  n=$(pgrep -f 'java|mvn|python3|apt' | grep -v "^$$\$" | xargs -r ps -o pid=,args= -p 2>/dev/null | grep -v "bench/run.sh\|pgrep" | wc -l)
  [ "$n" -eq 0 ] && break
  sleep 10
done
echo "quiet after waiting ${i}0 s; $(cat /proc/loadavg)" > /tmp/bench/log
ps -eo pid,etime,time,args --sort=-time | head -15 >> /tmp/bench/log
newflags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -Xmx12g)
run() {
  local name=$1; shift
  echo "=== $name start $(date -u +%H:%M:%S) load $(cat /proc/loadavg)" >> /tmp/bench/log
  local t0=$(awk '{print $14+$15}' /proc/1/stat)
  "$@" > /tmp/bench/$name.out 2>&1
  echo "=== $name end $(date -u +%H:%M:%S) rc=$? load $(cat /proc/loadavg)" >> /tmp/bench/log
  ps -eo pid,time,args --sort=-time | head -8 >> /tmp/bench/log
}
old() { (cd /work/old && ./vfm bench gpt --no-torch); }
new() { (cd /work/new && ./vfm bench gpt --no-torch); }
newoff() { (cd /work/new && unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE && "$JAVA_HOME/bin/java" "${newflags[@]}" -cp "$(cat cli/target/vfm.classpath)" org.vfmtok.cli.Main bench gpt --no-torch); }
run old1 old
run new1 new
run newoff1 newoff
run old2 old
run new2 new
rm -f /work/wt/QUIET
echo "done $(date -u +%H:%M:%S)" >> /tmp/bench/log
