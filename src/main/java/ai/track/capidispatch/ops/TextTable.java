package ai.track.capidispatch.ops;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A table for people: columns as wide as their widest cell, two spaces apart, numbers flush right. The last
 * column is not padded, so a long text there (a reason) does not widen the others.
 */
final class TextTable {

    /** A column's heading and which side its cells align to. */
    record Column(String heading, boolean alignRight) {

        static Column left(String heading) {
            return new Column(heading, false);
        }

        static Column right(String heading) {
            return new Column(heading, true);
        }
    }

    private final List<Column> columns;
    private final List<String[]> rows = new ArrayList<>();

    TextTable(Column... columns) {
        this.columns = List.of(columns);
    }

    TextTable row(String... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("A row needs " + columns.size() + " cells, not " + cells.length);
        }
        rows.add(cells.clone());
        return this;
    }

    void print(PrintStream out) {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = columns.get(i).heading().length();
            for (String[] row : rows) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        String[] headings = columns.stream().map(Column::heading).toArray(String[]::new);
        out.println(line(headings, widths));
        for (String[] row : rows) {
            out.println(line(row, widths));
        }
    }

    private String line(String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append("  ");
            }
            String padding = " ".repeat(widths[i] - cells[i].length());
            boolean last = i == cells.length - 1;
            if (columns.get(i).alignRight()) {
                line.append(padding).append(cells[i]);
            } else {
                line.append(cells[i]).append(last ? "" : padding);
            }
        }
        return line.toString();
    }
}
