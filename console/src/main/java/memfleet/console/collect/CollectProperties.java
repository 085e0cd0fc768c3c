package memfleet.console.collect;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code memfleet.collect}: how often every node is polled, how long one node may take before it counts as
 * down (kept below the interval, so a dead node shows down within one interval), and how many nodes are
 * polled at once.
 */
@ConfigurationProperties("memfleet.collect")
public record CollectProperties(@DefaultValue("2s") Duration interval, @DefaultValue("1500ms") Duration timeout,
                                @DefaultValue("64") int concurrency) {
    public CollectProperties {
        if (timeout.compareTo(interval) >= 0) {
            timeout = interval.multipliedBy(3).dividedBy(4);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("memfleet.collect.concurrency must be at least 1");
        }
    }
}
