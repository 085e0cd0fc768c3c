package memfleet.console.metrics;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** {@code memfleet.metrics.slabs}: whether the per-slab-class series ({@code memcached_slab_*}) are exported. */
@ConfigurationProperties("memfleet.metrics")
public record MetricsProperties(@DefaultValue("true") boolean slabs) {
}
