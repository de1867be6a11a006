package dev.fusedit.model.pipeline;

/**
 * Puts AWT into headless mode before any image class touches it: images and captions are drawn
 * off-screen, and on a machine without a display AWT would otherwise fail to start. An explicit
 * -Djava.awt.headless given by the user is left alone.
 */
final class Headless {
    private Headless() {}

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** Loading this class is the whole effect; call before the first AWT use. */
    static void ensure() {}
}
