package baton.replay;

import java.io.PrintStream;

/**
 * Where a replay is, on stderr: a bar redrawn in place when stderr is a terminal, one plain line
 * per step otherwise (CI logs).
 */
public interface Progress {

    /** A step starts: {@code model} is null when only one model runs. */
    void step(String model, String scenario, int repeat, int repeats, int step, int steps, String label);

    /** A run ended; {@code done} of {@code total} runs are over. */
    void runEnded(int done, int total);

    /** The replay ended: a bar clears its line. */
    void finish();

    /** Lines go to stdout now: a bar clears its line so that they do not run into it; it comes back at the next step. */
    default void pause() {
    }

    static Progress on(PrintStream err, boolean terminal, int total) {
        return terminal ? new ProgressBar(err, total) : new ProgressLines(err);
    }

    /** Plain lines, for logs. */
    final class ProgressLines implements Progress {
        private final PrintStream err;

        ProgressLines(PrintStream err) {
            this.err = err;
        }

        @Override
        public void step(String model, String scenario, int repeat, int repeats, int step, int steps, String label) {
            err.println("replay: " + (model == null ? "" : model + " ") + scenario + " run " + repeat + "/" + repeats
                    + " " + label + " (" + step + "/" + steps + ")");
            err.flush();
        }

        @Override
        public void runEnded(int done, int total) {
        }

        @Override
        public void finish() {
        }
    }

    /** A bar redrawn with carriage returns, for a terminal. */
    final class ProgressBar implements Progress {
        private static final int WIDTH = 24;
        private final PrintStream err;
        private final int total;
        private int done;
        private int lastLength;

        ProgressBar(PrintStream err, int total) {
            this.err = err;
            this.total = Math.max(1, total);
        }

        @Override
        public synchronized void step(String model, String scenario, int repeat, int repeats, int step, int steps,
                String label) {
            int filled = done * WIDTH / total;
            String text = "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + done + "/" + total + " "
                    + (model == null ? "" : model + " ") + scenario + " run " + repeat + "/" + repeats + " "
                    + label;
            if (text.length() > 110) {
                text = text.substring(0, 109) + "…";
            }
            err.print("\r" + text + " ".repeat(Math.max(0, lastLength - text.length())));
            err.flush();
            lastLength = text.length();
        }

        @Override
        public synchronized void runEnded(int done, int total) {
            this.done = done;
        }

        @Override
        public synchronized void finish() {
            pause();
        }

        @Override
        public synchronized void pause() {
            if (lastLength > 0) {
                err.print("\r" + " ".repeat(lastLength) + "\r");
                err.flush();
                lastLength = 0;
            }
        }
    }
}
