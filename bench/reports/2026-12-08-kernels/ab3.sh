#!/usr/bin/env bash
# Decode-step A/B, old tree (da38aba: llama's own RowLinear/DecodeAttention) vs main, alternated JVM by JVM.
# new: main with the launcher's compiler directive and huge-page advice (the default);
# new-nohuge: the same with -Dvfmtok.memory.hugePages=false (the old tree has no huge-page advice).
# Needs: /work/old built at da38aba, /tmp/probe/{old,new}/StepProbe.class (../2026-12-07-one-stack/StepProbe.java),
# the new tree's jars frozen in /tmp/probe/newjars (classpath in /tmp/probe/newjars.cp).
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
J=$JAVA_HOME/bin/java
base=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -Xmx12g)
hints=(-XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=/work/main/tools/jit/decode-directives.json)
cpold=/tmp/probe/old:$(cat /work/old/bench/target/vfm.classpath)
cpnew=/tmp/probe/new:$(cat /tmp/probe/newjars.cp)
steal() { awk '/^cpu /{print $9}' /proc/stat; }
run() { local tag=$1; shift; local s0=$(steal); local r=$("$@" 2>/dev/null); echo "$tag $r  load $(cut -d' ' -f1 /proc/loadavg) steal_ticks $(( $(steal) - s0 ))"; }
for rep in 1 2 3; do
 for cfg in "GPT-L 2 5 32" "GPT-B 2 7 64"; do
  set -- $cfg
  run old        $J "${base[@]}" -cp $cpold StepProbe $1 $2 $3 $4
  run new        $J "${base[@]}" "${hints[@]}" -cp $cpnew StepProbe $1 $2 $3 $4
  run new-nohuge $J "${base[@]}" "${hints[@]}" -Dvfmtok.memory.hugePages=false -cp $cpnew StepProbe $1 $2 $3 $4
 done
done
