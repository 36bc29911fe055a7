package baton.replay;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The {@code --junit FILE} report, in the JUnit XML that CI servers (Jenkins, GitLab, GitHub
 * actions) read: one {@code <testsuite>} per model and scenario, one {@code <testcase>} per
 * expectation. A test case fails when its pass rate is below the minimum; the failure's message
 * gives the rate, and its text each failed run with what was seen and the reply.
 */
final class JunitReport {

    private JunitReport() {
    }

    static void write(ReplayReport report, Path file) throws IOException {
        PassRates rates = report.rates();
        try (OutputStream out = Files.newOutputStream(file)) {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("testsuites");
            attr(xml, "name", "baton replay");
            attr(xml, "tests", String.valueOf(rates.all().size()));
            attr(xml, "failures", String.valueOf(rates.below()));
            attr(xml, "errors", "0");
            attr(xml, "time", seconds(report.duration().toMillis()));
            xml.writeCharacters("\n");
            int id = 0;
            for (String model : report.models()) {
                for (String scenario : report.scenarios()) {
                    List<PassRates.Rate> cases = rates.all().stream()
                            .filter(r -> r.model().equals(model) && r.scenario().equals(scenario)).toList();
                    suite(xml, report, model, scenario, cases, id++);
                }
            }
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void suite(XMLStreamWriter xml, ReplayReport report, String model, String scenario,
            List<PassRates.Rate> cases, int id) throws XMLStreamException {
        long millis = report.runs().stream().filter(r -> r.model().equals(model) && r.scenario().equals(scenario))
                .mapToLong(r -> r.duration().toMillis()).sum();
        String name = report.models().size() > 1 ? model + " / " + scenario : scenario;
        xml.writeCharacters("  ");
        xml.writeStartElement("testsuite");
        attr(xml, "name", name);
        attr(xml, "tests", String.valueOf(cases.size()));
        attr(xml, "failures", String.valueOf(cases.stream().filter(c -> !c.meets(report.minPassRate())).count()));
        attr(xml, "errors", "0");
        attr(xml, "skipped", "0");
        attr(xml, "time", seconds(millis));
        attr(xml, "timestamp", DateTimeFormatter.ISO_LOCAL_DATE_TIME
                .format(report.startedAt().atOffset(ZoneOffset.UTC).withNano(0)));
        attr(xml, "hostname", hostname());
        attr(xml, "id", String.valueOf(id));
        attr(xml, "package", "baton.replay");
        xml.writeCharacters("\n");
        xml.writeCharacters("    ");
        xml.writeStartElement("properties");
        property(xml, "model", model);
        property(xml, "repeat", String.valueOf(report.repeat()));
        property(xml, "min_pass_rate", String.valueOf(report.minPassRate()));
        xml.writeEndElement();
        xml.writeCharacters("\n");
        for (PassRates.Rate c : cases) {
            xml.writeCharacters("    ");
            xml.writeStartElement("testcase");
            attr(xml, "name", c.expectation());
            attr(xml, "classname", name);
            attr(xml, "time", seconds(c.stepMillis()));
            String summary = "passed " + c.passes() + " of " + c.runs() + " run(s) (" + c.percent() + ")";
            if (!c.meets(report.minPassRate())) {
                xml.writeStartElement("failure");
                PassRates.Failure first = c.failures().isEmpty() ? null : c.failures().get(0);
                attr(xml, "message", summary + ", below the minimum "
                        + Math.round(report.minPassRate() * 100) + "%"
                        + (first == null ? "; the step was not reached" : "; " + failureLine(first)));
                attr(xml, "type", "expectation");
                StringBuilder text = new StringBuilder();
                for (PassRates.Failure f : c.failures()) {
                    text.append("run ").append(f.repeat()).append(": ").append(failureLine(f)).append('\n');
                }
                xml.writeCharacters(clean(text.toString()));
                xml.writeEndElement();
            } else {
                xml.writeStartElement("system-out");
                xml.writeCharacters(clean(summary));
                xml.writeEndElement();
            }
            xml.writeEndElement();
            xml.writeCharacters("\n");
        }
        xml.writeCharacters("  ");
        xml.writeEndElement();
        xml.writeCharacters("\n");
    }

    private static void attr(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        xml.writeAttribute(name, clean(value));
    }

    /** XML 1.0 cannot hold every character a reply may have: the others become U+FFFD. */
    static String clean(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.appendCodePoint(c == 0x9 || c == 0xA || c == 0xD || c >= 0x20 && c <= 0xD7FF
                || c >= 0xE000 && c <= 0xFFFD || c >= 0x10000 && c <= 0x10FFFF ? c : 0xFFFD));
        return out.toString();
    }

    private static String failureLine(PassRates.Failure f) {
        String detail = f.detail().isEmpty() ? "" : f.detail() + " ";
        return detail + (f.reply() == null ? "(no reply)" : "reply: " + f.reply());
    }

    private static void property(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        xml.writeEmptyElement("property");
        attr(xml, "name", name);
        attr(xml, "value", value);
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
