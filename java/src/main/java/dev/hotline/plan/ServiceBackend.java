package dev.hotline.plan;

import dev.hotline.endpoints.ResolvedEndpoint;

/**
 * A backend as one Service sees it: its endpoint conditions and whether it is in the Maglev
 * table (active). Ready backends are active; when none is ready, serving terminating ones are
 * (kube-proxy's graceful termination fallback).
 */
public record ServiceBackend(Backend backend, ResolvedEndpoint endpoint, boolean active) {
}
