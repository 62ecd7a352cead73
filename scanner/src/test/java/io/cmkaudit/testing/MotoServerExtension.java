package io.cmkaudit.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving a test class a fresh {@link MotoServer}: one moto_server process per JVM (kept in the root
 * extension store, stopped when the test run ends), reset before each test class. Test methods and constructors
 * receive the server as a parameter of type {@link MotoServer}. When moto_server is missing the class FAILS (never
 * skips) with {@link MotoServer#INSTALL_HINT}.
 *
 * <pre>{@code
 * @ExtendWith(MotoServerExtension.class)
 * class SomeIT {
 *     @Test void works(MotoServer moto) { ... moto.endpoint() ... }
 * }
 * }</pre>
 */
public final class MotoServerExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MotoServerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        server(context).reset();
    }

    private static MotoServer server(ExtensionContext context) {
        try {
            return context.getRoot().getStore(NS).getOrComputeIfAbsent(MotoServer.class, k -> MotoServer.start(),
                    MotoServer.class);
        } catch (IllegalStateException e) {
            throw new ExtensionConfigurationException(e.getMessage(), e);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == MotoServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return server(extensionContext);
    }
}
