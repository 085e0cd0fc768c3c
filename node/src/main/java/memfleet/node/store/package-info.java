/**
 * The item store, off the Java heap: slab pages carved into chunks by size class ({@link
 * memfleet.node.store.SlabAllocator}), the key index ({@link memfleet.node.store.ItemIndex}), the segmented
 * HOT/WARM/COLD/TEMP LRU per class ({@link memfleet.node.store.SegmentedLru}) and the background workers
 * that keep them healthy (maintainer, crawler, slab rebalancer). Items are addressed by native address;
 * there is no Java object per item. This package calls only {@code memfleet.node.os} and the JDK.
 */
package memfleet.node.store;
