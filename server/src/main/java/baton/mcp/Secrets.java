package baton.mcp;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Masks what looks like a secret in text that leaves the server for a client's log: bearer tokens,
 * Baton and API keys, passwords in URLs and {@code key=value} pairs. Log lines are Baton's own
 * sentences, but some quote what a model API or an upstream server answered, which may echo a key.
 */
final class Secrets {

    private static final String MASK = "***";

    private static final List<Pattern> VALUES = List.of(
            // scheme://user:password@host
            Pattern.compile("(?<keep>://[^:/@\\s]*:)[^@/\\s]+(?=@)"),
            // Authorization: Bearer xyz, Basic xyz
            Pattern.compile("(?i)(?<keep>\\b(?:bearer|basic)\\s+)[A-Za-z0-9._~+/=-]{6,}"),
            // password=…, api_key: …, "token": "…"
            Pattern.compile("(?i)(?<keep>\\b(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key)"
                    + "[\"']?\\s*[=:]\\s*[\"']?)[^\\s\"'&,;]+"),
            // Baton tokens and the usual API key shapes
            Pattern.compile("(?<keep>\\bbaton_)[A-Za-z0-9_-]{8,}"),
            Pattern.compile("(?<keep>\\b(?:sk|pk|rk)-)[A-Za-z0-9_-]{8,}"));

    private Secrets() {
    }

    static String mask(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Pattern p : VALUES) {
            out = p.matcher(out).replaceAll("${keep}" + MASK);
        }
        return out;
    }
}
