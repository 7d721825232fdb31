#!/usr/bin/env bash
# Decode-step A/B/C: old tree (da38aba) vs main (frozen in /tmp/probe/newjars) vs main with RowGemm's loop
# interleaved as the old RowLinear's (one weight vector live, both x rows on it; jars in /tmp/probe/varjars).
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
J=$JAVA_HOME/bin/java
base=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -Xmx12g)
hints=(-XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=/work/main/tools/jit/decode-directives.json)
cpold=/tmp/probe/old:$(cat /work/old/bench/target/vfm.classpath)
cpnew=/tmp/probe/new:$(cat /tmp/probe/newjars.cp)
cpvar=/tmp/probe/new:$(sed 's#/tmp/probe/newjars/#/tmp/probe/varjars/#g' /tmp/probe/newjars.cp)
steal() { awk '/^cpu /{print $9}' /proc/stat; }
run() { local tag=$1; shift; local s0=$(steal); local r=$("$@" 2>/dev/null | grep rows); echo "$tag $r  load $(cut -d' ' -f1 /proc/loadavg) steal_ticks $(( $(steal) - s0 ))"; }
for rep in 1 2 3; do
 for cfg in "GPT-L 2 5 32" "GPT-B 1 7 64"; do
  set -- $cfg
  run old $J "${base[@]}" -cp $cpold StepProbe $1 $2 $3 $4
  run new $J "${base[@]}" "${hints[@]}" -cp $cpnew StepProbe $1 $2 $3 $4
  run var $J "${base[@]}" "${hints[@]}" -cp $cpvar StepProbe $1 $2 $3 $4
 done
done
