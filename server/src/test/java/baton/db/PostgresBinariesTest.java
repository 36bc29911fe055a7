package baton.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.XZInputStream;

class PostgresBinariesTest {

    @Test
    void namesTheArchiveOfEachSupportedPlatform() {
        assertThat(PostgresBinaries.archiveNames("Linux", "amd64", null)).containsExactly("postgres-linux-x86_64.txz");
        assertThat(PostgresBinaries.archiveNames("Linux", "aarch64", null)).containsExactly("postgres-linux-arm_64.txz");
        assertThat(PostgresBinaries.archiveNames("Mac OS X", "x86_64", null)).containsExactly("postgres-darwin-x86_64.txz");
        assertThat(PostgresBinaries.archiveNames("Mac OS X", "aarch64", null)).containsExactly("postgres-darwin-arm_64.txz");
        assertThat(PostgresBinaries.archiveNames("Linux", "amd64", "Alpine Linux"))
                .containsExactly("postgres-linux-x86_64-alpine_linux.txz", "postgres-linux-x86_64.txz");
    }

    @Test
    void refusesAnUnknownPlatformInOneSentence() {
        assertThatThrownBy(() -> PostgresBinaries.archiveNames("Plan 9", "amd64", null))
                .hasMessage("Baton has no embedded PostgreSQL for the operating system Plan 9; start it with --db-url instead.");
    }

    /** Regression: only the x86_64 archives were on the class path, so arm64 machines had no embedded PostgreSQL. */
    @Test
    void selectsAnArm64ArchiveForAarch64() throws IOException {
        byte[] linux = PostgresBinaries.readArchive("Linux", "aarch64");
        assertThat(postgresBinaryHeader(linux)).as("ELF e_machine of bin/postgres").satisfies(PostgresBinariesTest::isElfAarch64);
        byte[] mac = PostgresBinaries.readArchive("Mac OS X", "aarch64");
        assertThat(postgresBinaryHeader(mac)).as("Mach-O cputype of bin/postgres").satisfies(PostgresBinariesTest::isMachOArm64);
    }

    /** The first 64 bytes of bin/postgres in a zonky archive. */
    static byte[] postgresBinaryHeader(byte[] archive) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.getName().replaceFirst("^\\./", "").equals("bin/postgres")) {
                    return tar.readNBytes(64);
                }
            }
        }
        throw new AssertionError("bin/postgres is not in the archive");
    }

    static void isElfAarch64(byte[] header) {
        assertThat(new String(header, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ELF");
        int machine = (header[18] & 0xff) | (header[19] & 0xff) << 8; // little-endian e_machine
        assertThat(machine).as("EM_AARCH64").isEqualTo(183);
    }

    /** A Mach-O for arm64, or a universal binary (big-endian fat header) holding one. */
    static void isMachOArm64(byte[] header) {
        java.nio.ByteBuffer big = java.nio.ByteBuffer.wrap(header);
        if (big.getInt(0) == 0xcafebabe) {
            int archs = big.getInt(4);
            java.util.List<Integer> cpus = new java.util.ArrayList<>();
            for (int i = 0; i < archs && 8 + 20 * i + 4 <= header.length; i++) {
                cpus.add(big.getInt(8 + 20 * i));
            }
            assertThat(cpus).as("CPU types of the universal binary").contains(0x0100000c);
            return;
        }
        java.nio.ByteBuffer little = big.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(little.getInt(0)).as("MH_MAGIC_64").isEqualTo(0xfeedfacf);
        assertThat(little.getInt(4)).as("CPU_TYPE_ARM64").isEqualTo(0x0100000c);
    }
}
