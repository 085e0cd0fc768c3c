package memfleet.console.web;

import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The key browser's filter: a prefix, or a regular expression matched against each key with a time budget,
 * so a pathological pattern typed into the page cannot tie up the server (each key is at most 250 bytes, but
 * backtracking can still be exponential).
 */
final class KeyFilter {
    static final int MAX_PATTERN = 200;
    private static final long BUDGET_NANOS = 200_000_000L;

    private KeyFilter() {
    }

    /** A predicate for {@code filter} in {@code mode} ({@code prefix} or {@code regex}); throws on a bad pattern. */
    static Predicate<String> of(String mode, String filter) {
        if (filter == null || filter.isEmpty()) {
            return k -> true;
        }
        if (filter.length() > MAX_PATTERN) {
            throw new IllegalArgumentException("filter longer than " + MAX_PATTERN + " characters");
        }
        if (!"regex".equals(mode)) {
            return k -> k.startsWith(filter);
        }
        Pattern p;
        try {
            p = Pattern.compile(filter);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("bad regular expression: " + e.getDescription());
        }
        long deadline = System.nanoTime() + BUDGET_NANOS;
        return k -> p.matcher(new Budgeted(k, deadline)).find();
    }

    /** A key whose every character read checks the deadline. */
    private record Budgeted(String s, long deadline) implements CharSequence {
        @Override
        public int length() {
            return s.length();
        }

        @Override
        public char charAt(int index) {
            if (System.nanoTime() > deadline) {
                throw new IllegalArgumentException("regular expression took too long; simplify it");
            }
            return s.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Budgeted(s.substring(start, end), deadline);
        }

        @Override
        public String toString() {
            return s;
        }
    }
}
