package dev.hotline.cluster;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;

/**
 * Turns manifest documents into the {@link ClusterState}: each object is typed with fabric8's model,
 * converted to a plain record and checked; a bad object is reported and skipped, never stopping
 * the others. Then the checks that need every Service at once (ClusterIP and NodePort clashes,
 * the NodePort range) run, in document order: the first claimant keeps an address.
 */
public final class ClusterStateBuilder {
    private static final Set<String> WORKLOAD_KINDS = Set.of("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final NodePortRange nodePortRange;

    public ClusterStateBuilder(NodePortRange nodePortRange) {
        this.nodePortRange = nodePortRange;
    }

    public ClusterState build(List<ManifestDocument> documents) {
        Accumulator acc = new Accumulator();
        for (ManifestDocument doc : distinct(documents, acc.problems)) {
            ObjectProblems p = new ObjectProblems(doc.source(), doc.ref());
            String kind = doc.kind();
            if (kind == null || kind.isEmpty()) {
                p.error("kind", "missing");
            } else if (doc.apiVersion() == null || doc.apiVersion().isEmpty()) {
                p.error("apiVersion", "missing");
            } else {
                switch (kind) {
                    case "Service" -> typed(doc, io.fabric8.kubernetes.api.model.Service.class, p).ifPresent(o -> acc.add(o, p));
                    case "Pod" -> typed(doc, io.fabric8.kubernetes.api.model.Pod.class, p).ifPresent(o -> acc.add(o, p));
                    case "EndpointSlice" -> typed(doc, io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class, p)
                            .ifPresent(o -> acc.add(o, p));
                    case "Endpoints" -> typed(doc, Endpoints.class, p).ifPresent(o -> acc.add(o, p));
                    case "Node" -> typed(doc, io.fabric8.kubernetes.api.model.Node.class, p).ifPresent(o -> acc.add(o, p));
                    default -> {
                        if (WORKLOAD_KINDS.contains(kind)) {
                            add(acc.workloads, workload(doc, kind, p));
                        } else {
                            p.warning(null, "kind " + kind + " is not used by hotline, skipped");
                        }
                    }
                }
            }
            acc.problems.addAll(p.problems());
        }
        return acc.finish(nodePortRange);
    }

    /**
     * The same object (kind, namespace, name) read twice, from two files or a file and the
     * directory holding it, is one object: the last one read wins, as with kubectl apply, and a
     * warning says so when the two differ. Its place is where it was first seen.
     */
    static List<ManifestDocument> distinct(List<ManifestDocument> documents, List<Problem> problems) {
        Map<ObjectRef, Integer> seen = new java.util.HashMap<>();
        List<ManifestDocument> out = new ArrayList<>();
        for (ManifestDocument doc : documents) {
            ObjectRef ref = doc.ref();
            boolean named = doc.kind() != null && !ref.name().equals("<unnamed>");
            Integer at = named ? seen.get(ref) : null;
            if (at == null) {
                if (named) {
                    seen.put(ref, out.size());
                }
                out.add(doc);
                continue;
            }
            ManifestDocument first = out.get(at);
            if (!withoutServerFields(first.body()).equals(withoutServerFields(doc.body()))) {
                problems.add(Problem.warning(doc.source(), ref, null, "also defined at " + first.source()
                        + " with different content; this one is used"));
            }
            out.set(at, doc);
        }
        return out;
    }

    /** An object's body without what the API server keeps changing (status aside): resourceVersion, managedFields. */
    private static Map<String, Object> withoutServerFields(Map<String, Object> body) {
        if (!(body.get("metadata") instanceof Map<?, ?> meta)) {
            return body;
        }
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        meta.forEach((k, v) -> m.put(String.valueOf(k), v));
        m.remove("resourceVersion");
        m.remove("managedFields");
        m.remove("generation");
        Map<String, Object> b = new java.util.LinkedHashMap<>(body);
        b.put("metadata", m);
        return b;
    }

    /**
     * The cluster picture from objects already typed by fabric8 (what informers hold): Services,
     * Pods, EndpointSlices, Endpoints and Nodes; anything else is ignored. source names where they
     * came from in messages ("api-server").
     */
    public ClusterState buildFromObjects(List<? extends HasMetadata> objects, String source) {
        Accumulator acc = new Accumulator();
        for (HasMetadata o : objects) {
            if (o.getMetadata() == null || o.getMetadata().getName() == null) {
                continue;
            }
            String ns = o.getMetadata().getNamespace();
            ObjectProblems p = new ObjectProblems(source, new ObjectRef(o.getKind() == null ? o.getClass().getSimpleName() : o.getKind(),
                    o instanceof io.fabric8.kubernetes.api.model.Node ? null : (ns == null ? "default" : ns), o.getMetadata().getName()));
            acc.add(o, p);
            acc.problems.addAll(p.problems());
        }
        return acc.finish(nodePortRange);
    }

    /**
     * One object as a change (an informer event): its converted form, or null when it was deleted
     * or cannot be read (absent from a whole picture too; the problem is added). Services are not
     * address-checked here: the planner's admission does that over all of them. Nodes and other
     * kinds change nothing the planner reads and are ignored.
     */
    public static void addTo(ClusterDelta.Builder delta, HasMetadata o, boolean deleted, String source) {
        if (o.getMetadata() == null || o.getMetadata().getName() == null) {
            return;
        }
        String ns = o.getMetadata().getNamespace() == null ? "default" : o.getMetadata().getNamespace();
        String name = o.getMetadata().getName();
        if (o instanceof io.fabric8.kubernetes.api.model.Service s) {
            ObjectProblems p = new ObjectProblems(source, new ObjectRef("Service", ns, name));
            delta.service(p.ref(), deleted ? null : ServiceConverter.convert(s, p)).problems(p.problems());
        } else if (o instanceof io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice x) {
            ObjectProblems p = new ObjectProblems(source, new ObjectRef("EndpointSlice", ns, name));
            EndpointSlice e = deleted ? null : EndpointSliceConverter.convert(x, p);
            delta.slices(p.ref(), e == null ? null : List.of(e)).problems(p.problems());
        } else if (o instanceof Endpoints x) {
            ObjectProblems p = new ObjectProblems(source, new ObjectRef("Endpoints", ns, name));
            delta.slices(p.ref(), deleted ? null : EndpointSliceConverter.convert(x, p)).problems(p.problems());
        } else if (o instanceof io.fabric8.kubernetes.api.model.Pod x) {
            ObjectProblems p = new ObjectProblems(source, new ObjectRef("Pod", ns, name));
            delta.pod(p.ref(), deleted ? null : PodConverter.convert(x, p)).problems(p.problems());
        }
    }

    /** The lists a picture is built from, filled one object at a time. */
    private static final class Accumulator {
        final List<Service> services = new ArrayList<>();
        final List<Pod> pods = new ArrayList<>();
        final List<EndpointSlice> slices = new ArrayList<>();
        final List<Node> nodes = new ArrayList<>();
        final List<Workload> workloads = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();

        void add(HasMetadata o, ObjectProblems p) {
            if (o instanceof io.fabric8.kubernetes.api.model.Service s) {
                ClusterStateBuilder.add(services, java.util.Optional.ofNullable(ServiceConverter.convert(s, p)));
            } else if (o instanceof io.fabric8.kubernetes.api.model.Pod x) {
                ClusterStateBuilder.add(pods, java.util.Optional.ofNullable(PodConverter.convert(x, p)));
            } else if (o instanceof io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice x) {
                ClusterStateBuilder.add(slices, java.util.Optional.ofNullable(EndpointSliceConverter.convert(x, p)));
            } else if (o instanceof Endpoints x) {
                slices.addAll(EndpointSliceConverter.convert(x, p));
            } else if (o instanceof io.fabric8.kubernetes.api.model.Node x) {
                ClusterStateBuilder.add(nodes, java.util.Optional.ofNullable(NodeConverter.convert(x, p)));
            }
        }

        ClusterState finish(NodePortRange range) {
            List<Service> checked = new ServiceAddressCheck(range).apply(services, problems);
            return new ClusterState(checked, pods, slices, nodes, workloads, problems);
        }
    }

    private static <T> void add(List<T> list, java.util.Optional<T> item) {
        item.ifPresent(list::add);
    }

    /** Types the document with fabric8; a field of the wrong type is reported with its path. */
    private static <T extends HasMetadata> java.util.Optional<T> typed(ManifestDocument doc, Class<T> type, ObjectProblems p) {
        T obj;
        try {
            obj = SERIALIZATION.convertValue(doc.body(), type);
        } catch (RuntimeException e) {
            JacksonException je = jacksonCause(e);
            if (je == null) {
                p.error(null, ManifestException.oneLine(e.getMessage()));
            } else {
                String msg = ManifestException.oneLine(je.getOriginalMessage()).replace("java.lang.", "");
                p.error(path(je), msg);
            }
            return java.util.Optional.empty();
        }
        if (obj.getMetadata() == null || obj.getMetadata().getName() == null || obj.getMetadata().getName().isEmpty()) {
            p.error("metadata.name", "missing");
            return java.util.Optional.empty();
        }
        if (obj.getMetadata().getNamespace() == null && !"Node".equals(doc.kind())) {
            obj.getMetadata().setNamespace("default");
        }
        return java.util.Optional.of(obj);
    }

    private static JacksonException jacksonCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof JacksonException je) {
                return je;
            }
        }
        return null;
    }

    private static String path(JacksonException e) {
        StringBuilder b = new StringBuilder();
        for (JacksonException.Reference r : e.getPath()) {
            if (r.getPropertyName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static java.util.Optional<Workload> workload(ManifestDocument doc, String kind, ObjectProblems p) {
        java.util.Optional<? extends HasMetadata> obj = switch (kind) {
            case "Deployment" -> typed(doc, Deployment.class, p);
            case "ReplicaSet" -> typed(doc, ReplicaSet.class, p);
            case "StatefulSet" -> typed(doc, StatefulSet.class, p);
            default -> typed(doc, DaemonSet.class, p);
        };
        return obj.map(o -> {
            PodTemplateSpec template = null;
            Integer replicas = null;
            if (o instanceof Deployment d && d.getSpec() != null) {
                template = d.getSpec().getTemplate();
                replicas = d.getSpec().getReplicas();
            } else if (o instanceof ReplicaSet r && r.getSpec() != null) {
                template = r.getSpec().getTemplate();
                replicas = r.getSpec().getReplicas();
            } else if (o instanceof StatefulSet s && s.getSpec() != null) {
                template = s.getSpec().getTemplate();
                replicas = s.getSpec().getReplicas();
            } else if (o instanceof DaemonSet ds && ds.getSpec() != null) {
                template = ds.getSpec().getTemplate();
            }
            Map<String, String> labels = template != null && template.getMetadata() != null
                    && template.getMetadata().getLabels() != null ? template.getMetadata().getLabels() : Map.of();
            return new Workload(p.ref(), p.source(), labels, replicas == null ? 1 : replicas);
        });
    }
}
