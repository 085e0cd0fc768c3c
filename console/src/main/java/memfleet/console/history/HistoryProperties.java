package memfleet.console.history;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code memfleet.history}: how long points are kept at full resolution ({@code recent}, 1 h) and as
 * {@code bucket} averages ({@code retention}, 24 h), and the window of the windowed hit ratio.
 */
@ConfigurationProperties("memfleet.history")
public record HistoryProperties(@DefaultValue("1h") Duration recent, @DefaultValue("24h") Duration retention,
                                @DefaultValue("1m") Duration bucket, @DefaultValue("1m") Duration hitRatioWindow) {
}
