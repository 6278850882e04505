#if canImport(Glibc)
import Glibc
#endif
import Synchronization

#if os(Linux) && canImport(Glibc)
/// glibc's `mallopt` (malloc.h, which the Glibc module leaves out): two ints in, one out.
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let mTrimThreshold: Int32 = -1, mTopPad: Int32 = -2, mMmapThreshold: Int32 = -3
#endif

/// Commands that read the whole archive (ten thousand summaries, megabytes of index) touch
/// tens of megabytes of fresh heap, and on Linux every 4 KiB page of it cost a page fault:
/// four thousand of them, a third of `list --all`. Before such work the heap is grown in one
/// step and the kernel asked to back it with huge pages (transparent huge pages, "madvise"
/// mode, the usual default); nothing changes where that is not available. Small commands
/// never call this: a huge page costs more than the few pages they touch.
public enum HeapHint {
    private static let prepared = Atomic<Bool>(false)
    private static let grown = Atomic<Int>(0)

    public static func expectLargeWork() {
        #if os(Linux) && canImport(Glibc)
        guard !prepared.exchange(true, ordering: .relaxed) else { return }
        let pad = 32 << 20, huge = 2 << 20
        // Large blocks from the heap too (not a fresh mapping each), grown by `pad` at a time
        // and not trimmed back in between.
        guard glibcMallopt(mMmapThreshold, Int32(pad)) == 1, glibcMallopt(mTrimThreshold, Int32(4 * pad)) == 1,
              glibcMallopt(mTopPad, Int32(pad)) == 1 else { return }
        guard let before = sbrk(0) else { return }
        // One allocation larger than the free top of the heap grows it now, by `pad` more.
        // (Its address is published, or the compiler drops an allocation nothing uses.)
        if let block = malloc(huge) {
            grown.store(Int(bitPattern: block), ordering: .relaxed)
            free(block)
        }
        guard let after = sbrk(0) else { return }
        let start = (Int(bitPattern: before) + huge - 1) / huge * huge
        let end = Int(bitPattern: after) / huge * huge
        guard end > start, let base = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(base, end - start, 14)  // MADV_HUGEPAGE
        #endif
    }
}
