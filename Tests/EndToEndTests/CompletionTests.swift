import Foundation
import Testing
import TestSupport

/// The completion scripts, loaded in the real shells and asked for completions.
@Suite(.serialized) struct CompletionTests {
    /// A store whose runbook and incidents carry names built to run code if a shell ever
    /// expands them (valid for the runbook validator of the day: no spaces, '/' or ':').
    static func hostileStore() throws -> (store: String, cwd: String) {
        let base = temporaryDirectory("completion")
        let store = base + "/store"
        let cwd = base + "/cwd"
        try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
        // Something for a stray glob to match, so glob expansion would show.
        FileManager.default.createFile(atPath: cwd + "/globbait", contents: Data())
        let env = ["INCIDENT_USER": "alice"]
        var r = try runBinary(["declare", "Checkout $(touch${IFS}pwned-title) `touch${IFS}pwned-title2` down", "--severity", "high",
                               "--at", "2026-01-05T14:05:00Z"], store: store, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        r = try runBinary(["note", "1", "entry $(touch${IFS}pwned-entry)", "--at", "2026-01-05T14:06:00Z"], store: store)
        #expect(r.status == 0, "\(r.stderr)")
        let path = store + "/runbook.json"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"low\"", with: "\"$(touch${IFS}pwned-level)\"")
        guard var runbook = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            Issue.record("runbook is not an object"); return (store, cwd)
        }
        var roles = runbook["roles"] as? [[String: Any]] ?? []
        roles.append(["id": "`touch${IFS}pwned-role`", "title": "Evil $(touch pwned-role-title)"])
        runbook["roles"] = roles
        var kinds = runbook["entryKinds"] as? [[String: Any]] ?? []
        kinds.append(["id": "$(touch${IFS}pwned-kind)", "title": "evil"])
        kinds.append(["id": "*", "title": "glob"])
        runbook["entryKinds"] = kinds
        try JSONSerialization.data(withJSONObject: runbook, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
        return (store, cwd)
    }

    static func pwned(_ cwd: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cwd)) ?? []).filter { $0.hasPrefix("pwned") }
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("pwned-incident-") }
    }

    /// Loads the bash script in bash and completes each line (cursor at the end).
    static func bash(_ lines: [String], store: String, cwd: String, path: String) throws -> [String: [String]] {
        let script = try runBinary(["completions", "bash"], store: store)
        #expect(script.status == 0)
        let file = cwd + "/../incident.bash"
        try script.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let driver = #"""
        source "$1"; shift
        for line in "$@"; do
          read -ra w <<<"$line"; [[ $line == *" " ]] && w+=("")
          COMP_WORDS=("${w[@]}"); COMP_CWORD=$((${#w[@]} - 1)); COMP_LINE=$line; COMP_POINT=${#line}
          COMPREPLY=(); _incident
          printf '== %s\n' "$line"
          (( ${#COMPREPLY[@]} )) && printf '%s\n' "${COMPREPLY[@]}"
        done
        """#
        let r = try runProgram("/bin/bash", ["--norc", "--noprofile", "-c", driver, "bash", file] + lines,
                               environment: ["PATH": path, "INCIDENT_STORE": store, "HOME": cwd], currentDirectory: cwd)
        #expect(r.status == 0, "\(r.stderr)")
        return parseSections(r.stdout)
    }

    static func parseSections(_ text: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("== ") { current = String(line.dropFirst(3)); out[current!] = [] }
            else if let c = current, !line.isEmpty { out[c]?.append(line) }
        }
        return out
    }

    @Test func bashNeverEvaluatesNamesFromTheStore() throws {
        let (store, cwd) = try Self.hostileStore()
        let got = try Self.bash(["incident severity 1 ", "incident assign 1 ", "incident note 1 --kind ", "incident show ",
                                 "incident declare x --severity ", "incident amend 1 ", "incident strike Checkout ", "incident list --status "],
                                store: store, cwd: cwd, path: binaryDirectory() + ":/usr/bin:/bin")
        #expect(Self.pwned(cwd).isEmpty, "completion ran code: \(Self.pwned(cwd))")
        // The runbook validator refuses this runbook outright (unsafe ids), so completion falls
        // back to the built-in levels; either way no hostile name is offered.
        for line in ["incident severity 1 ", "incident declare x --severity "] {
            #expect(Array((got[line] ?? []).prefix(3)) == ["critical", "high", "medium"], "\(line)")
            #expect(got[line]?.contains { $0.contains("touch") || $0.contains("$") } == false)
        }
        #expect(got["incident assign 1 "]?.contains("commander") == true)
        #expect(got["incident assign 1 "]?.contains { $0.contains("touch") } == false)
        #expect(got["incident note 1 --kind "]?.contains("decision") == true)
        #expect(got["incident note 1 --kind "]?.contains { $0.contains("touch") || $0 == "*" || $0 == "globbait" } == false)
        #expect(got["incident show "] == ["INC-1"])
        #expect(got["incident amend 1 "]?.count == 1)
        #expect(got["incident amend 1 "]?.first?.hasPrefix("ev-") == true)
        #expect(got["incident strike Checkout "] == nil || got["incident strike Checkout "]?.isEmpty == true)
        #expect(got["incident list --status "] == ["active", "resolved", "closed", "declined", "merged"])
    }

    /// Even if `_names` printed hostile lines (an older or tampered binary), the script adds
    /// them as plain strings, drops what is outside the safe set, and expands nothing.
    @Test func bashScriptTreatsCandidatesAsPlainStrings() throws {
        let (store, cwd) = try Self.hostileStore()
        let stubDir = cwd + "/../stub"
        try FileManager.default.createDirectory(atPath: stubDir, withIntermediateDirectories: true)
        let stub = """
        #!/bin/sh
        case "$*" in *completions*) exec \(incidentBinary()) "$@";; esac
        printf '%s\\n' '$(touch pwned-stub1)' '`touch pwned-stub2`' '*' 'a b' '$HOME' 'safe-name\tdesc $(touch pwned-stub3)' 'x;touch pwned-stub4'
        """
        try stub.write(toFile: stubDir + "/incident", atomically: true, encoding: .utf8)
        chmod(stubDir + "/incident", 0o755)
        let got = try Self.bash(["incident severity 1 ", "incident assign 1 s", "incident show "], store: store, cwd: cwd,
                                path: stubDir + ":/usr/bin:/bin")
        #expect(Self.pwned(cwd).isEmpty, "completion ran code: \(Self.pwned(cwd))")
        #expect(got["incident severity 1 "] == ["safe-name"])
        #expect(got["incident assign 1 s"] == ["safe-name"])
        #expect(got["incident show "] == ["safe-name"])
    }
}
