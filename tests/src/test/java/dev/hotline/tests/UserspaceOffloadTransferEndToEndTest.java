package dev.hotline.tests;

/**
 * The same transfers through the user-space dataplane: with offloads on, a pod's TCP segments
 * arrive as super-frames of up to 64 KB with unfinished checksums, which a raw socket refuses past
 * the route's MTU; hotline cuts them into segments of the interface's MTU first.
 */
class UserspaceOffloadTransferEndToEndTest extends OffloadTransferEndToEndTest {
    @Override
    String[] agentArgs() {
        return new String[] {"--dataplane", "userspace", "--conntrack-file", "none"};
    }
}
