package org.vfmtok.nn.dist;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DistEnvTest {
    @Test
    void parsesTorchrunVariables() {
        DistEnv e = DistEnv.fromEnvironment(Map.of("RANK", "3", "WORLD_SIZE", "4", "LOCAL_RANK", "1", "MASTER_ADDR", "10.0.0.2", "MASTER_PORT", "29500"));
        assertEquals(new DistEnv(3, 4, 1, "10.0.0.2", 29500), e);
        assertTrue(e.isDistributed());
        assertFalse(e.isLeader());
    }

    @Test
    void defaults() {
        assertEquals(DistEnv.single(), DistEnv.fromEnvironment(Map.of()));
        assertFalse(DistEnv.single().isDistributed());
        DistEnv e = DistEnv.fromEnvironment(Map.of("RANK", "1", "WORLD_SIZE", "2", "MASTER_PORT", "1234"));
        assertEquals(1, e.localRank(), "LOCAL_RANK defaults to RANK");
        assertEquals("127.0.0.1", e.masterAddr());
        assertEquals(new DistEnv(0, 1, 0, "127.0.0.1", 0), DistEnv.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE", "1")));
    }

    @Test
    void everyProblemIsReportedWithItsVariable() {
        String m = assertThrows(IllegalArgumentException.class, () -> DistEnv.fromEnvironment(Map.of("RANK", "x", "WORLD_SIZE", "2"))).getMessage();
        assertTrue(m.contains("RANK='x' is not an integer") && m.contains("MASTER_PORT is required when WORLD_SIZE > 1"), m);
        m = assertThrows(IllegalArgumentException.class, () -> DistEnv.fromEnvironment(Map.of("RANK", "2", "WORLD_SIZE", "2", "MASTER_PORT", "99999")))
                .getMessage();
        assertTrue(m.contains("RANK=2 must be in [0, WORLD_SIZE=2)") && m.contains("MASTER_PORT=99999 must be in [1, 65535]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> DistEnv.fromEnvironment(Map.of("WORLD_SIZE", "2", "MASTER_PORT", "5"))).getMessage();
        assertTrue(m.contains("RANK is not set"), m);
        m = assertThrows(IllegalArgumentException.class, () -> DistEnv.fromEnvironment(Map.of("LOCAL_RANK", "0"))).getMessage();
        assertTrue(m.contains("RANK and WORLD_SIZE are not"), m);
        m = assertThrows(IllegalArgumentException.class, () -> DistEnv.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE", "0"))).getMessage();
        assertTrue(m.contains("WORLD_SIZE=0 must be at least 1"), m);
        m = assertThrows(IllegalArgumentException.class, () -> DistEnv.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_PORT", "8",
                "LOCAL_RANK", "-1"))).getMessage();
        assertTrue(m.contains("LOCAL_RANK=-1 must be >= 0"), m);
    }
}
