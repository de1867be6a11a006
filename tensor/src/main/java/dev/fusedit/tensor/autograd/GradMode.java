package dev.fusedit.tensor.autograd;

/**
 * Whether operations record graph nodes on this thread. {@code try (var g = GradMode.noGrad()) {...}}
 * turns recording off for a block, as a frozen text stream or a sampler does.
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = ENABLED.get();
        ENABLED.set(enabled);
    }

    public static GradMode noGrad() {
        return new GradMode(false);
    }

    public static GradMode enableGrad() {
        return new GradMode(true);
    }

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    @Override
    public void close() {
        ENABLED.set(previous);
    }
}
