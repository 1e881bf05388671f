package dev.hotline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MaglevTest {

    static List<Backend> backends(int n) {
        List<Backend> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Backend(i + 1, new BackendKey(new Ipv4(0x0a010000 + i * 7 + 3), 8080, Protocol.TCP), null, null, false));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 10, 50, 100, 1000})
    void everyBackendGetsAShareWithinAFewPercentOfEqual(int n) {
        MaglevTable t = Maglev.build(backends(n));
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            counts.merge(t.backendAt(i), 1, Integer::sum);
        }
        assertThat(counts).hasSize(n);
        double fair = (double) t.size() / n;
        for (int c : counts.values()) {
            // Maglev gives each backend floor or ceil of M/N slots, so the share is within one slot of fair
            assertThat(Math.abs(c - fair)).isLessThanOrEqualTo(Math.max(1.0, fair * 0.03));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 10, 20})
    void removingOneOfNBackendsMovesAboutOneNthOfTheTable(int n) {
        List<Backend> all = backends(n);
        MaglevTable before = Maglev.build(all);
        List<Backend> fewer = new ArrayList<>(all);
        Backend gone = fewer.remove(n / 2);
        MaglevTable after = Maglev.build(fewer);
        assertThat(after.size()).isEqualTo(before.size());
        int moved = 0;
        int movedFromSurvivors = 0;
        for (int i = 0; i < before.size(); i++) {
            if (before.backendAt(i) != after.backendAt(i)) {
                moved++;
                if (before.backendAt(i) != gone.id()) {
                    movedFromSurvivors++;
                }
            }
        }
        double fraction = (double) moved / before.size();
        assertThat(fraction).isBetween(1.0 / n * 0.9, 1.0 / n * 1.6);
        // almost all the movement is the removed backend's slots changing hands
        assertThat((double) movedFromSurvivors / before.size()).isLessThan(0.6 / n);
    }

    @Test
    void sameInputSameTableWhateverTheOrder() {
        List<Backend> a = backends(17);
        List<Backend> b = new ArrayList<>(a);
        Collections.shuffle(b, new Random(42));
        assertThat(Maglev.build(a)).isEqualTo(Maglev.build(b));
        assertThat(Maglev.build(a).toArray()).isEqualTo(Maglev.build(backends(17)).toArray());
    }

    @Test
    void tableSizeIsAPrimeFromTheLadderAtLeastAHundredTimesTheBackends() {
        assertThat(Maglev.tableSize(1)).isEqualTo(251);
        assertThat(Maglev.tableSize(2)).isEqualTo(251);
        assertThat(Maglev.tableSize(3)).isEqualTo(509);
        assertThat(Maglev.tableSize(10)).isEqualTo(1021);
        assertThat(Maglev.tableSize(100)).isEqualTo(16381);
        assertThat(Maglev.tableSize(100_000)).isEqualTo(Maglev.MAX_SIZE);
        for (int size : Maglev.SIZES) {
            assertThat(isPrime(size)).as("%d is prime", size).isTrue();
        }
    }

    @Test
    void noBackendsGiveAnEmptyTable() {
        assertThat(Maglev.build(List.of()).size()).isZero();
    }

    private static boolean isPrime(int n) {
        for (int d = 2; (long) d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return n > 1;
    }
}
