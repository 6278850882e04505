import Foundation
import Testing
@testable import IncidentKit
import TestSupport

/// Whole files read into memory of their own (huge-page backed when large): the same bytes
/// as the ordinary read, at every size around the switch between the two ways, with the same
/// refusals.
@Suite struct FileBytesTests {
    @Test(arguments: [0, 1, 4095, 4096, (2 << 20) - 1, 2 << 20, (2 << 20) + 1, (5 << 20) + 12_345])
    func theSameBytesAsAnOrdinaryRead(_ size: Int) throws {
        let dir = temporaryDirectory("filebytes")
        let path = dir + "/data"
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let read = try FileBytes.read(path, limit: 64 << 20)
        #expect(read.count == size)
        #expect(read.withUnsafeBufferPointer { Array($0) } == bytes)
        #expect(try POSIXFile.read(path, limit: 64 << 20) == bytes)
    }

    @Test func aLargeFileOverTheLimitAndASymlinkAreRefused() throws {
        let dir = temporaryDirectory("filebytes")
        let path = dir + "/big"
        try Data(count: 3 << 20).write(to: URL(fileURLWithPath: path))
        #expect(throws: IncidentError.self) { try FileBytes.read(path, limit: 2 << 20) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: path)
        #expect(throws: (any Error).self) { try FileBytes.read(dir + "/link", limit: 64 << 20) }
    }

    /// The archive's index is read this way: a large one (thousands of lines) still lists
    /// exactly what the files hold.
    @Test func aLargeIndexIsReadThisWayAndBelieved() throws {
        let cli = InProcessCLI(now: ts("2026-11-23T14:05:00Z"))
        #expect(cli.run(["declare", "Seed", "-s", "low", "--at", "2026-11-20T10:00:00Z"]).status == 0)
        #expect(cli.run(["resolve", "1", "--at", "2026-11-21T10:00:00Z"]).status == 0)
        #expect(cli.run(["close", "1", "--force", "--reason", "test", "--at", "2026-11-21T11:00:00Z"]).status == 0)
        // 6,000 more closed incidents: copies of that one, each under its own number.
        let text = try String(contentsOfFile: cli.store + "/archive/2026/INC-1.json", encoding: .utf8)
        for n in 2...6001 {
            let copy = text.replacingOccurrences(of: "\"INC-1\"", with: "\"INC-\(n)\"")
            try copy.write(toFile: cli.store + "/archive/2026/INC-\(n).json", atomically: false, encoding: .utf8)
        }
        let first = cli.run(["list", "--all", "--json"])
        #expect(first.status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: cli.store + "/archive/.index")
        #expect((attributes[.size] as? Int ?? 0) >= FileBytes.hugePage, "the index should be large enough to take the huge-page path")
        let second = cli.run(["list", "--all", "--json"])
        #expect(second.stdout == first.stdout)
        #expect(second.stdout.components(separatedBy: "\"id\" : \"INC-").count - 1 == 6001)
    }

    /// An index padded far past any real size is not read into memory: it is treated as
    /// missing, the listing comes from the files, and the index is written again at its size.
    @Test func anIndexPaddedPastTheLimitIsRebuiltNotRead() throws {
        let cli = InProcessCLI(now: ts("2026-11-23T14:05:00Z"))
        for n in 1...3 {
            #expect(cli.run(["declare", "Incident \(n)", "-s", "low", "--at", "2026-11-20T10:00:00Z"]).status == 0)
            #expect(cli.run(["resolve", "\(n)", "--at", "2026-11-21T10:00:00Z"]).status == 0)
            #expect(cli.run(["close", "\(n)", "--force", "--reason", "test", "--at", "2026-11-21T11:00:00Z"]).status == 0)
        }
        let expected = cli.run(["list", "--all"]).stdout
        let index = cli.store + "/archive/.index"
        #expect(truncate(index, off_t(DerivedIndex.maxBytes + 1)) == 0)  // sparse: no disk used
        let again = cli.run(["list", "--all"])
        #expect(again.status == 0)
        #expect(again.stdout == expected)
        let size = (try FileManager.default.attributesOfItem(atPath: index)[.size] as? Int) ?? -1
        #expect(size > 0 && size < 1 << 20, "rebuilt at its own size, not \(size) bytes")
    }
}
