package io.synkit.ops.bench;

/**
 * The bench's Markdown summary as HTML for its page: pipe tables become tables, list items and
 * other lines paragraphs. Only the subset {@link BenchReport#table} writes.
 */
final class MarkdownTables {

    private MarkdownTables() {
    }

    static String toHtml(String markdown) {
        StringBuilder html = new StringBuilder();
        boolean inTable = false;
        boolean header = false;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("|")) {
                if (!inTable) {
                    html.append("<table>\n");
                    inTable = true;
                    header = true;
                }
                if (line.startsWith("|---")) {
                    continue;
                }
                String cell = header ? "th" : "td";
                html.append("<tr>");
                for (String value : line.substring(1, line.length() - 1).split("\\|", -1)) {
                    html.append('<').append(cell).append('>').append(BenchReport.escape(value.trim())).append("</").append(cell).append('>');
                }
                html.append("</tr>\n");
                header = false;
                continue;
            }
            if (inTable) {
                html.append("</table>\n");
                inTable = false;
            }
            if (!line.isBlank()) {
                html.append("<p>").append(BenchReport.escape(line.startsWith("- ") ? line.substring(2) : line)).append("</p>\n");
            }
        }
        if (inTable) {
            html.append("</table>\n");
        }
        return html.toString();
    }
}
