package baton.e2e;

/** The Python SDK cases over stdio: the runner starts {@code baton serve --stdio} per identity. */
class PythonClientStdioIT extends PythonClientSuite {

    @Override
    protected String transport() {
        return "stdio";
    }
}
