import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct NoteEditTests {
    /// An "editor" that records the file's mode and path, then writes `text` into it.
    func editor(_ dir: String, writes text: String, status: Int = 0) throws -> String {
        let path = dir + "/fake editor.sh"
        let script = """
        #!/bin/sh
        stat -c %a "$1" > '\(dir)/mode'
        printf '%s' "$1" > '\(dir)/path'
        printf '%s' '\(text)' > "$1"
        exit \(status)
        """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    @Test func editRecordsWhatWasSavedInAPrivateFileThatIsRemoved() throws {
        let e = E2E()
        _ = try e.declare()
        let dir = temporaryDirectory("editor")
        // A temp directory whose name would run code if it were pasted into a command line.
        let tmp = dir + "/tmp $(touch pwned) `touch pwned2`"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let ed = try editor(dir, writes: "Decided to fail over to us-east\nbecause eu-west is drained")
        // The editor setting is a word list: its path has a space, so it is quoted inside it.
        let r = try e.run("note", "1", "--edit", "--kind", "decision",
                          env: ["VISUAL": "'\(ed)'", "EDITOR": "false", "TMPDIR": tmp])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: dir + "/mode", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "600")
        let used = try String(contentsOfFile: dir + "/path", encoding: .utf8)
        #expect(used.hasPrefix(tmp + "/"))
        #expect(!FileManager.default.fileExists(atPath: used))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir + "/pwned") && !FileManager.default.fileExists(atPath: "pwned"))
        let entries = try e.json("timeline", "1") as? [[String: Any]] ?? []
        #expect(entries.contains { $0["text"] as? String == "Decided to fail over to us-east\nbecause eu-west is drained" && $0["kind"] as? String == "decision" })
        #expect(try e.verifies())
    }

    @Test func anEmptyFileOrAFailingEditorRecordsNothing() throws {
        let e = E2E()
        _ = try e.declare()
        let dir = temporaryDirectory("editor")
        let before = snapshot(e.store)
        let empty = try editor(dir, writes: "  ")
        var r = try e.run("note", "1", "--edit", env: ["EDITOR": "'\(empty)'", "TMPDIR": dir])
        #expect(r.status == 0 && r.stderr.contains("nothing recorded"))
        #expect(!FileManager.default.fileExists(atPath: try String(contentsOfFile: dir + "/path", encoding: .utf8)))
        let failing = try editor(dir, writes: "half a thought", status: 3)
        r = try e.run("note", "1", "--edit", env: ["EDITOR": "'\(failing)'", "TMPDIR": dir])
        #expect(r.status == 1 && r.stderr.contains("status 3"))
        #expect(!FileManager.default.fileExists(atPath: try String(contentsOfFile: dir + "/path", encoding: .utf8)))
        #expect(try e.run("note", "1", "text", "--edit", env: ["EDITOR": "'\(empty)'"]).status == 2)
        #expect(try e.run("note", "9", "--edit", env: ["EDITOR": "'\(empty)'"]).status == 3)
        #expect(snapshot(e.store) == before)
    }
}
