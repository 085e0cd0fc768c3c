package memfleet.console.web;

import java.util.Locale;

/** Numbers as people read them on a page: sizes in KiB/MiB/GiB, rates, percentages, durations. */
public final class Units {
    private Units() {
    }

    public static String bytes(double b) {
        if (Double.isNaN(b) || b < 0) {
            return "–";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (b >= 1024 && u < units.length - 1) {
            b /= 1024;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f B", b) : String.format(Locale.ROOT, "%.1f %s", b, units[u]);
    }

    public static String rate(double r) {
        if (Double.isNaN(r)) {
            return "–";
        }
        if (r >= 1000) {
            return String.format(Locale.ROOT, "%.1fk", r / 1000);
        }
        return String.format(Locale.ROOT, r >= 10 ? "%.0f" : "%.1f", r);
    }

    public static String percent(double ratio) {
        return Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.1f %%", ratio * 100);
    }

    public static String count(long n) {
        return n < 0 ? "–" : String.format(Locale.ROOT, "%,d", n);
    }

    public static String duration(long seconds) {
        if (seconds < 0) {
            return "–";
        }
        long d = seconds / 86400;
        long h = seconds % 86400 / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        if (d > 0) {
            return d + "d " + h + "h";
        }
        if (h > 0) {
            return h + "h " + m + "m";
        }
        return m > 0 ? m + "m " + s + "s" : s + "s";
    }

    public static String millis(long micros) {
        return micros < 0 ? "–" : String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }
}
