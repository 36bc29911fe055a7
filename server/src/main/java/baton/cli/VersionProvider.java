package baton.cli;

import baton.mcp.BatonMcpServer;
import picocli.CommandLine;

/** {@code baton --version}. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"baton " + BatonMcpServer.version()};
    }
}
