package baton.replay;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table printed at the end of a replay: one row per scenario expectation, one column per
 * model, each cell the passes, runs and pass rate; a cell below the minimum is marked with
 * {@code *}.
 */
final class SummaryTable {

    private SummaryTable() {
    }

    static void print(ReplayReport report, PrintWriter out) {
        PassRates rates = report.rates();
        List<String> header = new ArrayList<>();
        header.add("expectation");
        header.addAll(report.models());
        List<List<String>> rows = new ArrayList<>();
        for (String scenario : report.scenarios()) {
            rows.add(List.of(scenario));
            List<String> names = rates.all().stream().filter(r -> r.scenario().equals(scenario))
                    .map(PassRates.Rate::expectation).distinct().toList();
            for (String name : names) {
                List<String> row = new ArrayList<>();
                row.add("  " + name);
                for (String model : report.models()) {
                    row.add(rates.all().stream()
                            .filter(r -> r.model().equals(model) && r.scenario().equals(scenario)
                                    && r.expectation().equals(name))
                            .findFirst()
                            .map(r -> r.passes() + "/" + r.runs() + " " + r.percent()
                                    + (r.meets(report.minPassRate()) ? " " : "*"))
                            .orElse("-"));
                }
                rows.add(row);
            }
        }
        int first = Math.min(90, rows.stream().mapToInt(r -> r.get(0).length()).max().orElse(0));
        first = Math.max(first, header.get(0).length());
        List<Integer> widths = new ArrayList<>();
        widths.add(first);
        for (int i = 1; i < header.size(); i++) {
            int col = i;
            widths.add(Math.max(header.get(i).length(), rows.stream().filter(r -> r.size() > col)
                    .mapToInt(r -> r.get(col).length()).max().orElse(0)));
        }
        out.println();
        out.println(line(header, widths));
        for (List<String> row : rows) {
            out.println(line(row, widths));
        }
        long below = rates.below();
        String min = Math.round(report.minPassRate() * 100) + "%";
        out.println(below == 0
                ? "all " + rates.all().size() + " expectation(s) met the minimum pass rate " + min + " ("
                        + report.scenarios().size() + " scenario(s), " + report.repeat() + " run(s) each"
                        + (report.models().size() > 1 ? ", " + report.models().size() + " models" : "") + ")"
                : below + " of " + rates.all().size() + " expectation(s) below the minimum pass rate " + min
                        + " (marked *)");
        out.flush();
    }

    private static String line(List<String> cells, List<Integer> widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            if (i == 0) {
                String shown = cell.length() > widths.get(0) ? cell.substring(0, widths.get(0) - 1) + "…" : cell;
                b.append(String.format(Locale.ROOT, "%-" + widths.get(0) + "s", shown));
            } else {
                b.append("  ").append(String.format(Locale.ROOT, "%" + widths.get(i) + "s", cell));
            }
        }
        return b.toString().stripTrailing();
    }
}
