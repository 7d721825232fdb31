#!/usr/bin/env bash
# Decode-step A/B, old tree (da38aba) vs main (jars frozen in /tmp/probe/newjars, classpath /tmp/probe/newjars.cp),
# alternated JVM by JVM; StepProbe.java of this folder (compiled into /tmp/probe/old2 and /tmp/probe/new2) also
# prints the median process CPU ms per step, which leaves out the hypervisor's steal.
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
J=$JAVA_HOME/bin/java
base=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -Xmx12g)
hints=(-XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=/work/main/tools/jit/decode-directives.json)
cpold=/tmp/probe/old2:$(cat /work/old/bench/target/vfm.classpath)
cpnew=/tmp/probe/new2:$(cat /tmp/probe/newjars.cp)
steal() { awk '/^cpu /{print $9}' /proc/stat; }
run() { local tag=$1; shift; local s0=$(steal); local r=$("$@" 2>/dev/null); echo "$tag $r  load $(cut -d' ' -f1 /proc/loadavg) steal_ticks $(( $(steal) - s0 ))"; }
# Usage: ab.sh REPS "MODEL ROWS ROUNDS STEPS"...   (ab5.txt: ab.sh 3 "GPT-B 1 7 64" "GPT-L 2 5 32"; ab6.txt: ab.sh 2 "GPT-L 16 3 24")
reps=$1; shift
cfgs=("$@")   # kept apart: `set --` below replaces the positional parameters
for rep in $(seq 1 $reps); do
 for cfg in "${cfgs[@]}"; do
  set -- $cfg
  run old        $J "${base[@]}" -cp $cpold StepProbe $1 $2 $3 $4
  run new        $J "${base[@]}" "${hints[@]}" -cp $cpnew StepProbe $1 $2 $3 $4
 done
done
