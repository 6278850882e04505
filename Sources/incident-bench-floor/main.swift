// The benchmark's floor: the cheapest Swift program shaped like `incident` (imports only
// FoundationEssentials, prints one line), built the same way. scripts/bench.sh divides
// every command's time by this one's.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

print("floor \(Date.now.timeIntervalSince1970 > 0)")
