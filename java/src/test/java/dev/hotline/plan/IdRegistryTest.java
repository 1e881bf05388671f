package dev.hotline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class IdRegistryTest {

    @Test
    void freshKeysAreNumberedInOrderFromOne() {
        IdRegistry<String> r = IdRegistry.<String>empty().assign(List.of("c", "a", "b"), 100);
        assertThat(List.of(r.id("a"), r.id("b"), r.id("c"))).containsExactly(1, 2, 3);
    }

    @Test
    void keysKeepTheirIdsAndFreedIdsAreNotReusedAtOnce() {
        IdRegistry<String> r1 = IdRegistry.<String>empty().assign(List.of("a", "b", "c"), 100);
        IdRegistry<String> r2 = r1.assign(List.of("a", "c", "d"), 100);
        assertThat(r2.id("a")).isEqualTo(1);
        assertThat(r2.id("c")).isEqualTo(3);
        assertThat(r2.id("d")).isEqualTo(4); // not 2: a flow pinned to b's ID must not reach d
    }

    @Test
    void idsWrapAroundSkippingTheOnesInUse() {
        IdRegistry<String> r = IdRegistry.<String>empty().assign(List.of("a", "b", "c"), 3);
        r = r.assign(List.of("b"), 3);
        r = r.assign(List.of("b", "x"), 3);
        assertThat(r.id("x")).isEqualTo(1);
    }
}
