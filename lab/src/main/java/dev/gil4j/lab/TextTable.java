package dev.gil4j.lab;

import java.util.List;

/**
 * A plain-text table: the first {@code textColumns} columns left-aligned, the rest (figures)
 * right-aligned, every column as wide as its widest cell, the header ruled off.
 */
final class TextTable {
  private TextTable() {}

  static String render(List<String[]> rows, int textColumns) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        String cell = rows.get(r)[c];
        String pad = " ".repeat(width[c] - cell.length());
        line.append(c == 0 ? "" : "  ").append(c < textColumns ? cell + pad : pad + cell);
      }
      String text = line.toString().stripTrailing();
      out.append(text).append('\n');
      if (r == 0) {
        out.append("-".repeat(text.length())).append('\n');
      }
    }
    return out.toString();
  }
}
