package dev.hotline.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What changed in the cluster picture, object by object: for each Service, Pod and EndpointSlice
 * (or v1 Endpoints) object added or changed, its new version; for each one removed, null. An
 * Endpoints object is read into one slice per subset, so a slice object maps to a list. An object
 * that could not be read counts as removed (as it is absent from a whole picture) and its problem
 * travels with the change.
 */
public record ClusterDelta(Map<ObjectRef, Service> services, Map<ObjectRef, List<EndpointSlice>> slices,
                           Map<ObjectRef, Pod> pods, List<Problem> problems) {

    public static final ClusterDelta NONE = new ClusterDelta(Map.of(), Map.of(), Map.of(), List.of());

    public ClusterDelta {
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        slices = Collections.unmodifiableMap(new LinkedHashMap<>(slices));
        pods = Collections.unmodifiableMap(new LinkedHashMap<>(pods));
        problems = List.copyOf(problems);
    }

    public boolean isEmpty() {
        return services.isEmpty() && slices.isEmpty() && pods.isEmpty();
    }

    /** Everything in the picture, as a change from nothing. */
    public static ClusterDelta of(ClusterState state) {
        return between(ClusterState.empty(), state);
    }

    /** The objects that differ between two whole pictures (manifest files read again). */
    public static ClusterDelta between(ClusterState before, ClusterState after) {
        Map<ObjectRef, Service> services = changes(byRef(before.services(), Service::ref), byRef(after.services(), Service::ref));
        Map<ObjectRef, List<EndpointSlice>> slices = changes(slicesByObject(before.endpointSlices()),
                slicesByObject(after.endpointSlices()));
        Map<ObjectRef, Pod> pods = changes(byRef(before.pods(), Pod::ref), byRef(after.pods(), Pod::ref));
        return new ClusterDelta(services, slices, pods, after.problems());
    }

    /** Slices grouped by the object they were read from, in picture order. */
    public static Map<ObjectRef, List<EndpointSlice>> slicesByObject(List<EndpointSlice> slices) {
        Map<ObjectRef, List<EndpointSlice>> out = new LinkedHashMap<>();
        for (EndpointSlice s : slices) {
            out.computeIfAbsent(s.ref(), k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    private static <T> Map<ObjectRef, T> byRef(List<T> objects, java.util.function.Function<T, ObjectRef> ref) {
        Map<ObjectRef, T> out = new LinkedHashMap<>();
        for (T o : objects) {
            out.put(ref.apply(o), o);
        }
        return out;
    }

    private static <T> Map<ObjectRef, T> changes(Map<ObjectRef, T> before, Map<ObjectRef, T> after) {
        Map<ObjectRef, T> out = new LinkedHashMap<>();
        before.keySet().forEach(ref -> {
            if (!after.containsKey(ref)) {
                out.put(ref, null);
            }
        });
        after.forEach((ref, o) -> {
            if (!Objects.equals(before.get(ref), o)) {
                out.put(ref, o);
            }
        });
        return out;
    }

    /**
     * Builds a change one event at a time (informer events): the last event on an object wins, and
     * the objects keep the order of their first events.
     */
    public static final class Builder {
        private final Map<ObjectRef, Service> services = new LinkedHashMap<>();
        private final Map<ObjectRef, List<EndpointSlice>> slices = new LinkedHashMap<>();
        private final Map<ObjectRef, Pod> pods = new LinkedHashMap<>();
        private final List<Problem> problems = new ArrayList<>();

        public Builder service(ObjectRef ref, Service s) {
            services.put(ref, s);
            return this;
        }

        public Builder slices(ObjectRef ref, List<EndpointSlice> s) {
            slices.put(ref, s == null || s.isEmpty() ? null : List.copyOf(s));
            return this;
        }

        public Builder pod(ObjectRef ref, Pod p) {
            pods.put(ref, p);
            return this;
        }

        public Builder problems(List<Problem> p) {
            problems.addAll(p);
            return this;
        }

        public boolean isEmpty() {
            return services.isEmpty() && slices.isEmpty() && pods.isEmpty() && problems.isEmpty();
        }

        public ClusterDelta build() {
            return new ClusterDelta(services, slices, pods, problems);
        }
    }
}
