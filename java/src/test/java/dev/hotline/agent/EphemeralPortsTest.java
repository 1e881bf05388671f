package dev.hotline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EphemeralPortsTest {

    @Test
    void theDefaultRangesDoNotMeet() {
        assertThat(EphemeralPorts.conflict(61000, 65535, "32768\t60999\n", "\n")).isNull();
    }

    @Test
    void anOverlapIsRefusedWithTheSysctlsThatFixIt() {
        String why = EphemeralPorts.conflict(61000, 65535, "1024\t65535\n", "\n");
        assertThat(why).isEqualTo("the SNAT port range 61000-65535 overlaps this node's ephemeral ports "
                + "(net.ipv4.ip_local_port_range 1024-65535; port 61000 is not reserved): the node's own connections could "
                + "take a port a NodePort flow is SNATed to. Reserve the range (sysctl -w net.ipv4.ip_local_reserved_ports="
                + "61000-65535), narrow ip_local_port_range, or give --snat-port-range outside it");
    }

    @Test
    void anOverlapThatIsReservedIsFineAndAHoleInTheReservationIsNamed() {
        assertThat(EphemeralPorts.conflict(61000, 65535, "32768 65535", "8080,61000-65535")).isNull();
        assertThat(EphemeralPorts.conflict(61000, 65535, "32768 65535", "61000-62000,62002-65535")).contains("port 62001 is not reserved");
    }
}
