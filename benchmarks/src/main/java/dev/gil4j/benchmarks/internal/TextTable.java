package dev.gil4j.benchmarks.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table: the first {@code textColumns} columns are left-aligned, the rest (figures)
 * right-aligned, every column as wide as its widest cell.
 */
public final class TextTable {
  private final int textColumns;
  private final List<String[]> rows = new ArrayList<>();

  public TextTable(int textColumns, String... header) {
    this.textColumns = textColumns;
    rows.add(header);
  }

  public void row(String... cells) {
    rows.add(Arrays.copyOf(cells, rows.get(0).length));
  }

  public void print(PrintStream out) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], cell(row, c).length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        String cell = cell(rows.get(r), c);
        String pad = " ".repeat(width[c] - cell.length());
        line.append(c == 0 ? "" : "  ").append(c < textColumns ? cell + pad : pad + cell);
      }
      out.println(line.toString().stripTrailing());
      if (r == 0) {
        out.println("-".repeat(line.toString().stripTrailing().length()));
      }
    }
  }

  private static String cell(String[] row, int c) {
    return row[c] == null ? "" : row[c];
  }
}
