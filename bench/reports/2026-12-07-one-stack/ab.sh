#!/usr/bin/env bash
# A/B of the decode step: old tree (da38aba) vs new (main), new also without the compiler directive; alternated.
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
J=$JAVA_HOME/bin/java
base=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -Xmx12g)
hints=(-XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=/work/new/tools/jit/decode-directives.json)
cpold=/tmp/probe/old:$(cat /work/old/bench/target/vfm.classpath)
cpnew=/tmp/probe/new:$(cat /work/new/cli/target/vfm.classpath)
for rep in 1 2; do
 for cfg in "GPT-B 1 7 64" "GPT-B 2 7 64" "GPT-B 16 5 48" "GPT-L 2 5 32"; do
  set -- $cfg
  echo "old    $($J "${base[@]}" -cp $cpold StepProbe $1 $2 $3 $4 2>/dev/null)   load $(cut -d' ' -f1 /proc/loadavg)"
  echo "new    $($J "${base[@]}" "${hints[@]}" -cp $cpnew StepProbe $1 $2 $3 $4 2>/dev/null)   load $(cut -d' ' -f1 /proc/loadavg)"
  echo "newoff $($J "${base[@]}" -cp $cpnew StepProbe $1 $2 $3 $4 2>/dev/null)   load $(cut -d' ' -f1 /proc/loadavg)"
 done
done
