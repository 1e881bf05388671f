package dev.hotline.plan;

/** Which endpoints a group of frontends may use: all of them, or only this node's (traffic policy Local). */
public enum ServiceScope {
    CLUSTER, NODE_LOCAL
}
