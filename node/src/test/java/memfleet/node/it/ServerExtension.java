package memfleet.node.it;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContext;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The one JUnit extension that starts and stops the servers of the integration tests ({@link ServerTest}): one run
 * of the class per server kind and protocol, the server started before the run's first test and closed after its
 * last, handed to the tests as a {@link ServerRun} (or its {@link ServerProcess} or {@link Protocol}).
 */
public final class ServerExtension implements ClassTemplateInvocationContextProvider {
    /** The system property that narrows the kinds, comma separated (e.g. {@code memfleet} while memcached is absent). */
    public static final String KINDS_PROPERTY = "memfleet.it.kinds";

    private static final List<String> ALL_KINDS = List.of("memcached", "memfleet");

    /** The server kinds the tests run against: memcached (the reference, which proves a test right) and memfleet. */
    public static List<String> kinds() {
        String chosen = System.getProperty(KINDS_PROPERTY, "").strip();
        if (chosen.isEmpty()) {
            return ALL_KINDS;
        }
        List<String> kinds = Arrays.stream(chosen.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String kind : kinds) {
            if (!ALL_KINDS.contains(kind)) {
                throw new IllegalArgumentException(KINDS_PROPERTY + " names unknown kind '" + kind + "'; known: "
                        + ALL_KINDS);
            }
        }
        return kinds;
    }

    @Override
    public boolean supportsClassTemplate(ExtensionContext context) {
        return AnnotationSupport.isAnnotated(context.getTestClass(), ServerTest.class);
    }

    @Override
    public Stream<ClassTemplateInvocationContext> provideClassTemplateInvocationContexts(ExtensionContext context) {
        ServerTest test = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), ServerTest.class)
                .orElseThrow();
        List<ClassTemplateInvocationContext> runs = new ArrayList<>();
        List<String> chosen = kinds().stream().filter(List.of(test.kinds())::contains).toList();
        if (test.sideBySide()) {
            if (chosen.containsAll(ALL_KINDS)) {
                for (Protocol protocol : test.protocols()) {
                    String name = "memcached beside memfleet" + (test.protocols().length > 1 ? ", " + protocol.label() : "");
                    runs.add(new Invocation(name, new Lifecycle(test, "memfleet", protocol)));
                }
            }
            return runs.stream();
        }
        for (String kind : chosen) {
            for (Protocol protocol : test.protocols()) {
                String name = test.protocols().length > 1 ? kind + ", " + protocol.label() : kind;
                runs.add(new Invocation(name, new Lifecycle(test, kind, protocol)));
            }
        }
        return runs.stream();
    }

    /** A class whose kinds were all left out by {@link #KINDS_PROPERTY} has no run, which is not an error. */
    @Override
    public boolean mayReturnZeroClassTemplateInvocationContexts(ExtensionContext context) {
        return true;
    }

    private record Invocation(String name, Lifecycle lifecycle) implements ClassTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return name;
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(lifecycle);
        }
    }

    /**
     * Starts the run's server before its first test and closes it after its last, closes what a test started
     * itself when it ends, and resolves the run as a parameter.
     */
    private static final class Lifecycle implements BeforeClassTemplateInvocationCallback,
            AfterClassTemplateInvocationCallback, AfterEachCallback, ParameterResolver {
        private final ServerTest test;
        private final String kind;
        private final Protocol protocol;
        private ServerRun run;

        Lifecycle(ServerTest test, String kind, Protocol protocol) {
            this.test = test;
            this.kind = kind;
            this.protocol = protocol;
        }

        @Override
        public void beforeClassTemplateInvocation(ExtensionContext context) throws Exception {
            ServerStarter starter;
            try {
                var constructor = test.starter().getDeclaredConstructor();
                constructor.setAccessible(true);
                starter = constructor.newInstance();
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            run = new ServerRun(kind, protocol, starter, test.shared() && !test.sideBySide()
                    ? starter.start(kind, test.args()) : null);
        }

        @Override
        public void afterEach(ExtensionContext context) {
            if (run != null) {
                run.closeStarted();
            }
        }

        @Override
        public void afterClassTemplateInvocation(ExtensionContext context) {
            if (run != null) {
                run.close();
                run = null;
            }
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            return type == ServerRun.class || type == ServerProcess.class || type == Protocol.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            if (run == null) {
                throw new IllegalStateException("the " + kind + " server of this run is not started");
            }
            Class<?> type = parameter.getParameter().getType();
            if (type == ServerProcess.class) {
                return run.server();
            }
            return type == Protocol.class ? run.protocol() : run;
        }
    }
}
