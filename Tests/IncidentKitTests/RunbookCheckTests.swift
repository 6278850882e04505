import Foundation
import Testing
@testable import IncidentKit
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `.runbook-checked` lets a command skip the runbook's checks when the runbook is the one
/// this binary already checked. It must never let a changed, replaced or forged runbook
/// through unchecked.
@Suite struct RunbookCheckTests {
    func makeStore() throws -> Store {
        let store = Store(root: temporaryDirectory("rbcheck") + "/s")
        _ = try store.initialize()
        return store
    }

    var notePath: (Store) -> String { { $0.root + "/" + RunbookCheck.name } }

    /// The default runbook with one timer duration made invalid, at the same length.
    func invalidText(_ valid: String) -> String {
        let bad = valid.replacingOccurrences(of: "\"15m\"", with: "\"15q\"")
        #expect(bad != valid && bad.utf8.count == valid.utf8.count)
        return bad
    }

    func overwriteInPlace(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY)
        #expect(fd >= 0)
        let bytes = Array(text.utf8)
        #expect(write(fd, bytes, bytes.count) == bytes.count)
        close(fd)
    }

    @Test func aCheckedRunbookLeavesANoteAndLoadsTheSame() throws {
        let store = try makeStore()
        let first = try store.loadRunbook()
        #expect(FileManager.default.fileExists(atPath: notePath(store)))
        let note = try String(contentsOfFile: notePath(store), encoding: .utf8)
        #expect(note.hasPrefix(RunbookCheck.magic + "\t"))
        let second = try store.loadRunbook()  // through the note
        #expect(second == first)
    }

    /// Edited in place, same size, modification time put back: the change time moved, so the
    /// runbook is checked again and refused.
    @Test func anInPlaceEditWithTheSameSizeAndMtimeIsCheckedAgain() throws {
        let store = try makeStore()
        _ = try store.loadRunbook()
        let valid = try String(contentsOfFile: store.runbookPath, encoding: .utf8)
        var st = stat()
        #expect(stat(store.runbookPath, &st) == 0)
        overwriteInPlace(store.runbookPath, invalidText(valid))
        var times = [st.st_atim, st.st_mtim]
        #expect(utimensat(AT_FDCWD, store.runbookPath, &times, 0) == 0)
        #expect(throws: IncidentError.self) { try store.loadRunbook() }
    }

    /// A note whose fingerprint matches but whose checksum is of other bytes (an edit within
    /// one tick of the file system's clock) does not let the runbook through.
    @Test func aNoteForOtherBytesWithTheSameFingerprintIsIgnored() throws {
        let store = try makeStore()
        let valid = try String(contentsOfFile: store.runbookPath, encoding: .utf8)
        overwriteInPlace(store.runbookPath, invalidText(valid))
        let fp = try #require(FileFingerprint.of(store.runbookPath))
        let forged = RunbookCheck.key(fingerprint: fp, bytes: Array(valid.utf8))
        try Data(forged).write(to: URL(fileURLWithPath: notePath(store)))
        #expect(throws: IncidentError.self) { try store.loadRunbook() }
    }

    /// Even a note this user's own binary could have written is not enough for a runbook
    /// without levels or phases: such a runbook is always checked (and refused).
    @Test func aNoteNeverCarriesARunbookWithoutLevelsOrPhases() throws {
        let store = try makeStore()
        let valid = try String(contentsOfFile: store.runbookPath, encoding: .utf8)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(valid.utf8)) as? [String: Any])
        object["phases"] = [Any]()
        let bytes = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try bytes.write(to: URL(fileURLWithPath: store.runbookPath))
        #expect(RunbookReader.runbook(bytes)?.phases.isEmpty == true)  // it parses; only the checks refuse it
        let fp = try #require(FileFingerprint.of(store.runbookPath))
        try Data(RunbookCheck.key(fingerprint: fp, bytes: Array(bytes))).write(to: URL(fileURLWithPath: notePath(store)))
        #expect(throws: IncidentError.self) { try store.loadRunbook() }
    }

    /// A note copied from another store (or committed by a teammate) names another file.
    @Test func aNoteFromAnotherStoreIsIgnored() throws {
        let good = try makeStore()
        let expected = try good.loadRunbook()
        let bad = try makeStore()
        let valid = try String(contentsOfFile: bad.runbookPath, encoding: .utf8)
        try invalidText(valid).write(toFile: bad.runbookPath, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: notePath(good), toPath: notePath(bad))
        #expect(throws: IncidentError.self) { try bad.loadRunbook() }
        // Damaged notes are ignored, and replaced.
        for damage in ["", "garbage\n", String(repeating: "x", count: 10_000)] {
            try damage.write(toFile: notePath(good), atomically: true, encoding: .utf8)
            #expect(try good.loadRunbook() == expected)
            #expect(try String(contentsOfFile: notePath(good), encoding: .utf8).hasPrefix(RunbookCheck.magic))
        }
    }

    /// A runbook replaced by a valid one is checked and noted again; the note follows it.
    @Test func aReplacedRunbookIsCheckedAndNotedAgain() throws {
        let store = try makeStore()
        _ = try store.loadRunbook()
        let before = try String(contentsOfFile: notePath(store), encoding: .utf8)
        let other = try #require(Runbook.shippedText(named: Runbook.shippedNames.first { $0 != "default" }!))
        try other.write(toFile: store.runbookPath, atomically: true, encoding: .utf8)
        let loaded = try store.loadRunbook()
        #expect(loaded == (try Runbook.decode(Data(other.utf8), origin: "x")))
        #expect(try String(contentsOfFile: notePath(store), encoding: .utf8) != before)
    }

    /// A note that cannot be written (a directory in its place, a read-only store) costs a
    /// full check each time, never the runbook.
    @Test func aNoteThatCannotBeWrittenLeavesLoadingAlone() throws {
        let store = try makeStore()
        try FileManager.default.createDirectory(atPath: notePath(store), withIntermediateDirectories: false)
        let first = try store.loadRunbook()
        #expect(try store.loadRunbook() == first)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: notePath(store), isDirectory: &isDirectory) && isDirectory.boolValue)
    }
}
